/**
 * A model of one pipeline run's wall time per kind of change: which actions do work, which are no-ops, and how long
 * the run takes, from documented per-action durations. It reports; it gates nothing.
 */

/** Seconds each kind of action takes, with where the number comes from. */
export const ACTION_SECONDS = {
  source: { seconds: 15, basis: 'CodeCommit source action: fetch and zip the commit' },
  buildApplication: { seconds: 150, basis: 'CodeBuild small: ~60 s provisioning + npm ci, test, build of pipeline-assets/app' },
  synth: { seconds: 180, basis: 'CodeBuild small: ~60 s provisioning + npm ci (~70 s) + cdk synth (~12 s measured here, x2 on small)' },
  selfMutate: { seconds: 120, basis: 'CodeBuild: npm install -g aws-cdk + cdk deploy of an unchanged pipeline stack' },
  assets: { seconds: 90, basis: 'CodeBuild: cdk-assets publish, unchanged assets skipped' },
  lambda: { seconds: 5, basis: 'parameter-prep invocation (prepare or release; a scheduled prepare adds one GetImage/GetComponent per AWS-managed parent and component, in parallel)' },
  changeSetCreate: { seconds: 30, basis: 'CreateChangeSet + DescribeChangeSet until CREATE_COMPLETE' },
  changeSetNoop: { seconds: 10, basis: 'an empty change set: nothing to execute' },
  linuxImageBuild: { seconds: 27.5 * 60, basis: 'Image Builder build + test on Linux: 25-30 min (seed 003, FACTS.md)' },
  windowsImageBuild: { seconds: 50 * 60, basis: 'Image Builder build + test on Windows Server with updates: 45-60 min' },
  rolloutBatch: { seconds: 240, basis: 'launch template version + one batch: boot, /health answers, cfn-signal (~4 min)' },
  seedRolloutBatch: { seconds: 130, basis: 'seed rolling update: boot + its fixed 10 s pause, no health check' },
  natGatewayCreate: {
    seconds: 300,
    basis:
      'Egress stack execute that creates the NAT gateways: Elastic IP, NAT gateway pending until available (a few minutes; kops PR 944: "up to 10 min", its review: "up to 5 min"), then the default routes',
  },
} as const;

export type Platform = 'linux' | 'windows';

/** An image and (optionally) its fleet, as the model sees them. */
export interface ModelImage {
  readonly name: string;
  readonly platform: Platform;
  /** Batches a rollout takes (ceil(desired / maxBatchSize)); 0 without a fleet. */
  readonly fleetBatches: number;
}

/** What changed in the push that started the run. */
export interface Change {
  readonly name: string;
  /** Images whose inputs changed or that a rebuild asked for. */
  readonly rebuilt: readonly string[];
  /** Fleets whose launch template changes without a new image (e.g. instance type). */
  readonly fleetsChanged: readonly string[];
  /**
   * Fleets whose capacity changes without a change to their template (`fleet.minSize`, which UpdatePipeline writes to
   * the fleet's SSM parameters): their image's release step rolls them out, as it does a new image.
   * @default - none
   */
  readonly fleetsScaled?: readonly string[];
  /**
   * Every fleet was at zero and this run gives one instances (its configured minSize from 0, which UpdatePipeline
   * writes to the fleet's desired capacity): the Egress stage creates the NAT gateways. Not a run of an ordinary push.
   * @default false
   */
  readonly createsNatGateways?: boolean;
  /**
   * The push changes only files `source.ignorePaths` matches: the push filter (CodeCommit) or the trigger's file path
   * excludes (GitHub) start no run.
   * @default false
   */
  readonly startsNoRun?: boolean;
}

/** The pipeline's network as the model sees it. */
export interface ModelNetwork {
  /**
   * The pipeline creates the VPC with network.egress on-demand: with at least one fleet, the pipeline has an Egress
   * stage (one stack: change set, execute) before the BuildImage wave.
   */
  readonly egressOnDemand: boolean;
}

export interface ActionTiming {
  readonly action: string;
  readonly work: boolean;
  readonly seconds: number;
}

/**
 * One image's lane through a run: when its own release is done if it ran alone, and when its fleet actually starts.
 * An image with a fleet releases beside its own build and rolls its fleet out right after (unless the fleet's template
 * changes: then the DeployImage wave does, after every image); see README, "Lanes".
 */
export interface LaneTiming {
  readonly image: string;
  /** Seconds from the start of the run until this image's release, were its lane alone. */
  readonly ownReleaseSeconds: number;
  /** Seconds from the start of the run until its fleet's rollout starts (undefined: no fleet). */
  readonly fleetStartSeconds?: number;
  /** How long its fleet's rollout waits for the other images (0 without a fleet, or when its fleet does not roll). */
  readonly waitSeconds: number;
}

