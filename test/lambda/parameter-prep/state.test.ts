import { parseBuildState, parseReleaseState, rollbackRecord, type ReleaseState } from '../../../lambda/parameter-prep/state';

const ANSWER = { executionId: 'exec-2', variables: { version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed' } };

describe('parseBuildState', () => {
  test('state written before answers were stored still parses, without an answer', () => {
    const state = parseBuildState('/s', JSON.stringify({ version: '1.0.4', fingerprint: 'f', executionId: 'exec-1', updatedAt: 't' }));
    expect(state).toMatchObject({ version: '1.0.4', fingerprint: 'f', executionId: 'exec-1', answer: undefined });
  });

  test('the stored answer comes back with its variables in the order they were stored', () => {
    const state = parseBuildState('/s', JSON.stringify({ version: '1.0.5', fingerprint: 'f', executionId: 'exec-2', updatedAt: 't', answer: ANSWER }));
    expect(JSON.stringify(state.answer)).toBe(JSON.stringify(ANSWER));
  });

  test.each([
    ['not an object', 'yes'],
    ['without an execution id', { variables: {} }],
    ['with a variable that is not a string', { executionId: 'e', variables: { build: true } }],
  ])('an answer %s fails with the parameter and the fix', (_name, answer) => {
    expect(() => parseBuildState('/s', JSON.stringify({ version: '1.0.5', executionId: 'exec-2', answer }))).toThrow(/SSM parameter \/s holds an answer that does not parse .* Fix: remove the "answer" field/);
  });
});

describe('recorded upstream versions', () => {
  const state = (upstream: unknown) => JSON.stringify({ version: '1.0.5', fingerprint: 'f', executionId: 'exec-2', updatedAt: 't', upstream });

  test('state written before versions were recorded parses without them; recorded ones come back as stored', () => {
    expect(parseBuildState('/s', JSON.stringify({ version: '1.0.4', executionId: 'exec-1', updatedAt: 't' })).upstream).toBeUndefined();
    const upstream = { 'image/amazon-linux-2023-x86/x.x.x': '2026.11.14/1', 'component/update-linux/1.0.x': '1.0.3' };
    expect(parseBuildState('/s', state(upstream)).upstream).toEqual(upstream);
    expect(parseBuildState('/s', state({})).upstream).toEqual({});
  });

  test.each([
    ['a list', ['2026.11.14/1']],
    ['a version that is not one', { 'image/amazon-linux-2023-x86/x.x.x': 'latest' }],
    ['a key that is not a reference', { 'amazon-linux-2023-x86': '2026.11.14/1' }],
    ['null', null],
  ])('%s fails with the parameter and the fix', (_name, upstream) => {
    expect(() => parseBuildState('/s', state(upstream))).toThrow(/SSM parameter \/s holds upstream versions that do not parse .* Fix: remove the "upstream" field .* the next scheduled run rebuilds the image once and records them/);
  });
});

describe('release records', () => {
  const previous = { amiId: 'ami-00000000000000001', version: '1.0.2', commitId: 'c1', executionId: 'exec-1', releasedAt: 'a' };
  const current: ReleaseState = { amiId: 'ami-00000000000000002', version: '1.0.3', commitId: 'c2', executionId: 'exec-2', releasedAt: 'b', previous, answer: { executionId: 'exec-2', variables: { amiId: 'ami-00000000000000002' } } };

  test('a record with an answer parses; a malformed answer does not', () => {
    expect(parseReleaseState('/r', JSON.stringify(current)).answer).toEqual(current.answer);
    expect(() => parseReleaseState('/r', JSON.stringify({ ...current, answer: { executionId: 3 } }))).toThrow(/SSM parameter \/r holds an answer that does not parse/);
  });

  test('a rollback carries no answer over, neither from the record nor from its previous release', () => {
    const withStrayFields = { ...current, previous: { ...previous, answer: { executionId: 'exec-1', variables: {} } } as never };
    const rolledBack = rollbackRecord(withStrayFields, new Date('2026-11-03T00:00:00.000Z'));
    expect(rolledBack).toEqual({
      ...previous,
      executionId: 'rollback',
      releasedAt: '2026-11-03T00:00:00.000Z',
      previous: { amiId: current.amiId, version: current.version, commitId: 'c2', executionId: 'exec-2', releasedAt: 'b' },
      rolledBackFrom: current.amiId,
    });
    expect(JSON.stringify(rolledBack)).not.toContain('answer');
  });
});
