import { Token } from 'aws-cdk-lib';
import type { ConfigProblem } from '../config-error';

/** Builds a problem; `value` undefined leaves "(got …)" out. */
export function problem(file: string, field: string, message: string, value: unknown, fix: string): ConfigProblem {
  return value === undefined ? { file, field, message, fix } : { file, field, message, value, fix };
}

/** A value the checks must not judge: a CDK token resolves only at deploy time. */
export function isToken(value: unknown): boolean {
  return typeof value === 'string' && Token.isUnresolved(value);
}

/** "did you mean a or b?" for a fix, or '' when there is no candidate. */
export function didYouMean(candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const shown = candidates.slice(0, 3);
  return `did you mean ${shown.slice(0, -1).join(', ')}${shown.length > 1 ? ' or ' : ''}${shown[shown.length - 1]}?`;
}