export interface RunModel {
  readonly change: string;
  readonly lanes: readonly LaneTiming[];
  readonly actions: readonly ActionTiming[];
  readonly seconds: number;
  readonly imagesBuilt: readonly string[];
  readonly fleetsRolled: readonly string[];
}

const t = (key: keyof typeof ACTION_SECONDS) => ACTION_SECONDS[key].seconds;

/**
 * This pipeline: stages run one after another; the images of a wave, and the fleets of a wave, in parallel; with egress
 * on demand and a fleet, the Egress stage before the images. A fleet rolls out in its image's release step unless its
 * template changes (then in the DeployImage wave).
 */
export function modelRun(images: readonly ModelImage[], change: Change, network: ModelNetwork): RunModel {
  if (change.startsNoRun) return { change: change.name, lanes: [], actions: [], seconds: 0, imagesBuilt: [], fleetsRolled: [] };
  // Its stack changes only when the NAT gateways must appear; otherwise its change set is empty, like an unchanged image's.
  const egressStage: ActionTiming[] =
    network.egressOnDemand && images.some((i) => i.fleetBatches > 0)
      ? [
          { action: 'Egress change set', work: change.createsNatGateways === true, seconds: t('changeSetCreate') },
          { action: 'Egress execute', work: change.createsNatGateways === true, seconds: change.createsNatGateways ? t('natGatewayCreate') : t('changeSetNoop') },
        ]
      : [];
  const actions: ActionTiming[] = [
    { action: 'Source', work: true, seconds: t('source') },
    { action: 'BuildApplication', work: true, seconds: t('buildApplication') },
    { action: 'Synth', work: true, seconds: t('synth') },
    { action: 'UpdatePipeline', work: true, seconds: t('selfMutate') },
    { action: 'Assets', work: true, seconds: t('assets') },
    ...egressStage,
  ];
  // A fleet whose template this run changes rolls out in the DeployImage wave; one that only gets a new image or new
  // numbers, in its image's lane.
  const inDeployWave = images.filter((i) => i.fleetBatches > 0 && change.fleetsChanged.includes(i.name));
  const inLane = images.filter((i) => i.fleetBatches > 0 && !inDeployWave.includes(i) && (change.rebuilt.includes(i.name) || (change.fleetsScaled ?? []).includes(i.name)));
  // Every image is a lane: its release step runs beside its execute action (the same run order) and ends after its own
  // build, its release and (with a fleet) its fleet's rollout.
  const imageBranches = images.map((image) => {
    const build = change.rebuilt.includes(image.name);
    const buildSeconds = build ? t(image.platform === 'windows' ? 'windowsImageBuild' : 'linuxImageBuild') : t('changeSetNoop');
    const rollout = inLane.includes(image) ? image.fleetBatches * t('rolloutBatch') : 0;
    const steps: ActionTiming[] = [
      { action: `Prepare-${image.name}`, work: true, seconds: t('lambda') },
      { action: `${image.name} change set`, work: build, seconds: t('changeSetCreate') },
      { action: `${image.name} execute`, work: build, seconds: buildSeconds },
      { action: `Release-${image.name} (lane: waits for its build, then releases${rollout > 0 ? ' and rolls its fleet out' : ''})`, work: true, seconds: t('lambda') + rollout },
    ];
    return steps;
  });
  const fleetBranches = images
    .filter((i) => i.fleetBatches > 0)
    .map((image) => {
      const roll = inDeployWave.includes(image);
      return [
        { action: `Fleet-${image.name} change set`, work: roll, seconds: t('changeSetCreate') },
        { action: `Fleet-${image.name} execute`, work: roll, seconds: roll ? image.fleetBatches * t('rolloutBatch') : t('changeSetNoop') },
      ];
    });
  // A stage advances run order by run order: each run order waits for the slowest action of the one before it.
  const slowest = (seconds: number[]) => Math.max(0, ...seconds);
  const fleetWave = fleetBranches.length === 0 ? 0 : [0, 1].reduce((sum, k) => sum + slowest(fleetBranches.map((b) => b[k].seconds)), 0);
  const prefix = actions.reduce((sum, a) => sum + a.seconds, 0);
  const buildsStart = images.length === 0 ? prefix : prefix + slowest(imageBranches.map((b) => b[0].seconds)) + slowest(imageBranches.map((b) => b[1].seconds));
  // Run order 3: every execute, and beside it each lane (which ends when its own build, release and rollout are done).
  const order3 = slowest(images.map((_, i) => imageBranches[i][2].seconds + imageBranches[i][3].seconds));
  const imagesDone = images.length === 0 ? prefix : buildsStart + order3;
  const seconds = imagesDone + fleetWave;
  const lanes = images.map((image, i) => {
    const ownReleaseSeconds = prefix + imageBranches[i].reduce((sum, a) => sum + a.seconds, 0) - (inLane.includes(image) ? image.fleetBatches * t('rolloutBatch') : 0);
    const hasFleet = image.fleetBatches > 0;
    // In its lane, the rollout starts once its own release is done; in the DeployImage wave, after every image.
    const releaseDone = buildsStart + imageBranches[i][2].seconds + t('lambda');
    const fleetStartSeconds = !hasFleet ? undefined : inDeployWave.includes(image) ? imagesDone : releaseDone;
    const rolls = inLane.includes(image) || inDeployWave.includes(image);
    return { image: image.name, ownReleaseSeconds, fleetStartSeconds, waitSeconds: rolls ? fleetStartSeconds! - ownReleaseSeconds : 0 };
  });
  return {
    change: change.name,
    lanes,
    actions: [...actions, ...imageBranches.flat(), ...fleetBranches.flat()],
    seconds,
    imagesBuilt: images.filter((i) => change.rebuilt.includes(i.name)).map((i) => i.name),
    fleetsRolled: images.filter((i) => inLane.includes(i) || inDeployWave.includes(i)).map((i) => i.name),
  };
}

