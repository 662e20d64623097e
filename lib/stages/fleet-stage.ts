import { Stage, type StageProps } from 'aws-cdk-lib';
import { stageStackIdentity } from '../pipeline/stack-deploy-role';
import { Construct } from 'constructs';
import type { FleetConfig, ImageConfig } from '../config/model';
import { fleetStackName, stackDescription } from '../naming';
import { FleetStack } from './fleet-stack';

/** Props for FleetStage. */
export interface FleetStageProps extends StageProps {
  readonly pipelineName: string;
  readonly image: ImageConfig & { readonly fleet: FleetConfig };
}

/** The deployable unit CDK Pipelines puts in the DeployImage wave: one image's fleet. */
export class FleetStage extends Stage {
  public readonly stack: FleetStack;

  constructor(scope: Construct, id: string, props: FleetStageProps) {
    super(scope, id, props);
    this.stack = new FleetStack(this, 'Fleet', {
      // Deployed with a role that may change this stack only.
      ...stageStackIdentity(fleetStackName(props.pipelineName, props.image.name), stackDescription(props.pipelineName, `fleet of image ${props.image.name}`)),
      pipelineName: props.pipelineName,
      image: props.image,
    });
  }
}
