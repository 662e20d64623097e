import { Stage, type StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { amiKeyStackName, stackDescription } from '../naming';
import { AmiKeyStack } from './ami-key-stack';

/** Props for AmiKeyStage. */
export interface AmiKeyStageProps extends StageProps {
  readonly pipelineName: string;
  readonly pipelineAccount: string;
  readonly region: string;
  readonly environmentAccounts: readonly string[];
  readonly onDestroy: 'keep' | 'delete';
}

/** The deployable unit of one region's AMI key, in the pipeline's account (Environments wave, bootstrap roles). */
export class AmiKeyStage extends Stage {
  public readonly stack: AmiKeyStack;

  constructor(scope: Construct, id: string, props: AmiKeyStageProps) {
    super(scope, id, { ...props, env: { account: props.pipelineAccount, region: props.region } });
    this.stack = new AmiKeyStack(this, 'AmiKey', {
      stackName: amiKeyStackName(props.pipelineName),
      description: stackDescription(props.pipelineName, `key of the AMIs promoted to environments in ${props.region}`),
      pipelineName: props.pipelineName,
      environmentAccounts: props.environmentAccounts,
      onDestroy: props.onDestroy,
    });
  }
}
