/**
 * Semantic version arithmetic for Image Builder resources. MAJOR.MINOR comes from the image's configuration,
 * PATCH is counted here. Image Builder requires MAJOR.MINOR.PATCH of non-negative integers.
 */

export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const MAJOR_MINOR = /^(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Parses MAJOR.MINOR.PATCH; returns undefined for anything else. */
export function parseVersion(text: string): SemanticVersion | undefined {
  const m = SEMVER.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

/** Parses the configured MAJOR.MINOR; returns undefined for anything else. */
export function parseMajorMinor(text: string): Pick<SemanticVersion, 'major' | 'minor'> | undefined {
  const m = MAJOR_MINOR.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function formatVersion(v: SemanticVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Outcome of deciding the version of the next build. */
export type NextVersion =
  | { readonly ok: true; readonly version: SemanticVersion }
  | { readonly ok: false; readonly reason: string };

/**
 * The version the next image build gets.
 * - no previous build: MAJOR.MINOR.0
 * - configured MAJOR.MINOR raised: MAJOR.MINOR.0
 * - same MAJOR.MINOR: PATCH + 1
 * - configured MAJOR.MINOR lower than the last build: refused, because Image Builder versions only go forward.
 */
export function nextVersion(configured: Pick<SemanticVersion, 'major' | 'minor'>, last: SemanticVersion | undefined): NextVersion {
  if (!last) return { ok: true, version: { ...configured, patch: 0 } };
  const cmp = configured.major - last.major || configured.minor - last.minor;
  if (cmp > 0) return { ok: true, version: { ...configured, patch: 0 } };
  if (cmp === 0) return { ok: true, version: { ...last, patch: last.patch + 1 } };
  return {
    ok: false,
    reason:
      `the configured version ${configured.major}.${configured.minor} is lower than the last build ${formatVersion(last)}; ` +
      `image versions only go forward. Fix: set version to "${last.major}.${last.minor}" or higher in the image's file`,
  };
}
