import type { ConfigProblem } from '../config-error';
import { isToken, problem } from './problem';

/**
 * Why git cannot have this branch name, or undefined: the rules of `git check-ref-format --branch`
 * (git-check-ref-format(1)), which test/config/checks/names.test.ts compares with git itself.
 */
export function branchNameError(branch: string): string | undefined {
  if (branch === '@') return 'cannot be the single character @';
  if (branch === 'HEAD') return 'cannot be HEAD';
  if (branch.startsWith('-')) return 'cannot start with -';
  if (branch.startsWith('/') || branch.endsWith('/')) return 'cannot start or end with /';
  if (branch.includes('//')) return 'cannot contain //';
  if (branch.endsWith('.')) return 'cannot end with .';
  if (branch.includes('..')) return 'cannot contain ..';
  if (branch.includes('@{')) return 'cannot contain @{';
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(branch);
  if (bad) return `cannot contain ${bad[0] === ' ' ? 'a space' : /[\x00-\x1f\x7f]/.test(bad[0]) ? 'a control character' : bad[0]}`;
  for (const part of branch.split('/')) {
    if (part.startsWith('.')) return `cannot have a part starting with . (${part})`;
    if (part.endsWith('.lock')) return `cannot have a part ending with .lock (${part})`;
  }
  return undefined;
}

export function checkBranchName(file: string, field: string, branch: string): ConfigProblem[] {
  if (isToken(branch)) return [];
  const error = branchNameError(branch);
  return error ? [problem(file, field, `is not a branch name git accepts: it ${error}`, branch, 'use the branch as `git branch` shows it, e.g. main or release/1.0')] : [];
}

/** SSM: "Parameter hierarchies are limited to a maximum depth of fifteen levels." */
export const MAX_SSM_DEPTH = 15;
/** SSM: "The maximum length for a parameter name, including the full length of the parameter ARN, is 1011 characters." */
export const MAX_SSM_NAME_WITH_ARN = 1011;

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso')) return region.startsWith('us-isob-') ? 'aws-iso-b' : 'aws-iso';
  return 'aws';
}

/**
 * An SSM parameter name the pipeline asks Image Builder to write, in every distribution region. SSM's naming
 * constraints (PutParameter Name): not prefixed with aws or ssm (case-insensitive), at most fifteen levels, and at most
 * 1011 characters including the ARN (arn:<partition>:ssm:<region>:<account>:parameter). Characters and the 1011 of
 * Image Builder's ParameterName are the schema's.
 */
export function checkSsmParameterName(file: string, field: string, name: string, regions: readonly string[]): ConfigProblem[] {
  if (isToken(name)) return [];
  const problems: ConfigProblem[] = [];
  const levels = name.split('/').filter(Boolean);
  if (/^(aws|ssm)/i.test(levels[0] ?? '')) {
    problems.push(problem(file, field, 'starts with aws or ssm, which SSM reserves (in any letter case)', name, `use a prefix of your own, e.g. /golden-images${name}`));
  }
  if (levels.length > MAX_SSM_DEPTH) {
    problems.push(problem(file, field, `has ${levels.length} levels; SSM allows at most ${MAX_SSM_DEPTH}`, name, `use at most ${MAX_SSM_DEPTH} /-separated parts`));
  }
  const longest = Math.max(0, ...regions.map((r) => `arn:${partitionOf(r)}:ssm:${r}:123456789012:parameter`.length));
  if (regions.length > 0 && name.length + longest > MAX_SSM_NAME_WITH_ARN) {
    problems.push(problem(file, field, `is ${name.length} characters; with its ARN (${longest} characters in the longest distribution region) SSM allows ${MAX_SSM_NAME_WITH_ARN - longest}`, name, `shorten it to at most ${MAX_SSM_NAME_WITH_ARN - longest} characters`));
  }
  return problems;
}
