import { CfnParameter, NestedStack, type Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ExecutionGrant, StageStackContext } from '../iam/execution-grants';
import { arnIn } from '../iam/execution-grants';
import { instanceRoleName, ssmRoot, stackCleanupRoleName, stackDeployRoleName, stackExecutionRoleName } from '../naming';
import { NagNames } from '../validation/nag-names';
import { tagAssumable } from './pipeline-role-scope';
import { StackDeployRole } from './stack-deploy-role';

/** Props for StageStackSupport. */
export interface StageStackSupportProps {
  readonly pipelineName: string;
  /** The image or fleet stack this nested stack serves. */
  readonly stageStack: Stack;
  /** What the stage stack's CloudFormation execution role may do (image-stack-grants or fleet-stack-grants). */
  readonly grants: (ctx: StageStackContext) => ExecutionGrant[];
  /** AWS-managed policies the stage stack's instance role attaches. */
  readonly instanceManagedPolicies: readonly string[];
  /** ARN of the VPC the stage stack's security group lives in. */
  readonly vpcArn: string;
  /** ARN of the permissions boundary every role the stage stack creates must carry. */
  readonly boundaryArn: string;
  /** The pipeline's service role: the only principal that may assume the deploy role and the action roles. */
  readonly pipelineRole: iam.IRole;
  /** The Cleanup function's role: the only principal that may assume the stack's clean-up role. */
  readonly cleanupRole: iam.IRole;
  /**
   * Name of the parameter-prep function the stack's Lambda actions invoke. By name: a reference would make this stack
   * depend on the function, whose logs use the pipeline key, which in turn waits for this stack's deploy role.
   */
  readonly parameterPrepFunctionName: string;
  /**
   * The pipeline's account, when the stage stack is in another (an environment's): its deploy role must also be
   * allowed, by its own policy, to read the pipeline's artifacts there (StackDeployRoleProps.artifactsAccount).
   * @default - the stage stack is in the pipeline's account
   */
  readonly artifactsAccount?: string;
}

/**
 * Everything the pipeline keeps for one stage stack, in a nested stack of the pipeline stack so that the pipeline stack
 * stays within CloudFormation's 500 resources and 1 MB however many images it holds: the execution role's policy, the
 * deploy role, the role the Cleanup function deletes the stack with, and (through actionRole) the roles of the
 * stack's Lambda actions.
 *
 * The execution role itself stays in the pipeline stack under its name (StackExecutionRole): CloudFormation stores it
 * with the stage stack and deletes the stage stack with it. When an image leaves the configuration, its support
 * stack is deleted in the pipeline stack update's clean-up phase, after the Cleanup resource has pruned the stage
 * stack, so every role the prune needs still exists while it runs.
 */
export class StageStackSupport extends NestedStack {
  public readonly deployRole: iam.Role;
  public readonly cleanupRole: iam.Role;
  /** The parameter-prep function, as the stack's Lambda actions invoke it. */
  public readonly parameterPrepFunction: lambda.IFunction;
  private readonly pipelineName: string;
  private readonly pipelineRole: iam.IRole;
  private readonly parameterPrepFunctionName: string;