/**
 * The seed pipeline (AWS "immutable server pipeline"): source, build, parameter Lambda, image stack, fleet stack, in
 * sequence, for one image; it bumps the version on every run, so every push builds the image and rolls the fleet.
 * For several images the seed needs one pipeline per image, all started by the same push and running side by side:
 * the slowest sets the pace.
 */
export function modelSeedRun(images: readonly ModelImage[]): number {
  return Math.max(
    ...images.map((image) => {
      const build = t(image.platform === 'windows' ? 'windowsImageBuild' : 'linuxImageBuild');
      const rollout = image.fleetBatches > 0 ? t('changeSetCreate') + image.fleetBatches * t('seedRolloutBatch') : 0;
      return t('source') + t('buildApplication') + t('lambda') + t('changeSetCreate') + build + rollout;
    }),
  );
}

/** What the model knows of the source's settings. */
export interface ModelSource {
  /** `source.ignorePaths` matches README.md and docs/: a push of documentation alone starts no run. */
  readonly documentationIgnored: boolean;
}

/**
 * The kinds of change the bench reports, for a configuration of images; with egress on demand and a fleet, also the
 * run that starts a fleet while every fleet is at zero (the NAT gateways are created); when the source ignores
 * documentation, also the push of documentation alone, which starts nothing.
 */
export function standardChanges(images: readonly ModelImage[], network: ModelNetwork, source: ModelSource = { documentationIgnored: false }): Change[] {
  const withFleet = images.filter((i) => i.fleetBatches > 0).map((i) => i.name);
  const app = images.find((i) => i.fleetBatches > 0) ?? images[0];
  const other = images.find((i) => i !== app) ?? images[0];
  return [
    { name: 'application change', rebuilt: [app.name], fleetsChanged: [] },
    { name: 'fleet-only change', rebuilt: [], fleetsChanged: withFleet },
    { name: `one image among ${images.length} (${other.name})`, rebuilt: [other.name], fleetsChanged: [] },
    { name: `no change to what images or fleets use (${source.documentationIgnored ? 'e.g. a code comment' : 'docs, README, a code comment'})`, rebuilt: [], fleetsChanged: [] },
    // rebuild=scheduled: each Prepare compares the parent image and AWS-managed components with the last build's.
    { name: 'scheduled run, nothing upstream changed', rebuilt: [], fleetsChanged: [] },
    { name: 'scheduled run, every parent image updated (or rebuild=true)', rebuilt: images.map((i) => i.name), fleetsChanged: [] },
    // Its fleet launches its instances as one rollout batch does (boot, health, cfn-signal).
    ...(network.egressOnDemand && withFleet.length > 0
      ? [{ name: `a fleet started from zero (${app.name} minSize 0 → 1, every fleet at zero before)`, rebuilt: [], fleetsChanged: [], fleetsScaled: [app.name], createsNatGateways: true }]
      : []),
    ...(source.documentationIgnored ? [{ name: 'documentation only (README.md, docs/: source.ignorePaths)', rebuilt: [], fleetsChanged: [], startsNoRun: true }] : []),
  ];
}
