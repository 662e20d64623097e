/**
 * What an image is built from upstream: its AWS-managed parent image and the AWS-managed components of its recipe,
 * and the versions they resolve to. Pure (parsing, comparing, describing); the lookups are in upstream-lookup.ts.
 *
 * A reference is the resource part of an Image Builder ARN in the account "aws", exactly as the recipe names it:
 * `image/<name>/<version selector>` or `component/<name>/<version selector>`, e.g. image/amazon-linux-2023-x86/x.x.x.
 * What it resolves to is written `MAJOR.MINOR.PATCH/BUILD`: a version selector resolves to the newest matching build
 * version, and even a fixed version can get a newer build.
 */

export type UpstreamKind = 'image' | 'component';

/** One AWS-owned resource the recipe names. */
export interface UpstreamReference {
  readonly kind: UpstreamKind;
  readonly name: string;
  /** Version selector as the recipe has it, e.g. x.x.x or 1.0.x. */
  readonly selector: string;
  /** The reference as written, e.g. component/update-linux/x.x.x: the key of its recorded version. */
  readonly text: string;
}

/** Resolved versions by reference text (`component/update-linux/x.x.x` → `1.0.4/1`). */
export type UpstreamVersions = Readonly<Record<string, string>>;

const NODE = '(?:x|0|[1-9][0-9]*)';
const REFERENCE = new RegExp(`^(image|component)/([a-z0-9_-]+)/(${NODE}\\.${NODE}\\.${NODE})$`);
const RESOLVED = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:\/(0|[1-9][0-9]*))?$/;

/** Parses one reference; undefined when it is not one. */
export function parseUpstreamReference(text: string): UpstreamReference | undefined {
  const m = REFERENCE.exec(text);
  return m ? { kind: m[1] as UpstreamKind, name: m[2], selector: m[3], text } : undefined;
}

/** Parses the UserParameters field: references separated by spaces, or "none"; throws with the field named. */
export function parseUpstreamReferences(text: string): UpstreamReference[] {
  if (text.trim() === 'none') return [];
  const parts = text.trim().split(/\s+/);
  const refs = parts.map((part) => {
    const ref = parseUpstreamReference(part);
    if (!ref) {
      throw new Error(
        `UserParameters.upstream must be "none" or references such as image/amazon-linux-2023-x86/x.x.x or component/update-linux/x.x.x separated by spaces (got ${JSON.stringify(text)}; ${JSON.stringify(part)} is not one). Fix: check parentImage and components of the image and let the pipeline update itself`,
      );
    }
    return ref;
  });
  return refs.filter((ref, i) => refs.findIndex((r) => r.text === ref.text) === i);
}

/** True for a resolved version as it is recorded: MAJOR.MINOR.PATCH with an optional /BUILD. */
export function isResolvedVersion(text: string): boolean {
  return RESOLVED.test(text);
}

/**
 * Compares two resolved versions node by node: negative when `a` is older, 0 when equal, positive when newer. A
 * missing build number counts as equal to any, so only a build number both sides know can make a difference.
 */
export function compareResolved(a: string, b: string): number {
  const pa = RESOLVED.exec(a);
  const pb = RESOLVED.exec(b);
  if (!pa || !pb) throw new Error(`not a resolved version: ${JSON.stringify(pa ? b : a)}`);
  for (let i = 1; i <= 3; i++) {
    const diff = Number(pa[i]) - Number(pb[i]);
    if (diff !== 0) return diff;
  }
  return pa[4] === undefined || pb[4] === undefined ? 0 : Number(pa[4]) - Number(pb[4]);
}

/** A reference whose newest version is newer than the one the last build recorded. */
export interface UpstreamChange {
  readonly reference: UpstreamReference;
  readonly from: string;
  readonly to: string;
}

/** What differs between the versions the last build recorded and those that resolve now. */
export interface UpstreamComparison {
  /** Newer now than at the last build. */
  readonly newer: readonly UpstreamChange[];
  /** Not recorded with the last build (state from before versions were recorded, or a lookup that failed then). */
  readonly unrecorded: readonly UpstreamReference[];
}

/**
 * Compares, for each reference, what resolves now with what the last build recorded. A version older now than
 * recorded (AWS withdrew the newest) is no reason to rebuild: the build would go back to the older one.
 */
export function compareUpstream(references: readonly UpstreamReference[], recorded: UpstreamVersions | undefined, current: UpstreamVersions): UpstreamComparison {
  const newer: UpstreamChange[] = [];
  const unrecorded: UpstreamReference[] = [];
  for (const reference of references) {
    const to = current[reference.text];
    if (to === undefined) throw new Error(`no version was looked up for ${reference.text}`);
    const from = recorded?.[reference.text];
    if (from === undefined) unrecorded.push(reference);
    else if (compareResolved(to, from) > 0) newer.push({ reference, from, to });
  }
  return { newer, unrecorded };
}

/** The reference for people: `parent image amazon-linux-2023-x86`, `component update-linux`. */
export function describeReference(reference: UpstreamReference): string {
  return `${reference.kind === 'image' ? 'parent image' : 'component'} ${reference.name}`;
}

/** `component update-linux 1.0.3 → 1.0.4`; the build numbers only when the versions are the same. */
export function describeChange(change: UpstreamChange): string {
  const version = (text: string) => text.split('/')[0];
  const sameVersion = version(change.from) === version(change.to);
  const [from, to] = sameVersion ? [change.from, change.to] : [version(change.from), version(change.to)];
  return `${describeReference(change.reference)} ${from} → ${to}`;
}

/**
 * The start of the ARNs of AWS-owned Image Builder resources in the function's partition and region, taken from the
 * function's own ARN (the Lambda context's invokedFunctionArn: arn:<partition>:lambda:<region>:<account>:function:<name>).
 */
export function awsOwnedArnPrefix(functionArn: string): string {
  const m = /^arn:([a-z-]+):lambda:([a-z0-9-]+):\d{12}:function:/.exec(functionArn);
  if (!m) throw new Error(`the function's ARN does not parse (got ${JSON.stringify(functionArn)}), so the AWS-owned Image Builder ARNs cannot be built`);
  return `arn:${m[1]}:imagebuilder:${m[2]}:aws:`;
}
