import { TimeZone } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
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
 * Starts the pipeline on a schedule with rebuild=true, so every image is rebuilt from its parent image's latest
 * patches even in weeks without a commit. The scheduler's role may start this one pipeline and nothing else.
 */
export class RebuildSchedule extends Construct {
  public readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: RebuildScheduleProps) {
    super(scope, id);
    const input = { name: props.pipeline.pipelineName, variables: [{ name: REBUILD_VARIABLE, value: 'true' }] };
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Patch rebuild of every image of pipeline ${props.pipeline.pipelineName}`,
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
