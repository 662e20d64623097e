/**
 * Which AMIs of an image to keep, deprecate or delete, which of them the current and previous release are, and which
 * snapshots nothing uses any more. Pure: the housekeeping step describes the AMIs and snapshots and applies the plan.
 */

export interface RetainedAmi {
  readonly id: string;
  /** ISO 8601, as EC2 reports it. */
  readonly creationDate: string;
  /** Set when the AMI is already deprecated. */
  readonly deprecationTime?: string;
}

export interface RetentionPlan {
  /** Left as they are: the newest `keep`, and the protected releases wherever they stand. */
  readonly keep: readonly string[];
  /** Between `keep` and `deleteBeyond` and not deprecated yet. */
  readonly deprecate: readonly string[];
  /** Between `keep` and `deleteBeyond` and deprecated already: nothing to do. */
  readonly alreadyDeprecated: readonly string[];
  /** From `deleteBeyond` on: deregistered, then their snapshots deleted. */
  readonly delete: readonly string[];
  /** Protected releases that are deprecated: their deprecation is cancelled, so a rollback target stays listed. */
  readonly undeprecate: readonly string[];
}

/** The retention settings, parsed from UserParameters. */
export interface RetentionSettings {
  readonly keep: number;
  readonly deleteBeyond: number;
}

/** Parses keepImages/deleteBeyond; throws a message that names both values and the rule. */
export function parseRetention(keepImages: string, deleteBeyond: string): RetentionSettings {
  const keep = Number(keepImages);
  const beyond = Number(deleteBeyond);
  if (!Number.isInteger(keep) || !Number.isInteger(beyond) || keep < 0 || beyond < keep) {
    throw new Error(
      `UserParameters.keepImages/deleteBeyond must be whole numbers with 0 <= keepImages <= deleteBeyond (got ${JSON.stringify(keepImages)}/${JSON.stringify(deleteBeyond)}). ` +
        'Fix: set operations.amiRetention in pipeline.yaml and let the pipeline update itself',
    );
  }
  return { keep, deleteBeyond: beyond };
}

/**
 * All of an image's AMIs in one region, newest first (creation date, then id, so that equal dates still give one
 * order): index < keep stays, keep <= index < deleteBeyond is deprecated, index >= deleteBeyond is deleted.
 * Protected AMIs (current and previous release) count in their place but are never deprecated or deleted: with
 * keep 5 and deleteBeyond 10, twelve AMIs are 5 kept, 5 deprecated and 2 deleted; if the previous release is the
 * oldest of them, it stays and only one is deleted — but it never pushes a younger AMI out of its tier.
 */
export function planRetention(amis: readonly RetainedAmi[], protectedIds: ReadonlySet<string>, settings: RetentionSettings): RetentionPlan {
  // EC2 gives no order (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html): sort here.
  const newestFirst = [...amis].sort((a, b) => b.creationDate.localeCompare(a.creationDate) || a.id.localeCompare(b.id));
  const plan = { keep: [] as string[], deprecate: [] as string[], alreadyDeprecated: [] as string[], delete: [] as string[], undeprecate: [] as string[] };
  newestFirst.forEach((ami, index) => {
    if (protectedIds.has(ami.id)) {
      plan.keep.push(ami.id);
      if (ami.deprecationTime) plan.undeprecate.push(ami.id);
    } else if (index < settings.keep) plan.keep.push(ami.id);
    else if (index < settings.deleteBeyond) (ami.deprecationTime ? plan.alreadyDeprecated : plan.deprecate).push(ami.id);
    else plan.delete.push(ami.id);
  });
  return plan;
}

/** An AMI as the housekeeping step sees it: what retention needs, its version tag and its snapshots. */
export interface ImageAmi extends RetainedAmi {
  /** The golden-ami:version tag Image Builder's distribution puts on every copy. */
  readonly version?: string;
  /** Environments whose current or previous release this copy is (its ENVIRONMENT_TAG_PREFIX tags). @default [] */
  readonly environments?: readonly string[];
  readonly snapshotIds: readonly string[];
}

/** The releases retention must never touch, as the release record names them. */
export interface ProtectedReleases {
  readonly amiId: string;
  readonly version: string;
  readonly previous?: { readonly amiId: string; readonly version: string };
}

/**
 * The ids of the protected AMIs among `amis`. In the pipeline's region the release record names them by AMI id. A
 * distribution region holds copies with ids of their own, which only their golden-ami:version tag ties to a release.
 * And, in any region, the copies tagged as the current or previous release of one of `environments` (the promote
 * step's tags): an environment may run an older version than the pipeline's releases for as long as its approval waits.
 */
export function protectedAmiIds(amis: readonly ImageAmi[], releases: ProtectedReleases, byId: boolean, environments: readonly string[] = []): Set<string> {
  // What an environment runs or would roll back to, whatever the pipeline's own releases are by now.
  const inUse = amis.filter((a) => (a.environments ?? []).some((e) => environments.includes(e))).map((a) => a.id);
  return new Set([...inUse, ...releaseIds(amis, releases, byId)]);
}

function releaseIds(amis: readonly ImageAmi[], releases: ProtectedReleases, byId: boolean): Set<string> {
  if (byId) return new Set([releases.amiId, releases.previous?.amiId].filter((id): id is string => Boolean(id)));
  const versions = new Set([releases.version, releases.previous?.version].filter((v): v is string => Boolean(v)));
  return new Set(amis.filter((a) => a.version !== undefined && versions.has(a.version)).map((a) => a.id));
}

/** The released AMI among `amis`: by id in the pipeline's region, by version tag in a distribution region. */
export function releasedAmi(amis: readonly ImageAmi[], releases: ProtectedReleases, byId: boolean): ImageAmi | undefined {
  return amis.find((a) => (byId ? a.id === releases.amiId : a.version === releases.version));
}

/**
 * Snapshots tagged with this pipeline and image that no remaining AMI of the image uses: left behind when an AMI was
 * deregistered and the run stopped before its snapshots were deleted. `handled` are the ones already dealt with.
 */
export function orphanedSnapshots(tagged: Iterable<string>, remaining: readonly ImageAmi[], handled: ReadonlySet<string>): string[] {
  const used = new Set(remaining.flatMap((a) => a.snapshotIds));
  return [...new Set(tagged)].filter((id) => !used.has(id) && !handled.has(id)).sort();
}
