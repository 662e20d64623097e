import { decideBuild, formatDuration, isScheduledRun, rebuildRequested, scheduledRebuild, type BuildRequest, type LastBuild, type ScheduledCheck } from '../../../lambda/parameter-prep/build-decision';
import { parseUpstreamReferences } from '../../../lambda/parameter-prep/upstream';

const request = (overrides: Partial<BuildRequest> = {}): BuildRequest => ({
  image: 'app-linux',
  configured: { major: 1, minor: 0 },
  fingerprint: 'f1',
  rebuild: 'false',
  executionId: 'run-2',
  ...overrides,
});
const last = (overrides: Partial<LastBuild> = {}): LastBuild => ({ version: { major: 1, minor: 0, patch: 3 }, fingerprint: 'f1', executionId: 'run-1', ...overrides });

describe('decideBuild', () => {
  test.each<[string, BuildRequest, LastBuild | undefined, { build: boolean; version: string; reason: string }]>([
    ['first build', request(), undefined, { build: true, version: '1.0.0', reason: 'first build of this image' }],
    ['nothing changed', request(), last(), { build: false, version: '1.0.3', reason: 'image inputs unchanged; keeping the current image' }],
    ['inputs changed', request({ fingerprint: 'f2' }), last(), { build: true, version: '1.0.4', reason: 'image inputs changed' }],
    ['state from before fingerprints', request(), last({ fingerprint: undefined }), { build: true, version: '1.0.4', reason: 'image inputs changed' }],
    ['rebuild=true', request({ rebuild: 'true' }), last(), { build: true, version: '1.0.4', reason: 'rebuild requested' }],
    ['rebuild=all', request({ rebuild: 'ALL' }), last(), { build: true, version: '1.0.4', reason: 'rebuild requested' }],
    ['rebuild names this image', request({ rebuild: 'web, app-linux' }), last(), { build: true, version: '1.0.4', reason: 'rebuild requested' }],
    ['rebuild names another image', request({ rebuild: 'web' }), last(), { build: false, version: '1.0.3', reason: 'image inputs unchanged; keeping the current image' }],
    ['MINOR raised, nothing else changed', request({ configured: { major: 1, minor: 1 } }), last(), { build: true, version: '1.1.0', reason: 'version raised to 1.1' }],
    ['MAJOR raised', request({ configured: { major: 2, minor: 0 }, fingerprint: 'f9' }), last(), { build: true, version: '2.0.0', reason: 'version raised to 2.0' }],
    ['redelivery of a build decision', request({ executionId: 'run-1', fingerprint: 'f1' }), last({ version: { major: 1, minor: 0, patch: 4 } }), { build: true, version: '1.0.4', reason: 'same pipeline execution as the stored decision' }],
  ])('%s', (_name, req, previous, expected) => {
    expect(decideBuild(req, previous)).toMatchObject({ ok: true, ...expected });
  });

  test('a lowered MAJOR.MINOR is refused', () => {
    const decision = decideBuild(request({ configured: { major: 0, minor: 9 } }), last());
    expect(decision).toMatchObject({ ok: false, reason: expect.stringMatching(/lower than the last build 1\.0\.3/) });
  });
});

describe('rebuildRequested', () => {
  test.each([
    ['false', false],
    ['', false],
    ['true', true],
    ['all', true],
    ['app-linux', true],
    ['APP-LINUX', true],
    ['web,app-linux', true],
    ['web app-linux', true],
    ['app', false],
    ['app-linux-2', false],
    // The schedule's value forces nothing; a name beside it still does.
    ['scheduled', false],
    ['scheduled,app-linux', true],
  ])('%j for app-linux is %s', (value, expected) => expect(rebuildRequested(value, 'app-linux')).toBe(expected));

  test('"scheduled" is the schedule\'s value, never an image name', () => {
    expect(rebuildRequested('scheduled', 'scheduled')).toBe(false);
    expect(isScheduledRun('scheduled')).toBe(true);
    expect(isScheduledRun('Scheduled, web')).toBe(true);
    expect(isScheduledRun('true')).toBe(false);
    expect(isScheduledRun('false')).toBe(false);
  });
});

