/**
 * parameter-prep: the CodePipeline Lambda action between the pipeline and Image Builder.
 *
 * mode "prepare": decides whether to build and the version of the build, and writes it to SSM, where the image
 *   stack's SSM-typed parameter picks it up when its change set is created (CDK Pipelines cannot pass parameter
 *   overrides). A run started by the rebuild schedule also looks up the image's AWS-managed parent image and
 *   components (upstream-lookup.ts) and builds when one is newer than the last build recorded, or when that build is
 *   older than the maximum age (build-decision.ts).
 * mode "release": verifies the AMI the image stack produced, gates it on Amazon Inspector's findings of its build
 *   (scan-lookup.ts, scan-gate.ts; the image's policy is in SSM, scan-policy.ts), records it as the release its fleet
 *   resolves, then tags its snapshots and applies retention to the image's AMIs (housekeeping.ts). The pipeline's
 *   release steps no longer take this form; an execution that started before the pipeline updated itself to lanes
 *   still runs its old release step, against this function's new code.
 * mode "lane" (every image's release step): runs beside the image stack's execute action and waits for it
 *   (build-wait.ts), releases what it built as "release" does, then, for an image with a fleet, rolls the fleet out
 *   (fleet-rollout.ts), answering CodePipeline with a continuation token until the build and the rolling update are done.
 * mode "promote" (one per environment and image, before that environment's fleet change sets): finds the AMI Image
 *   Builder distributed to the environment's region at the version the image's release step released, checks that it
 *   is shared with the environment's account and, after the first environment, that the previous environment runs that
 *   version (its fleets passed their health gate earlier in the same execution), then records it as the environment's
 *   release through the environment's release writer role (promote.ts). The pipeline's release record is not touched.
 *
 * Contract with CodePipeline: exactly one PutJobSuccessResult or PutJobFailureResult per invocation, before the
 * function's own timeout; the event (it carries artifact credentials) is never logged; a job of the same pipeline
 * execution delivered again (or retried) gets byte-identical output variables, stored with the state (a promote's in the
 * environment's release record; except a release's `fleet`, which says what this action did to the fleet); and no AWS call of an attempt runs after that
 * attempt reported its result (attempt.ts).
 */
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import type * as CloudFormationSdk from '@aws-sdk/client-cloudformation';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import type * as ImagebuilderSdk from '@aws-sdk/client-imagebuilder';
import type * as Inspector2Sdk from '@aws-sdk/client-inspector2';
import type * as StsSdk from '@aws-sdk/client-sts';
import { SSMClient } from '@aws-sdk/client-ssm';
import { describeError, send, withDeadline } from './attempt';
import { decideBuild, isScheduledRun, type LastBuild } from './build-decision';
import { imageStackBuild } from './build-wait';
import { followRollout, startRollout, type CloudFormation } from './fleet-rollout';
import { housekeep, type Ec2 } from './housekeeping';
import { promote, type RoleCredentials, type Sts } from './promote';
import { keepRelease, parametersOf, readRelease, recordRelease, replayAnswer, storeAnswer, type ReleasePlace } from './release-record';
import { parseBuildState, type BuildState, type ReleaseState, type StoredAnswer } from './state';
import { judgeFindings, refusalMessage, scanVariables } from './scan-gate';
import { buildFindings, buildScan, incompleteScan, requireInspectorForEc2, type Inspector2 } from './scan-lookup';
import { parseScanPolicy, type ScanPolicy } from './scan-policy';
import { awsOwnedArnPrefix, parseUpstreamReferences } from './upstream';
import { lookUpUpstream, type Imagebuilder, type UpstreamLookup } from './upstream-lookup';
import { distributionRegions, maxAgeSeconds, parseUserParameters, sparedEnvironments, type LaneParameters, type PrepareParameters, type ReleaseParameters } from './user-parameters';
import { amiRejection, builtBy } from './verify-ami';
import { parseMajorMinor, parseVersion } from './versioning';

export { describeError } from './attempt';

// Created once per container. Standard retry mode backs off on throttling and transient errors.
const clientConfig = { maxAttempts: 5, retryMode: 'standard' as const };
const ssm = new SSMClient(clientConfig);
/** The pipeline account's Parameter Store, in the function's region. */
const home = parametersOf(ssm);
const codepipeline = new CodePipelineClient(clientConfig);

