import type { App, Environment } from 'aws-cdk-lib';
import type { GoldenAmiConfig } from './config/model';
import { GoldenAmiPipelineStack } from './pipeline/golden-ami-pipeline-stack';
import { pipelineStackName, stackDescription } from './naming';
import { addValidations } from './validation/add-validations';

/** Props for defineGoldenAmiApp. */
export interface GoldenAmiAppProps {
  readonly config: GoldenAmiConfig;
  /** Directory of the built application artifact. */
  readonly applicationArtifactDir: string;
  /**
   * Where the pipeline and its stages deploy.
   * @default - environment-agnostic
   */
  readonly env?: Environment;
}

/** Puts the pipeline stack (and through it every stage) into `app`, with the policy checks. */
export function defineGoldenAmiApp(app: App, props: GoldenAmiAppProps): GoldenAmiPipelineStack {
  const stack = new GoldenAmiPipelineStack(app, pipelineStackName(props.config.name), {
    env: props.env,
    description: stackDescription(props.config.name, 'the self-mutating pipeline that builds and rolls out golden AMIs'),
    config: props.config,
    applicationArtifactDir: props.applicationArtifactDir,
  });
  addValidations(app);
  return stack;
}
