/** One thing wrong with the configuration: where, what was given, and how to fix it. */
export interface ConfigProblem {
  /** File the problem is in, relative to the working directory where possible. */
  readonly file: string;
  /** Dotted path of the field, e.g. fleet.rollingUpdate.pauseTime; empty for the whole file. */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
  /** The value found, when there is one. */
  readonly value?: unknown;
  /** What to do about it. */
  readonly fix: string;
}

/** Formats one problem as a single line: `file: field must … (got value). Fix: …`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.field ? `${problem.file}: ${problem.field}` : problem.file;
  const got = problem.value === undefined ? '' : ` (got ${JSON.stringify(problem.value)})`;
  return `${where} ${problem.message}${got}. Fix: ${problem.fix}`;
}

/** Thrown when the configuration is invalid; lists every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid golden-ami-pipeline configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
