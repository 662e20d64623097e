import { Aws, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type CodePipelineActionFactoryResult,
  type ICodePipelineActionFactory,
  type ProduceActionOptions,
  Step,
  StackOutputReference,
} from 'aws-cdk-lib/pipelines';
import type { ImageConfig, RebuildConfig } from '../config/model';
import { imageParameterNames, releaseWriterRoleName, scanPolicyParameterName } from '../naming';
import { upstreamReferences } from './upstream-references';

/** A UserParameters value: literal, CodePipeline variable expression, or an output of a stack deployed earlier. */
type ParameterValue = string | StackOutputReference;

/** CodePipeline's variable for the running execution: parameter-prep's idempotency key. */
const EXECUTION_ID = '#{codepipeline.PipelineExecutionId}';

/**
 * Pipeline-level variable that asks for fresh images without a change: "true"/"all" or image names force a build;
 * "scheduled" (what the rebuild schedule sets) builds the images whose upstream changed or whose last build is too old.
 */
export const REBUILD_VARIABLE = 'rebuild';

/** What an image's release step (its lane) is given. */
export interface ReleaseContext {
  readonly fn: lambda.IFunction;
  readonly pipelineName: string;
  readonly image: ImageConfig;
  /** The source commit, e.g. `source.sourceAttribute('CommitId')`. */
  readonly commitId: string;
  readonly retention: { readonly keep: number; readonly deleteBeyond: number };
  /**
   * The action's role.
   * @default - CDK Pipelines creates one
   */
  readonly role?: iam.IRole;
  /**
   * The configured environments' names: retention spares the AMI copies tagged as theirs (ENVIRONMENT_TAG_PREFIX).
   * @default - no environments
   */
  readonly environments?: readonly string[];
}

/** Props for ParameterPrepStep. */
export interface ParameterPrepStepProps {
  /** The parameter-prep function. */
  readonly function: lambda.IFunction;
  /** UserParameters the function receives (see lambda/parameter-prep/user-parameters.ts). */
  readonly userParameters: Readonly<Record<string, ParameterValue>>;
  /** Namespace of the action's output variables, e.g. Prepare-app-linux. */
  readonly variablesNamespace: string;
  /**
   * The action's role (it is given the right to invoke the function).
   * @default - CodePipeline creates one in the pipeline stack
   */
  readonly role?: iam.IRole;
  /**
   * Run in the run order of the action before it (the stack's execute action) instead of after it. At the first run
   * order of a stage (a wave spilled over into a new stage) it stays at 1, after that action's stage.
   * @default false
   */
  readonly besideThePreviousAction?: boolean;
  /**
   * Stack outputs the step does not pass as parameters but reads from the producing action itself: CDK Pipelines gives
   * that action a variables namespace, so CodePipeline records the outputs as its output variables.
   * @default - only the outputs named in userParameters
   */
  readonly capturedOutputs?: readonly StackOutputReference[];
}

/**
 * A CDK Pipelines step that invokes the parameter-prep function as a CodePipeline Lambda action. CodePipeline gives
 * the action a role of its own that may only invoke this function.
 */
export class ParameterPrepStep extends Step implements ICodePipelineActionFactory {
  /**
   * The step that decides whether to build the image, and its version, before its image stack change set.
   * @param fingerprint hash of everything that defines the image (see imageFingerprint)
   * @param rebuild what a scheduled run rebuilds besides images with upstream updates (operations.rebuild)
   */
  public static prepare(fn: lambda.IFunction, pipelineName: string, image: ImageConfig, fingerprint: string, rebuild: Pick<RebuildConfig, 'maxAgeSeconds'>, role?: iam.IRole): ParameterPrepStep {
    const upstream = upstreamReferences(image);
    const names = imageParameterNames(pipelineName, image.name);
    return new ParameterPrepStep(`Prepare-${image.name}`, {
      function: fn,
      role,
      variablesNamespace: `Prepare-${image.name}`,
      userParameters: {
        mode: 'prepare',
        image: image.name,
        majorMinor: image.version,
        versionParameter: names.version,
        stateParameter: names.buildState,
        executionId: EXECUTION_ID,
        fingerprint,
        rebuild: `#{variables.${REBUILD_VARIABLE}}`,
        // Space-separated; CodePipeline refuses an empty UserParameters value, hence "none".
        upstream: upstream.length > 0 ? upstream.join(' ') : 'none',
        maxAgeSeconds: String(rebuild.maxAgeSeconds),
        scanPolicyParameter: scanPolicyParameterName(pipelineName, image.name),
      },
    });
  }

  /**
   * An image's lane, its `Release-<image>` step: it runs in the same run order as the image stack's execute action, so
   * that it waits for its own build only (CodePipeline starts an action once every action of a lower run order in its
   * stage is done), reads the build's outputs from that action (ListActionExecutions), verifies the AMI, gates it on
   * its vulnerability scan (the policy in the image's scan-policy parameter), releases it, tags the snapshots of the AMI
   * and its copies and applies retention in the pipeline's region and each of `image.distribution.regions`; then, for
   * an image with a fleet, rolls the fleet out when the deployed fleet template is this run's
   * (lambda/parameter-prep/fleet-rollout.ts).
   */
  public static lane(
    release: ReleaseContext,
    build: { readonly stackName: string; readonly outputs: readonly StackOutputReference[] },
    /** @default - no fleet: the lane releases and is done */
    fleet?: { readonly stackName: string; readonly fingerprint: string },
  ): ParameterPrepStep {
    const name = releaseNamespace(release.image.name);
    return new ParameterPrepStep(name, {
      function: release.fn,
      role: release.role,
      variablesNamespace: name,
      besideThePreviousAction: true,
      capturedOutputs: build.outputs,
      userParameters: {
        mode: 'lane',
        imageStack: build.stackName,
        ...releaseParameters(release),
        ...(fleet ? { fleetStack: fleet.stackName, fleetFingerprint: fleet.fingerprint } : {}),
      },
    });
  }