  constructor(scope: Construct, id: string, props: StageStackSupportProps) {
    super(scope, id, { description: `golden-ami-pipeline ${props.pipelineName}: roles of stack ${props.stageStack.stackName}` });
    this.pipelineName = props.pipelineName;
    this.pipelineRole = props.pipelineRole;
    this.parameterPrepFunctionName = props.parameterPrepFunctionName;
    this.parameterPrepFunction = lambda.Function.fromFunctionName(this, 'ParameterPrepFunction', props.parameterPrepFunctionName);
    const stackName = props.stageStack.stackName;
    // The stage is synthesized first (CDK Pipelines would do it in addStage): its synthesizer adds the bootstrap
    // version parameter, which the change sets resolve too, only then. Stage.synth() keeps the assembly.
    Stage.of(props.stageStack)!.synth();
    const parameterNames = collapseImageLevels(ssmParameterNamesOf(props.stageStack), props.pipelineName);

    // By name, not by token: the role is the pipeline stack's; this stack only gives it its permissions.
    const executionRole = iam.Role.fromRoleName(this, 'ExecutionRole', stackExecutionRoleName(stackName));
    const grants = props.grants({
      scope: this,
      stackName,
      vpcArn: props.vpcArn,
      boundaryArn: props.boundaryArn,
      parameterNames,
      instanceRoleName: instanceRoleName(stackName),
      instanceManagedPolicies: props.instanceManagedPolicies,
    });
    const inline = grants.filter((g) => g.managedPolicy === undefined);
    const executionPolicy = new iam.Policy(this, 'ExecutionPolicy', {
      policyName: `${stackName}-cfn-exec`.slice(0, 128),
      roles: [executionRole],
      statements: inline.map((g) => g.statement),
    });
    acknowledgeWildcards(executionPolicy, inline);
    for (const suffix of new Set(grants.map((g) => g.managedPolicy).filter((m): m is string => m !== undefined))) {
      const group = grants.filter((g) => g.managedPolicy === suffix);
      const managed = new iam.ManagedPolicy(this, `ExecutionPolicy-${suffix}`, {
        managedPolicyName: `${stackName}-cfn-exec-${suffix}`.slice(0, 128),
        description: `CloudFormation execution role of ${stackName}: ${suffix}`,
        roles: [executionRole],
        statements: group.map((g) => g.statement),
      });
      acknowledgeWildcards(managed, group);
    }
    Validations.of(executionPolicy).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `The permissions of ${stackExecutionRoleName(stackName)} alone, sized to stack ${stackName}; created, changed and deleted with that stack's support stack.`,
    });

    this.deployRole = new StackDeployRole(this, 'DeployRole', {
      roleName: stackDeployRoleName(stackName),
      stackName,
      assumedBy: new iam.ArnPrincipal(props.pipelineRole.roleArn),
      executionRole: iam.Role.fromRoleArn(this, 'ExecutionRoleArn', arnIn(this, 'iam', `role/${stackExecutionRoleName(stackName)}`, { region: '' }), { mutable: false }),
      parameterNames,
      artifactsAccount: props.artifactsAccount,
    }).role;
    tagAssumable(this.deployRole, props.pipelineName, 'codepipeline');

    this.cleanupRole = new iam.Role(this, 'CleanupRole', {
      roleName: stackCleanupRoleName(stackName),
      assumedBy: new iam.ArnPrincipal(props.cleanupRole.roleArn),
      description: `Deletes stack ${stackName} for the Cleanup resource of pipeline ${props.pipelineName}; nothing else`,
      inlinePolicies: {
        DeleteThisStack: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DeleteStack'],
              resources: [arnIn(this, 'cloudformation', `stack/${stackName}/*`)],
            }),
          ],
        }),
      },
    });
    tagAssumable(this.cleanupRole, props.pipelineName, 'cleanup');
    const nag = NagNames.of(this);
    Validations.of(this.cleanupRole).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('cloudformation', `stack/${stackName}/*`)}]`,
        reason: `Stack ${stackName} only; CloudFormation appends a generated id to every stack ARN.`,
      },
      {
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: `One statement that only this role, which exists to delete stack ${stackName}, may use; it is created and deleted with the role.`,
      },
    );
  }

  /**
   * A role for one of the stage stack's pipeline actions (the parameter-prep steps), assumed only by the pipeline's
   * service role and tagged so that the pipeline role's policy finds it.
   */
  public actionRole(id: string, description: string): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ArnPrincipal(this.pipelineRole.roleArn), description });
    tagAssumable(role, this.pipelineName, 'codepipeline');
    // CodePipeline's Lambda action grants these two when it binds the role.
    Validations.of(role).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'lambda:ListFunctions, which CodePipeline calls to find the function, supports no resource-level permission.' },
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('lambda', `function:${this.parameterPrepFunctionName}`)}:*]`,
        reason: 'Invoke versions and aliases of the parameter-prep function only.',
      },
    );
    return role;
  }
}

/** Names of the SSM parameters a stack's SSM-typed parameters resolve (their defaults). */
export function ssmParameterNamesOf(stack: Stack): string[] {
  return stack.node
    .findAll()
    .filter((c): c is CfnParameter => c instanceof CfnParameter && c.type.startsWith('AWS::SSM::Parameter::Value'))
    .map((p) => p.default as string);
}

/**
 * Parameters kept per image (`/golden-ami/<pipeline>/fleets/<image>/<leaf>`, `…/images/<image>/<leaf>`) read for two or
 * more images are read by one pattern per leaf (the Egress stack reads every fleet's desired capacity; the release
 * steps resolve every fleet stack's parameters): one ARN per image would push a role past IAM's 10,240 characters of
 * inline policy at 50 images. Read-only, and the pipeline name is a whole level of the path, so no other pipeline's
 * parameters match. A name read for one image only stays exact.
 */
export function collapseImageLevels(names: readonly string[], pipelineName: string): string[] {
  const perImage = new RegExp(`^${ssmRoot(pipelineName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(fleets|images)/[^/]+/([^/]+)$`);
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const m = perImage.exec(name);
    if (!m) continue;
    const pattern = `${ssmRoot(pipelineName)}/${m[1]}/*/${m[2]}`;
    groups.set(pattern, [...(groups.get(pattern) ?? []), name]);
  }
  const collapsed = new Set([...groups].filter(([, members]) => new Set(members).size >= 2).flatMap(([, members]) => members));
  const patterns = [...groups].filter(([, members]) => new Set(members).size >= 2).map(([pattern]) => pattern);
  return [...new Set([...names.filter((n) => !collapsed.has(n)), ...patterns])];
}

/** Each wildcard a grant keeps, acknowledged on the policy that holds it with the grant's own reason. */
function acknowledgeWildcards(policy: iam.Policy | iam.ManagedPolicy, grants: readonly ExecutionGrant[]): void {
  const reasons = new Map<string, Set<string>>();
  for (const grant of grants) {
    for (const [resource, reason] of Object.entries(grant.wildcards ?? {})) reasons.set(resource, (reasons.get(resource) ?? new Set()).add(reason));
  }
  Validations.of(policy).acknowledge(...[...reasons].map(([resource, why]) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: [...why].join(' ') })));
}
