import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { STACK_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';

/**
 * One statement of a stage stack's CloudFormation execution role, with the reason for each wildcard it keeps (by the
 * resource as cdk-nag prints it), so the acknowledgement sits next to the statement that needs it.
 */
export interface ExecutionGrant {
  readonly statement: iam.PolicyStatement;
  /** Why a wildcard resource is as wide as it is, by its cdk-nag rendering. @default none */
  readonly wildcards?: Readonly<Record<string, string>>;
  /**
   * A managed policy to hold this statement instead of the inline execution policy (named `<stack>-cfn-exec-<this>`):
   * for optional features whose grants would push the inline policy past IAM's 10,240 characters.
   * @default - the inline execution policy
   */
  readonly managedPolicy?: string;
}

/** What every stage stack's grants are built from. */
export interface StageStackContext {
  /** Construct in the stack that holds the execution role's policy, the stage stack's support nested stack (ARNs are rendered in its partition, region, account). */
  readonly scope: IConstruct;
  /** CloudFormation stack name of the stage stack. */
  readonly stackName: string;
  /** ARN of the VPC the stage stack's security group lives in. */
  readonly vpcArn: string;
  /** ARN of the permissions boundary every role the stack creates must carry. */
  readonly boundaryArn: string;
  /** SSM parameters the stack's SSM-typed parameters resolve. */
  readonly parameterNames: readonly string[];
  /** Name of the stack's instance role and instance profile. */
  readonly instanceRoleName: string;
  /** AWS-managed policies the instance role attaches (names). */
  readonly instanceManagedPolicies: readonly string[];
}

/** Read-only actions with no resource-level permission, which CloudFormation's handlers call to validate and wait. */
export function describeGrant(sid: string, actions: string[]): ExecutionGrant {
  return {
    statement: new iam.PolicyStatement({ sid, actions, resources: ['*'] }),
    wildcards: { '*': 'Describe actions support no resource-level permission; CloudFormation uses them to validate and wait for the resources it manages.' },
  };
}

/**
 * EC2 tag-on-create: tags may be written only inside the create call itself (ec2:CreateAction), whose own
 * statement limits what is created. `nagResource` is `resource` as cdk-nag prints it.
 */
export function tagOnCreateGrant(sid: string, createAction: string, resource: string, nagResource: string): ExecutionGrant {
  return {
    statement: new iam.PolicyStatement({ sid, actions: ['ec2:CreateTags'], resources: [resource], conditions: { StringEquals: { 'ec2:CreateAction': createAction } } }),
    wildcards: { [nagResource]: `Tags are applied only within the ${createAction} call itself (ec2:CreateAction), which its own statement limits.` },
  };
}

/**
 * A create action allowed only when the request tags the new resource with this stack (aws:RequestTag), for resources
 * whose ids are generated at creation. `nagResource` is `resource` as cdk-nag prints it.
 */
export function createTaggedWithStackGrant(ctx: StageStackContext, sid: string, action: string, resource: string, nagResource: string, why: string): ExecutionGrant {
  return {
    statement: new iam.PolicyStatement({ sid, actions: [action], resources: [resource], conditions: { StringEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: ctx.stackName } } }),
    wildcards: { [nagResource]: why },
  };
}

