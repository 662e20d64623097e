import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { amiKeyAliasName } from '../naming';

/** Props for AmiKeyStack. */
export interface AmiKeyStackProps extends StackProps {
  readonly pipelineName: string;
  /** Accounts of the environments in this stack's region: they launch the AMIs this key encrypts. */
  readonly environmentAccounts: readonly string[];
  /**
   * What deleting the stack does with the key: `keep` while AMIs shared with the environments are kept
   * (operations.onDestroy.sharedAmis), since they cannot be launched without it; `delete` schedules its deletion.
   */
  readonly onDestroy: 'keep' | 'delete';
}

/** KMS actions EBS performs on behalf of whoever launches, copies or snapshots an encrypted AMI. */
const EBS_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'];

/**
 * The customer-managed key of the AMIs promoted to the environments of one region, in the pipeline's account. An AMI
 * encrypted with the AWS-managed EBS key cannot be launched by another account (its key policy cannot be changed);
 * Image Builder encrypts the copy it distributes to this region with this key instead, and shares it.
 *
 * Key policy (after AWS's own aws/ebs key policy, and "Required AWS KMS key policy for use with encrypted volumes",
 * EC2 Auto Scaling user guide, example 2): any principal of the pipeline's account through EC2 in this region (Image
 * Builder's distribution, the build); each environment's account the same through EC2, and the creation of a grant
 * for its Auto Scaling service-linked role, which its environment stack makes (a service-linked role's permissions
 * cannot be changed, and a grant is the documented way to let it use another account's key).
 */
export class AmiKeyStack extends Stack {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AmiKeyStackProps) {
    super(scope, id, props);
    this.key = new kms.Key(this, 'Key', {
      description: `golden-ami-pipeline ${props.pipelineName}: AMIs promoted to environments in ${this.region}`,
      alias: amiKeyAliasName(props.pipelineName),
      enableKeyRotation: true,
      removalPolicy: props.onDestroy === 'keep' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const viaEc2 = `ec2.${this.region}.amazonaws.com`;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EbsOfThePipelineAccount',
        principals: [new iam.AnyPrincipal()],
        actions: EBS_KEY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': this.account, 'kms:ViaService': viaEc2 } },
      }),
    );
    if (props.environmentAccounts.length > 0) {
      const environments = props.environmentAccounts.map((account) => new iam.AccountPrincipal(account));
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EbsOfTheEnvironmentAccounts',
          principals: environments,
          actions: EBS_KEY_ACTIONS,
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': viaEc2 } },
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'GrantsForTheEnvironmentsAutoScaling',
          principals: environments,
          actions: ['kms:CreateGrant', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:GranteePrincipal': props.environmentAccounts.map((account) => autoScalingServiceLinkedRoleArn(this.partition, account)) },
          },
        }),
      );
    }
    Validations.of(this.key).acknowledge(
      {
        id: 'cdk-validator-cfnguard::kms_create_grant_aws_service_check',
        reason: 'The environments\' EC2 Auto Scaling can launch these AMIs only through a grant their account creates for its service-linked role (EC2 Auto Scaling user guide, key policy example 2), a call that is not an AWS service\'s: a deny of such grants would block it. Grants by other principals are limited by the statements instead: outside this account only that one grantee.',
      },
      {
        id: 'cdk-validator-cfnguard::kms_key_policy_no_wildcard_principal',
        reason: 'Principal * only with kms:CallerAccount (this account) and kms:ViaService (EC2 in this region): the statement AWS gives its own aws/ebs key, so Image Builder and EC2 Auto Scaling of this account can use the key without a list of their roles.',
      },
    );
  }
}

/** The EC2 Auto Scaling service-linked role of an account: the principal that launches a fleet's instances. */
export function autoScalingServiceLinkedRoleArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}
