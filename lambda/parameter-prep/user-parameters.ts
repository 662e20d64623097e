/**
 * The action configuration's UserParameters, as the pipeline writes them (JSON, with CodePipeline variables
 * already resolved). Parsed strictly: a wrong field is a deployment bug, and the message has to say which.
 */
import { parseUpstreamReferences } from './upstream';
import { parseVersion } from './versioning';

/** Decide the next image version and hand it to the image stack through SSM. */
export interface PrepareParameters {
  readonly mode: 'prepare';
  readonly image: string;
  /** Configured MAJOR.MINOR. */
  readonly majorMinor: string;
  /** SSM parameter the image stack resolves for its version (plain MAJOR.MINOR.PATCH). */
  readonly versionParameter: string;
  /** SSM parameter holding this function's JSON state for the image. */
  readonly stateParameter: string;
  /** Pipeline execution id: a redelivered job of the same execution must not bump twice. */
  readonly executionId: string;
  /** Fingerprint of everything that defines the image, computed at synth. */
  readonly fingerprint: string;
  /**
   * The pipeline variable `rebuild`: "false"; "true"/"all" or image names (separated by commas or spaces) force a
   * build; "scheduled" (the rebuild schedule) builds an image whose upstream changed or whose last build is too old.
   */
  readonly rebuild: string;
  /**
   * The image's AWS-managed parent image and components as the recipe names them, separated by spaces
   * (image/<name>/<version selector>, component/<name>/<version selector>), or "none" (CodePipeline refuses an empty
   * value). A scheduled run compares what they resolve to with what the last build recorded.
   */
  readonly upstream: string;
  /** A scheduled run rebuilds an image whose last build is older than this many seconds (a whole number, as text). */
  readonly maxAgeSeconds: string;
  /** SSM parameter holding the image's scan policy (scan-policy.ts): a build that will be scanned needs Inspector on. */
  readonly scanPolicyParameter: string;
}

/** Verify the AMI the image stack produced and record it as the release its fleet runs. */
export interface ReleaseParameters {
  readonly mode: 'release';
  readonly image: string;
  /** AMI id from the image stack's output. */
  readonly amiId: string;
  /** Version the image stack built (its output), MAJOR.MINOR.PATCH. */
  readonly version: string;
  /** Image Builder recipe name; the AMI's Ec2ImageBuilderArn tag must name it with the version. */
  readonly recipeName: string;
  /** SSM parameter holding the release record (JSON, with the previous release). */
  readonly releaseParameter: string;
  /** SSM parameter holding the released AMI id, which fleets resolve. */
  readonly releaseAmiParameter: string;
  readonly executionId: string;
  /** Source commit of this pipeline execution. */
  readonly commitId: string;
  /** Pipeline name: the AMIs of this image carry golden-ami:pipeline=<pipeline>. */
  readonly pipeline: string;
  /** Newest AMIs of the image left as they are (a whole number, as text). */
  readonly keepImages: string;
  /** AMIs older than the newest this many are deregistered with their snapshots (a whole number, as text). */
  readonly deleteBeyond: string;
  /**
   * The other regions the image is distributed to, separated by spaces, or "none" (CodePipeline refuses an empty
   * value). Their copies get the same snapshot tags and retention.
   */
  readonly regions: string;
  /** SSM parameter holding the image's scan policy (scan-policy.ts), which the release gate applies. */
  readonly scanPolicyParameter: string;
  /**
   * The configured environments' names, separated by spaces: retention spares every AMI tagged as one of theirs
   * (ENVIRONMENT_TAG_PREFIX). Absent, or "none": no environments.
   */
  readonly environments?: string;
}

/**
 * An image's lane (an image with a fleet): the release step runs beside the image stack's execute action, waits for it
 * (build-wait.ts), takes the AMI, version and recipe from that action's output variables, releases as "release" does,
 * then rolls out the image's fleet (fleet-rollout.ts).
 */
