import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperationsConfig } from '../config/model';
import { imageBuilderName } from '../naming';
import { AlertFormatterFunction } from './alert-formatter-function';

/** Props for PipelineAlerts. */
export interface PipelineAlertsProps {
  readonly pipelineName: string;
  readonly pipeline: codepipeline.IPipeline;
  /** Names of the pipeline's images (configuration): their Image Builder builds that fail are alerted. */
  readonly imageNames: readonly string[];
  /** Key that encrypts the topic, the dead-letter queue and the formatter's logs. */
  readonly key: kms.Key;
  readonly operations: OperationsConfig;
  /**
   * The pipeline's CodeCommit repository: alerts name a commit's author from it.
   * @default - none (a GitHub source): alerts name the commit and its message
   */
  readonly repository?: codecommit.IRepository;
  /**
   * Whether a pipeline execution that succeeds is told too.
   * @default true
   */
  readonly notifySuccess?: boolean;
  /**
   * The pipeline's manual approval actions (`Approve-<environment>`): when one starts, the topic is told that it waits,
   * with its message and how to answer it.
   * @default - none: no approval rule, and the formatter may not read the pipeline's state
   */
  readonly approvalActionNames?: readonly string[];
}

/**
 * Where failures (and successes) are told. EventBridge sends this pipeline's failed actions, its executions that
 * failed (or succeeded), the failed Image Builder builds of its images and its manual approvals that wait for a person
 * to the alert formatter, which publishes a
 * readable alert to one encrypted SNS topic: e-mail subscriptions get text, Slack (AWS Chatbot) a custom notification,
 * from the same message (render.ts). An event the formatter cannot read is published as it came; one it cannot
 * publish at all ends, after Lambda's retries, in a dead-letter queue whose alarm is told on the topic.
 *
 * (A CodeStar notification rule cannot target Lambda — only SNS and Chatbot,
 * https://docs.aws.amazon.com/codestar-notifications/latest/APIReference/API_Target.html — so the pipeline's events come
 * from EventBridge, like the Image Builder ones.)
 */
export class PipelineAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly formatter: AlertFormatterFunction;
  /** Events no form of alert could be published for; kept 14 days. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const approvalActionNames = props.approvalActionNames ?? [];
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `golden-ami-pipeline ${props.pipelineName}`,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // A dead-letter queue itself (of the alert formatter, the push filter and their EventBridge targets), and of no other queue.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'cdk-validator-cfnguard::sqs_dlq_check',
      reason: 'This queue is itself a dead-letter queue, of the alert formatter and push filter (Lambda) and of their EventBridge targets, not of an SQS queue: no SQS queue may redrive into it (denyAll), and a queue behind it would hold events nobody is told about; its own alarm tells the alert topic.',
    });
    // EventBridge sends an event it could not deliver to the formatter to the queue; CloudWatch publishes the queue's
    // alarm to the topic. Both go through the key of the queue and of the topic.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      props.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `AlertDelivery-${service.split('.')[0]}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }

    this.formatter = new AlertFormatterFunction(this, 'Formatter', {
      pipelineName: props.pipelineName,
      pipeline: props.pipeline,
      topic: this.topic,
      key: props.key,
      deadLetterQueue: this.deadLetterQueue,
      repository: props.repository,
      readsApprovals: approvalActionNames.length > 0,
    });
    // EventBridge retries a failed delivery for up to 24 hours (the defaults), then hands the event to the queue.
    const target = new eventTargets.LambdaFunction(this.formatter.function, { deadLetterQueue: this.deadLetterQueue });

    // Rule by the pipeline's name in the event (exact), not by its ARN in `resources`, whose form the docs show both
    // with and without ":pipeline:".
    new events.Rule(this, 'PipelineExecutionRule', {
      description: `Executions of pipeline ${props.pipelineName} that failed${(props.notifySuccess ?? true) ? ' or succeeded' : ''}`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        detail: { pipeline: [props.pipelineName], state: (props.notifySuccess ?? true) ? ['FAILED', 'SUCCEEDED'] : ['FAILED'] },
      },
      targets: [target],
    });
    new events.Rule(this, 'ActionFailedRule', {
      description: `Actions of pipeline ${props.pipelineName} that failed`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Action Execution State Change'],
        detail: { pipeline: [props.pipelineName], state: ['FAILED'] },
      },
      targets: [target],
    });
    // An approval action that starts waits for a person (CodePipeline user guide, "Monitoring CodePipeline events": an
    // action's `type.category` is Approval; STARTED is when it begins to wait). By the exact names of this pipeline's
    // approvals.
    if (approvalActionNames.length > 0) {
      new events.Rule(this, 'ApprovalWaitingRule', {
        description: `Manual approvals of pipeline ${props.pipelineName} that wait for a person`,
        eventPattern: {
          source: ['aws.codepipeline'],
          detailType: ['CodePipeline Action Execution State Change'],
          detail: { pipeline: [props.pipelineName], action: [...approvalActionNames], state: ['STARTED'], type: { category: ['Approval'] } },
        },
        targets: [target],
      });
    }
    // Each image by its exact Image Builder name (its recipe's): a name prefix would also match a pipeline whose name
    // starts the same. As many rules as EventBridge's 2,048 characters per pattern need (one for a few dozen images).
    imageRulePatterns(stack, props.pipelineName, props.imageNames).forEach((eventPattern, i) => {
      new events.Rule(this, i === 0 ? 'ImageBuildFailedRule' : `ImageBuildFailedRule${i + 1}`, {
        description: `Image Builder builds of pipeline ${props.pipelineName} that failed`,
        eventPattern,
        targets: [target],
      });
    });

    new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `An event of pipeline ${props.pipelineName} was not handled: an alert that could not be published, or a push whose run the push filter could not start. The event waits in the alert dead-letter queue (14 days); read it there, and check the logs of the function it names (alert formatter or push filter).`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cloudwatchActions.SnsAction(this.topic));

    for (const email of props.operations.alertEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    if (props.operations.slack) {
      new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${props.pipelineName}-alerts`,
        slackWorkspaceId: props.operations.slack.workspaceId,
        slackChannelId: props.operations.slack.channelId,
        notificationTopics: [this.topic],
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      });
    }
  }
}

/**
 * Characters of an event pattern: EventBridge's quota is 2,048 (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html);
 * the rest is margin for how the service counts.
 */
