import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CfnResource, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import {
  assertWithinDeploymentLimits,
  CFN_MAX_MAPPINGS,
  CFN_MAX_OUTPUTS,
  CFN_MAX_PARAMETERS,
  CFN_MAX_RESOURCES,
  CFN_MAX_STACK_NAME_LENGTH,
  CFN_MAX_TEMPLATE_BYTES,
  checkDeploymentLimits,
  CODEPIPELINE_MAX_ACTIONS,
  CODEPIPELINE_MAX_ACTIONS_PER_STAGE,
  CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH,
  CODEPIPELINE_MAX_STAGES,
  DeploymentLimitError,
  type DeploymentLimitProblem,
  formatDeploymentLimitProblem,
  NAME_LENGTH_LIMITS,
  SSM_ARN_PREFIX,
  SSM_MAX_HIERARCHY_DEPTH,
  SSM_MAX_PARAMETER_ARN_LENGTH,
  type CfnTemplate,
  type SynthesizedTemplate,
  type TemplateResource,
} from '../../lib/validation/deployment-limits';
import { templatesOfAssembly } from '../../lib/validation/deployment-limits-assembly';

const FILE = 'golden-ami-pipeline.template.json';

function synthesized(template: CfnTemplate, overrides: Partial<SynthesizedTemplate> = {}): SynthesizedTemplate {
  return { stackName: 'golden-ami-pipeline', file: FILE, template, bytes: 10_000, ...overrides };
}

function withResources(resources: Record<string, TemplateResource>, overrides: Partial<SynthesizedTemplate> = {}): SynthesizedTemplate {
  return synthesized({ Resources: resources }, overrides);
}

/** `count` entries named <prefix>0, <prefix>1, … */
function entries<T>(count: number, prefix: string, make: (i: number) => T): Record<string, T> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, make(i)]));
}

const topic = (): TemplateResource => ({ Type: 'AWS::SNS::Topic' });

/** A pipeline with `stages` stages of `actionsPerStage` actions each. */
function pipeline(stages: number, actionsPerStage: number, configuration: Record<string, unknown> = {}): TemplateResource {
  return {
    Type: 'AWS::CodePipeline::Pipeline',
    Properties: {
      Name: 'golden-ami',
      Stages: Array.from({ length: stages }, (_, s) => ({
        Name: `Stage${s}`,
        Actions: Array.from({ length: actionsPerStage }, (__, a) => ({ Name: `Action${a}`, Configuration: configuration })),
      })),
    },
  };
}

/** The single problem of the templates; fails when there is none or more than one. */
function onlyProblem(...templates: SynthesizedTemplate[]): DeploymentLimitProblem {
  const problems = checkDeploymentLimits(templates, { imageCount: 12, pipelineFile: 'pipeline-assets/pipeline.yaml', imagesDir: 'pipeline-assets/images/' });
  expect(problems.map(formatDeploymentLimitProblem)).toHaveLength(1);
  return problems[0];
}

/** The problem names the file, the count and the limit in its one line, and gives a fix. */
function expectNamed(problem: DeploymentLimitProblem, count: number, limit: number): void {
  const line = formatDeploymentLimitProblem(problem);
  expect(problem).toMatchObject({ file: FILE, count, limit });
  expect(line.startsWith(`${FILE}: `)).toBe(true);
  expect(line).toContain(count.toLocaleString('en-US'));
  expect(line).toContain(limit.toLocaleString('en-US'));
  expect(problem.fix.length).toBeGreaterThan(20);
  expect(line).toContain(`. Fix: ${problem.fix}`);
}