/** An ARN in the scope's partition (and region and account unless given): `resource` is everything after them. */
export function arnIn(scope: IConstruct, service: string, resource: string, options: { region?: string; account?: string } = {}): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${options.region ?? stack.region}:${options.account ?? stack.account}:${resource}`;
}

/** The instance role and instance profile of the stack: created only under the boundary, with only the named managed policies. */
export function instanceRoleGrants(ctx: StageStackContext): ExecutionGrant[] {
  const stack = Stack.of(ctx.scope);
  const roleArn = arnIn(ctx.scope, 'iam', `role/${ctx.instanceRoleName}`, { region: '' });
  const profileArn = arnIn(ctx.scope, 'iam', `instance-profile/${ctx.instanceRoleName}`, { region: '' });
  const underBoundary = { StringEquals: { 'iam:PermissionsBoundary': ctx.boundaryArn } };
  return [
    {
      // The handlers read the role they pass and the service-linked roles they may have to create.
      statement: new iam.PolicyStatement({ sid: 'ReadTheInstanceRole', actions: ['iam:GetRole'], resources: [roleArn] }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'CreateTheInstanceRoleOnlyUnderTheBoundary',
        actions: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy'],
        resources: [roleArn],
        conditions: underBoundary,
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'AttachOnlyTheNamedManagedPolicies',
        actions: ['iam:AttachRolePolicy'],
        resources: [roleArn],
        conditions: {
          ...underBoundary,
          'ForAllValues:StringEquals': { 'iam:PolicyARN': ctx.instanceManagedPolicies.map((name) => `arn:${stack.partition}:iam::aws:policy/${name}`) },
        },
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'MaintainTheInstanceRole',
        actions: [
          'iam:DeleteRole',
          'iam:GetRolePolicy',
          'iam:ListAttachedRolePolicies',
          'iam:ListInstanceProfilesForRole',
          'iam:ListRolePolicies',
          'iam:ListRoleTags',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
        ],
        resources: [roleArn],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'TheInstanceProfile',
        actions: [
          'iam:AddRoleToInstanceProfile',
          'iam:CreateInstanceProfile',
          'iam:DeleteInstanceProfile',
          'iam:GetInstanceProfile',
          'iam:RemoveRoleFromInstanceProfile',
          'iam:TagInstanceProfile',
          'iam:UntagInstanceProfile',
        ],
        resources: [profileArn],
      }),
    },
    {
      // Putting the role in its profile, and naming the profile in a resource that launches instances, pass the role.
      statement: new iam.PolicyStatement({ sid: 'PassOnlyTheInstanceRole', actions: ['iam:PassRole'], resources: [roleArn] }),
    },
  ];
}

/** The stack's security group: created in the pipeline's VPC, changed only there. */
export function securityGroupGrants(ctx: StageStackContext): ExecutionGrant[] {
  const anyGroup = arnIn(ctx.scope, 'ec2', 'security-group/*');
  const reason = 'Security group ids are generated at creation; the condition keeps every call inside the pipeline VPC.';
  const nagAnyGroup = NagNames.of(ctx.scope).arn('ec2', 'security-group/*');
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'CreateSecurityGroupsInThePipelineVpc',
        actions: ['ec2:CreateSecurityGroup'],
        resources: [ctx.vpcArn, anyGroup],
      }),
      wildcards: { [nagAnyGroup]: 'The id of a new security group is not known before it exists; the VPC resource in the same statement limits creation to the pipeline VPC.' },
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ChangeSecurityGroupsOfThePipelineVpc',
        actions: [
          'ec2:AuthorizeSecurityGroupEgress',
          'ec2:RevokeSecurityGroupEgress',
          'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
          'ec2:DeleteSecurityGroup',
          'ec2:CreateTags',
          'ec2:DeleteTags',
        ],
        resources: [anyGroup],
        conditions: { ArnEquals: { 'ec2:Vpc': ctx.vpcArn } },
      }),
      wildcards: { [nagAnyGroup]: reason },
    },
    tagOnCreateGrant('TagSecurityGroupsWhileCreatingThem', 'CreateSecurityGroup', anyGroup, nagAnyGroup),
  ];
}

/** The SSM-typed parameters of the stack, resolved when a change set is created. */
export function parameterGrant(ctx: StageStackContext): ExecutionGrant {
  const patterns = ctx.parameterNames.filter((name) => name.includes('*'));
  return {
    statement: new iam.PolicyStatement({
      sid: 'ResolveTheStackParameters',
      actions: ['ssm:GetParameters'],
      resources: ctx.parameterNames.map((name) => arnIn(ctx.scope, 'ssm', `parameter${name}`)),
    }),
    wildcards: Object.fromEntries(patterns.map((name) => [NagNames.of(ctx.scope).arn('ssm', `parameter${name}`), PARAMETER_PATTERN_REASON])),
  };
}

/** Why a role may read per-image parameters by pattern (see collapseImageLevels). */
export const PARAMETER_PATTERN_REASON =
  "One parameter of every fleet or image, read only, by one pattern under this pipeline's own path level (one ARN per image would pass IAM's inline policy size at 50 images).";

/** The service-linked role a service needs the first time it is used in an account. */
export function serviceLinkedRoleGrant(ctx: StageStackContext, service: string, roleName: string): ExecutionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: `ServiceLinkedRoleOf${roleName.replace(/^AWSServiceRoleFor/, '')}`,
      actions: ['iam:CreateServiceLinkedRole', 'iam:GetRole'],
      resources: [arnIn(ctx.scope, 'iam', `role/aws-service-role/${service}/${roleName}`, { region: '' })],
      // iam:AWSServiceName exists only on CreateServiceLinkedRole; for GetRole the exact ARN is the limit.
      conditions: { StringEqualsIfExists: { 'iam:AWSServiceName': service } },
    }),
  };
}

/** What every stage stack needs besides its own resources: its instance role, security group, parameters and the
 * service-linked role of the service that runs it. */
export function stageStackBaseGrants(ctx: StageStackContext, service: string, serviceLinkedRoleName: string): ExecutionGrant[] {
  return [...instanceRoleGrants(ctx), ...securityGroupGrants(ctx), parameterGrant(ctx), serviceLinkedRoleGrant(ctx, service, serviceLinkedRoleName)];
}
