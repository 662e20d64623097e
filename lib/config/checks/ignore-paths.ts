import * as path from 'path';
import type { ConfigProblem } from '../config-error';
import { isIgnored } from '../../../lambda/push-filter/ignored-paths';
import { problem } from './problem';

/** What `source.ignorePaths` is when pipeline.yaml does not say: documentation, which no pipeline step reads. */
export const DEFAULT_IGNORE_PATHS: readonly string[] = ['*.md', 'docs/**'];

/**
 * Files every run reads (the synth's inputs), as paths from the repository root (the directory synth runs in): a
 * pattern that matches one would let a change to the pipeline's own configuration or dependencies go unbuilt.
 */
export function filesThePipelineReads(configDir: string, configFiles: readonly string[]): string[] {
  const inside = (file: string) => {
    const relative = path.relative(process.cwd(), file);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  };
  // A configuration outside the working directory (a test's) is read as if it sat where the shipped one does.
  const fromRoot = (file: string) =>
    (inside(file) ? path.relative(process.cwd(), file) : path.join('pipeline-assets', path.relative(configDir, file))).split(path.sep).join('/');
  return [...[path.join(configDir, 'pipeline.yaml'), ...configFiles].map(fromRoot), 'package.json', 'package-lock.json', 'cdk.json'];
}

/**
 * Problems with `source.ignorePaths` (the schema already bounds the count and lengths): patterns CodePipeline's glob
 * syntax does not read as the user meant, and patterns that would ignore a file every run reads.
 */
export function checkIgnorePaths(file: string, patterns: readonly string[], readFiles: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  patterns.forEach((pattern, i) => {
    const field = `source.ignorePaths[${i}]`;
    if (pattern.startsWith('/') || pattern.startsWith('./')) {
      problems.push(problem(file, field, 'is a path from the repository root and never starts with / or ./', pattern, `write it as ${pattern.replace(/^\.?\//, '')}`));
    } else if (pattern.startsWith('!')) {
      problems.push(problem(file, field, "negates, which CodePipeline's glob syntax does not; a pattern lists files to ignore", pattern, 'remove the pattern, or list only files whose changes need no run'));
    } else {
      const read = readFiles.find((f) => isIgnored(f, [pattern]));
      if (read) problems.push(problem(file, field, `would ignore ${read}, which every run reads: a change to it must start a run`, pattern, 'narrow the pattern, e.g. "docs/**" or "*.md"'));
    }
  });
  return problems;
}
