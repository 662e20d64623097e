import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { instanceRoleBoundaryName } from '../naming';
import { NagNames } from '../validation/nag-names';

/** Props for InstanceRoleBoundary. */
export interface InstanceRoleBoundaryProps {
  readonly pipelineName: string;
}

/**
 * The permissions boundary of every role a stage stack creates (Image Builder build instances, fleet instances).
 *
 * A stage stack's execution role must be able to create its instance role, and a role it creates could otherwise be
 * given any permission: whoever can push to the repository would own the account. The execution roles may create and
 * change roles only when this boundary is attached, so an instance role can never exceed it, whatever its policies say.
 *
 * The ceiling is what the AWS-managed instance policies the stage stacks attach grant (AmazonSSMManagedInstanceCore,
 * EC2InstanceProfileForImageBuilder) plus reading the CDK asset bucket; notably no SSM parameter writes, so a build
 * component cannot move a release pointer. When AWS adds an action to those managed policies, add it here.
 */
export class InstanceRoleBoundary extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: InstanceRoleBoundaryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: instanceRoleBoundaryName(props.pipelineName),
      description: `golden-ami-pipeline ${props.pipelineName}: the most any build or fleet instance role may do`,
      statements: [
        new iam.PolicyStatement({
          sid: 'SystemsManagerAgent',
          actions: [
            'ssm:DescribeAssociation',
            'ssm:DescribeDocument',
            'ssm:GetDeployablePatchSnapshotForInstance',
            'ssm:GetDocument',
            'ssm:GetManifest',
            'ssm:GetParameter',
            'ssm:GetParameters',
            'ssm:ListAssociations',
            'ssm:ListInstanceAssociations',
            'ssm:PutComplianceItems',
            'ssm:PutConfigurePackageResult',
            'ssm:PutInventory',
            'ssm:UpdateAssociationStatus',
            'ssm:UpdateInstanceAssociationStatus',
            'ssm:UpdateInstanceInformation',
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
            'ec2messages:AcknowledgeMessage',
            'ec2messages:DeleteMessage',
            'ec2messages:FailMessage',
            'ec2messages:GetEndpoint',
            'ec2messages:GetMessages',
            'ec2messages:SendReply',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ImageBuilderComponents',
          actions: ['imagebuilder:GetComponent'],
          resources: [stack.formatArn({ service: 'imagebuilder', account: '*', resource: 'component', resourceName: '*' })],
        }),
        new iam.PolicyStatement({
          sid: 'ImageBuilderEncryptedComponents',
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'aws:imagebuilder:arn', 'aws:CalledVia': 'imagebuilder.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          sid: 'ImageBuilderToolsAndTheApplicationArtifact',
          actions: ['s3:GetObject'],
          resources: [
            `arn:${stack.partition}:s3:::ec2imagebuilder*`,
            `arn:${stack.partition}:s3:::cdk-*-assets-${stack.account}-${stack.region}/*`,
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ImageBuilderLogs',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/imagebuilder/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({
          // A load-balanced fleet's first-boot gate waits until its target group sees the instance healthy.
          sid: 'FleetHealthGateTargetHealth',
          actions: ['elasticloadbalancing:DescribeTargetHealth'],
          resources: ['*'],
        }),
      ],
    });
    const names = NagNames.of(this);
    Validations.of(this.policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'A boundary is a ceiling, not a grant: the Systems Manager agent actions and elasticloadbalancing:DescribeTargetHealth (read-only) support no resource-level permission, and kms:Decrypt is limited to Image Builder calls by condition.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${names.arn('imagebuilder', 'component/*', '*')}]`,
        reason: 'Build instances read the AWS-owned and this account\'s components their recipe names; the boundary cannot know future component names.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${names.partition}:s3:::ec2imagebuilder*]`,
        reason: 'The AWS-owned buckets Image Builder downloads its component tools from, as in EC2InstanceProfileForImageBuilder.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${names.partition}:s3:::cdk-*-assets-${names.account}-${names.region}/*]`,
        reason: 'Objects of the CDK asset bucket of this account and region, where the application artifact is published under a content hash.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${names.arn('logs', 'log-group:/aws/imagebuilder/*')}]`,
        reason: 'The log groups Image Builder writes build logs to, as in EC2InstanceProfileForImageBuilder.',
      },
    );
  }
}