describe('a scheduled run', () => {
  const NOW = new Date('2026-12-01T03:00:00.000Z');
  const [PARENT, UPDATE] = parseUpstreamReferences('image/amazon-linux-2023-x86/x.x.x component/update-linux/x.x.x');
  const RECORDED = { [PARENT.text]: '2026.11.14/1', [UPDATE.text]: '1.0.3/1' };
  const daysBefore = (days: number, hours = 0) => new Date(NOW.getTime() - (days * 24 + hours) * 3_600_000).toISOString();
  const built = (overrides: Partial<LastBuild> = {}) => last({ decidedAt: daysBefore(6), upstream: RECORDED, ...overrides });
  const check = (versions: Record<string, string> | { error: string } = RECORDED, overrides: Partial<ScheduledCheck> = {}): ScheduledCheck => ({
    references: [PARENT, UPDATE],
    lookup: 'error' in versions ? { ok: false, error: versions.error as string } : { ok: true, versions },
    now: NOW,
    maxAgeSeconds: 30 * 86_400,
    ...overrides,
  });

  test.each<[string, LastBuild, ScheduledCheck, { build: boolean; reason: string }]>([
    ['nothing changed, built recently', built(), check(), { build: false, reason: 'nothing upstream changed; last build 6 days ago (max 30 days); keeping the current image' }],
    ['a newer parent image', built(), check({ ...RECORDED, [PARENT.text]: '2026.11.21/1' }), { build: true, reason: 'parent image amazon-linux-2023-x86 2026.11.14 → 2026.11.21' }],
    ['a newer component', built(), check({ ...RECORDED, [UPDATE.text]: '1.0.4/1' }), { build: true, reason: 'component update-linux 1.0.3 → 1.0.4' }],
    ['a new build of the same component version', built(), check({ ...RECORDED, [UPDATE.text]: '1.0.3/2' }), { build: true, reason: 'component update-linux 1.0.3/1 → 1.0.3/2' }],
    ['an older parent (the newest withdrawn)', built(), check({ ...RECORDED, [PARENT.text]: '2026.11.7/1' }), { build: false, reason: 'nothing upstream changed; last build 6 days ago (max 30 days); keeping the current image' }],
    ['older than the maximum age', built({ decidedAt: daysBefore(31) }), check(), { build: true, reason: 'last build 31 days ago (max 30 days)' }],
    ['exactly the maximum age', built({ decidedAt: daysBefore(30) }), check(), { build: false, reason: 'nothing upstream changed; last build 30 days ago (max 30 days); keeping the current image' }],
    ['an hour past the maximum age', built({ decidedAt: daysBefore(30, 1) }), check(), { build: true, reason: 'last build 30 days 1 hour ago (max 30 days)' }],
    ['a maximum age of zero: every scheduled run rebuilds', built(), check(RECORDED, { maxAgeSeconds: 0 }), { build: true, reason: 'last build 6 days ago (max 0 seconds)' }],
    ['newer and too old: both said', built({ decidedAt: daysBefore(40) }), check({ ...RECORDED, [UPDATE.text]: '1.0.4/1' }), { build: true, reason: 'component update-linux 1.0.3 → 1.0.4; last build 40 days ago (max 30 days)' }],
    ['the lookup failed', built(), check({ error: 'CallRateLimitExceededException: Rate exceeded' }), { build: true, reason: 'could not check for upstream updates (CallRateLimitExceededException: Rate exceeded); rebuilding so that no update is missed' }],
    ['state from before versions were recorded', built({ upstream: undefined }), check(), { build: true, reason: 'the last build recorded no upstream versions; rebuilding once to record them' }],
    ['a component the last build did not record', built({ upstream: { [PARENT.text]: '2026.11.14/1' } }), check(), { build: true, reason: 'the last build recorded no version of component update-linux; rebuilding once to record it' }],
    ['no time recorded for the last build', built({ decidedAt: '' }), check(), { build: true, reason: 'the time of the last build is not recorded (got ""); rebuilding to start the clock' }],
    ['nothing to look up (AMI id parent, own components)', built({ upstream: {} }), check({}, { references: [] }), { build: false, reason: 'no AWS-managed parent image or component to check; last build 6 days ago (max 30 days); keeping the current image' }],
  ])('%s', (_name, lastBuild, scheduled, expected) => {
    expect(scheduledRebuild(lastBuild, scheduled)).toEqual(expected);
  });

  test('decideBuild: a scheduled rebuild bumps PATCH; a reason of the run itself comes first and needs no check', () => {
    expect(decideBuild(request({ rebuild: 'scheduled' }), built(), check({ ...RECORDED, [UPDATE.text]: '1.0.4/1' }))).toEqual({ ok: true, build: true, version: '1.0.4', reason: 'component update-linux 1.0.3 → 1.0.4', redelivered: false });
    expect(decideBuild(request({ rebuild: 'scheduled' }), built(), check())).toMatchObject({ ok: true, build: false, version: '1.0.3' });
    expect(decideBuild(request({ rebuild: 'scheduled', fingerprint: 'f2' }), built(), check({ error: 'x' }))).toMatchObject({ build: true, version: '1.0.4', reason: 'image inputs changed' });
    expect(decideBuild(request({ rebuild: 'scheduled', executionId: 'run-1' }), built(), check({ error: 'x' }))).toMatchObject({ build: true, version: '1.0.3', redelivered: true });
  });
});

test.each([
  [0, '0 seconds'],
  [59, '59 seconds'],
  [3_600, '1 hour'],
  [86_400, '1 day'],
  [30 * 86_400, '30 days'],
  [30 * 86_400 + 3_600 + 59, '30 days 1 hour'],
  [86_400 + 60, '1 day'],
  [2 * 3_600 + 5 * 60, '2 hours 5 minutes'],
])('formatDuration(%d) is %j', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
