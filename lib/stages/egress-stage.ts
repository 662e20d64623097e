import { Stage, type StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EgressLayout } from '../pipeline/pipeline-network';
import { stageStackIdentity } from '../pipeline/stack-deploy-role';
import { egressStackName, stackDescription } from '../naming';
import { EgressStack } from './egress-stack';

/** Props for EgressStage. */
export interface EgressStageProps extends StageProps {
  readonly pipelineName: string;
  readonly fleetImageNames: readonly string[];
  readonly layout: EgressLayout;
}

/** The deployable unit CDK Pipelines runs between BuildImage and DeployImage: the on-demand NAT gateways. */
export class EgressStage extends Stage {
  public readonly stack: EgressStack;

  constructor(scope: Construct, id: string, props: EgressStageProps) {
    super(scope, id, props);
    this.stack = new EgressStack(this, 'Egress', {
      // Deployed with a role that may change this stack only.
      ...stageStackIdentity(egressStackName(props.pipelineName), stackDescription(props.pipelineName, 'NAT gateways while a fleet runs')),
      pipelineName: props.pipelineName,
      fleetImageNames: props.fleetImageNames,
      layout: props.layout,
    });
  }
}
