import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { amiKeyAliasName } from '../naming';
import { NagNames } from '../validation/nag-names';
import { autoScalingServiceLinkedRoleArn } from './ami-key-stack';

/** Props for AmiKeyGrant. */
export interface AmiKeyGrantProps {
  readonly pipelineName: string;
  /** The pipeline's account, which owns the AMI key of this stack's region (AmiKeyStack). */
  readonly pipelineAccount: string;
}

/** What EC2 Auto Scaling needs of the key of an AMI it launches (the operations of AWS's own example grant). */
const GRANT_OPERATIONS = ['Decrypt', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'CreateGrant', 'DescribeKey'];

/**
 * Lets this account's EC2 Auto Scaling launch the AMIs the pipeline shares, which are encrypted with the pipeline
 * account's AMI key: a grant for the Auto Scaling service-linked role, created from this account ("You must create
 * AWS KMS grants from the account that owns the Amazon EC2 Auto Scaling group", AWS knowledge center
 * kms-launch-ec2-instance), after the role exists (created here if Auto Scaling never ran in the account). The grant is
 * retired when the stack is deleted. CloudFormation has no grant resource, hence SDK calls.
 */
export class AmiKeyGrant extends Construct {
  constructor(scope: Construct, id: string, props: AmiKeyGrantProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const slr = autoScalingServiceLinkedRoleArn(stack.partition, stack.account);
    const aliasArn = `arn:${stack.partition}:kms:${stack.region}:${props.pipelineAccount}:${amiKeyAliasName(props.pipelineName)}`;
    const keys = `arn:${stack.partition}:kms:${stack.region}:${props.pipelineAccount}:key/*`;
    const reason = `The key's id is generated in the pipeline's account; the alias condition limits the calls to the one key aliased ${amiKeyAliasName(props.pipelineName)}.`;

    const serviceLinkedRole = new cr.AwsCustomResource(this, 'AutoScalingServiceLinkedRole', {
      onCreate: {
        service: 'IAM',
        action: 'createServiceLinkedRole',
        parameters: { AWSServiceName: 'autoscaling.amazonaws.com' },
        physicalResourceId: cr.PhysicalResourceId.of('AWSServiceRoleForAutoScaling'),
        // The role exists once any group was created in the account: "Service role name has been taken".
        ignoreErrorCodesMatching: 'InvalidInput',
      },
      // Kept on delete: other groups of the account may use it.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [slr],
          conditions: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } },
        }),
      ]),
      installLatestAwsSdk: false,
    });

    const key = new cr.AwsCustomResource(this, 'AmiKey', {
      onUpdate: {
        service: 'KMS',
        action: 'describeKey',
        parameters: { KeyId: aliasArn },
        physicalResourceId: cr.PhysicalResourceId.of(aliasArn),
        outputPaths: ['KeyMetadata.Arn'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [keys], conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': amiKeyAliasName(props.pipelineName) } } }),
      ]),
      installLatestAwsSdk: false,
    });
    const keyArn = key.getResponseField('KeyMetadata.Arn');

    const grant = new cr.AwsCustomResource(this, 'Grant', {
      onCreate: {
        service: 'KMS',
        action: 'createGrant',
        parameters: { KeyId: keyArn, GranteePrincipal: slr, Operations: GRANT_OPERATIONS, Name: `golden-ami-${props.pipelineName}-autoscaling` },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('GrantId'),
      },
      onDelete: {
        service: 'KMS',
        action: 'retireGrant',
        parameters: { KeyId: keyArn, GrantId: new cr.PhysicalResourceIdReference() },
        // Retired already (by hand, or the key is gone with its grants).
        ignoreErrorCodesMatching: 'NotFoundException|KMSInvalidStateException',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant'],
          resources: [keys],
          conditions: { StringEquals: { 'kms:GranteePrincipal': slr }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': amiKeyAliasName(props.pipelineName) } },
        }),
        new iam.PolicyStatement({ actions: ['kms:RetireGrant'], resources: [keys] }),
      ]),
      installLatestAwsSdk: false,
    });
    grant.node.addDependency(serviceLinkedRole);
    acknowledgeSdkCallsFunction(stack);
    for (const call of [serviceLinkedRole, key, grant]) {
      Validations.of(call).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'The policy of this one SDK call, by exact resource; created and deleted with it.' });
    }
    for (const call of [key, grant]) {
      Validations.of(call).acknowledge({ id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('kms', 'key/*', props.pipelineAccount)}]`, reason });
    }
  }
}

/**
 * The one function behind every AwsCustomResource of a stack (CDK's singleton, by its fixed id): acknowledged where
 * it is, with reasons specific to the three SDK calls it makes here.
 */
function acknowledgeSdkCallsFunction(stack: Stack): void {
  const fn = stack.node.tryFindChild(SDK_CALLS_FUNCTION_ID);
  if (!fn) return;
  const reason = 'Runs only while CloudFormation creates or deletes this stack, for three KMS and IAM calls to public AWS endpoints';
  Validations.of(fn).acknowledge(
    { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'CloudWatch Logs for the function that makes the AMI key grant; the AWS policy is what Lambda documents for it.' },
    { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: `${reason}; the environment\'s VPC is the user\'s, and a function in it would need a route to those endpoints.` },
    { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: `${reason}; the environment\'s VPC is the user\'s, and a function in it would need a route to those endpoints.` },
    { id: 'NIST.800.53.R5-LambdaConcurrency', reason: `${reason}: CloudFormation invokes it once per change of those resources.` },
    { id: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', reason: `${reason}; its log lines name the key and grant ids only, and the environment account has no key of the pipeline's to encrypt them with.` },
    { id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason: `${reason}; its log lines name the key and grant ids only, and the environment account has no key of the pipeline's to encrypt them with.` },
    { id: 'NIST.800.53.R5-LambdaDLQ', reason: `${reason}: CloudFormation invokes it synchronously and reports its failure as the stack event.` },
  );
}

/** The fixed construct id of CDK's AwsCustomResource singleton function in a stack. */
const SDK_CALLS_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
