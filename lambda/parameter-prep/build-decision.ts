/**
 * Whether this pipeline run builds a new image, and with which version. Pure: the handler feeds it what SSM holds
 * and, for a scheduled run, what the image's upstream resolves to now.
 *
 * A new image is built exactly when its inputs changed (the fingerprint synth computed differs from the last one
 * built), when MAJOR.MINOR was raised, or when a rebuild was requested by name (or `true`/`all`). A scheduled run
 * (`rebuild=scheduled`) also builds when the parent image or an AWS-managed component has a newer version than the
 * last build recorded, or when the last build is older than the configured maximum age; it builds as well when it
 * cannot tell (the lookup failed, or the last build recorded no versions), so that no update is skipped silently.
 * Otherwise the version stays, the image stack's change set has nothing to change, and no image is built.
 */
import { compareUpstream, describeChange, describeReference, type UpstreamReference, type UpstreamVersions } from './upstream';
import type { UpstreamLookup } from './upstream-lookup';
import { formatVersion, nextVersion, type SemanticVersion } from './versioning';

/** What the function remembers about an image between runs. */
export interface LastBuild {
  readonly version: SemanticVersion;
  /** Fingerprint of the inputs of that build; absent in state written before fingerprints existed. */
  readonly fingerprint?: string;
  readonly executionId: string;
  /** When that build was decided (ISO 8601); may be empty in hand-written state. */
  readonly decidedAt?: string;
  /** What its upstream references resolved to when it was decided; absent in state written before they were recorded. */
  readonly upstream?: UpstreamVersions;
}

export interface BuildRequest {
  readonly image: string;
  readonly configured: Pick<SemanticVersion, 'major' | 'minor'>;
  readonly fingerprint: string;
  /** The pipeline variable `rebuild`: "true"/"all", image names, and "scheduled", separated by commas or spaces. */
  readonly rebuild: string;
  readonly executionId: string;
}

/** What a scheduled run knows about the image's upstream, for the decision the schedule asks for. */
export interface ScheduledCheck {
  /** The image's AWS-managed parent image and components (none: only the age counts). */
  readonly references: readonly UpstreamReference[];
  /** What they resolve to now, or why that is not known. */
  readonly lookup: UpstreamLookup;
  readonly now: Date;
  /** A last build older than this is rebuilt. */
  readonly maxAgeSeconds: number;
}

export type BuildDecision =
  | { readonly ok: true; readonly build: boolean; readonly version: string; readonly reason: string; readonly redelivered: boolean }
  | { readonly ok: false; readonly reason: string };

/** The `rebuild` value the schedule starts the pipeline with: check each image's upstream, force none. */
export const SCHEDULED_REBUILD = 'scheduled';

function words(rebuild: string): string[] {
  return rebuild.split(/[\s,]+/).map((s) => s.toLowerCase()).filter(Boolean);
}

/** True when the `rebuild` variable forces this image: "true", "all" or its name ("scheduled" forces nothing). */
export function rebuildRequested(rebuild: string, image: string): boolean {
  const wanted = words(rebuild).filter((w) => w !== SCHEDULED_REBUILD);
  return wanted.includes('true') || wanted.includes('all') || wanted.includes(image.toLowerCase());
}

/** True when the run was started by the rebuild schedule (the `rebuild` variable holds "scheduled"). */
export function isScheduledRun(rebuild: string): boolean {
  return words(rebuild).includes(SCHEDULED_REBUILD);
}

/**
 * The decision. Without `scheduled`, only what the run itself changed or asked for counts; with it (a scheduled run),
 * a run that would build nothing builds when the upstream or the age of the last build asks for it.
 */
export function decideBuild(request: BuildRequest, last: LastBuild | undefined, scheduled?: ScheduledCheck): BuildDecision {
  if (last && last.executionId === request.executionId) {
    // The execution that decided the last build, without its stored answer (state written before answers were
    // stored, or the answer of a later execution replaced it): it was told to build this version, so it still is.
    return { ok: true, build: true, version: formatVersion(last.version), reason: 'same pipeline execution as the stored decision', redelivered: true };
  }
  const next = nextVersion(request.configured, last?.version);
  if (!next.ok) return { ok: false, reason: next.reason };
  const bumped = formatVersion(next.version);
  const build = (reason: string): BuildDecision => ({ ok: true, build: true, version: bumped, reason, redelivered: false });
  if (!last) return build('first build of this image');
  if (next.version.patch === 0 && (request.configured.major !== last.version.major || request.configured.minor !== last.version.minor)) {
    return build(`version raised to ${request.configured.major}.${request.configured.minor}`);
  }
  if (last.fingerprint !== request.fingerprint) return build('image inputs changed');
  if (rebuildRequested(request.rebuild, request.image)) return build('rebuild requested');
  if (scheduled) {
    const upstream = scheduledRebuild(last, scheduled);
    if (upstream.build) return build(upstream.reason);
    return { ok: true, build: false, version: formatVersion(last.version), reason: upstream.reason, redelivered: false };
  }
  return { ok: true, build: false, version: formatVersion(last.version), reason: 'image inputs unchanged; keeping the current image', redelivered: false };
}

/** Why a scheduled run rebuilds an image whose inputs did not change, or why it does not. */
export function scheduledRebuild(last: LastBuild, check: ScheduledCheck): { build: boolean; reason: string } {
  const reasons: string[] = [];
  if (!check.lookup.ok) {
    reasons.push(`could not check for upstream updates (${check.lookup.error}); rebuilding so that no update is missed`);
  } else {
    const { newer, unrecorded } = compareUpstream(check.references, last.upstream, check.lookup.versions);
    reasons.push(...newer.map(describeChange));
    if (unrecorded.length > 0) {
      reasons.push(
        last.upstream === undefined
          ? 'the last build recorded no upstream versions; rebuilding once to record them'
          : `the last build recorded no version of ${unrecorded.map(describeReference).join(', ')}; rebuilding once to record it`,
      );
    }
  }
  const decidedAt = Date.parse(last.decidedAt ?? '');
  const maxAge = `max ${formatDuration(check.maxAgeSeconds)}`;
  let age = '';
  if (Number.isNaN(decidedAt)) {
    reasons.push(`the time of the last build is not recorded (got ${JSON.stringify(last.decidedAt ?? null)}); rebuilding to start the clock`);
  } else {
    const ageSeconds = Math.max(0, Math.floor((check.now.getTime() - decidedAt) / 1000));
    age = `last build ${formatDuration(ageSeconds)} ago (${maxAge})`;
    if (ageSeconds > check.maxAgeSeconds) reasons.push(age);
  }
  if (reasons.length > 0) return { build: true, reason: truncate(reasons.join('; ')) };
  const what = check.references.length > 0 ? 'nothing upstream changed' : 'no AWS-managed parent image or component to check';
  return { build: false, reason: `${what}; ${age}; keeping the current image` };
}

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** `30 days`, `30 days 12 hours`, `5 minutes`: the two largest units, rounded down. */
export function formatDuration(totalSeconds: number): string {
  const parts: string[] = [];
  let rest = Math.floor(totalSeconds);
  for (const [size, unit] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
    else if (parts.length > 0) break;
  }
  return parts.join(' ') || '0 seconds';
}

/** Output variables are capped in size by CodePipeline as a whole; a reason stays readable well within it. */
function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
