import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { ImageConfig } from '../config/model';
import { scanPolicyParameterName } from '../naming';

/** Props for ScanPolicyParameter. */
export interface ScanPolicyParameterProps {
  readonly pipelineName: string;
  /** The image whose `scanning` section becomes the policy. */
  readonly image: ImageConfig;
}

/**
 * The image's scan policy (failOn, the ignore list, or why it is not scanned) as JSON in SSM, where the release step
 * reads it: CodePipeline's 1,000 characters for one configuration value leave no room for an ignore list with reasons
 * in the action's UserParameters. The UpdatePipeline stage writes it before the image's stages run, so a changed
 * ignore list applies to the same run; the size is checked at synth (lib/config/checks/scanning.ts).
 */
export class ScanPolicyParameter extends Construct {
  public readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ScanPolicyParameterProps) {
    super(scope, id);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: scanPolicyParameterName(props.pipelineName, props.image.name),
      stringValue: JSON.stringify(props.image.scanning),
      description: `Vulnerability scan policy of image ${props.image.name} (from ${props.image.file}); the release step applies it`,
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
