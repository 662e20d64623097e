/**
 * What the release step does after a release is recorded, in the pipeline's region and each distribution region:
 * tag the released AMI's snapshots, apply the retention plan, and delete snapshots no AMI of the image uses any more.
 *
 * It cannot undo the release, so it never fails it: it has a time budget and an AbortController of its own, and
 * whatever stops it — a budget run out, a call AWS refused — is reported in `retentionError` while the release
 * succeeds. Whatever it left undone, the next release of the image does.
 *
 * Snapshots are tagged before anything deletes them, so that the function's role may delete only snapshots tagged
 * with this pipeline (Image Builder does not tag them), and so that a snapshot whose AMI was deregistered just before
 * a failure is still found by its tags later.
 */
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import { ENVIRONMENT_TAG_PREFIX, IMAGE_TAG_KEY, PIPELINE_TAG_KEY, VERSION_TAG_KEY } from '../../lib/naming';
import { describeError, pages, send, withDeadline } from './attempt';
import { orphanedSnapshots, parseRetention, planRetention, protectedAmiIds, releasedAmi, type ImageAmi, type ProtectedReleases, type RetentionSettings } from './retention';

/** The tags that tie AMIs and snapshots to this pipeline; the function's role may only delete what carries them. */
export const TAGS = { pipeline: PIPELINE_TAG_KEY, image: IMAGE_TAG_KEY, version: VERSION_TAG_KEY } as const;

/** An EC2 client for one region, with the lazily loaded SDK module it came from. */
export interface Ec2 {
  readonly client: Ec2Sdk.EC2Client;
  readonly sdk: typeof Ec2Sdk;
}

export interface HousekeepingJob {
  readonly pipeline: string;
  readonly image: string;
  /** keepImages and deleteBeyond as UserParameters give them. */
  readonly keepImages: string;
  readonly deleteBeyond: string;
  /** The release now recorded, with the previous one: both are spared. */
  readonly release: ProtectedReleases;
  /** The configured environments: the AMIs tagged as their current or previous release are spared too. @default [] */
  readonly environments?: readonly string[];
  /** The pipeline's region (for messages); undefined when unknown. */
  readonly homeRegion?: string;
  /** Distribution regions other than the pipeline's. */
  readonly regions: readonly string[];
  /** The EC2 client of a region; undefined is the pipeline's region. */
  readonly ec2: (region?: string) => Promise<Ec2>;
  /** The attempt's signal: when the attempt ends, so does housekeeping. */
  readonly signal: AbortSignal;
  /** How long housekeeping may take. */
  readonly budgetMs: number;
  readonly log: (message: string, extra?: object) => void;
}

/** Output variables of housekeeping: AMIs deprecated and deregistered ("none" when none), and what went wrong. */
export interface HousekeepingResult {
  readonly deprecated: string;
  readonly deleted: string;
  readonly retentionError: string;
}

/** Below this, housekeeping is not started: a budget this short would only end in a stop message. */
const MIN_BUDGET_MS = 1000;
/** How far in the future a deprecation is set; EC2 refuses a time in the past and rounds to the minute. */
const DEPRECATE_AFTER_MS = 60_000;

