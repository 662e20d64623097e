/**
 * What one clean-up covers, derived from the Cleanup custom resource's properties. Pure. Every stack and parameter is
 * named exactly; AMIs and snapshots are those tagged golden-ami:pipeline=<pipeline> (and golden-ami:image for a
 * pruned image); buckets are named by the pipeline stack itself.
 */
import {
  amiKeyStackName,
  egressStackName,
  environmentCleanupRoleName,
  environmentStackName,
  fleetStackName,
  imageParameterNames,
  imageStackName,
  stackCleanupRoleName,
} from '../../lib/naming';

/** One image as the pipeline stack describes it to the Cleanup resource. */
export interface CleanupImageProperties {
  readonly Name: string;
  /** "true" when the image has a fleet stack (CloudFormation hands custom resources every scalar as a string). */
  readonly Fleet: string;
  /** Every region its AMIs are distributed to, the pipeline's own included. */
  readonly Regions: readonly string[];
  /**
   * The SSM parameter Image Builder writes the AMI id to in each of `Regions` (distribution.ssmParameter), exactly as
   * configured. Properties written before it existed have none: they read as no parameter.
   */
  readonly SsmParameter?: string;
}

/** One environment (pipeline.yaml environments) as the pipeline stack describes it to the Cleanup resource. */
export interface CleanupEnvironmentProperties {
  readonly Name: string;
  readonly Account: string;
  readonly Region: string;
  /**
   * The images with a fleet stack in this environment. (The images' own `Fleet` says whether a fleet stack runs in the
   * pipeline's account, which it never does with environments.)
   */
  readonly Fleets: readonly string[];
}

/** ResourceProperties of the Cleanup custom resource (lib/pipeline/pipeline-cleanup.ts writes them). */
export interface CleanupProperties {
  readonly PipelineName: string;
  readonly Images: readonly CleanupImageProperties[];
  /** The artifact and access-log buckets, deleted last and only when the pipeline stack is deleted. */
  readonly Buckets: readonly string[];
  /** What happens to an AMI that other accounts may launch: kept (default) or deleted like the others. */
  readonly SharedAmis: SharedAmiPolicy;
  /**
   * "true" when the pipeline has an egress stack (network.egress on-demand with a fleet). Pipeline stacks deployed
   * before it existed did not write it: their properties read as "false".
   */
  readonly Egress: string;
  /**
   * The environments the pipeline's fleets run in, each in its own account. Properties written before environments
   * were cleaned up have none: they read as no environment.
   */
  readonly Environments?: readonly CleanupEnvironmentProperties[];
}

export type SharedAmiPolicy = 'keep' | 'delete';

/** A stack in an environment's account and region, deleted through a role of that account. */
export interface RemoteStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** The role (by name, in `account`) the Cleanup function assumes to describe and delete the stack. */
  readonly roleName: string;
  /**
   * True when the role is one of the stack's own resources (the environment stack's clean-up role): once the stack's
   * deletion has begun, losing access to it means the role was deleted with it.
   */
  readonly roleInStack?: boolean;
}

/** A stack of the pipeline's account in one region. */
export interface RegionalStack {
  readonly stackName: string;
  readonly region: string;
}

