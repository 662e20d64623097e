import { createHash } from 'crypto';

/**
 * Names shared between the pipeline stack, the stage stacks and the parameter-prep function. Stage stacks cannot
 * reference the pipeline stack's resources (CDK Pipelines deploys them separately), so they meet on these names.
 * Changing one of them orphans deployed state: treat them as part of the contract.
 */

/** Root of every SSM parameter of one pipeline. */
export function ssmRoot(pipelineName: string): string {
  return `/golden-ami/${pipelineName}`;
}

/** SSM parameters of one image. */
export interface ImageParameterNames {
  /** MAJOR.MINOR.PATCH the next image stack change set builds (written by parameter-prep, read by the image stack). */
  readonly version: string;
  /** parameter-prep's own state for the image (JSON). */
  readonly buildState: string;
  /** Release record: current and previous release (JSON). */
  readonly release: string;
  /** Released AMI id (read by the fleet stack). */
  readonly releaseAmi: string;
}

/** The hierarchy of every image parameter of one pipeline. */
export function imagesParameterRoot(pipelineName: string): string {
  return `${ssmRoot(pipelineName)}/images`;
}

export function imageParameterNames(pipelineName: string, imageName: string): ImageParameterNames {
  const base = `${imagesParameterRoot(pipelineName)}/${imageName}`;
  return {
    version: `${base}/version`,
    buildState: `${base}/build-state`,
    release: `${base}/release`,
    releaseAmi: `${base}/release-ami`,
  };
}

/**
 * The image's scan policy (JSON), which the release step reads. CloudFormation owns it (the image's support stack
 * writes it from the configuration), so it is not among the parameters the function writes and the clean-up deletes.
 */
export function scanPolicyParameterName(pipelineName: string, imageName: string): string {
  return `${imagesParameterRoot(pipelineName)}/${imageName}/scan-policy`;
}

/** SSM parameters describing the network build instances and fleets use (written by the pipeline stack). */
export function networkParameterNames(pipelineName: string): {
  readonly vpcId: string;
  readonly subnetIds: string;
  readonly publicSubnetIds: string;
  /** Route tables of the private subnets (network.egress on-demand). */
  readonly privateRouteTableIds: string;
  /** What the Egress stack last decided: `on` or `off` (written by that stack). */
  readonly egressState: string;
} {
  const base = `${ssmRoot(pipelineName)}/network`;
  return {
    vpcId: `${base}/vpc-id`,
    subnetIds: `${base}/subnet-ids`,
    publicSubnetIds: `${base}/public-subnet-ids`,
    privateRouteTableIds: `${base}/private-route-table-ids`,
    egressState: `${base}/egress`,
  };
}

/** SSM parameter naming the bucket load balancers deliver access logs to (written by the pipeline stack). */
export function logBucketParameterName(pipelineName: string): string {
  return `${ssmRoot(pipelineName)}/logs/bucket-name`;
}

/** Key prefix of one fleet's load balancer access logs in that bucket. */
export function loadBalancerLogPrefix(imageName: string): string {
  return `load-balancers/${imageName}`;
}

/** Image Builder resource name of an image (recipe, component prefix, configurations). */
export function imageBuilderName(pipelineName: string, imageName: string): string {
  return `${pipelineName}-${imageName}`.toLowerCase();
}

/** CloudFormation stack names of the stage stacks. */
export function imageStackName(pipelineName: string, imageName: string): string {
  return `${pipelineName}-image-${imageName}`;
}

export function fleetStackName(pipelineName: string, imageName: string): string {
  return `${pipelineName}-fleet-${imageName}`;
}

/**
 * The stack in an environment's account that holds what that environment's fleets need: the network and capacity
 * parameters, the instance role boundary, the fleet stacks' deploy and execution roles, the release writer role.
 */
export function environmentStackName(pipelineName: string, environmentName: string): string {
  return `${pipelineName}-environment-${environmentName}`;
}

/**
 * The role in an environment's account through which the parameter-prep function reads and writes that environment's
 * release record and released AMI (the same parameter names as in the pipeline's account).
 */
export function releaseWriterRoleName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'release-writer');
}

/** The pipeline's service role, named when environments are configured: their fleet stacks' deploy roles trust it by ARN. */
export function pipelineRoleName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'codepipeline');
}

/** The Cleanup function's role, named in every pipeline: the environments' clean-up roles trust it by ARN. */
export function cleanupFunctionRoleName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'cleanup-function');
}

/**
 * The role in an environment's account through which the Cleanup function deletes that environment's stack
 * (environmentStackName), which holds the role itself: it may only describe and delete that one stack.
 */
export function environmentCleanupRoleName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'environment-cleanup');
}

/** The parameter-prep function's role, named when environments are configured: their release writer roles trust it by ARN. */
export function parameterPrepRoleName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'parameter-prep');
}

