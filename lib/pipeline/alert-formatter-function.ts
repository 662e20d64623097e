import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { egressStackName, fleetStackName, imageBuilderName, imageStackName, PIPELINE_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';
import { appFunctionBasics } from './esbuild-code';

/** Props for AlertFormatterFunction. */
export interface AlertFormatterFunctionProps {
  readonly pipelineName: string;
  /** The pipeline whose executions the function reads. */
  readonly pipeline: codepipeline.IPipeline;
  /** The alert topic the function publishes to. */
  readonly topic: sns.ITopic;
  /** Key that encrypts the topic, the dead-letter queue and the function's logs. */
  readonly key: kms.IKey;
  /** Where an event goes when every attempt to publish it failed, after Lambda's retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The pipeline's CodeCommit repository: alerts name a commit's author from it.
   * @default - none (a GitHub source): alerts name the commit and its message, not its author
   */
  readonly repository?: codecommit.IRepository;
  /**
   * Whether the pipeline has manual approvals the function tells of: it then reads the pipeline's state, for the token
   * that answers an approval.
   * @default false
   */
  readonly readsApprovals?: boolean;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The alert formatter (lambda/alert-formatter), bundled by the local esbuild (never Docker), with the AWS SDK left to
 * the Node.js runtime. Its role reads this pipeline's executions (and, with approvals, its state), the events of its stage stacks and its Image Builder
 * images, reads the source repository's commits, and publishes to the alert topic: nothing else, and nothing it writes.
 */
export class AlertFormatterFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: AlertFormatterFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: `${props.pipelineName}-alert-formatter`,
      // Bundled in-process by esbuild's API (no npx process per synth); the AWS SDK stays out of the bundle.
      ...appFunctionBasics('alert-formatter'),
      // The handler spends at most this less 10 s on describe calls, then publishes (index.ts PUBLISH_RESERVE_MS).
      timeout: Duration.seconds(30),
      description: `golden-ami-pipeline ${props.pipelineName}: readable alerts`,
      logGroup,
      environment: {
        TOPIC_ARN: props.topic.topicArn,
        PIPELINE_NAME: props.pipelineName,
        ...(props.repository ? { REPOSITORY_NAME: props.repository.repositoryName } : {}),
      },
      // Lambda retries a failed asynchronous invocation twice, then hands the event to the queue: the handler only fails
      // when it could publish the alert in no form at all.
      retryAttempts: 2,
      deadLetterQueue: props.deadLetterQueue,
    });
    // (Lambda's dead-letter configuration grants sqs:SendMessage on the queue.) The topic and the queue are encrypted
    // with the pipeline key: a publisher and a sender need kms:GenerateDataKey and kms:Decrypt on it
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, whose GenerateDataKey* covers the one action
    // SNS calls; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    // (topic.grantPublish would add kms:GenerateDataKey*, grantSendMessages Encrypt and ReEncrypt* too.)
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'UseTheKeyOfTheTopicAndQueue', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.key.keyArn] }));

    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadThisPipelinesExecutions',
        actions: ['codepipeline:GetPipelineExecution', 'codepipeline:ListActionExecutions'],
        resources: [props.pipeline.pipelineArn],
      }),
    );
    if (props.readsApprovals ?? false) {
      // The token of a waiting approval, which `aws codepipeline put-approval-result` needs (the alert names it).
      this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadTheTokenOfAWaitingApproval', actions: ['codepipeline:GetPipelineState'], resources: [props.pipeline.pipelineArn] }));
    }
    // The stage stacks of this pipeline, by the two name families lib/naming.ts gives them, and the one Egress stack. A
    // list of exact names would grow with every image toward IAM's 10,240 characters for a role's policies; the
    // families are fixed.
    const stackFamilies = [imageStackName(props.pipelineName, '*'), fleetStackName(props.pipelineName, '*'), egressStackName(props.pipelineName)];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadWhyAStageStackFailed',
        actions: ['cloudformation:DescribeStackEvents'],
        resources: stackFamilies.map((name) => stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` })),
      }),
    );
    // The image stacks tag every Image Builder image with the pipeline (image-stack.ts): the name family narrows the
    // grant to this pipeline's recipes, the tag to this pipeline exactly (another pipeline's name may start the same).
    const imageFamily = imageBuilderName(props.pipelineName, '*');
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadWhyAnImageBuildFailed',
        actions: ['imagebuilder:GetImage', 'imagebuilder:ListWorkflowExecutions'],
        resources: [stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: `${imageFamily}/*` })],
        conditions: { StringEquals: { [`aws:ResourceTag/${PIPELINE_TAG_KEY}`]: props.pipelineName } },
      }),
    );
    // A workflow execution's id is only known from ListWorkflowExecutions of one of the images above; its ARN carries
    // nothing else to narrow by, and it supports no condition key.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheStepsOfAFailedImageWorkflow',
        actions: ['imagebuilder:ListWorkflowStepExecutions'],
        resources: [stack.formatArn({ service: 'imagebuilder', resource: 'workflow-execution', resourceName: '*' })],
      }),
    );
    if (props.repository) {
      this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadTheAuthorOfACommit', actions: ['codecommit:GetCommit'], resources: [props.repository.repositoryArn] }));
    }

    const nag = NagNames.of(this);
    const noVpc = 'The function only calls AWS APIs (CodePipeline, CloudFormation, Image Builder, CodeCommit, SNS) and reaches no private resource; a VPC would add a NAT dependency without narrowing what it can reach.';
    Validations.of(this.function).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "Grants only logs:CreateLogStream/PutLogEvents (and CreateLogGroup) for the function's own logs; the AWS-maintained minimum for any Lambda function.",
      },
      ...stackFamilies.map((name) => ({
        id: `AwsSolutions-IAM5[Resource::${nag.arn('cloudformation', `stack/${name}/*`)}]`,
        reason: `cloudformation:DescribeStackEvents (read only) on ${name.endsWith('*') ? `the ${name.endsWith('-image-*') ? 'image' : 'fleet'} stacks` : 'the Egress stack'} of pipeline ${props.pipelineName}, named ${name} by lib/naming.ts; CloudFormation appends a generated id to every stack ARN.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('imagebuilder', `image/${imageFamily}/*`)}]`,
        reason: `imagebuilder:GetImage and ListWorkflowExecutions (read only) on images of the recipes ${imageFamily}, conditioned on the tag ${PIPELINE_TAG_KEY}=${props.pipelineName}; versions and build numbers are only known at run time.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${nag.arn('imagebuilder', 'workflow-execution/*')}]`,
        reason: 'imagebuilder:ListWorkflowStepExecutions (read only): workflow execution ids exist only at run time, their ARN holds nothing to narrow by and the action supports no condition key. The function learns the ids from ListWorkflowExecutions of its own images.',
      },
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: noVpc },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: noVpc },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: 'A handful of invocations per pipeline run. Reserved concurrency would be taken from the account pool, and in accounts at the default quota of 10 (new accounts) Lambda refuses any reservation, so deployment would fail.',
      },
    );
  }
}