export async function housekeep(job: HousekeepingJob): Promise<HousekeepingResult> {
  const deprecated: string[] = [];
  const deleted: string[] = [];
  const problems: string[] = [];
  const result = (): HousekeepingResult => ({
    deprecated: deprecated.join(' ') || 'none',
    deleted: deleted.join(' ') || 'none',
    retentionError: problems.length ? truncate(problems.join('; '), 500) : 'none',
  });
  if (job.budgetMs < MIN_BUDGET_MS) {
    problems.push(`skipped: only ${seconds(job.budgetMs)} s were left before the function's deadline; the next release of ${job.image} does it`);
    return result();
  }
  let settings: RetentionSettings | undefined;
  try {
    settings = parseRetention(job.keepImages, job.deleteBeyond);
  } catch (err) {
    // The snapshots are still tagged; only retention waits for a configuration that parses.
    problems.push(describeError(err));
  }

  const controller = new AbortController();
  const signal = AbortSignal.any([job.signal, controller.signal]);
  // What each region is doing right now, so that a stop can say which call did not come back.
  const doing = new Map<string, string>();
  const regions: Array<string | undefined> = [undefined, ...job.regions];
  const work = Promise.all(
    regions.map(async (region) => {
      const where = region ?? job.homeRegion ?? 'pipeline region';
      const ids = (id: string) => (region ? `${region}:${id}` : id);
      try {
        const { client, sdk } = await job.ec2(region);
        const context = { client, sdk, signal, step: (what: string) => void doing.set(where, what) };
        await housekeepRegion(job, context, region === undefined, settings, {
          deprecated: (id) => deprecated.push(ids(id)),
          deleted: (id) => deleted.push(ids(id)),
          problem: (message) => problems.push(`${where}: ${message}`),
          log: (message, extra) => job.log(message, { region: where, ...extra }),
        });
      } catch (err) {
        // After a stop, the calls that were cut off reject too; the stop message already says what happened.
        if (!signal.aborted) problems.push(`${where}: ${describeError(err)}`);
      } finally {
        doing.delete(where);
      }
    }),
  );
  try {
    await withDeadline(work, job.budgetMs, controller, () => {
      const pending = [...doing].map(([where, what]) => `${where}: ${what} had not finished`).join('; ');
      return new Error(`stopped after ${seconds(job.budgetMs)} s: ${pending || 'housekeeping had not finished'}; the next release of ${job.image} continues`);
    });
  } catch (err) {
    problems.unshift(describeError(err));
  }
  // Nothing of housekeeping may reach AWS once its result is known.
  controller.abort(new Error('housekeeping is over'));
  if (problems.length) job.log('housekeeping incomplete; the release stands', { problems });
  return result();
}

interface RegionContext {
  readonly client: Ec2Sdk.EC2Client;
  readonly sdk: typeof Ec2Sdk;
  readonly signal: AbortSignal;
  step(what: string): void;
}

interface Progress {
  deprecated(id: string): void;
  deleted(id: string): void;
  /** Something housekeeping could not do that does not stop the rest. */
  problem(message: string): void;
  log(message: string, extra?: object): void;
}

