import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { appFunctionBasics } from './esbuild-code';

/** Props for PushFilter. */
export interface PushFilterProps {
  readonly pipelineName: string;
  /** The pipeline the function starts. */
  readonly pipeline: codepipeline.IPipeline;
  /** The pipeline's source action (CodeCommit, created without a trigger of its own). */
  readonly sourceActionName: string;
  readonly repository: codecommit.IRepository;
  readonly branch: string;
  /** `source.ignorePaths`: at least one pattern (with none, CDK Pipelines' own rule starts every push). */
  readonly ignorePaths: readonly string[];
  /** Where a push goes when the function could not start its run, after Lambda's and EventBridge's retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Key of the dead-letter queue and of the function's logs. */
  readonly key: kms.IKey;
  /**
   * How long the function's logs are kept: each line says why a push did or did not start a run.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Starts the pipeline for a push to its CodeCommit branch unless the push changes only ignored files
 * (lambda/push-filter). It takes the place of the EventBridge rule CDK Pipelines gives a CodeCommit source: CodePipeline's
 * own file path filters exist for connection sources (GitHub) only. Its role may read the differences of this
 * repository and start this pipeline: nothing else.
 */
export class PushFilter extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: PushFilterProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, encryptionKey: props.key, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: `${props.pipelineName}-push-filter`,
      // Bundled in-process by esbuild's API (no npx process per synth); the AWS SDK stays out of the bundle.
      ...appFunctionBasics('push-filter'),
      // The handler reads the difference for at most this less 10 s, then starts the run (index.ts START_RESERVE_MS).
      timeout: Duration.seconds(60),
      description: `golden-ami-pipeline ${props.pipelineName}: starts a run for a push that changes more than ignored files`,
      logGroup,
      environment: {
        PIPELINE_NAME: props.pipelineName,
        SOURCE_ACTION_NAME: props.sourceActionName,
        BRANCH: props.branch,
        IGNORE_PATHS: JSON.stringify(props.ignorePaths),
      },
      retryAttempts: 2,
      deadLetterQueue: props.deadLetterQueue,
    });
    // The same events CDK Pipelines' own rule selects for the branch (referenceCreated, referenceUpdated).
    props.repository.onCommit('PushRule', {
      branches: [props.branch],
      description: `Pushes to ${props.branch} of ${props.repository.repositoryName}: pipeline ${props.pipelineName} runs unless only ignored files changed`,
      // EventBridge retries a failed delivery for up to 24 hours (the defaults), then hands the event to the queue.
      target: new eventTargets.LambdaFunction(this.function, { deadLetterQueue: props.deadLetterQueue }),
    });

    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadWhatAPushChanged', actions: ['codecommit:GetDifferences'], resources: [props.repository.repositoryArn] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'StartThisPipeline', actions: ['codepipeline:StartPipelineExecution'], resources: [props.pipeline.pipelineArn] }));
    // The dead-letter queue is encrypted with the pipeline key (Lambda's dead-letter configuration grants only
    // sqs:SendMessage): https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'UseTheKeyOfTheDeadLetterQueue', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.key.keyArn] }));

    const noVpc = 'The function only calls AWS APIs (CodeCommit GetDifferences, CodePipeline StartPipelineExecution) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.';
    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "Grants only logs:CreateLogStream/PutLogEvents (and CreateLogGroup) for the function's own logs; the AWS-maintained minimum for any Lambda function.",
      },
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: noVpc },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: noVpc },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'One invocation per push to one branch. Reserved concurrency would be taken from the account pool, and in accounts at the default quota of 10 (new accounts) Lambda refuses any reservation, so deployment would fail.',
      },
    );
  }
}
