/**
 * parameter-prep: the CodePipeline Lambda action between the pipeline and Image Builder.
 *
 * mode "prepare": decides the version of the image build and writes it to SSM, where the image stack's SSM-typed
 *   parameter picks it up when its change set is created (CDK Pipelines cannot pass parameter overrides).
 * mode "release": verifies the AMI the image stack produced and records it as the release its fleet resolves.
 *
 * Contract with CodePipeline: exactly one PutJobSuccessResult or PutJobFailureResult per invocation, before the
 * function's own timeout; the event (it carries artifact credentials) is never logged; a redelivered job of the same
 * pipeline execution gives the same answer without bumping again.
 */
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { planRetention } from './retention';
import { amiRejection } from './verify-ami';
import { decideBuild } from './build-decision';
import { parseBuildState, parseReleaseState, recordOf, type BuildState, type ReleaseState } from './state';
import { parseUserParameters, type PrepareParameters, type ReleaseParameters } from './user-parameters';
import { parseMajorMinor, parseVersion } from './versioning';

// Created once per container. Standard retry mode backs off on throttling and transient errors.
const clientConfig = { maxAttempts: 5, retryMode: 'standard' as const };
const ssm = new SSMClient(clientConfig);
const codepipeline = new CodePipelineClient(clientConfig);

// The EC2 client takes ~175 ms to load (three times the others together) and only release mode needs it: load it
// on first use, once per container, so prepare — which runs for every image on every run — starts faster.
let ec2: Promise<{ client: Ec2Sdk.EC2Client; sdk: typeof Ec2Sdk }> | undefined;
function ec2Client(): Promise<{ client: Ec2Sdk.EC2Client; sdk: typeof Ec2Sdk }> {
  ec2 ??= import('@aws-sdk/client-ec2').then((sdk) => ({ client: new sdk.EC2Client(clientConfig), sdk }));
  return ec2;
}

/** The part of the CodePipeline job event this function reads. */
export interface CodePipelineJobEvent {
  readonly 'CodePipeline.job': {
    readonly id: string;
    readonly data: { readonly actionConfiguration: { readonly configuration: { readonly UserParameters?: string } } };
  };
}

/** The part of the Lambda context this function reads. */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Output variables, shown in the CodePipeline console and usable by later actions. */
export type OutputVariables = Record<string, string>;

/** Time kept back from the Lambda timeout to report a failure instead of being cut off silently. */
const REPORTING_RESERVE_MS = 5000;

export async function handler(event: CodePipelineJobEvent, context: InvocationContext): Promise<void> {
  const jobId = event['CodePipeline.job'].id;
  const log = (message: string, extra: object = {}) => console.log(JSON.stringify({ jobId, message, ...extra }));

  let outcome: { ok: true; variables: OutputVariables; summary: string } | { ok: false; message: string };
  try {
    const params = parseUserParameters(event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters);
    log('start', { mode: params.mode, image: params.image });
    const work = params.mode === 'prepare' ? prepare(params) : release(params);
    outcome = { ok: true, ...(await withDeadline(work, context.getRemainingTimeInMillis() - REPORTING_RESERVE_MS)) };
  } catch (err) {
    outcome = { ok: false, message: describeError(err) };
  }

  if (outcome.ok) {
    log('success', { summary: outcome.summary, variables: outcome.variables });
    await codepipeline.send(new PutJobSuccessResultCommand({ jobId, outputVariables: outcome.variables }));
  } else {
    log('failure', { error: outcome.message });
    await codepipeline.send(
      new PutJobFailureResultCommand({
        jobId,
        failureDetails: { type: 'JobFailed', message: outcome.message.slice(0, 5000), externalExecutionId: context.awsRequestId },
      }),
    );
  }
}

async function prepare(p: PrepareParameters): Promise<{ variables: OutputVariables; summary: string }> {
  const configured = parseMajorMinor(p.majorMinor);
  if (!configured) throw new Error(`UserParameters.majorMinor must be MAJOR.MINOR (got ${JSON.stringify(p.majorMinor)})`);

  const stored = await getParameter(p.stateParameter);
  const state = stored === undefined ? undefined : parseBuildState(p.stateParameter, stored);
  const last = state && { version: state.parsedVersion, fingerprint: state.fingerprint, executionId: state.executionId };
  const decision = decideBuild({ image: p.image, configured, fingerprint: p.fingerprint, rebuild: p.rebuild, executionId: p.executionId }, last);
  if (!decision.ok) throw new Error(`${p.image}: ${decision.reason}`);

  if (decision.build && !decision.redelivered) {
    const newState: BuildState = { version: decision.version, fingerprint: p.fingerprint, executionId: p.executionId, updatedAt: new Date().toISOString() };
    // State first, hand-off second: a crash in between is repaired when the job is delivered again.
    await putParameter(p.stateParameter, JSON.stringify(newState), `parameter-prep state of image ${p.image}; do not edit by hand`);
  }
  // Written on every run, so a hand-off parameter that went missing is repaired; an unchanged value changes nothing.
  await putParameter(p.versionParameter, decision.version, `Image version of ${p.image} for its next image stack change set`);
  const variables = {
    version: decision.version,
    previousVersion: state?.version ?? 'none',
    build: String(decision.build),
    reason: decision.reason,
    redelivered: String(decision.redelivered),
  };
  return { variables, summary: `${decision.build ? 'build' : 'no build'} ${decision.version}: ${decision.reason}` };
}

