import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { imageParameterNames } from '../naming';
import { NagNames } from '../validation/nag-names';

/** Props for ParameterPrepFunction. */
export interface ParameterPrepFunctionProps {
  readonly pipelineName: string;
  /** Images whose SSM parameters the function may read and write; it gets exactly those, no wildcard. */
  readonly imageNames: readonly string[];
  /** Key that encrypts the function's logs. */
  readonly logKey: kms.IKey;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The parameter-prep Lambda function (lambda/parameter-prep), bundled by the local esbuild (never Docker). The AWS SDK
 * is left out of the bundle: the Node.js runtime provides it, which keeps the bundle and cold start small.
 */
export class ParameterPrepFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: ParameterPrepFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'parameter-prep', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // The handler reports to CodePipeline 5 s before this, so a slow AWS call ends in a failure, not a hang.
      timeout: Duration.seconds(60),
      description: `golden-ami-pipeline ${props.pipelineName}: image versions and releases`,
      logGroup,
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node24',
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
      },
    });

    const stack = Stack.of(this);
    const parameterArns = props.imageNames.flatMap((image) =>
      Object.values(imageParameterNames(props.pipelineName, image)).map((name) =>
        stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) }),
      ),
    );
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: parameterArns }));
    // DescribeImages supports no resource-level permission: the release gate reads the AMI's state and tags.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['*'] }));
    // Retention: only AMIs this pipeline built (by tag); DeregisterImage also deletes the AMI's own snapshots.
    const amis = stack.formatArn({ service: 'ec2', account: '', resource: 'image', resourceName: '*' });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RetireThisPipelinesAmis',
        actions: ['ec2:EnableImageDeprecation', 'ec2:DeregisterImage'],
        resources: [amis],
        conditions: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': props.pipelineName } },
      }),
    );
    const snapshots = stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' });
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'DeleteSnapshotsOfDeregisteredAmis', actions: ['ec2:DeleteSnapshot'], resources: [snapshots] }));

    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'Grants only logs:CreateLogStream/PutLogEvents (and CreateLogGroup) for the function\'s own logs; the AWS-maintained minimum for any Lambda function.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeImages and codepipeline:PutJobSuccessResult/PutJobFailureResult support no resource-level permissions; every other action is granted on exact SSM parameter ARNs.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('ec2', 'image/*', false)}]`,
        reason: 'AMI ids are only known at run time; the statement is conditioned on the tag golden-ami:pipeline of this pipeline, so only its own AMIs can be deprecated or deregistered.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('ec2', 'snapshot/*', false)}]`,
        reason: 'DeregisterImage with DeleteAssociatedSnapshots deletes the deregistered AMI\'s own snapshots; Image Builder does not tag them, so no condition can name them.',
      },
      {
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function only calls AWS APIs (SSM, EC2 DescribeImages, CodePipeline) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: 'The function only calls AWS APIs (SSM, EC2 DescribeImages, CodePipeline) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.',
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: 'Every failure is reported to the CodePipeline job (PutJobFailureResult), which fails the action and alerts; an event is only rethrown when that report itself failed, and CodePipeline times the job out. A dead-letter queue would hold events nobody replays: the fix is re-running the pipeline.',
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'At most two jobs per image run per pipeline execution. Reserved concurrency would be taken from the account pool, and in accounts at the default quota of 10 (new accounts) Lambda refuses any reservation, so deployment would fail.',
      },
    );
  }
}
