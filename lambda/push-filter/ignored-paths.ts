/**
 * Which changed files start a pipeline run: every path not matched by one of `source.ignorePaths`.
 *
 * The patterns follow CodePipeline's glob syntax for trigger file path filters (the GitHub source uses them as the
 * trigger's excludes, so both providers must read them alike): `*` stays within one directory, `**` crosses
 * directories, `?` is one character, `[...]` a set, `{a,b}` alternatives, `\` escapes
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/syntax-glob.html). A pattern matches the whole path from
 * the repository root, so `*.md` is a Markdown file at the root only. minimatch reads that syntax; `dot` lets `*`
 * match names that start with a dot (as a glob over paths does), and extglob, comments and negation are off (not
 * in CodePipeline's syntax).
 */
import { minimatch } from 'minimatch';

const OPTIONS = { dot: true, noext: true, nocomment: true, nonegate: true } as const;

/** Whether one path (relative to the repository root, `/`-separated) matches one of the patterns. */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => minimatch(path, pattern, OPTIONS));
}

/** The first path that is not ignored, or undefined when every path is. */
export function firstRelevantPath(paths: Iterable<string>, patterns: readonly string[]): string | undefined {
  for (const path of paths) if (!isIgnored(path, patterns)) return path;
  return undefined;
}
