/**
 * What the function keeps in SSM Parameter Store, and the pure checks on it. Parsing never guesses: a stored value
 * that does not parse stops the run with a message, because overwriting it could lose the version history.
 */
import { parseVersion, type SemanticVersion } from './versioning';

/** Per-image state of the prepare mode: the last decision to build. */
export interface BuildState {
  /** Version of the last build decided, MAJOR.MINOR.PATCH. */
  readonly version: string;
  /** Fingerprint of that build's inputs. */
  readonly fingerprint?: string;
  /** Pipeline execution that decided it. */
  readonly executionId: string;
  readonly updatedAt: string;
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
}

/** The record after rolling back to the previous release; throws when there is none. */
export function rollbackRecord(current: ReleaseState, now: Date): ReleaseState {
  if (!current.previous) {
    throw new Error(`there is no previous release to roll back to (current: ${current.amiId}, version ${current.version})`);
  }
  const { previous } = current;
  return { ...previous, executionId: 'rollback', releasedAt: now.toISOString(), previous: recordOf(current), rolledBackFrom: current.amiId };
}

/** Just the release fields of a state, without its history. */
export function recordOf(state: ReleaseState): ReleaseRecord {
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
  return { version: state.version as string, fingerprint, executionId: state.executionId, updatedAt: String(state.updatedAt ?? ''), parsedVersion: version };
}

export function parseReleaseState(name: string, text: string): ReleaseState {
  const state = parseJsonObject(text);
  if (typeof state.amiId !== 'string' || typeof state.version !== 'string') {
    throw new Error(`SSM parameter ${name} does not hold a valid release record (got ${truncate(text)}). Fix: delete it to start the release history anew, or restore it from its SSM parameter history`);
  }
  return state as unknown as ReleaseState;
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