export interface CleanupScope {
  readonly pipelineName: string;
  readonly fleetStacks: readonly string[];
  /**
   * The fleet stacks in the environments' accounts, each deleted through its clean-up role there (kept in the
   * environment stack), with the fleet stacks of the pipeline's account.
   * @default - none
   */
  readonly environmentFleetStacks?: readonly RemoteStack[];
  /**
   * The environment stacks, deleted after every fleet stack (they hold the fleet stacks' execution and clean-up roles),
   * each through the environment clean-up role it holds itself.
   * @default - none
   */
  readonly environmentStacks?: readonly RemoteStack[];
  /**
   * The AMI key stack (amiKeyStackName) of the pipeline's account in each region environments were in, deleted after
   * every other stack with sharedAmis delete; with keep, kept: the AMIs shared with the environments need the key.
   * @default - none
   */
  readonly amiKeyStacks?: readonly RegionalStack[];
  /** The pipeline's egress stack (NAT gateways), deleted after the fleets, whose instances use it, and before the images. */
  readonly egressStack?: string;
  /**
   * An environment's stack (`npm run teardown -- --environment`, in that environment's account): it holds the fleet
   * stacks' roles, so it is deleted after them.
   */
  readonly environmentStack?: string;
  readonly imageStacks: readonly string[];
  /**
   * AMIs (deregistered) and snapshots (deleted) tagged with the pipeline in these regions; with `images`, only those
   * whose golden-ami:image tag is one of them.
   */
  readonly amis?: { readonly regions: readonly string[]; readonly images?: readonly string[] };
  /**
   * AMIs (and their snapshots) of images that stay, in regions they are no longer distributed to: per image, the
   * regions it left. The release step's retention only looks at the regions an image goes to, so nothing else would
   * ever remove these copies.
   */
  readonly amisLeftBehind?: ReadonlyArray<{ readonly image: string; readonly regions: readonly string[] }>;
  readonly parameters: readonly string[];
  /**
   * The parameters Image Builder writes AMI ids to (distribution.ssmParameter), per region: exact names in exact
   * regions, undefined when there are none. Deleted with the image parameters.
   */
  readonly distributionParameters?: readonly RegionalParameters[];
  readonly buckets: readonly string[];
  readonly sharedAmis: SharedAmiPolicy;
}

/** Exact SSM parameter names in one region. */
export interface RegionalParameters {
  readonly region: string;
  readonly names: readonly string[];
}

const hasFleet = (image: CleanupImageProperties) => image.Fleet === 'true';
const hasEgress = (p: CleanupProperties) => p.Egress === 'true';
const unique = (values: readonly string[]) => [...new Set(values)].sort();
const environmentsOf = (p: CleanupProperties) => p.Environments ?? [];
/** An environment is its name in its account and region: the same name elsewhere is another environment stack. */
const environmentKey = (e: CleanupEnvironmentProperties) => `${e.Name}\0${e.Account}\0${e.Region}`;

/** The fleet stack of one image in one environment, and the clean-up role there that deletes it. */
function environmentFleetStack(pipeline: string, e: CleanupEnvironmentProperties, image: string): RemoteStack {
  const stackName = fleetStackName(pipeline, image);
  return { stackName, account: e.Account, region: e.Region, roleName: stackCleanupRoleName(stackName) };
}

/** An environment's stack, deleted through the clean-up role it holds itself. */
function environmentStack(pipeline: string, e: CleanupEnvironmentProperties): RemoteStack {
  return { stackName: environmentStackName(pipeline, e.Name), account: e.Account, region: e.Region, roleName: environmentCleanupRoleName(pipeline), roleInStack: true };
}

/** The AMI key stacks of the pipeline's account in these regions; undefined for none. */
function amiKeyStacksIn(pipeline: string, regions: readonly string[]): RegionalStack[] | undefined {
  return regions.length > 0 ? unique(regions).map((region) => ({ stackName: amiKeyStackName(pipeline), region })) : undefined;
}

/** Undefined for an empty list, so that a scope without environments looks as it did before them. */
const orNone = <T>(values: readonly T[]): readonly T[] | undefined => (values.length > 0 ? values : undefined);

/** Every (region, parameter name) pair the images' distributions write, as "region\0name" keys. */
function distributionKeys(images: readonly CleanupImageProperties[]): Set<string> {
  return new Set(images.flatMap((i) => (i.SsmParameter ? i.Regions.map((r) => `${r}\0${i.SsmParameter}`) : [])));
}

/** Groups "region\0name" keys by region; undefined when there are none. */
function byRegion(keys: Iterable<string>): RegionalParameters[] | undefined {
  const regions = new Map<string, string[]>();
  for (const key of keys) {
    const [region, name] = key.split('\0');
    regions.set(region, [...(regions.get(region) ?? []), name]);
  }
  const grouped = [...regions.keys()].sort().map((region) => ({ region, names: unique(regions.get(region)!) }));
  return grouped.length > 0 ? grouped : undefined;
}

