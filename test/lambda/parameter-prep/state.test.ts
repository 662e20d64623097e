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
