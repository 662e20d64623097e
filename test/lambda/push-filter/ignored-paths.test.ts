import { firstRelevantPath, isIgnored } from '../../../lambda/push-filter/ignored-paths';

// CodePipeline's glob rules for trigger file paths: https://docs.aws.amazon.com/codepipeline/latest/userguide/syntax-glob.html
describe("CodePipeline's glob syntax, as the GitHub trigger reads the same patterns", () => {
  test.each([
    ['*.md', 'README.md', true],
    ['*.md', 'docs/setup.md', false], // * stays within one directory
    ['**/*.md', 'docs/deep/setup.md', true],
    ['**/*.md', 'README.md', true], // ** matches zero directories too
    ['docs/**', 'docs/roles.md', true],
    ['docs/**', 'docs/images/diagram.svg', true],
    ['docs/*', 'docs/images/diagram.svg', false],
    ['docs/**', 'pipeline-assets/docs/x.md', false], // from the repository root
    ['*.{md,txt}', 'NOTES.txt', true],
    ['foo.?', 'foo.c', true],
    ['foo.?', 'foo.cc', false],
    ['[A-C]*.md', 'CHANGELOG.md', true],
    ['[!A-C]*.md', 'CHANGELOG.md', false],
    ['*', '.gitignore', true], // a name that starts with a dot is a name like any other
    ['\\*.md', '*.md', true],
    ['\\*.md', 'README.md', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(isIgnored(path, [pattern])).toBe(expected);
  });
});

test('the first path no pattern matches is the one that starts a run', () => {
  expect(firstRelevantPath(['README.md', 'docs/a.md', 'lib/x.ts', 'bin/y.ts'], ['*.md', 'docs/**'])).toBe('lib/x.ts');
  expect(firstRelevantPath(['README.md', 'docs/a.md'], ['*.md', 'docs/**'])).toBeUndefined();
  expect(firstRelevantPath(['README.md'], [])).toBe('README.md');
});