// The EC2 client takes ~175 ms to load (three times the others together) and only release and promote need it: load
// it on first use, once per container, so prepare — which runs for every image on every run — starts faster. Release
// needs one client per distribution region, promote one per environment region; each is created on first use and kept.
let ec2Sdk: Promise<typeof Ec2Sdk> | undefined;
const ec2Clients = new Map<string, Promise<Ec2>>();
function ec2In(region?: string): Promise<Ec2> {
  const key = region ?? '';
  let ec2 = ec2Clients.get(key);
  if (!ec2) {
    ec2Sdk ??= import('@aws-sdk/client-ec2');
    ec2 = ec2Sdk.then((sdk) => ({ sdk, client: new sdk.EC2Client(region ? { ...clientConfig, region } : clientConfig) }));
    // A failed load is tried again by the next call rather than remembered for the container's life.
    ec2.catch(() => {
      ec2Clients.delete(key);
      ec2Sdk = undefined;
    });
    ec2Clients.set(key, ec2);
  }
  return ec2;
}

/** `load`, run on the first call and kept for the container's life; a load that failed is tried again by the next call. */
function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (!loaded) {
      loaded = load();
      loaded.catch(() => {
        loaded = undefined;
      });
    }
    return loaded;
  };
}

// Needed only when prepare decides to build, a scheduled run checks the upstream, or a release reads its scan.
const imagebuilder = onFirstUse<Imagebuilder>(() => import('@aws-sdk/client-imagebuilder').then((sdk: typeof ImagebuilderSdk) => ({ sdk, client: new sdk.ImagebuilderClient(clientConfig) })));
// Needed only when an image that is scanned is built or released.
const inspector = onFirstUse<Inspector2>(() => import('@aws-sdk/client-inspector2').then((sdk: typeof Inspector2Sdk) => ({ sdk, client: new sdk.Inspector2Client(clientConfig) })));
// Needed only when a release rolls out its fleet.
const cloudformation = onFirstUse<CloudFormation>(() => import('@aws-sdk/client-cloudformation').then((sdk: typeof CloudFormationSdk) => ({ sdk, client: new sdk.CloudFormationClient(clientConfig) })));
// Needed only when a release is promoted to an environment (its release writer roles).
const sts = onFirstUse<Sts>(() => import('@aws-sdk/client-sts').then((sdk: typeof StsSdk) => ({ sdk, client: new sdk.STSClient(clientConfig) })));
/**
 * Parameter Store of an environment's account, through a role assumed there. A client per promote step: the
 * credentials last only minutes, and the step makes a handful of calls.
 */
function parametersAs(credentials: RoleCredentials, region: string) {
  return parametersOf(new SSMClient({ ...clientConfig, region, credentials }));
}

/** The part of the CodePipeline job event this function reads. */
export interface CodePipelineJobEvent {
  readonly 'CodePipeline.job': {
    readonly id: string;
    readonly data: {
      readonly actionConfiguration: { readonly configuration: { readonly UserParameters?: string } };
      /** Present when CodePipeline invokes the function again for a job it answered with a continuation token. */
      readonly continuationToken?: string;
    };
  };
}