export const MAX_EVENT_PATTERN_CHARACTERS = 1900;

/**
 * The patterns of the rules on the builds of a pipeline's images (by default the failed ones; 'all' for every state
 * change): each image by the exact prefix of its build
 * ARNs, `arn:<partition>:imagebuilder:<region>:<account>:image/<name>/` (a `prefix` match: EventBridge limits the rules
 * with wildcards to 30 per event bus), each pattern within MAX_EVENT_PATTERN_CHARACTERS — about 20 images a rule when
 * pipeline and image names are the 30 characters the schema allows. No image, no pattern: an empty `resources` would
 * match every image of the account.
 */
export function imageRulePatterns(stack: Stack, pipelineName: string, imageNames: readonly string[], states: readonly string[] | 'all' = ['FAILED']): events.EventPattern[] {
  const source = ['aws.imagebuilder'];
  const detailType = ['EC2 Image Builder Image State Change'];
  const detail = states === 'all' ? undefined : { state: { status: [...states] } };
  const prefix = (image: string, s: Pick<Stack, 'partition' | 'region' | 'account'> = stack) =>
    stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: `${imageBuilderName(pipelineName, image)}/`, partition: s.partition, region: s.region, account: s.account });
  // Measured as deployed: CloudFormation renders Match.prefix as {"prefix": …}; a partition, region or account not known
  // at synth counts at its longest.
  const longest = {
    partition: Token.isUnresolved(stack.partition) ? 'aws-us-gov' : stack.partition,
    region: Token.isUnresolved(stack.region) ? 'ap-southeast-99' : stack.region,
    account: Token.isUnresolved(stack.account) ? '123456789012' : stack.account,
  };
  const size = (images: readonly string[]) => JSON.stringify({ source, 'detail-type': detailType, detail, resources: images.map((i) => ({ prefix: prefix(i, longest) })) }).length;
  const groups: string[][] = [];
  for (const image of imageNames) {
    const last = groups.at(-1);
    if (last && size([...last, image]) <= MAX_EVENT_PATTERN_CHARACTERS) last.push(image);
    else groups.push([image]);
  }
  return groups.map((images) => ({ source, detailType, detail, resources: images.flatMap((i) => events.Match.prefix(prefix(i))) }));
}
