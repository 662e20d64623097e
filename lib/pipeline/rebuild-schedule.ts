import { TimeZone } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { SCHEDULED_REBUILD } from '../../lambda/parameter-prep/build-decision';
import { REBUILD_VARIABLE } from './parameter-prep-step';

/** Props for RebuildSchedule. */
export interface RebuildScheduleProps {
  readonly pipeline: codepipeline.IPipeline;
  /** EventBridge Scheduler expression: cron(...) or rate(...). */
  readonly expression: string;
  /**
   * IANA time zone of the expression.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/**
 * Starts the pipeline on a schedule with rebuild=scheduled, so that images pick up their upstream's updates in weeks
 * without a commit: each image's Prepare action rebuilds it when its AWS-managed parent image or a component has a
 * newer version than its last build used, or when that build is older than the maximum age, and otherwise builds
 * nothing. (rebuild=true, started by hand, still rebuilds every image.) The scheduler's role may start this one
 * pipeline and nothing else.
 */
export class RebuildSchedule extends Construct {
  public readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: RebuildScheduleProps) {
    super(scope, id);
    const input = { name: props.pipeline.pipelineName, variables: [{ name: REBUILD_VARIABLE, value: SCHEDULED_REBUILD }] };
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Rebuilds the images of pipeline ${props.pipeline.pipelineName} whose AWS parent image or components have updates, or whose last build is too old`,
      schedule: scheduler.ScheduleExpression.expression(props.expression, TimeZone.of(props.timeZone ?? 'UTC')),
      target: new targets.Universal({
        service: 'codepipeline',
        action: 'startPipelineExecution',
        input: scheduler.ScheduleTargetInput.fromObject(input),
        policyStatements: [new iam.PolicyStatement({ actions: ['codepipeline:StartPipelineExecution'], resources: [props.pipeline.pipelineArn] })],
        retryAttempts: 2,
      }),
    });
  }
}
