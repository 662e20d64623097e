import type { App, Environment } from 'aws-cdk-lib';
import type { GoldenAmiConfig } from './config/model';
import { GoldenAmiPipelineStack } from './pipeline/golden-ami-pipeline-stack';
import { pipelineStackName, stackDescription } from './naming';
import { addValidations } from './validation/add-validations';
import { assertWithinDeploymentLimits } from './validation/deployment-limits';
import { templatesOfAssembly } from './validation/deployment-limits-assembly';

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
  // First: the off-thread checks get ready while the stacks are constructed.
  addValidations(app);
  const stack = new GoldenAmiPipelineStack(app, pipelineStackName(props.config.name), {
    env: props.env,
    description: stackDescription(props.config.name, 'the self-mutating pipeline that builds and rolls out golden AMIs'),
    config: props.config,
    applicationArtifactDir: props.applicationArtifactDir,
    // Without indentation the template is about half the size: CloudFormation counts every byte against its 1 MB.
    suppressTemplateIndentation: true,
  });
  return stack;
}

/**
 * Synthesizes the app and checks what CloudFormation and CodePipeline would refuse (template size, resource counts,
 * actions per stage, name lengths): a DeploymentLimitError names the file, the count, the limit and the fix.
 */
export function synthGoldenAmiApp(app: App, config: GoldenAmiConfig) {
  const assembly = app.synth();
  assertWithinDeploymentLimits(templatesOfAssembly(assembly), { imageCount: config.images.length });
  return assembly;
}
