/**
 * AWS deployment limits checked on the synthesized templates, so that `cdk synth` fails with the file, the count, the
 * limit and the fix instead of the first deploy failing in CloudFormation, CodePipeline or the service behind a
 * resource. Pure: it reads templates handed to it (see deployment-limits-assembly.ts for reading a cloud assembly).
 *
 * Only literal values are checked: an intrinsic function ({ Ref }, { "Fn::Join" }, …) or a dynamic reference
 * ({{resolve:…}}) is resolved at deploy time, and its length is not known at synth.
 */
import { checkPolicySizes } from './policy-size-limits';

// ---------------------------------------------------------------------------------------------------------------
// Limits. Each constant names its source; the numbers were checked against it in 2026-11.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Resources declared in one template (one stack; a nested stack is a stack of its own).
 * Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Resources").
 */
export const CFN_MAX_RESOURCES = 500;

/**
 * Template body read from S3. CDK uploads every template larger than 51,200 bytes (the limit for a body passed in
 * the request) to S3, and CDK Pipelines always deploys from the synth artifact, so the S3 limit is the one that applies.
 * The quotas page says "1 MB"; the service rejects more than 1,000,000 bytes ("Template may not exceed 1000000 bytes in
 * size", https://github.com/aws-samples/aws-vpc-cidr-mgmt/issues/10), which is also cfn-lint's E1002 limit.
 * Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 * ("Template body size in an Amazon S3 object").
 */
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

/** Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Outputs"). */
export const CFN_MAX_OUTPUTS = 200;

/** Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Parameters"). */
export const CFN_MAX_PARAMETERS = 200;

/** Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Mappings"). */
export const CFN_MAX_MAPPINGS = 200;

/** Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html ("Stack name"). */
export const CFN_MAX_STACK_NAME_LENGTH = 128;

/**
 * Actions in one stage (parallel and sequential together).
 * Source: https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html ("Number of actions in a stage").
 */
export const CODEPIPELINE_MAX_ACTIONS_PER_STAGE = 50;

/** Source: https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html ("Number of stages in a pipeline"). */
export const CODEPIPELINE_MAX_STAGES = 50;

/** Source: https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html ("Maximum number of actions per pipeline"). */
export const CODEPIPELINE_MAX_ACTIONS = 500;

/**
 * Pipeline, stage and action names.
 * Source: https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html ("Characters allowed in …") and
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html (name: maximum length 100).
 */
export const CODEPIPELINE_MAX_NAME_LENGTH = 100;

/**
 * One value of an action's configuration (e.g. a Lambda invoke action's UserParameters).
 * Source: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionConfiguration.html (value: maximum
 * length 1000) and https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html.
 */
export const CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH = 1000;

/**
 * A parameter name counted with its ARN: "the maximum length for a parameter name, including the full length of the
 * parameter ARN, is 1011 characters".
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
 */
export const SSM_MAX_PARAMETER_ARN_LENGTH = 1011;

/** Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html ("Hierarchy depth"). */
export const SSM_MAX_HIERARCHY_DEPTH = 15;

/**
 * The ARN prefix an SSM parameter name is counted with. The region and account are not known at synth for an
 * environment-agnostic stack, so the longest commercial region name (14 characters) is assumed.
 */
export const SSM_ARN_PREFIX = 'arn:aws:ssm:ap-southeast-5:123456789012:parameter/';

/** A name property whose length a service limits. */
export interface NameLengthLimit {
  /** CloudFormation resource type. */
  readonly type: string;
  /** Property path; `[]` steps into every element of a list (e.g. `Policies.[].PolicyName`). */
  readonly path: string;
  /** Most characters allowed. */
  readonly max: number;
  /** What the name is, for the message, e.g. `IAM role name`. */
  readonly what: string;
  /** Whose limit it is, for the message, e.g. `IAM`. */
  readonly service: string;
  /** Where the number comes from. */
  readonly source: string;
}

const CFN_SCHEMA = 'the CloudFormation resource schema (maxLength)';
const IMAGE_BUILDER_NAME_SOURCE =
  'https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateComponent.html (name pattern ^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$: 3 to 128 characters; the same for recipes and configurations)';