describe('CloudFormation limits', () => {
  test('template size: 1,000,000 bytes pass; one byte more is over the limit for a template read from S3', () => {
    expect(checkDeploymentLimits([synthesized({}, { bytes: CFN_MAX_TEMPLATE_BYTES })])).toEqual([]);
    const problem = onlyProblem(synthesized({}, { bytes: CFN_MAX_TEMPLATE_BYTES + 1 }));
    expectNamed(problem, 1_000_001, 1_000_000);
    expect(formatDeploymentLimitProblem(problem)).toBe(
      `${FILE}: 1,000,001 bytes, over CloudFormation's 1,000,000 for a template read from S3. ` +
        'Fix: move per-image resources out of this stack (a nested stack or a stack per image), or spread the 12 images in pipeline-assets/images/ over several pipelines',
    );
  });

  test('resources: 500 pass; 501 are over the limit per stack', () => {
    expect(checkDeploymentLimits([withResources(entries(CFN_MAX_RESOURCES, 'Topic', topic))])).toEqual([]);
    const problem = onlyProblem(withResources(entries(CFN_MAX_RESOURCES + 1, 'Topic', topic)));
    expectNamed(problem, 501, 500);
    expect(problem.rule).toBe('CloudFormation.Resources');
    expect(problem.message).toBe("501 resources, over CloudFormation's 500 per stack");
  });

  test.each([
    ['Outputs', CFN_MAX_OUTPUTS],
    ['Parameters', CFN_MAX_PARAMETERS],
    ['Mappings', CFN_MAX_MAPPINGS],
  ] as const)('%s: %i pass; one more is over the limit per template', (section, limit) => {
    expect(checkDeploymentLimits([synthesized({ [section]: entries(limit, 'Entry', () => ({})) })])).toEqual([]);
    const problem = onlyProblem(synthesized({ [section]: entries(limit + 1, 'Entry', () => ({})) }));
    expectNamed(problem, limit + 1, limit);
    expect(problem.rule).toBe(`CloudFormation.${section}`);
    expect(problem.message).toContain(section.toLowerCase());
  });

  test('stack name: 128 characters pass; 129 are over the limit; a nested stack (named by CloudFormation) is not checked', () => {
    expect(checkDeploymentLimits([synthesized({}, { stackName: 's'.repeat(CFN_MAX_STACK_NAME_LENGTH) })])).toEqual([]);
    const problem = onlyProblem(synthesized({}, { stackName: 's'.repeat(CFN_MAX_STACK_NAME_LENGTH + 1) }));
    expectNamed(problem, 129, 128);
    expect(problem.fix).toContain('shorten it by 1 character:');
    expect(problem.fix).toContain('pipeline-assets/pipeline.yaml');
    expect(checkDeploymentLimits([synthesized({}, { stackName: 's'.repeat(200), nested: true })])).toEqual([]);
  });

  test('a nested stack template is checked like any other stack', () => {
    const nested = withResources(entries(CFN_MAX_RESOURCES + 1, 'Topic', topic), { file: 'PerImage.nested.template.json', stackName: 'PerImage', nested: true });
    expect(checkDeploymentLimits([nested])).toEqual([expect.objectContaining({ file: 'PerImage.nested.template.json', rule: 'CloudFormation.Resources' })]);
  });
});

