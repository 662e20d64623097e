/**
 * The promote step: an image's release reaches one environment (another account and region).
 *
 * The image is built once, in the pipeline's account; Image Builder copies the AMI into each environment's region and
 * gives each environment's account launch permission, so the environment runs an AMI the pipeline's account owns. The
 * step finds that copy by its tags (the version the image's release step released), checks that the environment's
 * account may launch it and, after the first environment, that the environment before this one runs the same version,
 * then records it as the environment's release through the environment's release writer role: the release record and
 * the released AMI parameter have the same names there as in the pipeline's account, and the environment's fleet
 * stacks resolve the AMI parameter when their change sets are created.
 *
 * The guarantee: an environment receives only an AMI whose rollout passed its health gate in the previous environment.
 * The pipeline's wave order runs the previous environment's promote step and fleet change sets first, in the same
 * execution, so the previous environment's record naming this version means its fleets took it and stayed healthy;
 * a rollback there (by an operator) shows as another version, and stops the promotion here.
 */
import type * as StsSdk from '@aws-sdk/client-sts';
import { ENVIRONMENT_TAG_PREFIX, environmentStackName, IMAGE_TAG_KEY, parameterPrepRoleName, PIPELINE_TAG_KEY, VERSION_TAG_KEY } from '../../lib/naming';
import { pages, send } from './attempt';
import type { Ec2 } from './housekeeping';
import { keepRelease, readRelease, recordRelease, replayAnswer, storeAnswer, type Parameters, type RecordedAnswer, type ReleasePlace, type StepAttempt } from './release-record';
import type { ReleaseState } from './state';
import { previousEnvironment, type EnvironmentWriter, type PromoteParameters } from './user-parameters';
import { parseVersion } from './versioning';

/** An STS client, with the lazily loaded SDK module it came from. */
export interface Sts {
  readonly client: StsSdk.STSClient;
  readonly sdk: typeof StsSdk;
}

/** Temporary credentials of a role assumed in another account, as an SDK client takes them. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/** What the promote step reaches AWS through. */
export interface PromoteServices {
  /** The pipeline account's EC2 client of a region. */
  readonly ec2: (region: string) => Promise<Ec2>;
  /** The function's own STS client. */
  readonly sts: () => Promise<Sts>;
  /** Parameter Store in `region` of the account whose role `credentials` belong to. */
  readonly parametersAs: (credentials: RoleCredentials, region: string) => Parameters;
}

/** How long the assumed roles' credentials last: the least AssumeRole allows, far more than a promote step takes. */
const SESSION_SECONDS = 900;

export async function promote(p: PromoteParameters, services: PromoteServices, attempt: StepAttempt): Promise<RecordedAnswer> {
  const { signal } = attempt;
  const previous = previousEnvironment(p);
  const environment = await assumeRole(p, services, { environment: p.environment, writerRoleArn: p.writerRoleArn, region: p.region }, signal);
  const place: ReleasePlace = {
    parameters: services.parametersAs(environment, p.region),
    image: p.image,
    releaseParameter: p.releaseParameter,
    releaseAmiParameter: p.releaseAmiParameter,
    step: 'promote',
  };

  const current = await readRelease(place, signal);
  // Before anything else is asked: the same job again answers as it did, whatever changed since.
  const replayed = await replayAnswer(place, current, p.executionId, attempt);
  if (replayed) return replayed;

  const { client, sdk } = await services.ec2(p.region);
  const amiId = await distributedAmi(p, services, signal);

  let record: ReleaseState;
  let promoted: boolean;
  let summary: string;
  if (current && current.rolledBackFrom === amiId) {
    // An operator rolled this environment back from this very AMI: the rollback holds until a new version comes.
    record = await keepRelease(place, current, signal);
    promoted = false;
    summary = `keeping ${p.environment}'s rollback to ${record.amiId} (${record.version}): ${amiId} (${p.version}) was rolled back from, so it is not promoted again`;
  } else {
    // The environment runs (or is about to run) this AMI: its account must be allowed to launch it.
    const attribute = await send(client, new sdk.DescribeImageAttributeCommand({ ImageId: amiId, Attribute: 'launchPermission' }), signal);
    const accounts = (attribute.LaunchPermissions ?? []).map((l) => l.UserId).filter((id): id is string => id !== undefined);
    if (!accounts.includes(p.account)) {
      throw new Error(
        `${p.image}: ${amiId} (version ${p.version}) in ${p.region} is not shared with ${p.environment}'s account ${p.account}: its launch permissions name ${accounts.length ? `only ${accounts.join(', ')}` : 'no account'}. ` +
          `Fix: the image's distribution must give account ${p.account} launch permission in ${p.region}; let the pipeline update itself (its distribution then shares with every environment's account), then build the image again (start the pipeline with rebuild=${p.image})`,
      );
    }
    if (current && current.amiId === amiId) {
      // Already this environment's release (a run that built nothing new, or this execution's own earlier attempt,
      // which stopped before storing its answer): the record stays, the hand-off is repaired.
      record = await keepRelease(place, current, signal);
      promoted = current.executionId === p.executionId;
      summary = `${amiId} (${p.version}) is already ${p.environment}'s release`;
    } else {
      // Only now does the environment receive something new: it must be what the previous environment runs.
      if (previous) await requirePrevious(p, previous, services, signal);
      record = await recordRelease(place, { amiId, version: p.version, commitId: p.commitId, executionId: p.executionId }, current, signal);
      promoted = true;
      summary = `promoted ${amiId} (${p.version}) to ${p.environment} (account ${p.account}, ${p.region})${previous ? `, as ${previous.environment} runs it` : ''}`;
    }
  }

  const variables = {
    amiId: record.amiId,
    version: record.version,
    environment: p.environment,
    previousAmiId: record.previous?.amiId ?? 'none',
    promoted: String(promoted),
  };
  await markEnvironmentUse(p, record, services, signal);
  await storeAnswer(place, record, { executionId: p.executionId, variables }, attempt, `is ${p.environment}'s release`);
  return { variables, summary };
}