/** Name lengths that grow with pipeline and image names. */
export const NAME_LENGTH_LIMITS: readonly NameLengthLimit[] = [
  { type: 'AWS::IAM::Role', path: 'RoleName', max: 64, what: 'IAM role name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName: 1 to 64); ' + CFN_SCHEMA },
  { type: 'AWS::IAM::Role', path: 'Policies.[].PolicyName', max: 128, what: 'IAM inline policy name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (PolicyName: 1 to 128)' },
  { type: 'AWS::IAM::Policy', path: 'PolicyName', max: 128, what: 'IAM policy name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (PolicyName: 1 to 128); ' + CFN_SCHEMA },
  { type: 'AWS::IAM::RolePolicy', path: 'PolicyName', max: 128, what: 'IAM policy name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (PolicyName: 1 to 128); ' + CFN_SCHEMA },
  { type: 'AWS::IAM::ManagedPolicy', path: 'ManagedPolicyName', max: 128, what: 'IAM managed policy name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyName: 1 to 128)' },
  { type: 'AWS::IAM::InstanceProfile', path: 'InstanceProfileName', max: 128, what: 'instance profile name', service: 'IAM', source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html (1 to 128); ' + CFN_SCHEMA },
  { type: 'AWS::Lambda::Function', path: 'FunctionName', max: 64, what: 'Lambda function name', service: 'Lambda', source: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (a name alone: 64 characters); ' + CFN_SCHEMA },
  { type: 'AWS::AutoScaling::AutoScalingGroup', path: 'AutoScalingGroupName', max: 255, what: 'Auto Scaling group name', service: 'Auto Scaling', source: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html (1 to 255); ' + CFN_SCHEMA },
  { type: 'AWS::ImageBuilder::Component', path: 'Name', max: 128, what: 'Image Builder component name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::ImageBuilder::ImageRecipe', path: 'Name', max: 128, what: 'Image Builder image recipe name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::ImageBuilder::InfrastructureConfiguration', path: 'Name', max: 128, what: 'Image Builder infrastructure configuration name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::ImageBuilder::DistributionConfiguration', path: 'Name', max: 128, what: 'Image Builder distribution configuration name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::ImageBuilder::ImagePipeline', path: 'Name', max: 128, what: 'Image Builder image pipeline name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::ImageBuilder::Workflow', path: 'Name', max: 128, what: 'Image Builder workflow name', service: 'Image Builder', source: IMAGE_BUILDER_NAME_SOURCE },
  { type: 'AWS::EC2::LaunchTemplate', path: 'LaunchTemplateName', max: 128, what: 'launch template name', service: 'EC2', source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html (3 to 128); ' + CFN_SCHEMA },
  { type: 'AWS::EC2::SecurityGroup', path: 'GroupName', max: 255, what: 'security group name', service: 'EC2', source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (up to 255 characters)' },
  { type: 'AWS::EC2::SecurityGroup', path: 'GroupDescription', max: 255, what: 'security group description', service: 'EC2', source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (up to 255 characters); ' + CFN_SCHEMA },
  { type: 'AWS::Logs::LogGroup', path: 'LogGroupName', max: 512, what: 'log group name', service: 'CloudWatch Logs', source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (1 to 512); ' + CFN_SCHEMA },
  { type: 'AWS::CodePipeline::Pipeline', path: 'Name', max: CODEPIPELINE_MAX_NAME_LENGTH, what: 'pipeline name', service: 'CodePipeline', source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html' },
  { type: 'AWS::CodePipeline::Pipeline', path: 'Stages.[].Name', max: CODEPIPELINE_MAX_NAME_LENGTH, what: 'stage name', service: 'CodePipeline', source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html' },
  { type: 'AWS::CodePipeline::Pipeline', path: 'Stages.[].Actions.[].Name', max: CODEPIPELINE_MAX_NAME_LENGTH, what: 'action name', service: 'CodePipeline', source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html' },
];

// ---------------------------------------------------------------------------------------------------------------
// Input and output.
// ---------------------------------------------------------------------------------------------------------------

/** One resource of a template, as far as the checks read it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: unknown;
}

/** The parts of a CloudFormation template the checks read. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Mappings?: Readonly<Record<string, unknown>>;
}

/** One synthesized template to check. */
export interface SynthesizedTemplate {
  /** The stack's CloudFormation name. */
  readonly stackName: string;
  /** The template file, as the message names it (relative to cdk.out). */
  readonly file: string;
  /** The parsed template. */
  readonly template: CfnTemplate;
  /** Size of the template file as CDK wrote it, in bytes. */
  readonly bytes: number;
  /**
   * True for a nested stack's template (a `AWS::CloudFormation::Stack` resource of another template): CloudFormation
   * names a nested stack itself, so its name is not checked.
   * @default false
   */
  readonly nested?: boolean;
  /**
   * The account the stack deploys to: IAM names are unique per account, so a role of one name in two environment
   * accounts is two roles.
   * @default - unknown (one account for every template)
   */
  readonly account?: string;
}

/** Where the configuration the names and counts come from lives, for the fix in a message. */
export interface DeploymentLimitHints {
  /**
   * Number of images the configuration defines.
   * @default - the fix does not mention a count
   */
  readonly imageCount?: number;
  /**
   * The file that names the pipeline.
   * @default 'pipeline.yaml'
   */
  readonly pipelineFile?: string;
  /**
   * The directory of the image files.
   * @default 'images/'
   */
  readonly imagesDir?: string;
}

/** One limit a template exceeds. */
export interface DeploymentLimitProblem {
  /** The template file. */
  readonly file: string;
  /** Which limit, e.g. `CloudFormation.Resources` or `AWS::IAM::Role.RoleName`. */
  readonly rule: string;
  /** Logical id of the resource, when the problem is one resource's. */
  readonly resource?: string;
  /** What was counted: resources, bytes, characters, levels, … */
  readonly count: number;
  /** The most AWS allows. */
  readonly limit: number;
  /** What is wrong, with the count and the limit. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/** Formats one problem as a single line: `file: message. Fix: fix`. */
export function formatDeploymentLimitProblem(problem: DeploymentLimitProblem): string {
  return `${problem.file}: ${problem.message}. Fix: ${problem.fix}`;
}

/** Thrown when a template exceeds an AWS limit; lists every problem found, not just the first. */
export class DeploymentLimitError extends Error {
  constructor(public readonly problems: readonly DeploymentLimitProblem[]) {
    super(
      `AWS would reject this deployment: ${problems.length} limit${problems.length === 1 ? '' : 's'} exceeded:\n` +
        problems.map((p) => `  - ${formatDeploymentLimitProblem(p)}`).join('\n'),
    );
    this.name = 'DeploymentLimitError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------------------------------------------

/** Every limit each template exceeds, in the order of the templates and their resources. */
export function checkDeploymentLimits(templates: readonly SynthesizedTemplate[], hints: DeploymentLimitHints = {}): DeploymentLimitProblem[] {
  const fixes = new Fixes(hints);
  return [...templates.flatMap((t) => [...checkStack(t, fixes), ...checkResources(t, fixes)]), ...checkPolicySizes(templates)];
}

/** Throws DeploymentLimitError listing every limit exceeded; returns quietly when there is none. */
export function assertWithinDeploymentLimits(templates: readonly SynthesizedTemplate[], hints: DeploymentLimitHints = {}): void {
  const problems = checkDeploymentLimits(templates, hints);
  if (problems.length > 0) throw new DeploymentLimitError(problems);
}

function checkStack(t: SynthesizedTemplate, fixes: Fixes): DeploymentLimitProblem[] {
  const problems: DeploymentLimitProblem[] = [];
  const over = (rule: string, count: number, limit: number, message: string, fix: string): void => {
    if (count > limit) problems.push({ file: t.file, rule, count, limit, message, fix });
  };
  const resources = Object.keys(t.template.Resources ?? {}).length;
  over('CloudFormation.TemplateSize', t.bytes, CFN_MAX_TEMPLATE_BYTES, `${n(t.bytes)} bytes, over CloudFormation's ${n(CFN_MAX_TEMPLATE_BYTES)} for a template read from S3`, fixes.templateSize());
  over('CloudFormation.Resources', resources, CFN_MAX_RESOURCES, `${resources} resources, over CloudFormation's ${CFN_MAX_RESOURCES} per stack`, fixes.resources());
  for (const [section, limit] of [['Outputs', CFN_MAX_OUTPUTS], ['Parameters', CFN_MAX_PARAMETERS], ['Mappings', CFN_MAX_MAPPINGS]] as const) {
    const count = Object.keys(t.template[section] ?? {}).length;
    over(`CloudFormation.${section}`, count, limit, `${count} ${section.toLowerCase()}, over CloudFormation's ${limit} per template`, fixes.section(section));
  }
  if (!t.nested && isLiteral(t.stackName)) {
    over('CloudFormation.StackName', t.stackName.length, CFN_MAX_STACK_NAME_LENGTH, `stack name ${quote(t.stackName)} is ${t.stackName.length} characters, over CloudFormation's ${CFN_MAX_STACK_NAME_LENGTH}`, fixes.name(t.stackName.length - CFN_MAX_STACK_NAME_LENGTH));
  }
  return problems;
}

function checkResources(t: SynthesizedTemplate, fixes: Fixes): DeploymentLimitProblem[] {
  const problems: DeploymentLimitProblem[] = [];
  for (const [logicalId, resource] of Object.entries(t.template.Resources ?? {})) {
    const at = (rule: string, count: number, limit: number, message: string, fix: string): void => {
      if (count > limit) problems.push({ file: t.file, rule, resource: logicalId, count, limit, message: `${resource.Type} ${logicalId}: ${message}`, fix });
    };
    for (const rule of NAME_LENGTH_LIMITS.filter((r) => r.type === resource.Type)) {
      for (const value of valuesAt(resource.Properties, rule.path).filter(isLiteral)) {
        at(`${rule.type}.${rule.path}`, value.length, rule.max, `${rule.what} ${quote(value)} is ${value.length} characters, over ${rule.service}'s ${rule.max}`, fixes.name(value.length - rule.max));
      }
    }
    if (resource.Type === 'AWS::SSM::Parameter') {
      for (const name of valuesAt(resource.Properties, 'Name').filter(isLiteral)) {
        const arn = SSM_ARN_PREFIX + name.replace(/^\//, '');
        at('AWS::SSM::Parameter.Name', arn.length, SSM_MAX_PARAMETER_ARN_LENGTH, `parameter name ${quote(name)} is ${n(arn.length)} characters with its ARN (${SSM_ARN_PREFIX.length} for ${SSM_ARN_PREFIX}), over Systems Manager's ${n(SSM_MAX_PARAMETER_ARN_LENGTH)}`, fixes.name(arn.length - SSM_MAX_PARAMETER_ARN_LENGTH));
        const depth = name.replace(/^\//, '').split('/').length;
        at('AWS::SSM::Parameter.HierarchyDepth', depth, SSM_MAX_HIERARCHY_DEPTH, `parameter name ${quote(name)} has ${depth} levels, over Systems Manager's ${SSM_MAX_HIERARCHY_DEPTH}`, `use at most ${SSM_MAX_HIERARCHY_DEPTH} levels: join ${depth - SSM_MAX_HIERARCHY_DEPTH} of the path's segments, or drop slashes from the names it is built from (${fixes.nameSources()})`);
      }
    }
    if (resource.Type === 'AWS::CodePipeline::Pipeline') checkPipeline(resource.Properties, fixes, at);
  }
  return problems;
}

type Report = (rule: string, count: number, limit: number, message: string, fix: string) => void;

function checkPipeline(properties: unknown, fixes: Fixes, at: Report): void {
  const stages = field(properties, 'Stages');
  if (!Array.isArray(stages)) return;
  at('CodePipeline.Stages', stages.length, CODEPIPELINE_MAX_STAGES, `${stages.length} stages, over CodePipeline's ${CODEPIPELINE_MAX_STAGES} per pipeline`, fixes.stages());
  let total = 0;
  stages.forEach((stage, i) => {
    const stageName = label(field(stage, 'Name'), `stage ${i + 1}`);
    const actions = field(stage, 'Actions');
    if (!Array.isArray(actions)) return;
    total += actions.length;
    at('CodePipeline.ActionsPerStage', actions.length, CODEPIPELINE_MAX_ACTIONS_PER_STAGE, `stage ${stageName} has ${actions.length} actions, over CodePipeline's ${CODEPIPELINE_MAX_ACTIONS_PER_STAGE} per stage`, fixes.actionsPerStage());
    actions.forEach((action, j) => {
      const configuration = field(action, 'Configuration');
      if (configuration === null || typeof configuration !== 'object' || Array.isArray(configuration)) return;
      for (const [key, value] of Object.entries(configuration)) {
        if (!isLiteral(value)) continue;
        at('CodePipeline.ConfigurationValue', value.length, CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH, `stage ${stageName}, action ${label(field(action, 'Name'), `${j + 1}`)}: Configuration.${key} is ${n(value.length)} characters, over CodePipeline's ${n(CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH)} for one configuration value`, fixes.configurationValue(value.length - CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH));
      }
    });
  });
  at('CodePipeline.Actions', total, CODEPIPELINE_MAX_ACTIONS, `${total} actions, over CodePipeline's ${CODEPIPELINE_MAX_ACTIONS} per pipeline`, fixes.actions());
}

/** The fix in each message, in terms of this app's configuration. */
class Fixes {
  private readonly pipelineFile: string;
  private readonly imagesDir: string;
  private readonly images: string;

  constructor(hints: DeploymentLimitHints) {
    this.pipelineFile = hints.pipelineFile ?? 'pipeline.yaml';
    this.imagesDir = hints.imagesDir ?? 'images/';
    this.images = hints.imageCount === undefined ? `the images in ${this.imagesDir}` : `the ${hints.imageCount} image${hints.imageCount === 1 ? '' : 's'} in ${this.imagesDir}`;
  }

  nameSources(): string {
    return `\`name\` in ${this.pipelineFile} and in the image's file in ${this.imagesDir}`;
  }

  name(excess: number): string {
    return `shorten it by ${excess} character${excess === 1 ? '' : 's'}: it grows with the pipeline name and the image name (${this.nameSources()})`;
  }

  templateSize(): string {
    return `move per-image resources out of this stack (a nested stack or a stack per image), or spread ${this.images} over several pipelines`;
  }

  resources(): string {
    return `move per-image resources out of this stack (a nested stack or a stack per image), or spread ${this.images} over several pipelines`;
  }

  section(section: string): string {
    return `declare fewer ${section.toLowerCase()} in this stack, or split it (a nested stack or a stack per image)`;
  }

  stages(): string {
    return `run image stages side by side in one wave instead of a stage each, or spread ${this.images} over several pipelines`;
  }

  actionsPerStage(): string {
    return `split the stage: put fewer images in one wave (CDK Pipelines runs a wave of more than 50 actions as stages <wave>.1, <wave>.2, one after the other), or spread ${this.images} over several pipelines`;
  }

  actions(): string {
    return `spread ${this.images} over several pipelines: every image adds its actions to this one`;
  }

  configurationValue(excess: number): string {
    return `shorten it by ${excess} character${excess === 1 ? '' : 's'}: pass less in the action's configuration (e.g. read it from SSM in the function), or shorten the names it repeats (${this.nameSources()})`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------------------------

/** A string known at synth: not an intrinsic (those are objects), not a dynamic reference, not an unresolved token. */
function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('{{resolve:') && !value.includes('${Token[');
}

/** The values at a property path; `[]` steps into every element of a list. Missing steps and tokens give nothing. */
function valuesAt(properties: unknown, path: string): unknown[] {
  let values: unknown[] = [properties];
  for (const step of path.split('.')) {
    values = values.flatMap((v) => (step === '[]' ? (Array.isArray(v) ? v : []) : [field(v, step)]));
  }
  return values.filter((v) => v !== undefined);
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function label(name: unknown, fallback: string): string {
  return isLiteral(name) ? name : fallback;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
