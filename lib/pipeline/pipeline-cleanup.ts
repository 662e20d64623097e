import { ArnFormat, type CfnResource, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CleanupProperties } from '../../lambda/cleanup/scope';
import type { EnvironmentConfig, ImageConfig } from '../config/model';
import {
  amiKeyStackName,
  CLEANUP_LOGICAL_ID,
  environmentCleanupRoleName,
  fleetStackName,
  IMAGE_TAG_KEY,
  imagesParameterRoot,
  PIPELINE_TAG_KEY,
  stackCleanupRoleName,
} from '../naming';
import { assumeTaggedRolesStatement } from './pipeline-role-scope';
import { NagNames } from '../validation/nag-names';
import { appFunctionBasics } from './esbuild-code';

/** Props for PipelineCleanup. */
export interface PipelineCleanupProps {
  readonly pipelineName: string;
  /** The configured images: their stacks, AMIs, snapshots and parameters are what the clean-up removes. */
  readonly images: readonly ImageConfig[];
  /** Emptied (every version) and deleted when the pipeline stack is deleted. */
  readonly buckets: readonly s3.IBucket[];
  /** AMIs other accounts may launch: kept or deleted. */
  readonly sharedAmis: 'keep' | 'delete';
  /**
   * Whether the pipeline deploys an egress stack (network.egress on-demand with a fleet): deleted with the pipeline
   * stack, after the fleets, and pruned when it goes from true to false.
   * @default false
   */
  readonly egress?: boolean;
  /**
   * The environments (pipeline.yaml environments): with the pipeline stack, their fleet stacks and environment stacks
   * are deleted in their accounts, and the AMI key stack of each of their regions in the pipeline's account (with
   * sharedAmis delete); removing one from the configuration prunes its stacks. Each image with a fleet in an
   * environment (ImageConfig.fleetIn) has a fleet stack there.
   * @default - none
   */
  readonly environments?: readonly EnvironmentConfig[];
  /** Key that encrypts the function's logs. */
  readonly logKey: kms.IKey;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The custom resource that makes deleting the pipeline stack (`cdk destroy`) remove everything the pipeline created,
 * and that prunes an image or fleet removed from the configuration when the pipeline updates itself
 * (lambda/cleanup). The caller makes it depend on everything the stage stacks need while they are deleted (execution
 * roles, network, parameters): CloudFormation then deletes this resource before any of them.
 *
 * The function deletes each stage stack through that stack's own clean-up role, kept in the stack's support nested
 * stack (StageStackSupport). When an image leaves the configuration, CloudFormation updates this resource (which
 * prunes the image's stacks) before it deletes, in the update's clean-up phase, the support stack and the execution
 * role: the prune still has every role it needs.
 *
 * With environments, the function also deletes each environment's fleet stacks through their clean-up roles in its
 * account, then its environment stack through the environment clean-up role that stack holds (EnvironmentStack), and
 * with sharedAmis delete the AMI key stack of each environment region with its own role (grantEnvironments).
 */
export class PipelineCleanup extends Construct {
  public readonly resource: CustomResource;
  public readonly function: nodejs.NodejsFunction;
  /** The function's role: each stage stack's clean-up role trusts it. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: PipelineCleanupProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { pipelineName } = props;
    const functionName = `${pipelineName}-cleanup`;
    const regionsOf = (image: ImageConfig) => [...new Set([stack.region, ...image.distribution.regions])];

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      // Bundled in-process by esbuild's API (no npx process per synth); the AWS SDK stays out of the bundle.
      ...appFunctionBasics('cleanup'),
      // One round of work plus a pause; longer clean-ups hand on to a fresh invocation.
      timeout: Duration.minutes(15),
      description: `golden-ami-pipeline ${pipelineName}: removes what the pipeline created when it is deleted, and prunes removed images`,
      logGroup,
    });
    const role = this.function.role!;
    this.role = role;

    const addToRole = (statement: iam.PolicyStatement) => this.function.addToRolePolicy(statement);
    addToRole(new iam.PolicyStatement({ sid: 'ReadThePipelineStackStatus', actions: ['cloudformation:DescribeStacks'], resources: [stack.stackId] }));
    addToRole(
      new iam.PolicyStatement({
        sid: 'HandOnToItself',
        actions: ['lambda:InvokeFunction'],
        resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    addToRole(new iam.PolicyStatement({ sid: 'FindThePipelinesAmisAndSnapshots', actions: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], resources: ['*'] }));
    // Every region, not the configured ones: a prune runs after this policy was updated, and must still reach the AMIs
    // of a region an image no longer goes to (or of an image removed with its regions). Each statement is conditioned
    // on this pipeline's tag, which is what makes an AMI or snapshot its own.
    const inRegions = (resource: string) => [stack.formatArn({ service: 'ec2', region: '*', account: '', resource })];
    const taggedWithThisPipeline = { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: pipelineName } };
    addToRole(
      new iam.PolicyStatement({
        sid: 'DeregisterOnlyThisPipelinesAmis',
        actions: ['ec2:DescribeImageAttribute', 'ec2:DeregisterImage'],
        resources: inRegions('image/*'),
        conditions: taggedWithThisPipeline,
      }),
    );
    addToRole(new iam.PolicyStatement({ sid: 'DeleteOnlyThisPipelinesSnapshots', actions: ['ec2:DeleteSnapshot'], resources: inRegions('snapshot/*'), conditions: taggedWithThisPipeline }));
    addToRole(
      new iam.PolicyStatement({
        sid: 'TagSnapshotsOfThisPipelinesAmisBeforeDeletingThem',
        actions: ['ec2:CreateTags'],
        resources: inRegions('snapshot/*'),
        conditions: {
          StringEquals: { [`aws:RequestTag/${PIPELINE_TAG_KEY}`]: pipelineName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [PIPELINE_TAG_KEY, IMAGE_TAG_KEY] },
          // Never re-tag (and so never gain the right to delete) a snapshot that another pipeline tagged.
          StringEqualsIfExists: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: pipelineName },
        },
      }),
    );
    if (props.buckets.length > 0) {
      addToRole(
        new iam.PolicyStatement({
          sid: 'EmptyAndDeleteThePipelinesBuckets',
          actions: ['s3:ListBucketVersions', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket'],
          resources: props.buckets.flatMap((b) => [b.bucketArn, b.arnForObjects('*')]),
        }),
      );
    }

    // Each stage stack is deleted through its own clean-up role (StageStackSupport), found by tag: a list of stacks
    // here would grow with every image past IAM's 10,240-character limit on a role's inline policies.
    addToRole(assumeTaggedRolesStatement(this, pipelineName, 'cleanup'));
    addToRole(
      new iam.PolicyStatement({
        sid: 'DeleteTheImageParametersOfThisPipeline',
        actions: ['ssm:GetParameters', 'ssm:DeleteParameters'],
        // The hierarchy of this pipeline's image parameters: the pipeline name is a whole path level.
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${imagesParameterRoot(pipelineName).slice(1)}/*` })],
      }),
    );

    this.grantDistributionParameters(props.images, regionsOf);
    const environments = props.environments ?? [];
    const environmentFleets = (environment: EnvironmentConfig) => props.images.filter((image) => image.fleetIn[environment.name] !== undefined).map((image) => image.name);
    this.grantEnvironments(pipelineName, environments, environmentFleets);

    const properties: CleanupProperties = {
      PipelineName: pipelineName,
      Images: props.images.map((image) => ({
        Name: image.name,
        Fleet: String(image.fleet !== undefined),
        Regions: regionsOf(image),
        ...(image.distribution.ssmParameter ? { SsmParameter: image.distribution.ssmParameter } : {}),
      })),
      Buckets: props.buckets.map((b) => b.bucketName),
      SharedAmis: props.sharedAmis,
      Egress: String(props.egress ?? false),
      // Only with environments: the properties of a pipeline without any stay as they were.
      ...(environments.length > 0
        ? { Environments: environments.map((e) => ({ Name: e.name, Account: e.account, Region: e.region, Fleets: environmentFleets(e) })) }
        : {}),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::GoldenAmiCleanup',
      // The function answers within 55 minutes, with what is still left; CloudFormation's limit is one hour.
      serviceTimeout: Duration.hours(1),
      properties: { ...properties },
    });
    (this.resource.node.defaultChild as CfnResource).overrideLogicalId(CLEANUP_LOGICAL_ID);
    this.resource.node.addDependency(role);

    this.acknowledge(pipelineName);
    for (const previous of [this.previousDistributionParameters, this.previousEnvironments]) {
      // Updated only after the Cleanup resource: while a prune runs, it still holds the previous deployment's grants.
      previous?.node.addDependency(this.resource);
    }
    for (const bucket of props.buckets) {
      Validations.of(this.function).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${NagNames.of(this).logicalId(bucket.node.defaultChild)}.Arn>/*]`,
        reason: `Every object version of ${bucket.node.id}, emptied only when the pipeline stack is deleted (S3 refuses to delete a bucket that is not empty).`,
      });
    }
  }

  /** The policy that keeps the previous deployment's distribution parameters deletable during a prune (see below). */
  private previousDistributionParameters?: iam.Policy;
  /** The same for the previous deployment's environment roles and AMI key stacks (grantEnvironments). */
  private previousEnvironments?: iam.Policy;

  /**
   * sts:AssumeRole on exactly the roles that delete the stacks in the environments' accounts, by name in each account:
   * each fleet stack's clean-up role (StageStackSupport, in the environment stack) and the environment clean-up role
   * (EnvironmentStack); and cloudformation:DescribeStacks, DescribeStackEvents (why a deletion failed) and DeleteStack
   * on the AMI key stack of each environment region, in the pipeline's account. That stack is deleted with the service
   * role CloudFormation stored with it (the bootstrap execution role it was deployed with), so no iam:PassRole is
   * needed (see advanceStacks in lambda/cleanup/engine.ts). The key stacks' grant does not depend on sharedAmis: with
   * keep the clean-up keeps them, and a prune right after a switch to delete still has what it needs.
   *
   * As for the distribution parameters, the same statements are kept in a second policy updated after the Cleanup
   * resource, so that a prune (an environment, image or region removed) can still reach the previous configuration's
   * roles and stacks.
   */
  private grantEnvironments(pipelineName: string, environments: readonly EnvironmentConfig[], fleetsOf: (environment: EnvironmentConfig) => string[]): void {
    if (environments.length === 0) return;
    const stack = Stack.of(this);
    const roleIn = (account: string, roleName: string) => stack.formatArn({ service: 'iam', region: '', account, resource: 'role', resourceName: roleName });
    const roles = environments.flatMap((e) => [
      ...fleetsOf(e).map((image) => roleIn(e.account, stackCleanupRoleName(fleetStackName(pipelineName, image)))),
      roleIn(e.account, environmentCleanupRoleName(pipelineName)),
    ]);
    const regions = [...new Set(environments.map((e) => e.region))];
    const keyStacks = regions.map((region) => stack.formatArn({ service: 'cloudformation', region, resource: 'stack', resourceName: `${amiKeyStackName(pipelineName)}/*` }));
    const statements = () => [
      new iam.PolicyStatement({ sid: 'AssumeTheEnvironmentsStackCleanupRoles', actions: ['sts:AssumeRole'], resources: roles }),
      new iam.PolicyStatement({
        sid: 'DeleteTheAmiKeyStacks',
        actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DeleteStack'],
        resources: keyStacks,
      }),
    ];
    for (const statement of statements()) this.function.addToRolePolicy(statement);
    this.previousEnvironments = new iam.Policy(this, 'PreviousEnvironments', { statements: statements(), roles: [this.role] });
    const nag = NagNames.of(this);
    const keyStackFindings = regions.map((region) => ({
      id: `AwsSolutions-IAM5[Resource::${nag.arn('cloudformation', `stack/${amiKeyStackName(pipelineName)}/*`, true, region)}]`,
      reason: `The AMI key stack ${amiKeyStackName(pipelineName)} in ${region} only; CloudFormation appends a generated id to every stack ARN.`,
    }));
    Validations.of(this.function).acknowledge(...keyStackFindings);
    Validations.of(this.previousEnvironments).acknowledge(...keyStackFindings, {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The clean-up function's role alone: its environment grants as of the previous deployment, which a prune needs while the default policy already names the new configuration; deleted with the pipeline stack.",
    });
  }

  /**
   * ssm:DeleteParameter on exactly the distribution parameters (distribution.ssmParameter) of the configured images,
   * each in exactly the regions it is written to. Their names are the operator's own, with no hierarchy of this
   * pipeline to grant instead.
   *
   * A prune deletes the names of the previous configuration (an image removed, a parameter renamed, a region left),
   * but CloudFormation updates the function's default policy before the Cleanup resource that depends on it: that
   * policy then names only the new configuration. So the same statement is also kept in a second policy that depends
   * on the Cleanup resource and is therefore updated after it: during a prune it still names the previous
   * configuration's parameters. When the last distribution parameter leaves the configuration, that policy leaves the
   * template, and CloudFormation deletes it only in the update's clean-up phase, after the prune. When the stack is
   * deleted, that policy goes first and the default policy, which names every parameter of the configuration being
   * deleted, stays until the Cleanup resource is gone.
   */
  private grantDistributionParameters(images: readonly ImageConfig[], regionsOf: (image: ImageConfig) => string[]): void {
    const stack = Stack.of(this);
    const arns = images.flatMap((image) => {
      const name = image.distribution.ssmParameter;
      // The schema requires a leading slash; "/a/b" and "a" both have the ARN parameter/<name without its leading slash>
      // (as aws-cdk-lib's aws-ssm arnForParameterName renders it).
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies
      return name ? regionsOf(image).map((region) => stack.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: name.replace(/^\//, '') })) : [];
    });
    if (arns.length === 0) return;
    const statement = () =>
      new iam.PolicyStatement({ sid: 'DeleteTheDistributedAmiParameters', actions: ['ssm:DeleteParameter', 'ssm:DeleteParameters'], resources: [...new Set(arns)] });
    this.function.addToRolePolicy(statement());
    this.previousDistributionParameters = new iam.Policy(this, 'PreviousDistributionParameters', { statements: [statement()], roles: [this.role] });
    Validations.of(this.previousDistributionParameters).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: "The clean-up function's role alone: its distribution-parameter grant as of the previous deployment, which a prune needs while the default policy already names the new configuration; deleted with the pipeline stack.",
    });
  }

  private acknowledge(pipelineName: string): void {
    const nag = NagNames.of(this);
    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "Grants only logs:CreateLogStream/PutLogEvents (and CreateLogGroup) for the function's own logs; the AWS-maintained minimum for any Lambda function.",
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ec2:DescribeImages and ec2:DescribeSnapshots support no resource-level permission; the clean-up filters them by the tag golden-ami:pipeline.' },
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('ec2', 'image/*', false, '*')}]`,
        reason: 'AMI ids are known only at run time, and a prune must reach regions the configuration no longer names; the statement is conditioned on the tag golden-ami:pipeline of this pipeline, so no other AMI can be deregistered.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('ec2', 'snapshot/*', false, '*')}]`,
        reason: "Snapshot ids are known only at run time, in regions the configuration may no longer name. Deletion requires this pipeline's golden-ami:pipeline tag; tagging may only add this pipeline's two tags, and only to a snapshot no other pipeline tagged.",
      },
      {
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function only calls AWS APIs (CloudFormation, EC2, SSM, S3, Lambda) and reaches no private resource; in the pipeline VPC it would depend on the NAT gateway that it outlives during deletion.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: 'The function only calls AWS APIs (CloudFormation, EC2, SSM, S3, Lambda) and reaches no private resource; in the pipeline VPC it would depend on the NAT gateway that it outlives during deletion.',
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: 'Every outcome is reported to CloudFormation through the request\'s response URL, and a failed report is retried by Lambda\'s asynchronous retries; a queue would hold requests CloudFormation has already timed out.',
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'Runs only during a deployment or deletion of the pipeline stack, one request at a time. Reserved concurrency would be taken from the account pool, and in accounts at the default quota of 10 Lambda refuses any reservation.',
      },
    );
    Validations.of(this.function).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('iam', 'role/*', true, '')}]`,
        reason: `Only the stack clean-up roles tagged ${PIPELINE_TAG_KEY}=${pipelineName} and golden-ami:assumed-by=cleanup (condition), each of which trusts this function alone and may delete one stage stack.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('ssm', `parameter${imagesParameterRoot(pipelineName)}/*`)}]`,
        reason: `The image parameters of pipeline ${pipelineName} (${imagesParameterRoot(pipelineName)}/<image>/…): the pipeline name is a whole level of the path, so no other pipeline's parameters match.`,
      },
    );
  }
}