/**
 * Tags the copy the environment now runs (`current`) and the one it would roll back to (`previous`), and untags every
 * other copy of the image tagged for it, so that the release step's retention spares exactly what the environment
 * may still launch (retention.ts). After the record is written: a stop in between leaves a tag missing, which the
 * same job delivered again (or the next promotion) puts right, and until then the pipeline's own releases are spared
 * as before.
 */
async function markEnvironmentUse(p: PromoteParameters, record: ReleaseState, services: PromoteServices, signal: AbortSignal): Promise<void> {
  const { client, sdk } = await services.ec2(p.region);
  const key = `${ENVIRONMENT_TAG_PREFIX}${p.environment}`;
  const wanted = new Map<string, string>([[record.amiId, 'current']]);
  if (record.previous && record.previous.amiId !== record.amiId) wanted.set(record.previous.amiId, 'previous');
  const tagged = new Map<string, string>();
  const filters = [
    { Name: `tag:${PIPELINE_TAG_KEY}`, Values: [p.pipeline] },
    { Name: `tag:${IMAGE_TAG_KEY}`, Values: [p.image] },
    { Name: 'tag-key', Values: [key] },
  ];
  for await (const page of pages(sdk.paginateDescribeImages, client, { Owners: ['self'], Filters: filters }, signal)) {
    for (const image of page.Images ?? []) {
      if (image.ImageId && image.State !== 'deregistered') tagged.set(image.ImageId, image.Tags?.find((t) => t.Key === key)?.Value ?? '');
    }
  }
  for (const [id, value] of wanted) {
    if (tagged.get(id) === value) continue;
    await send(client, new sdk.CreateTagsCommand({ Resources: [id], Tags: [{ Key: key, Value: value }] }), signal).catch((err: Error) => {
      // The previous release's copy may be gone (deregistered by hand): nothing to spare then.
      if (!(value === 'previous' && (err.name === 'InvalidAMIID.NotFound' || err.name === 'InvalidAMIID.Unavailable'))) throw err;
    });
  }
  const stale = [...tagged.keys()].filter((id) => !wanted.has(id));
  if (stale.length > 0) await send(client, new sdk.DeleteTagsCommand({ Resources: stale, Tags: [{ Key: key }] }), signal);
}

/**
 * The AMI of the image at the version, in the environment's region, owned by the pipeline's account (Image Builder's
 * copy there); throws with the fix when there is none, more than one, or it is not available.
 */