/** The part of the Lambda context this function reads. */
export interface InvocationContext {
  readonly awsRequestId: string;
  /** The function's ARN: its partition and region name the AWS-owned Image Builder resources. */
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

/** Output variables, shown in the CodePipeline console and usable by later actions. */
export type OutputVariables = Record<string, string>;

/** Time kept back from the Lambda timeout to report a failure instead of being cut off silently. */
const REPORTING_RESERVE_MS = 5000;
/** Housekeeping's share of a release: a few calls per region; what it leaves undone, the next release does. */
const HOUSEKEEPING_BUDGET_MS = 20_000;
/** Time kept after housekeeping to store the release's answer (a read and a write in SSM). */
const ANSWER_MARGIN_MS = 5000;
/** The upstream lookup's share of a prepare: one call per reference, in parallel, with the SDK's retries. */
const UPSTREAM_BUDGET_MS = 20_000;
/** Time kept after the upstream lookup to write the state and the version (two writes in SSM). */
const STATE_MARGIN_MS = 5000;
/** Reading a build's findings: 25 a page, so a few thousand take tens of seconds. */
const FINDINGS_BUDGET_MS = 60_000;
/** The least the findings get, however little time is left (a build with a few pages reads them in well under it). */
const MIN_FINDINGS_BUDGET_MS = 2000;
/** Time kept after the findings for the release's writes and its answer (housekeeping takes what is left, or waits). */
const AFTER_FINDINGS_MS = ANSWER_MARGIN_MS + 5000;

/** One invocation's attempt at its job. */
interface Attempt {
  /** Aborted when the attempt gives up or has reported: no AWS call of the attempt starts after that. */
  readonly signal: AbortSignal;
  /** Milliseconds left until the attempt must have its result (the function's deadline less the reporting reserve). */
  remainingMs(): number;
  /** The function's ARN (for the partition and region of AWS-owned resources). */
  readonly functionArn: string;
  log(message: string, extra?: object): void;
}

export async function handler(event: CodePipelineJobEvent, context: InvocationContext): Promise<void> {
  const jobId = event['CodePipeline.job'].id;
  const log = (message: string, extra: object = {}) => console.log(JSON.stringify({ jobId, message, ...extra }));
  const controller = new AbortController();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - REPORTING_RESERVE_MS;
  const attempt: Attempt = { signal: controller.signal, remainingMs: () => deadline - Date.now(), functionArn: context.invokedFunctionArn, log };

  let outcome: ({ ok: true } & Answer) | { ok: false; message: string };
  try {
    const { data } = event['CodePipeline.job'];
    const params = parseUserParameters(data.actionConfiguration.configuration.UserParameters);
    log('start', { mode: params.mode, image: params.image, continued: data.continuationToken !== undefined });
    const work =
      params.mode === 'prepare'
        ? prepare(params, attempt)
        : params.mode === 'release'
          ? release(params, attempt)
          : params.mode === 'promote'
            ? promote(params, { ec2: ec2In, sts, parametersAs }, attempt)
            : lane(params, data.continuationToken, attempt);
    const budget = attempt.remainingMs();
    const gaveUp = () => new Error(`gave up after ${Math.round(Math.max(budget, 0) / 1000)} s waiting for AWS; retry the action`);
    outcome = { ok: true, ...(await withDeadline(work, budget, controller, gaveUp)) };
  } catch (err) {
    outcome = { ok: false, message: describeError(err) };
  }
  // Whatever happened, the attempt is over before it reports: a call still pending is cancelled and none can start,
  // so nothing is written after CodePipeline was told the result. (The report itself is not part of the attempt.)
  controller.abort(new Error('this attempt has already reported its result'));

  if (outcome.ok && outcome.continuationToken !== undefined) {
    // Not done yet: CodePipeline invokes the function again with the token. Output variables only come with the end.
    log('continuing', { summary: outcome.summary });
    await codepipeline.send(new PutJobSuccessResultCommand({ jobId, continuationToken: outcome.continuationToken, executionDetails: { summary: outcome.summary.slice(0, 2048) } }));
  } else if (outcome.ok) {
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

/** What an invocation answers: the output variables and a summary, or (a lane still rolling) a continuation token. */
interface Answer {
  readonly variables: OutputVariables;
  readonly summary: string;
  readonly continuationToken?: string;
}

async function prepare(p: PrepareParameters, attempt: Attempt): Promise<Answer> {
  const configured = parseMajorMinor(p.majorMinor);
  if (!configured) throw new Error(`UserParameters.majorMinor must be MAJOR.MINOR (got ${JSON.stringify(p.majorMinor)})`);
  const versionDescription = `Image version of ${p.image} for its next image stack change set`;

  const stored = await home.get(p.stateParameter, attempt.signal);
  const state = stored === undefined ? undefined : parseBuildState(p.stateParameter, stored);
  if (state?.answer?.executionId === p.executionId) {
    // The same job again (redelivery, or the stage retried in this execution): the answer it was given, unchanged,
    // and the hand-off repaired in case the first delivery stopped before writing it.
    const version = state.answer.variables.version;
    if (version === undefined || !parseVersion(version)) {
      throw new Error(`SSM parameter ${p.stateParameter} holds an answer without a valid version (got ${JSON.stringify(version)}). Fix: remove the "answer" field from its JSON; the next job stores a new one`);
    }
    attempt.log('redelivered: returning the stored answer', { executionId: p.executionId });
    await home.put(p.versionParameter, version, versionDescription, attempt.signal);
    return { variables: state.answer.variables, summary: `same pipeline execution as the stored answer: ${JSON.stringify(state.answer.variables)}` };
  }

  const last: LastBuild | undefined = state && {
    version: state.parsedVersion,
    fingerprint: state.fingerprint,
    executionId: state.executionId,
    decidedAt: state.updatedAt,
    upstream: state.upstream,
  };
  const request = { image: p.image, configured, fingerprint: p.fingerprint, rebuild: p.rebuild, executionId: p.executionId };
  const references = parseUpstreamReferences(p.upstream);
  const scheduled = isScheduledRun(p.rebuild);
  const unscheduled = decideBuild(request, last);
  if (!unscheduled.ok) throw new Error(`${p.image}: ${unscheduled.reason}`);
  // Looked up when a build is decided (to record what it is built from) and when a scheduled run must compare.
  let upstream: UpstreamLookup | undefined;
  if (!unscheduled.redelivered && (unscheduled.build || (scheduled && last))) {
    upstream = await lookUpUpstream({
      references,
      arnPrefix: awsOwnedArnPrefix(attempt.functionArn),
      imagebuilder,
      signal: attempt.signal,
      budgetMs: Math.min(UPSTREAM_BUDGET_MS, attempt.remainingMs() - STATE_MARGIN_MS),
    });
    if (upstream.ok) attempt.log('upstream versions', { upstream: upstream.versions });
    else attempt.log('upstream lookup failed', { error: upstream.error });
  }
  // Only a scheduled run that nothing else makes build asks the upstream and the age.
  const check = scheduled && last && upstream && !unscheduled.build ? { references, lookup: upstream, now: new Date(), maxAgeSeconds: maxAgeSeconds(p) } : undefined;
  const decision = check ? decideBuild(request, last, check) : unscheduled;
  if (!decision.ok) throw new Error(`${p.image}: ${decision.reason}`);
  if (decision.redelivered) attempt.log('redelivered: the stored state has no answer for this execution; repeating its build decision', { executionId: p.executionId });
  // A build whose upstream could not be looked up records none: the next scheduled run rebuilds to record it.
  const unrecorded = !check && decision.build && upstream && !upstream.ok ? `; upstream versions not recorded (${upstream.error}), so the next scheduled run rebuilds` : '';

  const variables: OutputVariables = {
    version: decision.version,
    // A redelivery without a stored answer cannot know what the first delivery found before it: say so.
    previousVersion: decision.redelivered ? 'unknown' : (state?.version ?? 'none'),
    build: String(decision.build),
    reason: `${decision.reason}${unrecorded}`,
  };
  if (decision.build) {
    // A build that will be scanned needs Inspector: refused now rather than after the build's hour (state untouched).
    const policy = await scanPolicy(p.scanPolicyParameter, attempt.signal);
    if (policy.enabled) await requireInspectorForEc2(inspector, attempt.signal, { image: p.image, file: policy.file, region: regionOf(attempt) });
  }
  const answer: StoredAnswer = { executionId: p.executionId, variables };
  // version/fingerprint/executionId/upstream stay those of the last build decided; the answer is stored for every decision.
  const newState: BuildState =
    state && (!decision.build || decision.redelivered)
      ? { version: state.version, fingerprint: state.fingerprint, executionId: state.executionId, updatedAt: state.updatedAt, upstream: state.upstream, answer }
      : {
          version: decision.version,
          fingerprint: p.fingerprint,
          executionId: p.executionId,
          updatedAt: new Date().toISOString(),
          upstream: upstream?.ok ? upstream.versions : undefined,
          answer,
        };
  // State first, hand-off second: a stop in between is repaired when the job is delivered again.
  await home.put(p.stateParameter, JSON.stringify(newState), `parameter-prep state of image ${p.image}; do not edit by hand`, attempt.signal);
  // An unchanged value changes nothing; a hand-off parameter that went missing is written again.
  await home.put(p.versionParameter, decision.version, versionDescription, attempt.signal);
  return { variables, summary: `${decision.build ? 'build' : 'no build'} ${decision.version}: ${decision.reason}` };
}

/**
 * An image's lane: wait beside the image stack's execute action until it is done (build-wait.ts), release what it
 * built, then roll the image's fleet out (fleet-rollout.ts). Every invocation of the job, the continued ones too, asks
 * CodePipeline where the build is and goes through the release: after the first it finds its own stored answer.
 */
async function lane(p: LaneParameters, continuationToken: string | undefined, attempt: Attempt): Promise<Answer> {
  const build = await imageStackBuild(codepipeline, p.pipeline, p.executionId, p.imageStack, attempt.signal);
  if (build.state === 'pending') {
    const token = JSON.stringify({ phase: 'build', stack: p.imageStack });
    return { variables: {}, summary: `waiting for image stack ${p.imageStack} to be built (its execute action: ${build.status})`, continuationToken: token };
  }
  if (build.state === 'failed') {
    throw new Error(`${p.image}: the execute action of image stack ${p.imageStack} ${build.status.toLowerCase()} (${build.reason.replace(/\.$/, '')}), so nothing was released and the fleet runs what it ran before. Fix: see that action's failure in this stage, then retry the stage`);
  }
  const { imageStack: _stack, fleetStack, fleetFingerprint, ...rest } = p;
  const released = await release({ ...rest, mode: 'release', ...build.outputs }, attempt);
  // An image without a fleet: released as soon as its own build is, whatever the other images' builds do.
  if (fleetStack === undefined || fleetFingerprint === undefined) return released;
  const rollout = { image: p.image, stack: fleetStack, fingerprint: fleetFingerprint, amiId: released.variables.amiId, cloudformation, signal: attempt.signal };
  const rolling = continuationToken !== undefined && !isBuildToken(continuationToken);
  const step = rolling ? await followRollout(rollout, continuationToken) : await startRollout(rollout);
  if (!step.done) return { variables: {}, summary: step.progress, continuationToken: step.token };
  return { variables: { ...released.variables, fleet: step.fleet }, summary: `${released.summary}; fleet ${step.fleet}` };
}

/** The token a lane gives while the build runs: the next invocation asks where the build is, not the rollout. */
function isBuildToken(token: string): boolean {
  try {
    return (JSON.parse(token) as { phase?: string }).phase === 'build';
  } catch {
    return false;
  }
}

async function release(p: ReleaseParameters, attempt: Attempt): Promise<Answer> {
  if (!parseVersion(p.version)) throw new Error(`UserParameters.version must be MAJOR.MINOR.PATCH (got ${JSON.stringify(p.version)})`);
  if (!/^ami-[0-9a-f]{8,17}$/.test(p.amiId)) throw new Error(`UserParameters.amiId is not an AMI id (got ${JSON.stringify(p.amiId)})`);
  const { signal } = attempt;
  const homeRegion = process.env.AWS_REGION;
  const regions = distributionRegions(p, homeRegion);
  const place: ReleasePlace = { parameters: home, image: p.image, releaseParameter: p.releaseParameter, releaseAmiParameter: p.releaseAmiParameter, step: 'release' };

  const current = await readRelease(place, signal);
  const replayed = await replayAnswer(place, current, p.executionId, attempt);
  if (replayed) return replayed;

  const { client, sdk } = await ec2In();
  // EC2 answers a missing AMI id with an error, not an empty list (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
  const described = await send(client, new sdk.DescribeImagesCommand({ ImageIds: [p.amiId] }), signal).catch((err: Error) => {
    if (err.name === 'InvalidAMIID.NotFound' || err.name === 'InvalidAMIID.Unavailable') return { Images: [] };
    throw err;
  });
  const ami = described.Images?.[0];
  const rejection = amiRejection(ami, p);
  if (rejection) throw new Error(`${p.image}: ${rejection}`);

  let record: ReleaseState;
  let summary: string;
  let scan: OutputVariables;
  if (current && (current.amiId === p.amiId || current.rolledBackFrom === p.amiId)) {
    // Already released (a run that built nothing new), or rolled back from by an operator: keep the record as it is
    // and repair the hand-off.
    record = await keepRelease(place, current, signal);
    summary = record.amiId === p.amiId ? `${p.amiId} already released` : `keeping the rollback to ${record.amiId}`;
    if (record.amiId === p.amiId && current.executionId === p.executionId) {
      // Released by this very execution, whose attempt stopped before it stored its answer: judged again (read only,
      // the same findings under the same policy), so the retry answers as the first attempt would have.
      scan = await scanGate(p, builtBy(ami!)!, current.previous?.amiId, attempt).catch((err: unknown) => ({ scan: `released by this execution; judging it again failed (${describeError(err)})` }));
    } else {
      scan = { scan: `not judged again: ${p.amiId} ${record.amiId === p.amiId ? 'is already released' : 'was rolled back from'}` };
    }
  } else {
    // The gate: nothing is written before it passes, so a refused AMI leaves the release (and the fleet) as it was.
    scan = await scanGate(p, builtBy(ami!)!, current?.amiId, attempt);
    record = await recordRelease(place, { amiId: p.amiId, version: p.version, commitId: p.commitId, executionId: p.executionId }, current, signal);
    summary = `released ${p.amiId} (${p.version})`;
  }

  const housekeeping = await housekeep({
    pipeline: p.pipeline,
    image: p.image,
    keepImages: p.keepImages,
    deleteBeyond: p.deleteBeyond,
    release: record,
    environments: sparedEnvironments(p),
    homeRegion,
    regions,
    ec2: ec2In,
    signal,
    budgetMs: Math.min(HOUSEKEEPING_BUDGET_MS, attempt.remainingMs() - ANSWER_MARGIN_MS),
    log: attempt.log,
  });
  const variables: OutputVariables = {
    amiId: record.amiId,
    version: record.version,
    previousAmiId: record.previous?.amiId ?? 'none',
    rolledBack: String(record.amiId !== p.amiId),
    ...scan,
    ...housekeeping,
  };
  // Stored after housekeeping: an operator rollback while it ran is not undone (storeAnswer reads the record again).
  await storeAnswer(place, record, { executionId: p.executionId, variables }, attempt, 'is released');
  return { variables, summary };
}

/**
 * Judges the AMI's build on its vulnerability scan under the image's policy: the output variables of a pass, or an
 * error (the action's failure message) that carries the findings summary and the fix.
 */
async function scanGate(p: ReleaseParameters, buildArn: string, currentAmi: string | undefined, attempt: Attempt): Promise<OutputVariables> {
  const policy = await scanPolicy(p.scanPolicyParameter, attempt.signal);
  if (!policy.enabled) return { scan: `off: ${policy.reason} (scanning.enabled is false in ${policy.file})` };
  const region = regionOf(attempt);
  await requireInspectorForEc2(inspector, attempt.signal, { image: p.image, file: policy.file, region });
  const incomplete = incompleteScan(await buildScan(imagebuilder, buildArn, attempt.signal), { image: p.image, amiId: p.amiId, buildArn, region, file: policy.file });
  if (incomplete) throw new Error(incomplete);
  const findingsBudget = Math.max(MIN_FINDINGS_BUDGET_MS, Math.min(FINDINGS_BUDGET_MS, attempt.remainingMs() - AFTER_FINDINGS_MS));
  const verdict = judgeFindings(await buildFindings(imagebuilder, buildArn, attempt.signal, findingsBudget), policy, new Date().toISOString().slice(0, 10));
  attempt.log('scan judged', { findings: verdict.counts, blocking: verdict.blocking.length, failOn: policy.failOn });
  if (verdict.blocking.length > 0) throw new Error(refusalMessage({ image: p.image, amiId: p.amiId, version: p.version, current: currentAmi }, policy, verdict));
  return scanVariables(verdict, policy.failOn);
}

/** The image's scan policy; a missing parameter is a pipeline that has not updated itself yet. */
async function scanPolicy(name: string, signal: AbortSignal): Promise<ScanPolicy> {
  const text = await home.get(name, signal);
  if (text === undefined) {
    throw new Error(`SSM parameter ${name} (the image's scan policy) does not exist. Fix: let the pipeline update itself (its UpdatePipeline stage creates it), then retry the stage`);
  }
  return parseScanPolicy(name, text);
}

/** The function's region (Lambda sets AWS_REGION), else the one in its ARN. */
function regionOf(attempt: Attempt): string {
  return process.env.AWS_REGION ?? attempt.functionArn.split(':')[3];
}