/** Everything the pipeline created: what `cdk destroy` of the pipeline stack removes. */
export function deletionScope(p: CleanupProperties): CleanupScope {
  return {
    pipelineName: p.PipelineName,
    fleetStacks: p.Images.filter(hasFleet).map((i) => fleetStackName(p.PipelineName, i.Name)),
    environmentFleetStacks: orNone(environmentsOf(p).flatMap((e) => e.Fleets.map((image) => environmentFleetStack(p.PipelineName, e, image)))),
    environmentStacks: orNone(environmentsOf(p).map((e) => environmentStack(p.PipelineName, e))),
    amiKeyStacks: amiKeyStacksIn(p.PipelineName, environmentsOf(p).map((e) => e.Region)),
    egressStack: hasEgress(p) ? egressStackName(p.PipelineName) : undefined,
    imageStacks: p.Images.map((i) => imageStackName(p.PipelineName, i.Name)),
    // Every AMI of the pipeline, whatever image it came from: images removed long ago are covered too.
    amis: { regions: unique(p.Images.flatMap((i) => i.Regions)) },
    parameters: p.Images.flatMap((i) => Object.values(imageParameterNames(p.PipelineName, i.Name))),
    distributionParameters: byRegion(distributionKeys(p.Images)),
    buckets: p.Buckets,
    sharedAmis: p.SharedAmis,
  };
}

/**
 * What a configuration change leaves behind: the fleet stack of an image whose fleet was removed, the egress stack when
 * the pipeline no longer has one (network.egress switched to always, or no fleet left), everything of an image that
 * was removed, the AMIs of an image in the regions removed from its distribution, and the distribution parameter
 * (distribution.ssmParameter) an image no longer writes in a region; in the environments' accounts, every stack of an
 * environment that was removed (or moved to another account or region) and the fleet stack of an image (or fleet)
 * removed, in each environment; and the AMI key stack of a region no environment is in any more. Undefined when nothing was. A renamed pipeline
 * is a new pipeline (new stacks, new roles); its old resources are not pruned but left to a teardown of the old name.
 */
export function pruneScope(previous: CleanupProperties, current: CleanupProperties): CleanupScope | undefined {
  if (previous.PipelineName !== current.PipelineName) return undefined;
  const pipeline = current.PipelineName;
  const now = new Map(current.Images.map((i) => [i.Name, i]));
  const removed = previous.Images.filter((i) => !now.has(i.Name));
  const fleetRemoved = previous.Images.filter((i) => hasFleet(i) && !(now.has(i.Name) && hasFleet(now.get(i.Name)!)));
  const leftBehind = previous.Images.flatMap((i) => {
    const staying = now.get(i.Name);
    const regions = staying ? unique(i.Regions.filter((r) => !staying.Regions.includes(r))) : [];
    return regions.length > 0 ? [{ image: i.Name, regions }] : [];
  });
  const egressRemoved = hasEgress(previous) && !hasEgress(current);
  // A distribution parameter an image no longer writes in a region (image removed, ssmParameter changed or removed,
  // region left). A name another image still writes in that region is its now, and stays.
  const stillWritten = distributionKeys(current.Images);
  const parametersLeft = [...distributionKeys(previous.Images)].filter((key) => !stillWritten.has(key));
  // Environments: the stacks of one that left (fleets, then its own), and the fleet stacks of images that lost their fleet.
  const environmentsNow = new Map(environmentsOf(current).map((e) => [environmentKey(e), e]));
  const environmentsLeft = environmentsOf(previous).filter((e) => !environmentsNow.has(environmentKey(e)));
  const environmentFleetsLeft = environmentsOf(previous).flatMap((e) => {
    const staying = environmentsNow.get(environmentKey(e));
    return e.Fleets.filter((image) => !staying?.Fleets.includes(image)).map((image) => environmentFleetStack(pipeline, e, image));
  });
  const regionsNow = new Set(environmentsOf(current).map((e) => e.Region));
  const keyRegionsLeft = environmentsOf(previous).map((e) => e.Region).filter((r) => !regionsNow.has(r));
  const environmentsChanged = environmentFleetsLeft.length > 0 || environmentsLeft.length > 0 || keyRegionsLeft.length > 0;
  if (removed.length === 0 && fleetRemoved.length === 0 && leftBehind.length === 0 && !egressRemoved && parametersLeft.length === 0 && !environmentsChanged) return undefined;
  return {
    pipelineName: pipeline,
    fleetStacks: fleetRemoved.map((i) => fleetStackName(pipeline, i.Name)),
    environmentFleetStacks: orNone(environmentFleetsLeft),
    environmentStacks: orNone(environmentsLeft.map((e) => environmentStack(pipeline, e))),
    amiKeyStacks: amiKeyStacksIn(pipeline, keyRegionsLeft),
    egressStack: egressRemoved ? egressStackName(pipeline) : undefined,
    imageStacks: removed.map((i) => imageStackName(pipeline, i.Name)),
    amis: removed.length > 0 ? { regions: unique(removed.flatMap((i) => i.Regions)), images: removed.map((i) => i.Name) } : undefined,
    amisLeftBehind: leftBehind.length > 0 ? leftBehind : undefined,
    parameters: removed.flatMap((i) => Object.values(imageParameterNames(pipeline, i.Name))),
    distributionParameters: byRegion(parametersLeft),
    buckets: [],
    sharedAmis: current.SharedAmis,
  };
}

