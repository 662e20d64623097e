import { formatVersion, nextVersion, parseMajorMinor, parseVersion } from '../../../lambda/parameter-prep/versioning';

describe('parseVersion', () => {
  test.each([
    ['1.0.0', { major: 1, minor: 0, patch: 0 }],
    ['10.20.30', { major: 10, minor: 20, patch: 30 }],
    [' 2.1.7\n', { major: 2, minor: 1, patch: 7 }],
  ])('%j parses', (text, version) => expect(parseVersion(text)).toEqual(version));

  test.each(['1.0', '1.0.0.0', '01.0.0', '1.0.-1', 'v1.0.0', '1.0.0/1', '', 'latest'])('%j does not parse', (text) =>
    expect(parseVersion(text)).toBeUndefined(),
  );
});

describe('parseMajorMinor', () => {
  test('parses MAJOR.MINOR', () => expect(parseMajorMinor('3.14')).toEqual({ major: 3, minor: 14 }));
  test.each(['3', '3.14.1', 'x.y', '03.1'])('%j does not parse', (text) => expect(parseMajorMinor(text)).toBeUndefined());
});

describe('nextVersion', () => {
  test.each([
    ['first build starts PATCH at 0', { major: 1, minor: 0 }, undefined, '1.0.0'],
    ['same MAJOR.MINOR bumps PATCH', { major: 1, minor: 0 }, { major: 1, minor: 0, patch: 4 }, '1.0.5'],
    ['raised MINOR restarts PATCH', { major: 1, minor: 1 }, { major: 1, minor: 0, patch: 4 }, '1.1.0'],
    ['raised MAJOR restarts PATCH', { major: 2, minor: 0 }, { major: 1, minor: 9, patch: 4 }, '2.0.0'],
    ['MAJOR raised with a lower MINOR still moves forward', { major: 2, minor: 0 }, { major: 1, minor: 5, patch: 0 }, '2.0.0'],
  ])('%s', (_name, configured, last, expected) => {
    const next = nextVersion(configured, last);
    expect(next.ok && formatVersion(next.version)).toBe(expected);
  });

  test.each([
    [{ major: 1, minor: 0 }, { major: 1, minor: 2, patch: 0 }],
    [{ major: 0, minor: 9 }, { major: 1, minor: 0, patch: 3 }],
  ])('a configured version below the last build %j < %j is refused with the fix', (configured, last) => {
    const next = nextVersion(configured, last);
    expect(next.ok).toBe(false);
    expect(!next.ok && next.reason).toMatch(new RegExp(`lower than the last build ${formatVersion(last)}.*Fix: set version to "${last.major}.${last.minor}" or higher`));
  });
});