  /**
   * `Promote-<environment>-<image>`: before the image's fleet change set in that environment, promote the version the
   * image's release step released in this execution into the environment's release parameters (mode "promote",
   * lambda/parameter-prep/promote.ts). For every environment after the first, only when the environment before it
   * runs that version: its fleets passed their health gates with it earlier in this execution.
   */
  public static promote(
    release: Pick<ReleaseContext, 'fn' | 'pipelineName' | 'image' | 'commitId'> & { readonly role?: iam.IRole },
    environment: PromotionTarget,
    /** @default - the first environment: nothing to compare with */
    previous?: PromotionTarget,
  ): ParameterPrepStep {
    const names = imageParameterNames(release.pipelineName, release.image.name);
    const writerRole = (target: PromotionTarget) => `arn:${Aws.PARTITION}:iam::${target.account}:role/${releaseWriterRoleName(release.pipelineName)}`;
    return new ParameterPrepStep(`Promote-${environment.name}-${release.image.name}`, {
      function: release.fn,
      role: release.role,
      variablesNamespace: `Promote-${environment.name}-${release.image.name}`,
      userParameters: {
        mode: 'promote',
        image: release.image.name,
        environment: environment.name,
        account: environment.account,
        region: environment.region,
        writerRoleArn: writerRole(environment),
        version: `#{${releaseNamespace(release.image.name)}.version}`,
        executionId: EXECUTION_ID,
        commitId: release.commitId,
        pipeline: release.pipelineName,
        releaseParameter: names.release,
        releaseAmiParameter: names.releaseAmi,
        previousEnvironment: previous?.name ?? 'none',
        previousWriterRoleArn: previous ? writerRole(previous) : 'none',
        previousRegion: previous?.region ?? 'none',
      },
    });
  }

  constructor(id: string, private readonly props: ParameterPrepStepProps) {
    super(id);
    // Registers the producers of step outputs (the source's CommitId), so their actions get a variables namespace.
    this.discoverReferencedOutputs(props.userParameters);
    // Also makes the pipeline graph place this step after the producing stack (CDK Pipelines' StackOutputReference).
    this.discoverReferencedOutputs(props.capturedOutputs ?? []);
  }

  /** Tells CDK Pipelines to capture these outputs: the producing stack's execute action gets a variables namespace. */
  public get consumedStackOutputs(): StackOutputReference[] {
    return [...Object.values(this.props.userParameters), ...(this.props.capturedOutputs ?? [])].filter((v): v is StackOutputReference => v instanceof StackOutputReference);
  }

  public produceAction(stage: codepipeline.IStage, options: ProduceActionOptions): CodePipelineActionFactoryResult {
    const userParameters = Object.fromEntries(
      Object.entries(this.props.userParameters).map(([key, value]) => [
        key,
        value instanceof StackOutputReference ? options.stackOutputsMap.toCodePipeline(value) : value,
      ]),
    );
    stage.addAction(
      new actions.LambdaInvokeAction({
        actionName: options.actionName,
        runOrder: this.props.besideThePreviousAction ? Math.max(1, options.runOrder - 1) : options.runOrder,
        lambda: this.props.function,
        userParameters,
        variablesNamespace: this.props.variablesNamespace,
        role: this.props.role,
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}

/** Where an image's release is promoted to: an environment's name, account and region. */
export interface PromotionTarget {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

/** The name and variables namespace of an image's release step (its lane), whose output variables later steps read. */
export function releaseNamespace(imageName: string): string {
  return `Release-${imageName}`;
}

/** What a release needs whichever way it learns the build's outputs (modes "release" and "lane"). */
function releaseParameters({ fn, pipelineName, image, commitId, retention, environments }: ReleaseContext): Record<string, string> {
  const names = imageParameterNames(pipelineName, image.name);
  // The function's own region is handled anyway; when the stack's region is a token it cannot be left out here, and
  // the function drops it at run time.
  const home = fn.stack.region;
  const otherRegions = [...new Set(image.distribution.regions)].filter((r) => Token.isUnresolved(home) || r !== home);
  return {
    image: image.name,
    releaseParameter: names.release,
    releaseAmiParameter: names.releaseAmi,
    executionId: EXECUTION_ID,
    commitId,
    pipeline: pipelineName,
    keepImages: String(retention.keep),
    deleteBeyond: String(retention.deleteBeyond),
    // Space-separated; CodePipeline refuses an empty UserParameters value, hence "none".
    regions: otherRegions.length > 0 ? otherRegions.join(' ') : 'none',
    scanPolicyParameter: scanPolicyParameterName(pipelineName, image.name),
    // Only with environments, so that a pipeline without them keeps the parameters (and actions) it had.
    ...(environments && environments.length > 0 ? { environments: environments.join(' ') } : {}),
  };
}
