import { ACTION_SECONDS, modelRun, modelSeedRun, standardChanges, type ModelImage } from '../../lib/bench/pipeline-timeline';

const IMAGES: ModelImage[] = [
  { name: 'app-linux', platform: 'linux', fleetBatches: 1 },
  { name: 'windows-iis', platform: 'windows', fleetBatches: 0 },
];
// As shipped: the pipeline creates the VPC with network.egress on-demand.
const ON_DEMAND = { egressOnDemand: true };
const [appChange, fleetOnly, oneImage, noChange, scheduledQuiet, scheduled, fleetFromZero, documentationOnly] = standardChanges(IMAGES, ON_DEMAND, { documentationIgnored: true }).map((c) =>
  modelRun(IMAGES, c, ON_DEMAND),
);
const fixed = ['source', 'buildApplication', 'synth', 'selfMutate', 'assets'].reduce((s, k) => s + ACTION_SECONDS[k as keyof typeof ACTION_SECONDS].seconds, 0);
// An unchanged Egress stack: an empty change set, nothing to execute.
const egressNoop = ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds;

describe('the pipeline timeline model', () => {
  test('an application change rebuilds its image and rolls its fleet, nothing else', () => {
    expect(appChange).toMatchObject({ imagesBuilt: ['app-linux'], fleetsRolled: ['app-linux'] });
    expect(appChange.actions.find((a) => a.action === 'windows-iis execute')).toMatchObject({ work: false, seconds: ACTION_SECONDS.changeSetNoop.seconds });
  });

  test('a fleet-only change builds no image', () => {
    expect(fleetOnly).toMatchObject({ imagesBuilt: [], fleetsRolled: ['app-linux'] });
  });

  test('a change to one image among several builds only that one, and rolls no fleet it does not have', () => {
    expect(oneImage).toMatchObject({ imagesBuilt: ['windows-iis'], fleetsRolled: [] });
  });

  test('no change costs the fixed stages, the no-op change sets (egress, image, fleet) and the Lambda calls', () => {
    expect(noChange.imagesBuilt).toEqual([]);
    // Prepare; each image's lane (windows-iis without a fleet too) releases beside its empty execute; the fleet stage.
    const lambda = ACTION_SECONDS.lambda.seconds;
    expect(noChange.seconds).toBe(fixed + egressNoop + lambda + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds + lambda + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds);
  });

  test('a push of documentation alone starts no run when source.ignorePaths covers it; otherwise it is a no-op run', () => {
    expect(documentationOnly).toEqual({ change: 'documentation only (README.md, docs/: source.ignorePaths)', lanes: [], actions: [], seconds: 0, imagesBuilt: [], fleetsRolled: [] });
    const runsOnEveryPush = standardChanges(IMAGES, ON_DEMAND, { documentationIgnored: false });
    expect(runsOnEveryPush.some((c) => c.startsNoRun)).toBe(false);
    expect(runsOnEveryPush[3].name).toBe('no change to what images or fleets use (docs, README, a code comment)');
    expect(modelRun(IMAGES, runsOnEveryPush[3], ON_DEMAND).seconds).toBe(noChange.seconds);
  });

  test('with egress on demand every ordinary run passes the Egress stage as a no-op, before the images', () => {
    for (const run of [appChange, fleetOnly, oneImage, noChange, scheduledQuiet, scheduled]) {
      const names = run.actions.map((a) => a.action);
      expect(run.actions.filter((a) => a.action.startsWith('Egress'))).toEqual([
        { action: 'Egress change set', work: false, seconds: ACTION_SECONDS.changeSetCreate.seconds },
        { action: 'Egress execute', work: false, seconds: ACTION_SECONDS.changeSetNoop.seconds },
      ]);
      expect(names.indexOf('Egress change set')).toBe(names.indexOf('Assets') + 1);
      expect(names.indexOf('Egress execute')).toBe(names.indexOf('Prepare-app-linux') - 1);
    }
  });

  test('a fleet started while every fleet is at zero waits for the NAT gateway: the Egress stack creates it', () => {
    expect(fleetFromZero).toMatchObject({ imagesBuilt: [], fleetsRolled: ['app-linux'] });
    expect(fleetFromZero.actions.find((a) => a.action === 'Egress execute')).toEqual({ action: 'Egress execute', work: true, seconds: ACTION_SECONDS.natGatewayCreate.seconds });
    // Its template is unchanged (only its capacity parameters are): its image's lane rolls it out.
    expect(fleetFromZero.seconds - noChange.seconds).toBe(ACTION_SECONDS.natGatewayCreate.seconds - ACTION_SECONDS.changeSetNoop.seconds + ACTION_SECONDS.rolloutBatch.seconds);
  });

  test('no Egress stage when the NAT gateways are always on (or the VPC is not the pipeline\'s), nor without a fleet', () => {
    const always = { egressOnDemand: false };
    const alwaysRuns = standardChanges(IMAGES, always).map((c) => modelRun(IMAGES, c, always));
    expect(alwaysRuns.map((r) => r.change)).not.toContain(fleetFromZero.change);
    expect(alwaysRuns[3].seconds).toBe(noChange.seconds - egressNoop);
    expect(alwaysRuns.flatMap((r) => r.actions).some((a) => a.action.startsWith('Egress'))).toBe(false);
    const noFleet: ModelImage[] = [{ name: 'base', platform: 'linux', fleetBatches: 0 }];
    expect(modelRun(noFleet, { name: 'none', rebuilt: [], fleetsChanged: [] }, ON_DEMAND).actions.some((a) => a.action.startsWith('Egress'))).toBe(false);
    expect(standardChanges(noFleet, ON_DEMAND).some((c) => c.createsNatGateways)).toBe(false);
  });

  test('a scheduled run with nothing upstream changed builds nothing and rolls nothing: it costs what no change costs', () => {
    expect(scheduledQuiet).toMatchObject({ imagesBuilt: [], fleetsRolled: [] });
    expect(scheduledQuiet.seconds).toBe(noChange.seconds);
    expect(scheduledQuiet.actions.filter((a) => a.action.endsWith(' execute')).every((a) => !a.work)).toBe(true);
  });

  test('a scheduled run after new parent images (or rebuild=true) builds every image in parallel: the slowest sets the pace', () => {
    expect(scheduled.imagesBuilt).toEqual(['app-linux', 'windows-iis']);
    const windowsBranch = 2 * ACTION_SECONDS.lambda.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.windowsImageBuild.seconds;
    // app-linux's lane (build, release, rollout: 32 min) ends inside the Windows build (50 min); its fleet stage is a no-op.
    expect(scheduled.seconds).toBe(fixed + egressNoop + windowsBranch + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds);
  });

  test('lanes: on a scheduled run the Linux fleet rolls out right after its own release, not after the Windows build', () => {
    const linux = scheduled.lanes.find((l) => l.image === 'app-linux')!;
    expect(linux.waitSeconds).toBe(0);
    expect(linux.fleetStartSeconds).toBe(linux.ownReleaseSeconds);
    // Well before the Windows build ends.
    expect(linux.fleetStartSeconds! + ACTION_SECONDS.rolloutBatch.seconds).toBeLessThan(scheduled.lanes.find((l) => l.image === 'windows-iis')!.ownReleaseSeconds);
    expect(appChange.lanes.find((l) => l.image === 'app-linux')!.waitSeconds).toBe(0);
    expect(scheduled.lanes.find((l) => l.image === 'windows-iis')).toMatchObject({ fleetStartSeconds: undefined, waitSeconds: 0 });
  });

  test('a fleet whose template changes rolls out in the DeployImage wave, after every image', () => {
    const both: ModelImage[] = [
      { name: 'a', platform: 'linux', fleetBatches: 1 },
      { name: 'b', platform: 'windows', fleetBatches: 1 },
    ];
    const run = modelRun(both, { name: 'image and fleet', rebuilt: ['a', 'b'], fleetsChanged: ['a'] }, ON_DEMAND);
    const [a, b] = run.lanes;
    expect(a.waitSeconds).toBe(ACTION_SECONDS.windowsImageBuild.seconds + ACTION_SECONDS.rolloutBatch.seconds - ACTION_SECONDS.linuxImageBuild.seconds);
    expect(b.waitSeconds).toBe(0);
    expect(run.fleetsRolled).toEqual(['a', 'b']);
  });

  test('a stage advances run order by run order: the slowest step of each order sets the pace', () => {
    const two: ModelImage[] = [
      { name: 'a', platform: 'linux', fleetBatches: 0 },
      { name: 'b', platform: 'windows', fleetBatches: 0 },
    ];
    const run = modelRun(two, { name: 'both', rebuilt: ['a', 'b'], fleetsChanged: [] }, ON_DEMAND);
    expect(run.seconds).toBe(fixed + 2 * ACTION_SECONDS.lambda.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.windowsImageBuild.seconds);
  });

  test('the seed builds every image on every push, one pipeline per image side by side', () => {
    expect(modelSeedRun([IMAGES[0]])).toBeGreaterThan(ACTION_SECONDS.linuxImageBuild.seconds);
    expect(modelSeedRun(IMAGES)).toBeGreaterThan(ACTION_SECONDS.windowsImageBuild.seconds);
  });

  test('only runs that build an image pay for one; they also pay for synth, self-mutation and assets', () => {
    for (const run of [fleetOnly, noChange, scheduledQuiet]) expect(run.seconds).toBeLessThan(modelSeedRun(IMAGES) / 2);
    const overhead = ACTION_SECONDS.synth.seconds + ACTION_SECONDS.selfMutate.seconds + ACTION_SECONDS.assets.seconds;
    expect(scheduled.seconds).toBeGreaterThan(modelSeedRun(IMAGES));
    // The seed's slowest pipeline (Windows) has no fleet; ours releases it and passes the no-op stages (egress, fleets).
    expect(scheduled.seconds - modelSeedRun(IMAGES)).toBe(overhead + ACTION_SECONDS.lambda.seconds + egressNoop + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds);
  });
});
