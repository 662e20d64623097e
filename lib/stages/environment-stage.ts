import { type StackProps, Stage, type StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { environmentStackName, stackDescription } from '../naming';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Props for EnvironmentStage: its stack's, the stage taking its account and region from the environment. */
export type EnvironmentStageProps = StageProps & Omit<EnvironmentStackProps, keyof StackProps>;

/**
 * The deployable unit CDK Pipelines puts in the Environments wave: one environment's EnvironmentStack, in that
 * environment's account and region, deployed with the account's bootstrap roles.
 */
export class EnvironmentStage extends Stage {
  public readonly stack: EnvironmentStack;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, { ...props, env: { account: props.environment.account, region: props.environment.region } });
    this.stack = new EnvironmentStack(this, 'Environment', {
      stackName: environmentStackName(props.pipelineName, props.environment.name),
      description: stackDescription(props.pipelineName, `what the fleets of environment ${props.environment.name} need`),
      pipelineName: props.pipelineName,
      environment: props.environment,
      pipelineAccount: props.pipelineAccount,
      fleets: props.fleets,
      parameterPrepRoleArn: props.parameterPrepRoleArn,
      cleanupFunctionRoleArn: props.cleanupFunctionRoleArn,
    });
  }
}
