import { ACTION_SECONDS, modelRun, modelSeedRun, standardChanges, type ModelImage } from '../../lib/bench/pipeline-timeline';

const IMAGES: ModelImage[] = [
  { name: 'app-linux', platform: 'linux', fleetBatches: 1 },
  { name: 'windows-iis', platform: 'windows', fleetBatches: 0 },
];
const [appChange, fleetOnly, oneImage, noChange, scheduledQuiet, scheduled] = standardChanges(IMAGES).map((c) => modelRun(IMAGES, c));
const fixed = ['source', 'buildApplication', 'synth', 'selfMutate', 'assets'].reduce((s, k) => s + ACTION_SECONDS[k as keyof typeof ACTION_SECONDS].seconds, 0);

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

  test('no change costs the fixed stages, the no-op change sets and the Lambda calls', () => {
    expect(noChange.imagesBuilt).toEqual([]);
    expect(noChange.seconds).toBe(fixed + 2 * ACTION_SECONDS.lambda.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.changeSetNoop.seconds);
  });

  test('a scheduled run with nothing upstream changed builds nothing and rolls nothing: it costs what no change costs', () => {
    expect(scheduledQuiet).toMatchObject({ imagesBuilt: [], fleetsRolled: [] });
    expect(scheduledQuiet.seconds).toBe(noChange.seconds);
    expect(scheduledQuiet.actions.filter((a) => a.action.endsWith(' execute')).every((a) => !a.work)).toBe(true);
  });

  test('a scheduled run after new parent images (or rebuild=true) builds every image in parallel: the slowest sets the pace', () => {
    expect(scheduled.imagesBuilt).toEqual(['app-linux', 'windows-iis']);
    const windowsBranch = 2 * ACTION_SECONDS.lambda.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.windowsImageBuild.seconds;
    expect(scheduled.seconds).toBe(fixed + windowsBranch + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.rolloutBatch.seconds);
  });

  test("lanes: on a scheduled run the Linux fleet waits for the Windows build, as CodePipeline's run order makes it", () => {
    const linux = scheduled.lanes.find((l) => l.image === 'app-linux')!;
    expect(linux.waitSeconds).toBe(ACTION_SECONDS.windowsImageBuild.seconds - ACTION_SECONDS.linuxImageBuild.seconds);
    expect(linux.fleetStartSeconds! - linux.ownReleaseSeconds).toBe(linux.waitSeconds);
    // An application change builds only app-linux: its fleet waits for nothing.
    expect(appChange.lanes.find((l) => l.image === 'app-linux')!.waitSeconds).toBe(0);
    expect(scheduled.lanes.find((l) => l.image === 'windows-iis')).toMatchObject({ fleetStartSeconds: undefined, waitSeconds: 0 });
  });

  test('a stage advances run order by run order: the slowest step of each order sets the pace', () => {
    const two: ModelImage[] = [
      { name: 'a', platform: 'linux', fleetBatches: 0 },
      { name: 'b', platform: 'windows', fleetBatches: 0 },
    ];
    const run = modelRun(two, { name: 'both', rebuilt: ['a', 'b'], fleetsChanged: [] });
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
    // The seed's slowest pipeline (Windows) has no fleet; ours waits for the release and then rolls app-linux's fleet.
    expect(scheduled.seconds - modelSeedRun(IMAGES)).toBe(overhead + ACTION_SECONDS.lambda.seconds + ACTION_SECONDS.changeSetCreate.seconds + ACTION_SECONDS.rolloutBatch.seconds);
  });
});
