import { Stage, type StageProps } from 'aws-cdk-lib';
import { synthesizerWithDeployRole } from '../pipeline/stack-deploy-role';
import { Construct } from 'constructs';
import type { FleetConfig, ImageConfig } from '../config/model';
import { fleetStackName, stackDeployRoleName } from '../naming';
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
    const stackName = fleetStackName(props.pipelineName, props.image.name);
    this.stack = new FleetStack(this, 'Fleet', {
      stackName,
      // Deployed with a role that may change this stack only (created by the pipeline stack).
      synthesizer: synthesizerWithDeployRole(stackDeployRoleName(stackName)),
      description: `golden-ami-pipeline ${props.pipelineName}: fleet of image ${props.image.name}`,
      pipelineName: props.pipelineName,
      image: props.image,
    });
  }
}
