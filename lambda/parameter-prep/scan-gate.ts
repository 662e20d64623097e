/**
 * The release gate on Amazon Inspector's findings: which findings count after the image's ignore list, whether they
 * block the release, and the summary the release's output variables and the refusal carry. Pure; the findings are read
 * in scan-lookup.ts.
 */
import { BLOCKING_SEVERITIES, type IgnoredVulnerability, type ScanPolicy } from './scan-policy';

/** One finding of the image's scan, reduced to what the gate and its summary use. */
export interface ScanFinding {
  /** Vulnerability id, e.g. CVE-2024-12345 (or the finding's title when Inspector gives no id). */
  readonly id: string;
  /** CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNTRIAGED. */
  readonly severity: string;
  /** Inspector's score, 0–10, when it gave one. */
  readonly score?: number;
  readonly packages: ReadonlyArray<{ readonly name: string; readonly version?: string; readonly fixedInVersion?: string }>;
}

/** Severities in the order a summary lists them, the most severe first. */
const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const;
/** How many of the worst findings a summary names. */
export const WORST_SHOWN = 3;
/** Most characters of one output variable: the console shows them whole, and a refusal quotes several. */
const MAX_VARIABLE_CHARS = 900;

export interface ScanVerdict {
  /** Findings at or above failOn that no valid ignore entry covers. */
  readonly blocking: readonly ScanFinding[];
  /** Counts by severity of the findings that count (not ignored), e.g. "CRITICAL 0, HIGH 2, MEDIUM 5, LOW 1, other 0". */
  readonly counts: string;
  /** The worst findings that count, for the summary. */
  readonly worst: string;
  /** Ignore entries that covered findings of this scan. */
  readonly ignored: string;
  /** Ignore entries past their expiry date whose findings count again. */
  readonly expired: string;
}

function rank(severity: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(severity);
  return i === -1 ? SEVERITY_ORDER.length : i;
}

/** Is the ignore entry still valid on `today` (YYYY-MM-DD, UTC)? It applies through its expiry day. */
export function ignoreApplies(entry: IgnoredVulnerability, today: string): boolean {
  return today <= entry.expires;
}

/** Judges the findings of one scan against the image's policy on `today` (YYYY-MM-DD, UTC). */
export function judgeFindings(findings: readonly ScanFinding[], policy: Extract<ScanPolicy, { enabled: true }>, today: string): ScanVerdict {
  const entries = new Map(policy.ignore.map((e) => [e.id, e]));
  const counting: ScanFinding[] = [];
  const ignoredIds = new Set<string>();
  const expiredIds = new Set<string>();
  for (const finding of findings) {
    const entry = entries.get(finding.id);
    if (entry && ignoreApplies(entry, today)) ignoredIds.add(finding.id);
    else {
      if (entry) expiredIds.add(finding.id);
      counting.push(finding);
    }
  }
  const threshold = policy.failOn === 'none' ? -1 : rank(policy.failOn);
  const blocking = threshold < 0 ? [] : counting.filter((f) => rank(f.severity) <= threshold);
  const bySeverity = (s: string) => counting.filter((f) => f.severity === s).length;
  const other = counting.filter((f) => !(BLOCKING_SEVERITIES as readonly string[]).includes(f.severity) && f.severity !== 'LOW').length;
  const counts = `CRITICAL ${bySeverity('CRITICAL')}, HIGH ${bySeverity('HIGH')}, MEDIUM ${bySeverity('MEDIUM')}, LOW ${bySeverity('LOW')}, other ${other}`;
  const worstFirst = [...counting].sort((a, b) => rank(a.severity) - rank(b.severity) || (b.score ?? 0) - (a.score ?? 0) || a.id.localeCompare(b.id));
  return {
    blocking,
    counts,
    worst: listed(worstFirst.map(describeFinding), WORST_SHOWN),
    ignored: listed([...ignoredIds].sort().map((id) => `${id} until ${entries.get(id)!.expires} (${entries.get(id)!.reason})`)),
    expired: listed([...expiredIds].sort().map((id) => `${id} (ignore expired ${entries.get(id)!.expires})`)),
  };
}

/** `CVE-2024-1 CRITICAL 9.8: openssl 3.0.8 (fixed in 3.0.9)`. */
export function describeFinding(f: ScanFinding): string {
  const score = f.score === undefined ? '' : ` ${f.score}`;
  const packages = f.packages.map((p) => `${p.name}${p.version ? ` ${p.version}` : ''} (${p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? `fixed in ${p.fixedInVersion}` : 'no fix yet'})`);
  return `${f.id} ${f.severity}${score}${packages.length > 0 ? `: ${packages.slice(0, 2).join(', ')}${packages.length > 2 ? ` and ${packages.length - 2} more` : ''}` : ''}`;
}

/** Items joined with "; ", at most `max` of them and MAX_VARIABLE_CHARS characters, saying how many were left out; "none" when empty. */
function listed(items: readonly string[], max = Infinity): string {
  if (items.length === 0) return 'none';
  const shown: string[] = [];
  for (const item of items.slice(0, max)) {
    if ([...shown, item].join('; ').length > MAX_VARIABLE_CHARS - 20) break;
    shown.push(item);
  }
  const left = items.length - shown.length;
  return `${shown.join('; ')}${left > 0 ? `${shown.length > 0 ? '; ' : ''}and ${left} more` : ''}`;
}

/** The release's output variables of a scan: what was found and what was ignored. */
export function scanVariables(verdict: ScanVerdict, failOn: string): Record<string, string> {
  return { scan: `passed (failOn ${failOn})`, scanFindings: verdict.counts, scanWorst: verdict.worst, scanIgnored: verdict.ignored, scanExpiredIgnores: verdict.expired };
}

/** The refusal: why the AMI is not released, what the scan found, and the two ways forward. */
export function refusalMessage(job: { image: string; amiId: string; version: string; current?: string }, policy: Extract<ScanPolicy, { enabled: true }>, verdict: ScanVerdict): string {
  const n = verdict.blocking.length;
  // The fix before the lists: a chat notification keeps the start of a long message.
  return [
    `${job.image}: AMI ${job.amiId} (version ${job.version}) is not released: Amazon Inspector found ${n} finding${n === 1 ? '' : 's'} at or above scanning.failOn ${policy.failOn} (${policy.file}).`,
    `Findings: ${verdict.counts}.`,
    `The fleet keeps its current release (${job.current ?? 'none yet'}).`,
    `Fix: update the affected packages and rebuild (start the pipeline with the variable rebuild=${job.image}); or, for a finding that does not apply, add its id to scanning.ignore in ${policy.file} with a reason and an expiry date, push, and the release is judged again.`,
    `Worst: ${verdict.worst}.`,
    `Ignored: ${verdict.ignored}.`,
    ...(verdict.expired === 'none' ? [] : [`Expired ignores, counted again: ${verdict.expired}.`]),
  ].join(' ');
}
