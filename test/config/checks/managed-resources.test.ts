import { versionSelectorError } from '../../../lib/config/checks/managed-resources';

/** Image Builder's semantic version selection (ibhow-semantic-versioning): its own examples, and the node limit. */
const SELECTORS: Array<[string, boolean]> = [
  ['x.x.x', true],
  ['1.x.x', true],
  ['1.6.x', true],
  ['2021.1.1', true],
  ['1073741823.0.0', true],
  ['x.2.x', false],
  ['1.x.8', false],
  ['x.1.x', false],
  ['1.0', false],
  ['1.0.0.1', false],
  ['01.0.0', false],
  ['1073741824.0.0', false],
];

test.each(SELECTORS)('version selector %s is accepted: %s', (version, accepted) => expect(versionSelectorError(version) === undefined).toBe(accepted));