export interface LaneParameters extends Omit<ReleaseParameters, 'mode' | 'amiId' | 'version' | 'recipeName'> {
  readonly mode: 'lane';
  /** The image stack whose execute action builds the image. */
  readonly imageStack: string;
  /** The image's fleet stack; without one, the lane releases and is done. */
  readonly fleetStack?: string;
  /** The fingerprint of the fleet template this run deploys (with fleetStack). */
  readonly fleetFingerprint?: string;
}

/**
 * Promote an image's release to an environment (another account and region): the AMI Image Builder distributed there
 * at the released version, shared with the environment's account, and (after the first environment) running in the
 * environment before it, becomes the release the environment's fleets resolve. The release record and AMI parameter
 * have the same names in the environment's account as in the pipeline's; they are written through `writerRoleArn`.
 */
export interface PromoteParameters {
  readonly mode: 'promote';
  readonly image: string;
  /** The environment's name (lower case, as configured). */
  readonly environment: string;
  /** The environment's account, 12 digits: the AMI's launch permission must name it. */
  readonly account: string;
  /** The environment's region: where the AMI copy is looked up and the release recorded. */
  readonly region: string;
  /** The environment's release writer role (lib/naming.ts, releaseWriterRoleName), in `account`. */
  readonly writerRoleArn: string;
  /** The version the image's release step released (#{Release-<image>.version}), MAJOR.MINOR.PATCH. */
  readonly version: string;
  readonly executionId: string;
  /** Source commit of this pipeline execution. */
  readonly commitId: string;
  /** Pipeline name: the image's AMIs carry golden-ami:pipeline=<pipeline>. */
  readonly pipeline: string;
  /** SSM parameter holding the release record in the environment's account (JSON, with the previous release). */
  readonly releaseParameter: string;
  /** SSM parameter holding the released AMI id in the environment's account, which its fleets resolve. */
  readonly releaseAmiParameter: string;
  /** The environment before this one in promotion order, or "none" for the first (then all previous* are "none"). */
  readonly previousEnvironment: string;
  /** The previous environment's release writer role, or "none". */
  readonly previousWriterRoleArn: string;
  /** The previous environment's region, or "none". */
  readonly previousRegion: string;
}

export type UserParameters = PrepareParameters | ReleaseParameters | LaneParameters | PromoteParameters;

const FIELDS: Record<UserParameters['mode'], readonly string[]> = {
  prepare: ['image', 'majorMinor', 'versionParameter', 'stateParameter', 'executionId', 'fingerprint', 'rebuild', 'upstream', 'maxAgeSeconds', 'scanPolicyParameter'],
  release: ['image', 'amiId', 'version', 'recipeName', 'releaseParameter', 'releaseAmiParameter', 'executionId', 'commitId', 'pipeline', 'keepImages', 'deleteBeyond', 'regions', 'scanPolicyParameter'],
  lane: ['image', 'imageStack', 'releaseParameter', 'releaseAmiParameter', 'executionId', 'commitId', 'pipeline', 'keepImages', 'deleteBeyond', 'regions', 'scanPolicyParameter'],
  promote: ['image', 'environment', 'account', 'region', 'writerRoleArn', 'version', 'executionId', 'commitId', 'pipeline', 'releaseParameter', 'releaseAmiParameter', 'previousEnvironment', 'previousWriterRoleArn', 'previousRegion'],
};
const MODES = Object.keys(FIELDS) as ReadonlyArray<UserParameters['mode']>;