/** Reads the properties CloudFormation passed, refusing anything the pipeline stack would not have written. */
export function parseCleanupProperties(raw: unknown): CleanupProperties {
  const p = (raw ?? {}) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new Error(`Cleanup resource properties: ${what} (got ${String(JSON.stringify(raw)).slice(0, 300)}). This is a bug in the pipeline stack; redeploy it with cdk deploy`);
  };
  if (typeof p.PipelineName !== 'string' || !/^[A-Za-z0-9-]+$/.test(p.PipelineName)) fail('PipelineName must be a pipeline name');
  if (!Array.isArray(p.Images)) fail('Images must be a list');
  const images = (p.Images as unknown[]).map((i) => {
    const image = (i ?? {}) as Record<string, unknown>;
    if (typeof image.Name !== 'string' || !image.Name) fail('every image needs a Name');
    if (image.Fleet !== 'true' && image.Fleet !== 'false') fail('every image needs Fleet "true" or "false"');
    if (!Array.isArray(image.Regions) || image.Regions.some((r) => typeof r !== 'string')) fail('every image needs its Regions');
    // Absent in the properties of a pipeline stack deployed before distribution parameters were cleaned up: none.
    if (image.SsmParameter !== undefined && (typeof image.SsmParameter !== 'string' || !image.SsmParameter)) fail('an image\'s SsmParameter must be a parameter name');
    const ssmParameter = image.SsmParameter as string | undefined;
    return { Name: image.Name as string, Fleet: image.Fleet as string, Regions: image.Regions as string[], ...(ssmParameter ? { SsmParameter: ssmParameter } : {}) };
  });
  if (!Array.isArray(p.Buckets) || p.Buckets.some((b) => typeof b !== 'string')) fail('Buckets must be a list of bucket names');
  if (p.SharedAmis !== 'keep' && p.SharedAmis !== 'delete') fail('SharedAmis must be keep or delete');
  // Missing in the previous properties of a pipeline stack deployed before the egress stack existed: it had none.
  const egress = p.Egress ?? 'false';
  if (egress !== 'true' && egress !== 'false') fail('Egress must be "true" or "false"');
  // Missing in the properties of a pipeline stack deployed before environments were cleaned up: none.
  if (p.Environments !== undefined && !Array.isArray(p.Environments)) fail('Environments must be a list');
  const environments = ((p.Environments ?? []) as unknown[]).map((e) => {
    const environment = (e ?? {}) as Record<string, unknown>;
    if (typeof environment.Name !== 'string' || !/^[a-z0-9-]+$/.test(environment.Name)) fail('every environment needs a Name');
    if (typeof environment.Account !== 'string' || !/^\d{12}$/.test(environment.Account)) fail('every environment needs a 12-digit Account');
    if (typeof environment.Region !== 'string' || !/^[a-z0-9-]+$/.test(environment.Region)) fail('every environment needs a Region');
    if (!Array.isArray(environment.Fleets) || environment.Fleets.some((f) => typeof f !== 'string' || !f)) fail('every environment needs its Fleets (image names)');
    return { Name: environment.Name as string, Account: environment.Account as string, Region: environment.Region as string, Fleets: environment.Fleets as string[] };
  });
  return {
    PipelineName: p.PipelineName as string,
    Images: images,
    Buckets: p.Buckets as string[],
    SharedAmis: p.SharedAmis as SharedAmiPolicy,
    Egress: egress as string,
    ...(environments.length > 0 ? { Environments: environments } : {}),
  };
}
