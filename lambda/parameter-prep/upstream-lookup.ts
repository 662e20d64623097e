/**
 * Looks up what each upstream reference resolves to now, with the same selector the recipe uses: GetImage and
 * GetComponent accept a version ARN with x wildcards and answer with the newest matching build version that is
 * available — what a build started now would use.
 *
 * It never throws and never hangs: it has a time budget and an AbortController of its own, and whatever stops it (a
 * budget run out, throttling that outlasts the SDK's retries, access denied) comes back as `{ ok: false, error }`,
 * for the caller to decide safely (a scheduled run then rebuilds).
 */
import type * as ImagebuilderSdk from '@aws-sdk/client-imagebuilder';
import { describeError, send, withDeadline } from './attempt';
import { isResolvedVersion, type UpstreamReference, type UpstreamVersions } from './upstream';

/** The Image Builder client, with the lazily loaded SDK module it came from. */
export interface Imagebuilder {
  readonly client: ImagebuilderSdk.ImagebuilderClient;
  readonly sdk: typeof ImagebuilderSdk;
}

/** What the references resolve to now, or why that is not known. */
export type UpstreamLookup = { readonly ok: true; readonly versions: UpstreamVersions } | { readonly ok: false; readonly error: string };

export interface UpstreamLookupJob {
  readonly references: readonly UpstreamReference[];
  /** `arn:<partition>:imagebuilder:<region>:aws:` (see awsOwnedArnPrefix). */
  readonly arnPrefix: string;
  readonly imagebuilder: () => Promise<Imagebuilder>;
  /** The attempt's signal: when the attempt ends, so does the lookup. */
  readonly signal: AbortSignal;
  /** How long the lookup may take. */
  readonly budgetMs: number;
}

/** Below this, no lookup is started: a budget this short would only end in a stop message. */
const MIN_BUDGET_MS = 1000;

export async function lookUpUpstream(job: UpstreamLookupJob): Promise<UpstreamLookup> {
  if (job.references.length === 0) return { ok: true, versions: {} };
  if (job.budgetMs < MIN_BUDGET_MS) return { ok: false, error: `only ${seconds(job.budgetMs)} s were left before the function's deadline` };
  const controller = new AbortController();
  const signal = AbortSignal.any([job.signal, controller.signal]);
  const work = (async () => {
    const { client, sdk } = await job.imagebuilder();
    const resolved = await Promise.all(job.references.map(async (ref) => [ref.text, await resolve(ref, job.arnPrefix, client, sdk, signal)] as const));
    return Object.fromEntries(resolved);
  })();
  try {
    const versions = await withDeadline(work, job.budgetMs, controller, () => new Error(`no answer from Image Builder within ${seconds(job.budgetMs)} s`));
    return { ok: true, versions };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  } finally {
    // Nothing of the lookup may reach AWS once its result is known.
    controller.abort(new Error('the upstream lookup is over'));
  }
}

/** `1.0.4/1` for the newest build version the reference resolves to. */
async function resolve(ref: UpstreamReference, arnPrefix: string, client: ImagebuilderSdk.ImagebuilderClient, sdk: typeof ImagebuilderSdk, signal: AbortSignal): Promise<string> {
  const arn = `${arnPrefix}${ref.text}`;
  const found =
    ref.kind === 'image'
      ? (await send(client, new sdk.GetImageCommand({ imageBuildVersionArn: arn }), signal)).image
      : (await send(client, new sdk.GetComponentCommand({ componentBuildVersionArn: arn }), signal)).component;
  // The build version ARN ends in /<version>/<build>; `version` alone lacks the build number.
  const m = /\/([0-9]+\.[0-9]+\.[0-9]+)\/([0-9]+)$/.exec(found?.arn ?? '');
  const version = m ? `${m[1]}/${m[2]}` : found?.version;
  if (version === undefined || !isResolvedVersion(version)) {
    throw new Error(`${ref.kind === 'image' ? 'GetImage' : 'GetComponent'} of ${arn} answered without a version (arn ${JSON.stringify(found?.arn)}, version ${JSON.stringify(found?.version)})`);
  }
  return version;
}

function seconds(ms: number): number {
  return Math.round(Math.max(ms, 0) / 1000);
}
