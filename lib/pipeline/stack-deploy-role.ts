import { DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { stackDeployRoleName, stackExecutionRoleName } from '../naming';
import { NagNames } from '../validation/nag-names';
import { PARAMETER_PATTERN_REASON } from '../iam/execution-grants';

/** Props for StackDeployRole. */
export interface StackDeployRoleProps {
  /** Name of the role; the stage stack's synthesizer names the same role. */
  readonly roleName: string;
  /** CloudFormation stack the role may create and execute change sets for. */
  readonly stackName: string;
  /** Who may assume the role: the pipeline's service role. */
  readonly assumedBy: iam.IPrincipal;
  /** The stack's CloudFormation execution role, the one role this role may pass. */
  readonly executionRole: iam.IRole;
  /** SSM parameters the stack's SSM-typed parameters resolve. */
  readonly parameterNames: readonly string[];
  /**
   * The pipeline's account, when it is not this role's: CodePipeline reads the stack's template from the pipeline's
   * artifact bucket of this region with the action's role, and across accounts the role's own policy must allow that
   * besides the bucket's and key's policies (which name this role by its ARN).
   * @default - the same account: the bucket and key policies suffice
   */
  readonly artifactsAccount?: string;
}

/**
 * The action role of one stage stack's Prepare and Deploy actions. CDK's bootstrap deploy role may change any stack
 * in the account; this one may only create, inspect and execute change sets of its own stack, and pass that stack's
 * own CloudFormation execution role (StackExecutionRole) to CloudFormation. (CDK Pipelines uses one role for both actions of a stack.)
 */
export class StackDeployRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StackDeployRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: props.assumedBy,
      description: `Creates and executes change sets of stack ${props.stackName}`,
    });
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${props.stackName}/*` });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ChangeSetsOfThisStack',
        actions: [
          'cloudformation:CreateChangeSet',
          'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
        ],
        resources: [stackArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassTheExecutionRole',
        actions: ['iam:PassRole'],
        resources: [props.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ResolveTheStackParameters',
        actions: ['ssm:GetParameters'],
        resources: props.parameterNames.map((name) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) })),
      }),
    );
    const nag = NagNames.of(this);
    if (props.artifactsAccount) {
      // The bucket's name is generated in the pipeline's account and a reference cannot cross accounts: the account
      // condition keeps the read to that account's buckets, whose policies admit this role to the artifact bucket only.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadThePipelinesArtifacts',
          actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:ListBucket'],
          resources: [`arn:${stack.partition}:s3:::*`],
          conditions: { StringEquals: { 's3:ResourceAccount': props.artifactsAccount } },
        }),
      );
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptThePipelinesArtifacts',
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [stack.formatArn({ service: 'kms', account: props.artifactsAccount, resource: 'key', resourceName: '*' })],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
      Validations.of(this.role).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::arn:${nag.partition}:s3:::*]`,
          reason: `The pipeline's artifact buckets are named in account ${props.artifactsAccount} at its deployment; only buckets of that account (condition), whose policies admit this role to the artifact bucket alone.`,
        },
        {
          id: `AwsSolutions-IAM5[Resource::${nag.arn('kms', 'key/*', props.artifactsAccount)}]`,
          reason: `The key of the pipeline's artifact bucket in this region, in account ${props.artifactsAccount} (its id is generated there); only through S3 in this region (condition).`,
        },
      );
    }
    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('cloudformation', `stack/${props.stackName}/*`)}]`,
        reason: `Stack ${props.stackName} only; CloudFormation appends a generated id to every stack ARN.`,
      },
      ...props.parameterNames.filter((name) => name.includes('*')).map((name) => ({ id: `AwsSolutions-IAM5[Resource::${nag.arn('ssm', `parameter${name}`)}]`, reason: PARAMETER_PATTERN_REASON })),
    );
  }
}

/**
 * The identity of a stage stack: its name, description, and the synthesizer that makes CDK Pipelines deploy it with
 * its own StackDeployRole and CloudFormation run it with its own StackExecutionRole (both created by the pipeline
 * stack under the same names).
 */
export function stageStackIdentity(stackName: string, description: string): { stackName: string; description: string; synthesizer: DefaultStackSynthesizer } {
  const roleArn = (name: string) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`;
  return {
    stackName,
    description,
    synthesizer: new DefaultStackSynthesizer({
      deployRoleArn: roleArn(stackDeployRoleName(stackName)),
      cloudFormationExecutionRole: roleArn(stackExecutionRoleName(stackName)),
    }),
  };
}
