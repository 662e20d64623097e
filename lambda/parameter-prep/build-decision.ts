/**
 * Whether this pipeline run builds a new image, and with which version. Pure: the handler feeds it what SSM holds.
 * A new image is built exactly when its inputs changed (the fingerprint synth computed differs from the last one
 * built), when MAJOR.MINOR was raised, or when a rebuild was requested; otherwise the version stays, the image stack's
 * change set has nothing to change, and no image is built.
 */
import { formatVersion, nextVersion, type SemanticVersion } from './versioning';

/** What the function remembers about an image between runs. */
export interface LastBuild {
  readonly version: SemanticVersion;
  /** Fingerprint of the inputs of that build; absent in state written before fingerprints existed. */
  readonly fingerprint?: string;
  readonly executionId: string;
}

export interface BuildRequest {
  readonly image: string;
  readonly configured: Pick<SemanticVersion, 'major' | 'minor'>;
  readonly fingerprint: string;
  /** The pipeline variable `rebuild`: "true"/"all", or image names separated by commas or spaces. */
  readonly rebuild: string;
  readonly executionId: string;
}

export type BuildDecision =
  | { readonly ok: true; readonly build: boolean; readonly version: string; readonly reason: string; readonly redelivered: boolean }
  | { readonly ok: false; readonly reason: string };

/** True when the `rebuild` variable asks for this image. */
export function rebuildRequested(rebuild: string, image: string): boolean {
  const wanted = rebuild.split(/[\s,]+/).map((s) => s.toLowerCase()).filter(Boolean);
  return wanted.includes('true') || wanted.includes('all') || wanted.includes(image.toLowerCase());
}

export function decideBuild(request: BuildRequest, last: LastBuild | undefined): BuildDecision {
  if (last && last.executionId === request.executionId) {
    // The execution that decided the last build, without its stored answer (state written before answers were
    // stored, or the answer of a later execution replaced it): it was told to build this version, so it still is.
    return { ok: true, build: true, version: formatVersion(last.version), reason: 'same pipeline execution as the stored decision', redelivered: true };
  }
  const next = nextVersion(request.configured, last?.version);
  if (!next.ok) return { ok: false, reason: next.reason };
  const bumped = formatVersion(next.version);
  if (!last) return { ok: true, build: true, version: bumped, reason: 'first build of this image', redelivered: false };
  if (next.version.patch === 0 && (request.configured.major !== last.version.major || request.configured.minor !== last.version.minor)) {
    return { ok: true, build: true, version: bumped, reason: `version raised to ${request.configured.major}.${request.configured.minor}`, redelivered: false };
  }
  if (last.fingerprint !== request.fingerprint) return { ok: true, build: true, version: bumped, reason: 'image inputs changed', redelivered: false };
  if (rebuildRequested(request.rebuild, request.image)) return { ok: true, build: true, version: bumped, reason: 'rebuild requested', redelivered: false };
  return { ok: true, build: false, version: formatVersion(last.version), reason: 'image inputs unchanged; keeping the current image', redelivered: false };
}
