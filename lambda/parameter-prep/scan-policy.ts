/**
 * An image's vulnerability scan policy, as the pipeline stores it in SSM (`<image parameters>/scan-policy`) for the
 * release step: the configuration's `scanning` section, written by CloudFormation from pipeline-assets/images/<image>.yaml.
 * It lives in SSM rather than in the action's UserParameters because an ignore list with reasons would pass
 * CodePipeline's 1,000 characters for one configuration value.
 */

/** Severities that can block a release, from the least to the most severe. */
export const BLOCKING_SEVERITIES = ['MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type BlockingSeverity = (typeof BLOCKING_SEVERITIES)[number];

/** One finding the image's owner accepts for a while. */
export interface IgnoredVulnerability {
  /** Vulnerability id as Inspector reports it (packageVulnerabilityDetails.vulnerabilityId), e.g. CVE-2024-12345. */
  readonly id: string;
  /** Why it is accepted: shown next to it in the release summary. */
  readonly reason: string;
  /** Last day (UTC, YYYY-MM-DD) the entry applies; from the day after, the finding counts again. */
  readonly expires: string;
}

export type ScanPolicy =
  | {
      readonly enabled: true;
      /** The image's file, for messages. */
      readonly file: string;
      /** A finding of this severity or worse blocks the release; "none" never blocks. */
      readonly failOn: BlockingSeverity | 'none';
      readonly ignore: readonly IgnoredVulnerability[];
    }
  | {
      readonly enabled: false;
      readonly file: string;
      /** Why the image is not scanned: it appears in every release's output. */
      readonly reason: string;
    };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** Parses the stored policy; throws with the parameter named when it is not one (a deployment bug, not user input). */
export function parseScanPolicy(parameter: string, text: string): ScanPolicy {
  const fail = (why: string): never => {
    throw new Error(`SSM parameter ${parameter} does not hold a scan policy (${why}). Fix: let the pipeline update itself (its UpdatePipeline stage writes it from the image's scanning section), then retry the stage`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('not a JSON object');
  const p = raw as Record<string, unknown>;
  if (typeof p.file !== 'string') return fail('"file" is not a string');
  if (p.enabled === false) {
    if (typeof p.reason !== 'string' || p.reason.trim() === '') return fail('"reason" is missing for a policy that turns scanning off');
    return { enabled: false, file: p.file, reason: p.reason };
  }
  if (p.enabled !== true) return fail('"enabled" is not true or false');
  if (p.failOn !== 'none' && !(BLOCKING_SEVERITIES as readonly unknown[]).includes(p.failOn)) return fail(`"failOn" is ${JSON.stringify(p.failOn)}`);
  if (!Array.isArray(p.ignore)) return fail('"ignore" is not a list');
  const ignore = p.ignore.map((entry, i): IgnoredVulnerability => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.id !== 'string' || typeof e.reason !== 'string' || typeof e.expires !== 'string' || !isCalendarDate(e.expires)) {
      return fail(`ignore[${i}] is not {id, reason, expires: YYYY-MM-DD}`);
    }
    return { id: e.id, reason: e.reason, expires: e.expires };
  });
  return { enabled: true, file: p.file, failOn: p.failOn as BlockingSeverity | 'none', ignore };
}