describe('CodePipeline limits', () => {
  test('actions per stage: 50 pass; 51 are over the limit per stage', () => {
    expect(checkDeploymentLimits([withResources({ Pipeline: pipeline(2, CODEPIPELINE_MAX_ACTIONS_PER_STAGE) })])).toEqual([]);
    const problem = onlyProblem(withResources({ Pipeline: pipeline(1, CODEPIPELINE_MAX_ACTIONS_PER_STAGE + 1) }));
    expectNamed(problem, 51, 50);
    expect(problem).toMatchObject({ rule: 'CodePipeline.ActionsPerStage', resource: 'Pipeline' });
    expect(problem.message).toBe("AWS::CodePipeline::Pipeline Pipeline: stage Stage0 has 51 actions, over CodePipeline's 50 per stage");
  });

  test('stages per pipeline: 50 pass; 51 are over the limit per pipeline', () => {
    expect(checkDeploymentLimits([withResources({ Pipeline: pipeline(CODEPIPELINE_MAX_STAGES, 1) })])).toEqual([]);
    const problem = onlyProblem(withResources({ Pipeline: pipeline(CODEPIPELINE_MAX_STAGES + 1, 1) }));
    expectNamed(problem, 51, 50);
    expect(problem.rule).toBe('CodePipeline.Stages');
  });

  test('actions per pipeline: 500 pass; 501 are over the limit per pipeline', () => {
    // 10 stages of 50 actions, then one more action in an eleventh stage.
    expect(checkDeploymentLimits([withResources({ Pipeline: pipeline(10, 50) })])).toEqual([]);
    const over = pipeline(10, 50) as { Type: string; Properties: { Stages: unknown[] } };
    over.Properties.Stages.push({ Name: 'Extra', Actions: [{ Name: 'One' }] });
    const problem = onlyProblem(withResources({ Pipeline: over }));
    expectNamed(problem, CODEPIPELINE_MAX_ACTIONS + 1, CODEPIPELINE_MAX_ACTIONS);
    expect(problem.rule).toBe('CodePipeline.Actions');
  });

  test('action configuration value: 1000 characters pass; 1001 are over the limit for one value', () => {
    const at = (length: number) => withResources({ Pipeline: pipeline(2, 1, { UserParameters: 'x'.repeat(length) }) });
    expect(checkDeploymentLimits([at(CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH)])).toEqual([]);
    const problems = checkDeploymentLimits([at(CODEPIPELINE_MAX_CONFIGURATION_VALUE_LENGTH + 1)]);
    expect(problems).toHaveLength(2); // one per stage
    expectNamed(problems[0], 1001, 1000);
    expect(problems[0].message).toContain('stage Stage0, action Action0: Configuration.UserParameters is 1,001 characters');
  });
});