/** Parses UserParameters; throws an Error whose message names the field and what was expected. */
export function parseUserParameters(text: string | undefined): UserParameters {
  if (!text) throw new Error('UserParameters are empty; expected a JSON object with a "mode" field (prepare, release, lane or promote)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`UserParameters are not valid JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('UserParameters must be a JSON object');
  const raw = value as Record<string, unknown>;
  const mode = raw.mode as UserParameters['mode'];
  if (!MODES.includes(mode)) {
    throw new Error(`UserParameters.mode must be "prepare", "release", "lane" or "promote" (got ${JSON.stringify(mode)})`);
  }
  for (const field of FIELDS[mode]) {
    const v = raw[field];
    if (typeof v !== 'string' || v.trim() === '') {
      throw new Error(`UserParameters.${field} must be a non-empty string for mode "${mode}" (got ${JSON.stringify(v)})`);
    }
    // An unresolved CodePipeline variable means the action was wired to a variable that does not exist.
    if (/#\{[^}]*\}/.test(v)) throw new Error(`UserParameters.${field} holds an unresolved pipeline variable (${v})`);
  }
  if (mode === 'release' || mode === 'lane') {
    distributionRegions(raw as unknown as ReleaseParameters);
    sparedEnvironments(raw as unknown as ReleaseParameters);
  }
  if (mode === 'lane') checkLane(raw as unknown as LaneParameters);
  if (mode === 'promote') checkPromote(raw as unknown as PromoteParameters);
  if (mode === 'prepare') {
    parseUpstreamReferences(raw.upstream as string);
    maxAgeSeconds(raw as unknown as PrepareParameters);
  }
  return raw as unknown as UserParameters;
}

// CloudFormation's own rule for a stack name: a letter, then letters, digits and hyphens, 128 characters at most.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** A lane names its image stack and, for an image with a fleet, the fleet stack and the SHA-256 of its template. */
function checkLane(p: LaneParameters): void {
  if (!STACK_NAME.test(p.imageStack)) throw new Error(`UserParameters.imageStack is not a CloudFormation stack name (got ${JSON.stringify(p.imageStack)})`);
  if (p.fleetStack === undefined && p.fleetFingerprint === undefined) return;
  if (typeof p.fleetStack !== 'string' || !STACK_NAME.test(p.fleetStack)) throw new Error(`UserParameters.fleetStack is not a CloudFormation stack name (got ${JSON.stringify(p.fleetStack)})`);
  if (typeof p.fleetFingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(p.fleetFingerprint)) throw new Error(`UserParameters.fleetFingerprint must be a SHA-256 in hex (got ${JSON.stringify(p.fleetFingerprint)})`);
}

/** An environment of a promote job: its name, release writer role and region. */
export interface EnvironmentWriter {
  readonly environment: string;
  readonly writerRoleArn: string;
  readonly region: string;
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]*$/;
const ACCOUNT = /^[0-9]{12}$/;
// An IAM role ARN in any partition (aws, aws-cn, aws-us-gov): its account, and a role name with an optional path.
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::([0-9]{12}):role\/[\w+=,.@/-]{1,512}$/;
const PROMOTE_FIX = 'Fix: check environments in pipeline.yaml and let the pipeline update itself';

/** A promote job names its environment's account, region and writer role, and its previous environment's, or none of those. */
function checkPromote(p: PromoteParameters): void {
  if (!ENVIRONMENT_NAME.test(p.environment)) throw new Error(`UserParameters.environment must be a lower-case environment name (got ${JSON.stringify(p.environment)}). ${PROMOTE_FIX}`);
  if (!ACCOUNT.test(p.account)) throw new Error(`UserParameters.account must be a 12-digit account id (got ${JSON.stringify(p.account)}). ${PROMOTE_FIX}`);
  if (!REGION.test(p.region)) throw new Error(`UserParameters.region is not a region code (got ${JSON.stringify(p.region)}). ${PROMOTE_FIX}`);
  const writerAccount = ROLE_ARN.exec(p.writerRoleArn)?.[1];
  if (writerAccount !== p.account) {
    throw new Error(`UserParameters.writerRoleArn must be an IAM role ARN in the environment's account ${p.account} (got ${JSON.stringify(p.writerRoleArn)}). ${PROMOTE_FIX}`);
  }
  if (!parseVersion(p.version)) throw new Error(`UserParameters.version must be MAJOR.MINOR.PATCH (got ${JSON.stringify(p.version)})`);
  previousEnvironment(p);
}

/** The previous environment of a promote job; throws unless its three fields are all "none" or all set and valid. */
export function previousEnvironment(p: Pick<PromoteParameters, 'environment' | 'previousEnvironment' | 'previousWriterRoleArn' | 'previousRegion'>): EnvironmentWriter | undefined {
  const fields = { previousEnvironment: p.previousEnvironment, previousWriterRoleArn: p.previousWriterRoleArn, previousRegion: p.previousRegion };
  const none = Object.entries(fields).filter(([, v]) => v === 'none').map(([k]) => k);
  if (none.length === 3) return undefined;
  if (none.length > 0) {
    throw new Error(`UserParameters.previousEnvironment, previousWriterRoleArn and previousRegion must be all "none" (the first environment) or all set (got ${JSON.stringify(fields)}). ${PROMOTE_FIX}`);
  }
  if (!ENVIRONMENT_NAME.test(p.previousEnvironment) || p.previousEnvironment === p.environment) {
    throw new Error(`UserParameters.previousEnvironment must be the name of another environment (got ${JSON.stringify(p.previousEnvironment)} for environment ${JSON.stringify(p.environment)}). ${PROMOTE_FIX}`);
  }
  if (!ROLE_ARN.test(p.previousWriterRoleArn)) throw new Error(`UserParameters.previousWriterRoleArn must be an IAM role ARN (got ${JSON.stringify(p.previousWriterRoleArn)}). ${PROMOTE_FIX}`);
  if (!REGION.test(p.previousRegion)) throw new Error(`UserParameters.previousRegion is not a region code (got ${JSON.stringify(p.previousRegion)}). ${PROMOTE_FIX}`);
  return { environment: p.previousEnvironment, writerRoleArn: p.previousWriterRoleArn, region: p.previousRegion };
}

/** The maximum age of a prepare job in seconds; throws when the field is not a whole number. */
export function maxAgeSeconds(p: Pick<PrepareParameters, 'maxAgeSeconds'>): number {
  if (!/^(0|[1-9][0-9]{0,10})$/.test(p.maxAgeSeconds)) {
    throw new Error(`UserParameters.maxAgeSeconds must be a whole number of seconds (got ${JSON.stringify(p.maxAgeSeconds)}). Fix: check operations.rebuild.maxAge in pipeline.yaml and let the pipeline update itself`);
  }
  return Number(p.maxAgeSeconds);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The environments whose AMIs retention spares; throws when the field is not "none" or environment names. */
export function sparedEnvironments(p: Pick<ReleaseParameters, 'environments'>): string[] {
  if (p.environments === undefined || p.environments.trim() === 'none') return [];
  const names = p.environments.trim().split(/\s+/);
  const bad = names.find((n) => !/^[a-z][a-z0-9-]{0,15}$/.test(n));
  if (bad !== undefined) throw new Error(`UserParameters.environments must be "none" or environment names separated by spaces (got ${JSON.stringify(p.environments)}). ${PROMOTE_FIX}`);
  return names;
}

/** The distribution regions of a release job other than `ownRegion`; throws when the field is not "none" or region codes. */
export function distributionRegions(p: Pick<ReleaseParameters, 'regions'>, ownRegion?: string): string[] {
  if (p.regions.trim() === 'none') return [];
  const regions = p.regions.trim().split(/\s+/);
  const bad = regions.find((r) => !REGION.test(r));
  if (bad !== undefined) {
    throw new Error(`UserParameters.regions must be "none" or region codes separated by spaces (got ${JSON.stringify(p.regions)}; ${JSON.stringify(bad)} is not a region code). Fix: check distribution.regions of the image and let the pipeline update itself`);
  }
  // The pipeline's own region is handled on its own; the step leaves it out unless the stack's region was a token.
  return [...new Set(regions)].filter((r) => r !== ownRegion);
}
