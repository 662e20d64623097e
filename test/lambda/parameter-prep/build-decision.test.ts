import { decideBuild, rebuildRequested, type BuildRequest, type LastBuild } from '../../../lambda/parameter-prep/build-decision';

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
  ])('%j for app-linux is %s', (value, expected) => expect(rebuildRequested(value, 'app-linux')).toBe(expected));
});
