import { isCalendarDate, type IgnoredVulnerability, type ScanPolicy } from '../../../lambda/parameter-prep/scan-policy';
import type { ConfigProblem } from '../config-error';
import { problem } from './problem';

/**
 * Largest scan policy the pipeline stores, in bytes: a standard SSM parameter holds 4 KB
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 */
export const MAX_SCAN_POLICY_BYTES = 4096;

/**
 * The image's `scanning` section (defaults already filled in by the schema) as the policy the release step applies.
 * Unset, `enabled` is true, or false when `tests` is. Refused: scanning asked for without tests (Inspector scans the
 * test instance), turning it off without a reason, a reason or
 * ignore list while it is off, an impossible date, an id listed twice, a policy too large to store. An expiry date
 * already past is not refused here: time passes after a deploy too, so the release step reports expired entries.
 */
export function resolveScanning(file: string, raw: Record<string, unknown>, tests: boolean, problems: ConfigProblem[]): ScanPolicy {
  const ignore = (raw.ignore as IgnoredVulnerability[] | undefined) ?? [];
  // Unset, it follows tests: an image file written before scanning existed, with tests off, stays valid, and every
  // release of it says why it is not scanned.
  if (raw.enabled === undefined && !tests && raw.reason === undefined && ignore.length === 0) {
    return { enabled: false, file, reason: 'tests is false, and Inspector scans the test instance; set tests: true to scan this image' };
  }
  const enabled = raw.enabled !== false;
  if (!enabled) {
    if (typeof raw.reason !== 'string') {
      problems.push(problem(file, 'scanning.reason', 'is required when scanning.enabled is false: every release of an unscanned image shows it', undefined, 'say why the image is not scanned, e.g. reason: "air-gapped lab image, scanned by the lab\'s own tooling"'));
    }
    if (ignore.length > 0) problems.push(problem(file, 'scanning.ignore', 'has entries, but scanning is off, so nothing would be ignored', ignore.map((e) => e.id), 'remove scanning.ignore, or turn scanning back on'));
    return { enabled: false, file, reason: String(raw.reason ?? '') };
  }
  if (raw.reason !== undefined) {
    problems.push(problem(file, 'scanning.reason', 'is only for turning scanning off', raw.reason, 'remove it, or set scanning.enabled: false'));
  }
  if (!tests) {
    problems.push(problem(file, 'scanning.enabled', 'is true, but tests is false: Amazon Inspector scans the instance Image Builder launches for the tests', true, 'set tests: true, or turn scanning off (scanning.enabled: false with scanning.reason)'));
  }
  const seen = new Set<string>();
  ignore.forEach((entry, i) => {
    if (!isCalendarDate(entry.expires)) problems.push(problem(file, `scanning.ignore[${i}].expires`, 'is not a calendar date', entry.expires, 'write a real date as YYYY-MM-DD, e.g. 2027-01-31'));
    if (seen.has(entry.id)) problems.push(problem(file, `scanning.ignore[${i}].id`, 'is listed twice', entry.id, 'keep one entry per id'));
    seen.add(entry.id);
  });
  const policy: ScanPolicy = { enabled: true, file, failOn: raw.failOn as 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'none', ignore };
  // In bytes of UTF-8, as SSM counts: a reason with é or — takes more than one.
  const size = Buffer.byteLength(JSON.stringify(policy), 'utf8');
  if (size > MAX_SCAN_POLICY_BYTES) {
    problems.push(
      problem(file, 'scanning.ignore', `makes a scan policy of ${size} bytes with ${ignore.length} entries; the pipeline stores it in one standard SSM parameter, at most ${MAX_SCAN_POLICY_BYTES}`, undefined, `shorten the reasons or remove ${size - MAX_SCAN_POLICY_BYTES} bytes of entries (fix the packages instead of ignoring them)`),
    );
  }
  return policy;
}
