import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { imageRulePatterns } from './pipeline-alerts';

/** Props for PipelineDashboard. */
export interface PipelineDashboardProps {
  readonly pipelineName: string;
  readonly pipeline: codepipeline.IPipeline;
  /** The pipeline's images (their builds are logged by exact Image Builder name). */
  readonly imageNames: readonly string[];
  /** Fleet stack names; their Auto Scaling groups are named after them. */
  readonly fleetStackNames: readonly string[];
  readonly key: kms.IKey;
}

/**
 * One CloudWatch dashboard for the product. CodePipeline and Image Builder publish no metrics for executions or
 * builds, so their state-change events are kept in a log group and queried with Logs Insights; fleets are graphed
 * from the Auto Scaling and EC2 metrics of the groups named after their stacks.
 */
export class PipelineDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const eventLogName = `/aws/events/golden-ami/${props.pipelineName}`;
    const eventLog = new logs.LogGroup(this, 'Events', {
      logGroupName: eventLogName,
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // EventBridge writes to the log group under its resource policy. Written natively here: CDK's log group target
    // would install a custom-resource Lambda just to put this policy.
    const logGroupArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: eventLogName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    eventLog.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroupArn}:*`],
      }),
    );
    const toEventLog: events.IRuleTarget = { bind: () => ({ arn: logGroupArn }) };
    const pipelineEvents = new events.Rule(this, 'PipelineEvents', {
      description: `State changes of pipeline ${props.pipelineName}, for its dashboard`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change', 'CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change'],
        detail: { pipeline: [props.pipeline.pipelineName] },
      },
      targets: [toEventLog],
    });
    // Each image by its exact Image Builder name, as the alert rules (a name prefix would also log the builds of a
    // pipeline whose name starts the same); as many rules as EventBridge's pattern size needs.
    const imageBuildEvents = imageRulePatterns(Stack.of(this), props.pipelineName, props.imageNames, 'all').map(
      (eventPattern, i) =>
        new events.Rule(this, i === 0 ? 'ImageBuildEvents' : `ImageBuildEvents${i + 1}`, {
          description: `Image Builder builds of pipeline ${props.pipelineName}, for its dashboard`,
          eventPattern,
          targets: [toEventLog],
        }),
    );

    // The targets name the log group by ARN, so order its creation (and its policy) first explicitly.
    pipelineEvents.node.addDependency(eventLog);
    for (const rule of imageBuildEvents) rule.node.addDependency(eventLog);

    const query = (title: string, lines: string[], width = 8) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames: [eventLog.logGroupName], queryLines: lines, width, height: 6, view: cloudwatch.LogQueryVisualizationType.TABLE });
    const search = (namespace: string, dimension: string, metric: string, stackName: string, label: string, period = Duration.minutes(1)) =>
      new cloudwatch.MathExpression({
        // Auto Scaling group names start with their stack's name.
        expression: `SEARCH('{${namespace},${dimension}} MetricName="${metric}" "${stackName}-"', 'Average', ${period.toSeconds()})`,
        label,
        period,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.pipelineName}-golden-ami`,
      defaultInterval: Duration.days(14),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: [
              `# golden-ami-pipeline ${props.pipelineName}`,
              `[Pipeline](https://${stack.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${props.pipeline.pipelineName}/view?region=${stack.region}) · ` +
                `[Image Builder images](https://${stack.region}.console.aws.amazon.com/imagebuilder/home?region=${stack.region}#/images) · ` +
                `[Events log](https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#logsV2:log-groups)`,
            ].join('\n\n'),
            width: 24,
            height: 2,
          }),
        ],
        [
          query('Pipeline executions by outcome', ['filter `detail-type` = "CodePipeline Pipeline Execution State Change"', 'stats count(*) as executions by detail.state as outcome']),
          query('Failures by stage', ['filter `detail-type` = "CodePipeline Stage Execution State Change" and detail.state = "FAILED"', 'stats count(*) as failures by detail.stage as stage']),
          query('Failed actions (latest)', ['filter `detail-type` = "CodePipeline Action Execution State Change" and detail.state = "FAILED"', 'fields @timestamp, detail.stage, detail.action', 'sort @timestamp desc', 'limit 20']),
        ],
        [
          query(
            'Image builds: outcome and duration',
            [
              'filter source = "aws.imagebuilder"',
              'stats earliest(@timestamp) as started, latest(@timestamp) as ended, latest(detail.state.status) as outcome by resources.0 as image',
              'sort started desc',
              'limit 20',
            ],
            24,
          ),
        ],
        ...props.fleetStackNames.map((fleet) => [
          new cloudwatch.GraphWidget({
            title: `${fleet}: desired / in service / pending`,
            width: 12,
            left: [
              search('AWS/AutoScaling', 'AutoScalingGroupName', 'GroupDesiredCapacity', fleet, 'desired'),
              search('AWS/AutoScaling', 'AutoScalingGroupName', 'GroupInServiceInstances', fleet, 'in service (healthy)'),
              search('AWS/AutoScaling', 'AutoScalingGroupName', 'GroupPendingInstances', fleet, 'pending'),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: `${fleet}: CPU`,
            width: 12,
            left: [search('AWS/EC2', 'AutoScalingGroupName', 'CPUUtilization', fleet, 'CPU %', Duration.minutes(5))],
          }),
        ]),
      ],
    });
    new CfnOutput(stack, 'DashboardUrl', {
      value: `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards/dashboard/${props.pipelineName}-golden-ami`,
      description: 'CloudWatch dashboard of the pipeline, its image builds and fleets',
    });
  }
}
