/**
 * What the function keeps in SSM Parameter Store, and the pure checks on it. Parsing never guesses: a stored value
 * that does not parse stops the run with a message, because overwriting it could lose the version history.
 */
import { isResolvedVersion, parseUpstreamReference, type UpstreamVersions } from './upstream';
import { parseVersion, type SemanticVersion } from './versioning';

/**
 * What a job answered: the same job delivered again, or retried in the same pipeline execution, gets these output
 * variables back byte for byte instead of deciding afresh against state that its own first delivery changed.
 */
export interface StoredAnswer {
  /** Pipeline execution whose job this answered. */
  readonly executionId: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** Per-image state of the prepare mode: the last decision to build, and the last answer given (build or not). */
export interface BuildState {
  /** Version of the last build decided, MAJOR.MINOR.PATCH. */
  readonly version: string;
  /** Fingerprint of that build's inputs. */
  readonly fingerprint?: string;
  /** Pipeline execution that decided that build. */
  readonly executionId: string;
  /** When that build was decided: the age a scheduled run compares with the maximum. */
  readonly updatedAt: string;
  /**
   * What the image's AWS-managed parent image and components resolved to when that build was decided (reference →
   * MAJOR.MINOR.PATCH/BUILD). The build resolves them minutes later, to these or newer versions, so a scheduled run
   * that finds a newer one may rebuild once more than needed, never less. Absent in state written before versions
   * were recorded, or when the lookup failed: the next scheduled run then rebuilds to record them.
   */
  readonly upstream?: UpstreamVersions;
  /** The last prepare answer, of a build decision or not; absent in state written before answers were stored. */
  readonly answer?: StoredAnswer;
}

/** One released image. */
export interface ReleaseRecord {
  readonly amiId: string;
  readonly version: string;
  /** Source commit the image was built from. */
  readonly commitId?: string;
  /** Pipeline execution that released it, or "rollback" for an operator's rollback. */
  readonly executionId: string;
  readonly releasedAt: string;
}

/** The release record kept in SSM: the current release and the one before it, for rollback. */
export interface ReleaseState extends ReleaseRecord {
  readonly previous?: ReleaseRecord;
  /**
   * Set by a rollback: the AMI rolled back from. The release step does not release it again, so the rollback holds
   * until a new image is built.
   */
  readonly rolledBackFrom?: string;
  /** The release step's answer to the pipeline execution that last ran it, stored after its housekeeping. */
  readonly answer?: StoredAnswer;
}

/**
 * The record after rolling back to the previous release; throws when there is none. It carries no answer: the answer
 * belonged to the record it replaces, and a release job retried after the rollback must see the rollback, not replay
 * what it said before.
 */
export function rollbackRecord(current: ReleaseState, now: Date): ReleaseState {
  if (!current.previous) {
    throw new Error(`there is no previous release to roll back to (current: ${current.amiId}, version ${current.version})`);
  }
  return { ...recordOf(current.previous), executionId: 'rollback', releasedAt: now.toISOString(), previous: recordOf(current), rolledBackFrom: current.amiId };
}

/** Just the release fields of a record, without its history or answer. */
export function recordOf(state: ReleaseRecord): ReleaseRecord {
  return { amiId: state.amiId, version: state.version, commitId: state.commitId, executionId: state.executionId, releasedAt: state.releasedAt };
}

export function parseBuildState(name: string, text: string): BuildState & { parsedVersion: SemanticVersion } {
  const state = parseJsonObject(text);
  const version = typeof state.version === 'string' ? parseVersion(state.version) : undefined;
  if (!version || typeof state.executionId !== 'string') {
    throw new Error(
      `SSM parameter ${name} does not hold a valid build state (expected {"version":"MAJOR.MINOR.PATCH","executionId":...}; got ${truncate(text)}). ` +
        'Fix: put the last built version back, e.g. aws ssm put-parameter --overwrite --name ' +
        `${name} --value '{"version":"1.0.0","executionId":"manual","updatedAt":"${new Date(0).toISOString()}"}'`,
    );
  }
  const fingerprint = typeof state.fingerprint === 'string' ? state.fingerprint : undefined;
  const upstream = parseUpstream(name, state.upstream);
  const answer = parseAnswer(name, state.answer);
  return { version: state.version as string, fingerprint, executionId: state.executionId, updatedAt: String(state.updatedAt ?? ''), upstream, answer, parsedVersion: version };
}

/** Recorded upstream versions, or undefined when there are none (state written before they were recorded). */
function parseUpstream(name: string, value: unknown): UpstreamVersions | undefined {
  if (value === undefined) return undefined;
  const valid =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.entries(value).every(([reference, version]) => parseUpstreamReference(reference) !== undefined && typeof version === 'string' && isResolvedVersion(version));
  if (!valid) {
    throw new Error(
      `SSM parameter ${name} holds upstream versions that do not parse (expected {"image/<name>/x.x.x":"MAJOR.MINOR.PATCH/BUILD",...}; got ${truncate(JSON.stringify(value) ?? String(value))}). ` +
        'Fix: remove the "upstream" field from the parameter\'s JSON (aws ssm get-parameter, edit, aws ssm put-parameter --overwrite); the next scheduled run rebuilds the image once and records them',
    );
  }
  return value as UpstreamVersions;
}

export function parseReleaseState(name: string, text: string): ReleaseState {
  const state = parseJsonObject(text);
  if (typeof state.amiId !== 'string' || typeof state.version !== 'string') {
    throw new Error(`SSM parameter ${name} does not hold a valid release record (got ${truncate(text)}). Fix: delete it to start the release history anew, or restore it from its SSM parameter history`);
  }
  parseAnswer(name, state.answer);
  return state as unknown as ReleaseState;
}

/** A stored answer, or undefined when there is none (state written before answers were stored). */
function parseAnswer(name: string, value: unknown): StoredAnswer | undefined {
  if (value === undefined) return undefined;
  const answer = value as Partial<StoredAnswer> | null;
  const variables = answer?.variables;
  const valid =
    typeof answer?.executionId === 'string' &&
    variables !== null &&
    typeof variables === 'object' &&
    !Array.isArray(variables) &&
    Object.values(variables).every((v) => typeof v === 'string');
  if (!valid) {
    throw new Error(
      `SSM parameter ${name} holds an answer that does not parse (expected {"executionId":...,"variables":{...strings}}; got ${truncate(JSON.stringify(value) ?? String(value))}). ` +
        'Fix: remove the "answer" field from the parameter\'s JSON (aws ssm get-parameter, edit, aws ssm put-parameter --overwrite); the next job stores a new one',
    );
  }
  return { executionId: answer.executionId!, variables: variables as Record<string, string> };
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through to the message below, which says what was found
  }
  return {};
}

function truncate(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
