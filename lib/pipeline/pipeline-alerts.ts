import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { OperationsConfig } from '../config/model';

/** Props for PipelineAlerts. */
export interface PipelineAlertsProps {
  readonly pipelineName: string;
  readonly pipeline: codepipeline.IPipeline;
  /** Prefix of the Image Builder image names of this pipeline (see imageBuilderName). */
  readonly imageNamePrefix: string;
  /** Key that encrypts the topic; CodeStar Notifications and EventBridge are allowed to use it for the topic. */
  readonly key: kms.Key;
  readonly operations: OperationsConfig;
}

/**
 * Where failures (and successes) are told: one SNS topic, encrypted, fed by a notification rule on the pipeline and by
 * an EventBridge rule on this pipeline's Image Builder builds; e-mail and Slack (AWS Chatbot) subscribe to it.
 */
export class PipelineAlerts extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `golden-ami-pipeline ${props.pipelineName}`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // Both services publish through the key: they need to generate data keys for the encrypted topic.
    for (const service of ['codestar-notifications.amazonaws.com', 'events.amazonaws.com']) {
      props.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `PublishToAlertTopic-${service.split('.')[0]}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
    }

    new notifications.NotificationRule(this, 'PipelineRule', {
      source: props.pipeline,
      detailType: notifications.DetailType.FULL,
      events: [
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
        codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
      ],
      targets: [this.topic],
    });

    new events.Rule(this, 'ImageBuildFailedRule', {
      description: `Image Builder builds of pipeline ${props.pipelineName} that failed`,
      eventPattern: {
        source: ['aws.imagebuilder'],
        detailType: ['EC2 Image Builder Image State Change'],
        detail: { state: { status: ['FAILED'] } },
        resources: [{ wildcard: `*:image/${props.imageNamePrefix}*` } as unknown as string],
      },
      targets: [new eventTargets.SnsTopic(this.topic)],
    });

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
