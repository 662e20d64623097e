import { execFileSync } from 'child_process';
import { branchNameError } from '../../../lib/config/checks/names';

/** One name per rule of git-check-ref-format(1), plus names git accepts. */
const BRANCHES: Array<[string, string | undefined]> = [
  ['main', undefined],
  ['release/1.0', undefined],
  ['feature/JIRA-12_x', undefined],
  ['ünïcode', undefined],
  ['a..b', 'cannot contain ..'],
  ['-x', 'cannot start with -'],
  ['a@{b', 'cannot contain @{'],
  ['x.lock', 'cannot have a part ending with .lock (x.lock)'],
  ['a/b.lock/c', 'cannot have a part ending with .lock (b.lock)'],
  ['a/.b', 'cannot have a part starting with . (.b)'],
  ['.a', 'cannot have a part starting with . (.a)'],
  ['a//b', 'cannot contain //'],
  ['/ref', 'cannot start or end with /'],
  ['ref/', 'cannot start or end with /'],
  ['x.', 'cannot end with .'],
  ['a b', 'cannot contain a space'],
  ['a\tb', 'cannot contain a control character'],
  ['a~b', 'cannot contain ~'],
  ['a^b', 'cannot contain ^'],
  ['a:b', 'cannot contain :'],
  ['a?b', 'cannot contain ?'],
  ['a*b', 'cannot contain *'],
  ['a[b', 'cannot contain ['],
  ['a\\b', 'cannot contain \\'],
  ['HEAD', 'cannot be HEAD'],
  ['@', 'cannot be the single character @'],
];

describe('branch names', () => {
  test.each(BRANCHES)('%j', (branch, error) => expect(branchNameError(branch)).toBe(error));

  // git expands "@" to the current branch instead of judging it, so it is left out of the comparison.
  test.each(BRANCHES.filter(([b]) => b !== '@'))('agrees with git check-ref-format --branch: %j', (branch, error) => {
    let gitAccepts = true;
    try {
      execFileSync('git', ['check-ref-format', '--branch', branch], { stdio: 'ignore' });
    } catch {
      gitAccepts = false;
    }
    expect(error === undefined).toBe(gitAccepts);
  });
});