async function release(p: ReleaseParameters): Promise<{ variables: OutputVariables; summary: string }> {
  if (!parseVersion(p.version)) throw new Error(`UserParameters.version must be MAJOR.MINOR.PATCH (got ${JSON.stringify(p.version)})`);
  if (!/^ami-[0-9a-f]{8,17}$/.test(p.amiId)) throw new Error(`UserParameters.amiId is not an AMI id (got ${JSON.stringify(p.amiId)})`);

  const { client, sdk } = await ec2Client();
  const described = await client.send(new sdk.DescribeImagesCommand({ ImageIds: [p.amiId] })).catch((err: Error) => {
    if (err.name === 'InvalidAMIID.NotFound' || err.name === 'InvalidAMIID.Unavailable') return { Images: [] };
    throw err;
  });
  const rejection = amiRejection(described.Images?.[0], p);
  if (rejection) throw new Error(`${p.image}: ${rejection}`);

  const stored = await getParameter(p.releaseParameter);
  const current: ReleaseState | undefined = stored === undefined ? undefined : parseReleaseState(p.releaseParameter, stored);
  const amiDescription = `Released AMI of ${p.image}; fleets resolve it`;
  if (current?.amiId === p.amiId || (current?.rolledBackFrom === p.amiId)) {
    // Already released (redelivery, or a run that built nothing new), or rolled back from by an operator: keep the
    // record as it is and repair the hand-off.
    await putParameter(p.releaseAmiParameter, current.amiId, amiDescription, 'aws:ec2:image');
    const pruned = await prune(p, current);
    const variables = { amiId: current.amiId, version: current.version, previousAmiId: current.previous?.amiId ?? 'none', rolledBack: String(current.amiId !== p.amiId), ...pruned };
    return { variables, summary: current.amiId === p.amiId ? `${p.amiId} already released` : `keeping the rollback to ${current.amiId}` };
  }
  const previous = current ? recordOf(current) : undefined;
  const record: ReleaseState = { amiId: p.amiId, version: p.version, commitId: p.commitId, executionId: p.executionId, releasedAt: new Date().toISOString(), previous };
  await putParameter(p.releaseParameter, JSON.stringify(record), `Release record of ${p.image} (current and previous); do not edit by hand`);
  // The AMI parameter is the commit point: fleets only see the new image once this succeeds.
  await putParameter(p.releaseAmiParameter, p.amiId, amiDescription, 'aws:ec2:image');
  const pruned = await prune(p, record);
  return { variables: { amiId: p.amiId, version: p.version, previousAmiId: previous?.amiId ?? 'none', rolledBack: 'false', ...pruned }, summary: `released ${p.amiId} (${p.version})` };
}

/**
 * Applies the retention plan to the image's AMIs, sparing the current and previous release. Runs after the release is
 * recorded, so a failure here cannot undo it; it is reported in the output variables and the log instead of failing the
 * action, because stopping the pipeline would also stop the fleet rollout of a good image.
 */
async function prune(p: ReleaseParameters, release: ReleaseState): Promise<{ deprecated: string; deleted: string; retentionError: string }> {
  const keep = Number(p.keepImages);
  const deleteBeyond = Number(p.deleteBeyond);
  const done = { deprecated: [] as string[], deleted: [] as string[] };
  try {
    if (!Number.isInteger(keep) || !Number.isInteger(deleteBeyond) || keep < 0 || deleteBeyond < keep) {
      throw new Error(`UserParameters.keepImages/deleteBeyond must be whole numbers with deleteBeyond >= keepImages (got ${p.keepImages}/${p.deleteBeyond})`);
    }
    const { client, sdk } = await ec2Client();
    const described = await client.send(
      new sdk.DescribeImagesCommand({
        Owners: ['self'],
        Filters: [
          { Name: 'tag:golden-ami:pipeline', Values: [p.pipeline] },
          { Name: 'tag:golden-ami:image', Values: [p.image] },
        ],
      }),
    );
    const amis = (described.Images ?? []).map((i) => ({ id: i.ImageId!, creationDate: i.CreationDate ?? '', deprecationTime: i.DeprecationTime }));
    const plan = planRetention(amis, new Set([release.amiId, release.previous?.amiId].filter((id): id is string => Boolean(id))), keep, deleteBeyond);
    for (const id of plan.deprecate) {
      await client.send(new sdk.EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: new Date(Date.now() + 60_000) }));
      done.deprecated.push(id);
    }
    for (const id of plan.delete) {
      await client.send(new sdk.DeregisterImageCommand({ ImageId: id, DeleteAssociatedSnapshots: true }));
      done.deleted.push(id);
    }
    return { deprecated: done.deprecated.join(' ') || 'none', deleted: done.deleted.join(' ') || 'none', retentionError: 'none' };
  } catch (err) {
    const message = describeError(err);
    console.log(JSON.stringify({ message: 'retention failed; the release stands', error: message }));
    return { deprecated: done.deprecated.join(' ') || 'none', deleted: done.deleted.join(' ') || 'none', retentionError: message.slice(0, 200) };
  }
}

async function getParameter(name: string): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (err) {
    if (err instanceof ParameterNotFound || (err as Error).name === 'ParameterNotFound') return undefined;
    throw err;
  }
}

async function putParameter(name: string, value: string, description: string, dataType?: string): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true, Description: description, DataType: dataType }));
}

/** Rejects when `ms` pass first, so a stuck call still ends in PutJobFailureResult. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${Math.round(ms / 1000)} s waiting for AWS; retry the action`)), Math.max(ms, 0));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A one-line message for the CodePipeline console: the AWS error name when there is one, then what it said. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const aws = err as Error & { $metadata?: unknown };
    return aws.$metadata && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  }
  return String(err);
}