/**
 * The stack holding the key that encrypts the AMIs promoted to the environments of one region, in the pipeline's
 * account and that region (one per region: the same name in each).
 */
export function amiKeyStackName(pipelineName: string): string {
  return `${pipelineName}-ami-key`;
}

/** Alias of that key: the image's distribution and the environments' grants name it in each region. */
export function amiKeyAliasName(pipelineName: string): string {
  return `alias/golden-ami/${pipelineName}/ami`;
}

/** The stack that holds the NAT gateways while a fleet runs (network.egress on-demand). */
export function egressStackName(pipelineName: string): string {
  return `${pipelineName}-egress`;
}

/** IAM role names are at most 64 characters; longer names keep their start and get a stable hash suffix. */
export function iamRoleName(...parts: string[]): string {
  const name = parts.join('-');
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 55)}-${hash}`;
}

/**
 * The role CodePipeline assumes to create and execute the change sets of one stage stack. (Named `-cfn-deploy` since
 * it moved into the stack's support nested stack: a role cannot be created under the name of one that is deleted only
 * later in the same update.)
 */
export function stackDeployRoleName(stackName: string): string {
  return iamRoleName(stackName, 'cfn-deploy');
}

/** The role the Cleanup function assumes to delete one stage stack: it may do nothing else. */
export function stackCleanupRoleName(stackName: string): string {
  return iamRoleName(stackName, 'cleanup');
}

/**
 * Tag on every role a golden-ami principal may assume, saying which: the pipeline's service role ("codepipeline") or
 * the Cleanup function ("cleanup"). With golden-ami:pipeline it lets those principals' policies name the roles by tag
 * instead of a list that grows with every image (IAM caps a role's inline policies at 10,240 characters).
 */
export const ASSUMED_BY_TAG_KEY = 'golden-ami:assumed-by';
export type AssumedBy = 'codepipeline' | 'cleanup';

/** SSM parameters holding a fleet's run-time capacity: set from configuration, changed by `npm run fleet`. */
export function fleetParameterNames(pipelineName: string, imageName: string): { readonly minSize: string; readonly desiredCapacity: string } {
  const base = `${ssmRoot(pipelineName)}/fleets/${imageName}`;
  return { minSize: `${base}/min-size`, desiredCapacity: `${base}/desired-capacity` };
}

/** The role CloudFormation assumes to create, change and delete the resources of one stage stack. */
export function stackExecutionRoleName(stackName: string): string {
  return iamRoleName(stackName, 'cfn-exec');
}

/**
 * Permissions boundary every role a stage stack creates must carry: the ceiling of what a build or fleet instance may
 * do, so that a stage stack's execution role, which may create roles, cannot create one stronger than itself.
 */
export function instanceRoleBoundaryName(pipelineName: string): string {
  return iamRoleName(pipelineName, 'instance-boundary');
}

/** Name of the instance role (and its instance profile) of a stage stack: build instances or fleet instances. */
export function instanceRoleName(stackName: string): string {
  return iamRoleName(stackName, 'instance');
}

/** Tag every launch template of a fleet stack carries: its stack name. The stack's execution role may change only those. */
export const STACK_TAG_KEY = 'golden-ami:stack';

/** Tags that mark what a pipeline created: AMIs, snapshots, buckets. Deletion is limited to resources carrying them. */
export const PIPELINE_TAG_KEY = 'golden-ami:pipeline';
export const IMAGE_TAG_KEY = 'golden-ami:image';
export const VERSION_TAG_KEY = 'golden-ami:version';

/**
 * Tag key, followed by an environment's name, on the AMI copy an environment runs (`current`) or would roll back to
 * (`previous`): the promote step sets it, and the release step's retention never deprecates or deletes an AMI that
 * carries it for a configured environment, however far the pipeline's own releases have moved on.
 */
export const ENVIRONMENT_TAG_PREFIX = 'golden-ami:environment:';

/** The description of every stack of a pipeline: it names the pipeline exactly, so ownership is read back, not guessed. */
export function stackDescription(pipelineName: string, what: string): string {
  return `golden-ami-pipeline ${pipelineName}: ${what}`;
}

/** The pipeline a stack description names, or undefined for a stack no pipeline described. */
export function pipelineOfStackDescription(description: string | undefined): string | undefined {
  return /^golden-ami-pipeline ([A-Za-z0-9-]+): /.exec(description ?? '')?.[1];
}

/** CloudFormation stack name of the pipeline stack. */
export function pipelineStackName(pipelineName: string): string {
  return `${pipelineName}-pipeline`;
}

/** Logical id of the Cleanup custom resource in the pipeline stack: teardown looks for it to know which path to take. */
export const CLEANUP_LOGICAL_ID = 'Cleanup';

/** Name of the parameter-prep function: the support stacks' Lambda actions name it without a reference. */
export function parameterPrepFunctionName(pipelineName: string): string {
  return `${pipelineName}-parameter-prep`;
}