async function housekeepRegion(job: HousekeepingJob, r: RegionContext, home: boolean, settings: RetentionSettings | undefined, progress: Progress): Promise<void> {
  const { client, sdk, signal } = r;
  const tagFilters = [
    { Name: `tag:${TAGS.pipeline}`, Values: [job.pipeline] },
    { Name: `tag:${TAGS.image}`, Values: [job.image] },
  ];

  r.step("listing the image's AMIs (DescribeImages)");
  const amis: ImageAmi[] = [];
  for await (const page of pages(sdk.paginateDescribeImages, client, { Owners: ['self'], Filters: tagFilters }, signal)) {
    for (const image of page.Images ?? []) {
      // A deregistered AMI still shows for a while (API_DescribeImages.html); it holds no snapshot any more.
      if (image.ImageId && image.State !== 'deregistered') amis.push(amiOf(image));
    }
  }
  r.step("listing the image's tagged snapshots (DescribeSnapshots)");
  const tagged = new Set<string>();
  for await (const page of pages(sdk.paginateDescribeSnapshots, client, { OwnerIds: ['self'], Filters: tagFilters }, signal)) {
    for (const snapshot of page.Snapshots ?? []) if (snapshot.SnapshotId) tagged.add(snapshot.SnapshotId);
  }
  const tagSnapshots = async (ami: ImageAmi, why: string) => {
    const untagged = ami.snapshotIds.filter((id) => !tagged.has(id));
    if (untagged.length === 0) return;
    r.step(`tagging the snapshots of ${ami.id} (CreateTags)`);
    const tags = [
      { Key: TAGS.pipeline, Value: job.pipeline },
      { Key: TAGS.image, Value: job.image },
      ...(ami.version ? [{ Key: TAGS.version, Value: ami.version }] : []),
    ];
    await send(client, new sdk.CreateTagsCommand({ Resources: untagged, Tags: tags }), signal);
    untagged.forEach((id) => tagged.add(id));
    progress.log(`tagged snapshots ${why}`, { ami: ami.id, snapshots: untagged });
  };

  const released = releasedAmi(amis, job.release, home);
  if (released) await tagSnapshots(released, 'of the released AMI');
  else {
    // Retention still runs: the releases are protected by id (or version tag) whether they were found or not.
    progress.problem(
      home
        ? `the released AMI ${job.release.amiId} is not among the AMIs tagged ${TAGS.pipeline}=${job.pipeline} and ${TAGS.image}=${job.image}, so its snapshots were not tagged. Fix: check the AMI tags in the image's distribution settings`
        : `no AMI of ${job.image} tagged ${TAGS.version}=${job.release.version} found, so no snapshot was tagged. Fix: check that Image Builder distributed this version to the region`,
    );
  }
  if (!settings) return;

  const plan = planRetention(amis, protectedAmiIds(amis, job.release, home, job.environments), settings);
  for (const id of plan.undeprecate) {
    r.step(`cancelling the deprecation of ${id} (DisableImageDeprecation)`);
    await send(client, new sdk.DisableImageDeprecationCommand({ ImageId: id }), signal);
    progress.log('cancelled the deprecation of a current or previous release', { ami: id });
  }
  for (const id of plan.deprecate) {
    r.step(`deprecating ${id} (EnableImageDeprecation)`);
    await send(client, new sdk.EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: new Date(Date.now() + DEPRECATE_AFTER_MS) }), signal);
    progress.deprecated(id);
  }
  const byId = new Map(amis.map((a) => [a.id, a]));
  const deregistered = new Set<string>();
  const handled = new Set<string>();
  const deleteSnapshot = async (id: string) => {
    r.step(`deleting snapshot ${id} (DeleteSnapshot)`);
    await send(client, new sdk.DeleteSnapshotCommand({ SnapshotId: id }), signal).catch((err: Error) => {
      // Gone already, or still used by another AMI (API_DeleteSnapshot.html): nothing to do here.
      if (err.name !== 'InvalidSnapshot.NotFound' && err.name !== 'InvalidSnapshot.InUse') throw err;
      progress.log('snapshot not deleted', { snapshot: id, reason: err.name });
    });
    handled.add(id);
  };
  for (const id of plan.delete) {
    const ami = byId.get(id)!;
    await tagSnapshots(ami, 'before deleting its AMI');
    r.step(`deregistering ${id} (DeregisterImage)`);
    await send(client, new sdk.DeregisterImageCommand({ ImageId: id }), signal).catch((err: Error) => {
      if (err.name !== 'InvalidAMIID.NotFound' && err.name !== 'InvalidAMIID.Unavailable') throw err;
    });
    deregistered.add(id);
    progress.deleted(id);
    for (const snapshot of ami.snapshotIds) await deleteSnapshot(snapshot);
  }

  const orphans = orphanedSnapshots(tagged, amis.filter((a) => !deregistered.has(a.id)), handled);
  for (const snapshot of orphans) await deleteSnapshot(snapshot);
  if (orphans.length) progress.log('swept snapshots no AMI of the image uses', { snapshots: orphans });
}

function amiOf(image: Ec2Sdk.Image): ImageAmi {
  return {
    id: image.ImageId!,
    creationDate: image.CreationDate ?? '',
    deprecationTime: image.DeprecationTime,
    version: image.Tags?.find((t) => t.Key === TAGS.version)?.Value,
    environments: (image.Tags ?? []).filter((t) => t.Key?.startsWith(ENVIRONMENT_TAG_PREFIX)).map((t) => t.Key!.slice(ENVIRONMENT_TAG_PREFIX.length)),
    snapshotIds: (image.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((id): id is string => Boolean(id)),
  };
}

function seconds(ms: number): number {
  return Math.round(Math.max(ms, 0) / 1000);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
