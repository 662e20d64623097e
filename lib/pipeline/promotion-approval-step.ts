import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { type CodePipelineActionFactoryResult, type ICodePipelineActionFactory, type ProduceActionOptions, Step } from 'aws-cdk-lib/pipelines';
import { releaseNamespace } from './parameter-prep-step';

/** CodePipeline's limit on one action configuration value (ActionConfigurationValue, CodePipeline API reference). */
export const MAX_CONFIGURATION_VALUE = 1000;
/** Room for `#{<source action namespace>.CommitId}` once CDK Pipelines names the source action's namespace. */
const COMMIT_EXPRESSION_LENGTH = 80;

/** The approval's step id, and so its action's name in the `Deploy-<environment>` stage. */
export function approvalActionName(environmentName: string): string {
  return `Approve-${environmentName}`;
}

/** Props for PromotionApprovalStep. */
export interface PromotionApprovalStepProps {
  /** The environment the approval lets a new release into. */
  readonly environmentName: string;
  /** The environment before it, whose fleets run the release already. @default - none: the first environment */
  readonly previousEnvironmentName?: string;
  /** The images whose releases are promoted. */
  readonly imageNames: readonly string[];
  /** The source commit of the execution, e.g. `source.sourceAttribute('CommitId')`. */
  readonly commitId: string;
}

/**
 * `Approve-<environment>`: a manual approval before an environment that asks for one. Its message (the approval's
 * custom data, which CodePipeline resolves variables in: "Variables reference", CodePipeline user guide) names, for
 * every image, the version and AMI this execution released and the verdict of its vulnerability scan, and the commit,
 * so the approver sees what they let in without leaving the console. Only variables every release step outputs are
 * used: a variable that an action did not output fails the approval action.
 */
export class PromotionApprovalStep extends Step implements ICodePipelineActionFactory {
  /** The approval's message (custom data), with its CodePipeline variable expressions. */
  public readonly message: string;

  constructor(id: string, props: PromotionApprovalStepProps) {
    super(id);
    const after = props.previousEnvironmentName ? ` (running in ${props.previousEnvironmentName} since this execution)` : '';
    const message = (images: string) => `Promote to ${props.environmentName}${after}: ${images}. Commit ${props.commitId}.`;
    const detailed = props.imageNames.map((image) => `${image} #{${releaseNamespace(image)}.version} (#{${releaseNamespace(image)}.amiId}; scan: #{${releaseNamespace(image)}.scan})`).join('; ');
    const versions = props.imageNames.map((image) => `${image} #{${releaseNamespace(image)}.version}`).join('; ');
    const summary = `${props.imageNames.length} images (their versions and scan verdicts: the output variables of each Release-<image> action)`;
    // The first that fits CodePipeline's 1,000 characters of an action configuration value (the commit's variable
    // expression counted at a generous length: at synth it is still a token).
    const fits = (images: string) => message(images).replace(props.commitId, 'x'.repeat(COMMIT_EXPRESSION_LENGTH)).length <= MAX_CONFIGURATION_VALUE;
    this.message = message([detailed, versions].find(fits) ?? summary);
    this.discoverReferencedOutputs(this.message);
  }

  public produceAction(stage: codepipeline.IStage, options: ProduceActionOptions): CodePipelineActionFactoryResult {
    stage.addAction(new actions.ManualApprovalAction({ actionName: options.actionName, runOrder: options.runOrder, additionalInformation: this.message }));
    return { runOrdersConsumed: 1 };
  }
}