async function distributedAmi(p: PromoteParameters, services: PromoteServices, signal: AbortSignal): Promise<string> {
  const { client, sdk } = await services.ec2(p.region);
  const filters = [
    { Name: `tag:${PIPELINE_TAG_KEY}`, Values: [p.pipeline] },
    { Name: `tag:${IMAGE_TAG_KEY}`, Values: [p.image] },
    { Name: `tag:${VERSION_TAG_KEY}`, Values: [p.version] },
  ];
  const found: Array<{ id: string; state: string }> = [];
  for await (const page of pages(sdk.paginateDescribeImages, client, { Owners: ['self'], Filters: filters }, signal)) {
    for (const image of page.Images ?? []) {
      // A deregistered AMI still shows for a while (API_DescribeImages.html); it is not a copy any more.
      if (image.ImageId && image.State !== 'deregistered') found.push({ id: image.ImageId, state: image.State ?? 'unknown' });
    }
  }
  const tags = `${PIPELINE_TAG_KEY}=${p.pipeline}, ${IMAGE_TAG_KEY}=${p.image}, ${VERSION_TAG_KEY}=${p.version}`;
  if (found.length === 0) {
    throw new Error(
      `${p.image}: version ${p.version} of image ${p.image} is not in region ${p.region}: Image Builder did not distribute it there (no AMI of this account tagged ${tags}). ` +
        `Fix: the image's distribution must include ${p.region} (${p.environment}'s region); let the pipeline update itself, then build the image again (start the pipeline with rebuild=${p.image}): a version built before is not copied there`,
    );
  }
  if (found.length > 1) {
    throw new Error(
      `${p.image}: ${found.length} AMIs in ${p.region} are tagged ${tags} (${found.map((a) => a.id).join(', ')}), so which one to promote to ${p.environment} is ambiguous. ` +
        `Fix: deregister the ones that are not Image Builder's copy of this build (aws ec2 deregister-image --region ${p.region} --image-id …), then retry the stage`,
    );
  }
  const [ami] = found;
  if (ami.state !== 'available') {
    throw new Error(
      `${p.image}: ${ami.id} (version ${p.version}) in ${p.region} is ${ami.state}, not available. ` +
        `Fix: if it is pending, Image Builder is still copying it: retry the stage once it is available; otherwise build the image again (start the pipeline with rebuild=${p.image})`,
    );
  }
  return ami.id;
}

/** Throws unless the previous environment's release of the image is at this version. */
async function requirePrevious(p: PromoteParameters, previous: EnvironmentWriter, services: PromoteServices, signal: AbortSignal): Promise<void> {
  const credentials = await assumeRole(p, services, previous, signal);
  const place: ReleasePlace = { parameters: services.parametersAs(credentials, previous.region), image: p.image, releaseParameter: p.releaseParameter, releaseAmiParameter: p.releaseAmiParameter, step: 'promote' };
  const release = await readRelease(place, signal);
  // Versions, not AMI ids: each region has its own copy of a version.
  if (release && sameVersion(release.version, p.version)) return;
  throw new Error(
    `${p.image}: ${p.environment} gets only what ${previous.environment} runs: ${previous.environment}'s release of ${p.image} is ${release?.version ?? 'none'}, this run promotes ${p.version}. ` +
      `Fix: ${p.environment} gets ${p.version} once ${previous.environment} runs it; if ${previous.environment} was rolled back from ${p.version}, it waits for the next version to pass ${previous.environment}. ` +
      `Otherwise see ${previous.environment}'s promote and fleet actions in this execution, then retry this stage`,
  );
}

function sameVersion(a: string, b: string): boolean {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x !== undefined && y !== undefined && x.major === y.major && x.minor === y.minor && x.patch === y.patch;
}

/**
 * The credentials of an environment's release writer role. A refusal (AccessDenied: the role does not exist, or does
 * not trust this function's role) fails with the fix.
 */
async function assumeRole(p: PromoteParameters, services: PromoteServices, target: EnvironmentWriter, signal: AbortSignal): Promise<RoleCredentials> {
  const { client, sdk } = await services.sts();
  const assumed = await send(client, new sdk.AssumeRoleCommand({ RoleArn: target.writerRoleArn, RoleSessionName: sessionName(p.pipeline), DurationSeconds: SESSION_SECONDS }), signal).catch((err: Error) => {
    // STS answers a role that does not exist or does not trust the caller with the error code AccessDenied.
    if (err.name !== 'AccessDenied' && err.name !== 'AccessDeniedException') throw err;
    throw new Error(
      `${p.image}: cannot assume ${target.environment}'s release writer role ${target.writerRoleArn} (${err.name}: ${err.message}). ` +
        `Fix: deploy the environment stack ${environmentStackName(p.pipeline, target.environment)} in ${target.environment}'s account (it creates the role, trusting this function's role ${parameterPrepRoleName(p.pipeline)}), ` +
        `and bootstrap that account to trust the pipeline's account; see README "Environments"`,
    );
  });
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`${p.image}: AssumeRole of ${target.writerRoleArn} answered without credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

/** `<pipeline>-promote` as a role session name: at most 64 characters of letters, digits and +=,.@_- (AssumeRole's rule). */
export function sessionName(pipeline: string): string {
  return `${pipeline}-promote`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