describe('name lengths', () => {
  /** A resource of the rule's type with `value` at the rule's property path. */
  function resourceWith(type: string, propertyPath: string, value: unknown): TemplateResource {
    const build = (steps: string[]): unknown => (steps.length === 0 ? value : steps[0] === '[]' ? [build(steps.slice(1))] : { [steps[0]]: build(steps.slice(1)) });
    return { Type: type, Properties: build(propertyPath.split('.')) };
  }

  test.each(NAME_LENGTH_LIMITS.map((rule) => [rule.type, rule.path, rule.max, rule] as const))('%s %s: %i characters pass; one more is over the limit', (type, propertyPath, max, rule) => {
    expect(checkDeploymentLimits([withResources({ Named: resourceWith(type, propertyPath, 'n'.repeat(max)) })])).toEqual([]);
    const problem = onlyProblem(withResources({ Named: resourceWith(type, propertyPath, 'n'.repeat(max + 1)) }));
    expectNamed(problem, max + 1, max);
    expect(problem).toMatchObject({ rule: `${type}.${propertyPath}`, resource: 'Named' });
    expect(problem.message).toContain(`${rule.what} "`);
    expect(problem.message).toContain(`over ${rule.service}'s ${max}`);
    expect(problem.fix).toContain('shorten it by 1 character:');
  });

  test('the limits the issue names are all covered, with the documented numbers', () => {
    const max = (type: string, propertyPath: string) => NAME_LENGTH_LIMITS.find((r) => r.type === type && r.path === propertyPath)?.max;
    expect(max('AWS::IAM::Role', 'RoleName')).toBe(64);
    expect(max('AWS::IAM::Policy', 'PolicyName')).toBe(128);
    expect(max('AWS::IAM::ManagedPolicy', 'ManagedPolicyName')).toBe(128);
    expect(max('AWS::IAM::InstanceProfile', 'InstanceProfileName')).toBe(128);
    expect(max('AWS::Lambda::Function', 'FunctionName')).toBe(64);
    expect(max('AWS::AutoScaling::AutoScalingGroup', 'AutoScalingGroupName')).toBe(255);
    for (const type of ['Component', 'ImageRecipe', 'InfrastructureConfiguration', 'DistributionConfiguration']) expect(max(`AWS::ImageBuilder::${type}`, 'Name')).toBe(128);
    expect(max('AWS::EC2::LaunchTemplate', 'LaunchTemplateName')).toBe(128);
    expect(max('AWS::EC2::SecurityGroup', 'GroupName')).toBe(255);
    expect(max('AWS::EC2::SecurityGroup', 'GroupDescription')).toBe(255);
    expect(max('AWS::CodePipeline::Pipeline', 'Stages.[].Name')).toBe(100);
    expect(max('AWS::CodePipeline::Pipeline', 'Stages.[].Actions.[].Name')).toBe(100);
    expect(max('AWS::Logs::LogGroup', 'LogGroupName')).toBe(512);
    for (const rule of NAME_LENGTH_LIMITS) expect(rule.source).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
  });

  test('SSM parameter name: counted with its ARN; 1011 characters pass, 1012 are over the limit', () => {
    const nameFor = (arnLength: number) => `/golden-ami/${'p'.repeat(arnLength - SSM_ARN_PREFIX.length - 'golden-ami/'.length)}`;
    const parameter = (name: string) => withResources({ Param: { Type: 'AWS::SSM::Parameter', Properties: { Name: name, Type: 'String', Value: 'v' } } });
    expect((SSM_ARN_PREFIX + nameFor(SSM_MAX_PARAMETER_ARN_LENGTH).slice(1)).length).toBe(1011);
    expect(checkDeploymentLimits([parameter(nameFor(SSM_MAX_PARAMETER_ARN_LENGTH))])).toEqual([]);
    const problem = onlyProblem(parameter(nameFor(SSM_MAX_PARAMETER_ARN_LENGTH + 1)));
    expectNamed(problem, 1012, 1011);
    expect(problem.rule).toBe('AWS::SSM::Parameter.Name');
    expect(problem.message).toContain('with its ARN');
  });

  test('SSM parameter hierarchy: 15 levels pass; 16 are over the limit', () => {
    const levels = (count: number) => '/' + Array.from({ length: count }, (_, i) => `l${i}`).join('/');
    const parameter = (name: string) => withResources({ Param: { Type: 'AWS::SSM::Parameter', Properties: { Name: name, Type: 'String', Value: 'v' } } });
    expect(checkDeploymentLimits([parameter(levels(SSM_MAX_HIERARCHY_DEPTH))])).toEqual([]);
    const problem = onlyProblem(parameter(levels(SSM_MAX_HIERARCHY_DEPTH + 1)));
    expectNamed(problem, 16, 15);
    expect(problem.rule).toBe('AWS::SSM::Parameter.HierarchyDepth');
  });
});

describe('what is not checked, and reporting', () => {
  test('intrinsic functions and dynamic references are skipped: they are resolved at deploy time', () => {
    const long = 'x'.repeat(300);
    const tokens = withResources({
      Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Join': ['-', [long, { Ref: 'AWS::StackName' }]] } } },
      Function: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { Ref: 'FunctionNameParameter' } } },
      Param: { Type: 'AWS::SSM::Parameter', Properties: { Name: `{{resolve:ssm:/${long}}}` } },
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: { Name: { 'Fn::Sub': long }, Stages: [{ Name: { Ref: 'StageName' }, Actions: [{ Name: 'A', Configuration: { ProjectName: { Ref: 'Project' }, UserParameters: { 'Fn::Join': ['', ['x'.repeat(2000)]] } } }] }] },
      },
      Stages: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: { 'Fn::If': ['Cond', [], []] } } },
    });
    expect(checkDeploymentLimits([tokens])).toEqual([]);
  });

  test('several problems in several templates are all reported, and the error lists every one', () => {
    const pipelineStack = synthesized(
      { Resources: { ...entries(CFN_MAX_RESOURCES, 'Topic', topic), Pipeline: pipeline(1, CODEPIPELINE_MAX_ACTIONS_PER_STAGE + 1) } },
      { bytes: 1_066_325 },
    );
    const imageStack = withResources(
      {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'golden-ami-image-' + 'a'.repeat(60) } },
        Recipe: { Type: 'AWS::ImageBuilder::ImageRecipe', Properties: { Name: 'r'.repeat(129) } },
      },
      { file: 'assembly-golden-ami-pipeline-Image-x/image.template.json', stackName: 'golden-ami-image-x' },
    );
    const problems = checkDeploymentLimits([pipelineStack, imageStack]);
    expect(problems.map((p) => [p.file, p.rule])).toEqual([
      [FILE, 'CloudFormation.TemplateSize'],
      [FILE, 'CloudFormation.Resources'],
      [FILE, 'CodePipeline.ActionsPerStage'],
      ['assembly-golden-ami-pipeline-Image-x/image.template.json', 'AWS::IAM::Role.RoleName'],
      ['assembly-golden-ami-pipeline-Image-x/image.template.json', 'AWS::ImageBuilder::ImageRecipe.Name'],
    ]);

    expect(() => assertWithinDeploymentLimits([imageStack])).toThrow(DeploymentLimitError);
    let error: DeploymentLimitError | undefined;
    try {
      assertWithinDeploymentLimits([pipelineStack, imageStack]);
    } catch (e) {
      error = e as DeploymentLimitError;
    }
    expect(error?.name).toBe('DeploymentLimitError');
    expect(error?.problems).toHaveLength(5);
    const lines = error!.message.split('\n');
    expect(lines[0]).toBe('AWS would reject this deployment: 5 limits exceeded:');
    expect(lines.slice(1)).toEqual(problems.map((p) => `  - ${formatDeploymentLimitProblem(p)}`));
    expect(lines[1]).toContain(`${FILE}: 1,066,325 bytes, over CloudFormation's 1,000,000`);
  });

  test('templates within every limit pass quietly', () => {
    expect(() => assertWithinDeploymentLimits([withResources({ Pipeline: pipeline(5, 10), Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'golden-ami-image-app-linux-deploy' } } })])).not.toThrow();
  });
});

describe('templatesOfAssembly', () => {
  test('reads every stack, stage stacks and nested stacks included, with the size written to disk', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployment-limits-'));
    const app = new App({ outdir });
    const parent = new Stack(app, 'Parent', { stackName: 'golden-ami-pipeline' });
    new CfnResource(parent, 'Topic', { type: 'AWS::SNS::Topic' });
    new CfnOutput(parent, 'Out', { value: 'v' });
    const nested = new NestedStack(parent, 'PerImage');
    new CfnResource(nested, 'Param', { type: 'AWS::SSM::Parameter', properties: { Name: '/golden-ami/x', Type: 'String', Value: 'v' } });
    const stage = new Stage(app, 'Image-app-linux');
    new CfnResource(new Stack(stage, 'Image', { stackName: 'golden-ami-image-app-linux' }), 'Recipe', { type: 'AWS::ImageBuilder::ImageRecipe', properties: { Name: 'golden-ami-app-linux' } });

    const templates = templatesOfAssembly(app.synth());

    expect(templates.map((t) => [t.stackName, t.nested])).toEqual([
      ['golden-ami-pipeline', false],
      ['golden-ami-image-app-linux', false],
      [expect.stringContaining('PerImage'), true],
    ]);
    for (const t of templates) {
      expect(path.isAbsolute(t.file)).toBe(false);
      expect(t.bytes).toBe(fs.statSync(path.join(outdir, t.file)).size);
    }
    expect(templates[0].file).toBe('Parent.template.json');
    expect(templates[1].file).toMatch(/^assembly-Image-app-linux\//);
    expect(Object.keys(templates[2].template.Resources ?? {})).toEqual(['Param']);
    expect(checkDeploymentLimits(templates)).toEqual([]);
  });
});
