import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand, type Stack, type StackStatus } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, ListActionExecutionsCommand, type ListActionExecutionsCommandOutput, type ActionExecutionStatus, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, DeregisterImageCommand, DeleteSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetComponentCommand, GetImageCommand, ImagebuilderClient, ListImageScanFindingsCommand } from '@aws-sdk/client-imagebuilder';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { TEMPLATE_FINGERPRINT_OUTPUT } from '../../../lambda/parameter-prep/fleet-rollout';
import { handler, type CodePipelineJobEvent } from '../../../lambda/parameter-prep/index';
import { awsError, FakeEc2, FakeImagebuilder, FakeInspector, FakeParameterStore, scanFinding } from './fake-aws';

// Lambda sets AWS_REGION to the function's region; the clients without an explicit region resolve it from there.
process.env.AWS_REGION = 'eu-west-1';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const codepipeline = mockClient(CodePipelineClient);
const imagebuilder = mockClient(ImagebuilderClient);
const inspector2 = mockClient(Inspector2Client);

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NAMES = { versionParameter: '/golden-ami/p/images/app/version', stateParameter: '/golden-ami/p/images/app/build-state' };
const RELEASE_NAMES = { releaseParameter: '/golden-ami/p/images/app/release', releaseAmiParameter: '/golden-ami/p/images/app/release-ami' };
/** The image's scan policy, as the support stack writes it (lib/pipeline/scan-policy-parameter.ts). */
const SCAN_POLICY = '/golden-ami/p/images/app/scan-policy';
const IMAGE_FILE = 'pipeline-assets/images/app.yaml';
const AMI = 'ami-0123456789abcdef0';
const PREVIOUS_AMI = 'ami-00000000000000001';
const BUILD_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app/1.0.3/1';
const OUR_TAGS = { 'golden-ami:pipeline': 'golden-ami', 'golden-ami:image': 'app' };

function event(userParameters: object | string): CodePipelineJobEvent {
  return {
    'CodePipeline.job': {
      id: 'job-1',
      data: {
        actionConfiguration: { configuration: { UserParameters: typeof userParameters === 'string' ? userParameters : JSON.stringify(userParameters) } },
        // What CodePipeline really sends along: credentials that must never reach the logs.
        artifactCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token' },
      } as never,
    },
  };
}
/** The image's AWS-managed parent image and component, as the step passes them. */
const UPSTREAM = 'image/amazon-linux-2023-x86/x.x.x component/update-linux/x.x.x';
/** What they resolve to in the fake world unless a test publishes newer versions. */
const CURRENT = { 'image/amazon-linux-2023-x86/x.x.x': '2026.11.14/1', 'component/update-linux/x.x.x': '1.0.3/1' };
const THIRTY_DAYS = String(30 * 86_400);
const prepare = (executionId = 'exec-2', majorMinor = '1.0', fingerprint = 'fp-new', rebuild = 'false', extra: object = {}) =>
  event({ mode: 'prepare', image: 'app', majorMinor, ...NAMES, executionId, fingerprint, rebuild, upstream: UPSTREAM, maxAgeSeconds: THIRTY_DAYS, scanPolicyParameter: SCAN_POLICY, ...extra });
/** What a release step and a lane both pass (lib/pipeline/parameter-prep-step.ts, releaseParameters). */
const RELEASE_PARAMETERS = { image: 'app', ...RELEASE_NAMES, executionId: 'exec-2', commitId: 'abc123', pipeline: 'golden-ami', keepImages: '1', deleteBeyond: '2', regions: 'none', scanPolicyParameter: SCAN_POLICY };
const release = (overrides: object = {}) => event({ mode: 'release', amiId: AMI, version: '1.0.3', recipeName: 'golden-ami-app', ...RELEASE_PARAMETERS, ...overrides });
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:golden-ami-parameter-prep';
const context = (remainingMs = 55_000) => ({ awsRequestId: 'req-1', invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => remainingMs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let parameters: FakeParameterStore;
let world: FakeEc2;
let upstreamWorld: FakeImagebuilder;
let inspectorWorld: FakeInspector;
const storePolicy = (policy: object) => parameters.values.set(SCAN_POLICY, JSON.stringify({ file: IMAGE_FILE, ...policy }));
const storeState = (version: string, executionId: string, fingerprint = 'fp-old', extra: object = {}) =>
  parameters.values.set(NAMES.stateParameter, JSON.stringify({ version, fingerprint, executionId, updatedAt: '2026-11-01T00:00:00.000Z', ...extra }));
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const stored = (name: string) => JSON.parse(parameters.values.get(name)!);
const puts = () => ssm.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input.Value]);
const success = () => codepipeline.commandCalls(PutJobSuccessResultCommand).map((c) => c.args[0].input);
const failures = () => codepipeline.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input);
/** When each result was reported, for tests about what may happen after it. */
let reportedAt: number[];

let logs: string[];
beforeEach(() => {
  ssm.reset();
  ec2.reset();
  codepipeline.reset();
  imagebuilder.reset();
  inspector2.reset();
  parameters = new FakeParameterStore();
  parameters.install(ssm);
  // Unless a test says otherwise: the default policy, Inspector on, and the build scanned with nothing found.
  storePolicy({ enabled: true, failOn: 'CRITICAL', ignore: [] });
  inspectorWorld = new FakeInspector();
  inspectorWorld.install(inspector2);
  world = new FakeEc2();
  world.install(ec2);
  upstreamWorld = new FakeImagebuilder().publish('image/amazon-linux-2023-x86', '2026.11.7/1').publish('image/amazon-linux-2023-x86', '2026.11.14/1').publish('component/update-linux', '1.0.3/1');
  upstreamWorld.addBuild(BUILD_ARN, { scanned: true, status: 'COMPLETED', findings: [] });
  upstreamWorld.install(imagebuilder);
  reportedAt = [];
  codepipeline.on(PutJobSuccessResultCommand).callsFake(() => void reportedAt.push(Date.now()));
  codepipeline.on(PutJobFailureResultCommand).callsFake(() => void reportedAt.push(Date.now()));
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args.join(' ')));
});
afterEach(() => {
  jest.restoreAllMocks();
  // The job event carries artifact credentials: no log line may contain them.
  expect(logs.join('\n')).not.toContain(SECRET);
});

/** Exactly one result per job, whichever it is. */
function expectOneResult() {
  expect(success().length + failures().length).toBe(1);
}

describe('prepare', () => {
  test('first run (no state yet): 1.0.0, state with the answer written before the hand-off, output variables set', async () => {
    await handler(prepare(), context());
    const variables = { version: '1.0.0', previousVersion: 'none', build: 'true', reason: 'first build of this image' };
    expect(puts().map(([name]) => name)).toEqual([NAMES.stateParameter, NAMES.versionParameter]);
    // The versions the build is decided with are recorded for the next scheduled run.
    expect(stored(NAMES.stateParameter)).toEqual({ version: '1.0.0', fingerprint: 'fp-new', executionId: 'exec-2', updatedAt: expect.any(String), upstream: CURRENT, answer: { executionId: 'exec-2', variables } });
    expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.0');
    expect(success()).toEqual([{ jobId: 'job-1', outputVariables: variables }]);
    expectOneResult();
  });

  test('a new execution whose image inputs changed bumps PATCH', async () => {
    storeState('1.0.4', 'exec-1');
    await handler(prepare('exec-2'), context());
    expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5', executionId: 'exec-2' });
    expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.5');
    expect(success()[0].outputVariables).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed' });
  });

  test('unchanged inputs keep the version; the state keeps the last build and gains this answer; build=false', async () => {
    storeState('1.0.4', 'exec-1', 'fp-same');
    await handler(prepare('exec-2', '1.0', 'fp-same'), context());
    const variables = { version: '1.0.4', previousVersion: '1.0.4', build: 'false', reason: 'image inputs unchanged; keeping the current image' };
    expect(stored(NAMES.stateParameter)).toEqual({ version: '1.0.4', fingerprint: 'fp-same', executionId: 'exec-1', updatedAt: '2026-11-01T00:00:00.000Z', answer: { executionId: 'exec-2', variables } });
    expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.4');
    expect(success()[0].outputVariables).toEqual(variables);
  });

  test('the rebuild variable forces a new image even with unchanged inputs', async () => {
    storeState('1.0.4', 'exec-1', 'fp-same');
    await handler(prepare('exec-2', '1.0', 'fp-same', 'true'), context());
    expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.5');
    expect(success()[0].outputVariables).toMatchObject({ build: 'true', reason: 'rebuild requested' });
  });

  test('raising MINOR in configuration restarts PATCH at 0', async () => {
    storeState('1.0.4', 'exec-1');
    await handler(prepare('exec-2', '1.1'), context());
    expect(parameters.values.get(NAMES.versionParameter)).toBe('1.1.0');
  });

  describe('the same job delivered again gets byte-identical output variables', () => {
    const variablesOf = () => success().map((s) => JSON.stringify(s.outputVariables));

    test('a build decision: bumped once, the same previousVersion both times', async () => {
      storeState('1.0.4', 'exec-1');
      await handler(prepare('exec-2'), context());
      await handler(prepare('exec-2'), context());
      const [first, second] = variablesOf();
      expect(second).toBe(first);
      expect(JSON.parse(first)).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed' });
      expect(puts().filter(([name]) => name === NAMES.stateParameter)).toHaveLength(1);
      expect(puts().filter(([name]) => name === NAMES.versionParameter).map(([, v]) => v)).toEqual(['1.0.5', '1.0.5']);
      expect(logs.join('\n')).toMatch(/redelivered: returning the stored answer/);
    });

    test('a decision not to build', async () => {
      storeState('1.0.4', 'exec-1', 'fp-same');
      await handler(prepare('exec-2', '1.0', 'fp-same'), context());
      await handler(prepare('exec-2', '1.0', 'fp-same'), context());
      const [first, second] = variablesOf();
      expect(second).toBe(first);
      expect(JSON.parse(first)).toMatchObject({ build: 'false', version: '1.0.4' });
    });

    test('state written before answers were stored still parses; its own execution is told to build the same version again', async () => {
      storeState('1.0.5', 'exec-2');
      await handler(prepare('exec-2'), context());
      expect(success()[0].outputVariables).toEqual({ version: '1.0.5', previousVersion: 'unknown', build: 'true', reason: 'same pipeline execution as the stored decision' });
      expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5', executionId: 'exec-2', updatedAt: '2026-11-01T00:00:00.000Z', answer: { executionId: 'exec-2' } });
    });

    test('a write that failed after the state was saved is repaired by the redelivery, with the same answer', async () => {
      storeState('1.0.4', 'exec-1');
      ssm.on(PutParameterCommand, { Name: NAMES.versionParameter }).rejectsOnce(awsError('InternalServerError', 'Internal'));
      await handler(prepare('exec-2'), context());
      expect(failures()).toHaveLength(1);
      parameters.install(ssm);
      await handler(prepare('exec-2'), context());
      expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.5');
      expect(success()[0].outputVariables).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed' });
    });
  });

  test('a configured version below the last build fails with the fix and writes nothing', async () => {
    storeState('1.2.0', 'exec-1');
    await handler(prepare('exec-2', '1.1'), context());
    expect(puts()).toEqual([]);
    expect(failures()).toEqual([
      {
        jobId: 'job-1',
        failureDetails: { type: 'JobFailed', externalExecutionId: 'req-1', message: expect.stringMatching(/^app: the configured version 1\.1 is lower than the last build 1\.2\.0.*Fix: set version to "1\.2" or higher/) },
      },
    ]);
    expectOneResult();
  });

  test.each([
    ['not JSON', 'garbage'],
    ['a version that does not parse', JSON.stringify({ version: '1.0', executionId: 'e' })],
    ['no execution id', JSON.stringify({ version: '1.0.0' })],
  ])('a stored state that is %s fails, names the parameter and the fix, and is not overwritten', async (_name, value) => {
    parameters.values.set(NAMES.stateParameter, value);
    await handler(prepare(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(new RegExp(`SSM parameter ${NAMES.stateParameter} does not hold a valid build state.*Fix: put the last built version back`));
    expectOneResult();
  });

  test('throttling that outlasts the SDK retries fails the job with the AWS error name', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await handler(prepare(), context());
    expect(failures()[0].failureDetails?.message).toBe('ThrottlingException: Rate exceeded');
    expectOneResult();
  });

  test('malformed UserParameters fail the job with the field named', async () => {
    await handler(event({ mode: 'prepare', image: 'app' }), context());
    expect(failures()[0].failureDetails?.message).toMatch(/UserParameters\.majorMinor must be a non-empty string/);
    expect(ssm.calls()).toHaveLength(0);
    expectOneResult();
  });

  test('when CodePipeline cannot be told, the invocation fails so Lambda retries it', async () => {
    codepipeline.on(PutJobSuccessResultCommand).rejects(new Error('endpoint unreachable'));
    await expect(handler(prepare('exec-2'), context())).rejects.toThrow('endpoint unreachable');
  });
});

describe('upstream versions', () => {
  /** A state whose last build was decided `days` ago with unchanged image inputs; null: written before versions were recorded. */
  const lastBuild = (days: number, upstream: object | null = CURRENT) => storeState('1.0.4', 'exec-1', 'fp-same', { updatedAt: daysAgo(days), ...(upstream ? { upstream } : {}) });
  const scheduledRun = (executionId = 'exec-2', rebuild = 'scheduled') => prepare(executionId, '1.0', 'fp-same', rebuild);
  const variables = () => success()[0].outputVariables!;

  test('a push that changes nothing asks Image Builder nothing and keeps the recorded versions', async () => {
    lastBuild(6);
    await handler(prepare('exec-2', '1.0', 'fp-same'), context());
    expect(variables()).toMatchObject({ build: 'false', reason: 'image inputs unchanged; keeping the current image' });
    expect(imagebuilder.calls()).toHaveLength(0);
    expect(stored(NAMES.stateParameter).upstream).toEqual(CURRENT);
  });

  test('a build records what the parent image and components resolve to, asking with the recipe\'s own selectors', async () => {
    storeState('1.0.4', 'exec-1');
    await handler(prepare('exec-2'), context());
    expect(upstreamWorld.calls.sort()).toEqual(['arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x', 'arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x']);
    expect(imagebuilder.commandCalls(GetImageCommand).map((c) => c.args[0].input)).toEqual([{ imageBuildVersionArn: 'arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x' }]);
    expect(imagebuilder.commandCalls(GetComponentCommand).map((c) => c.args[0].input)).toEqual([{ componentBuildVersionArn: 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x' }]);
    expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5', upstream: CURRENT });
  });

  test('a build whose lookup fails still builds; the reason says so and no versions are recorded', async () => {
    storeState('1.0.4', 'exec-1');
    imagebuilder.on(GetComponentCommand).rejects(awsError('ForbiddenException', 'You are not authorized to perform this operation'));
    await handler(prepare('exec-2'), context());
    expect(variables()).toMatchObject({
      build: 'true',
      reason: 'image inputs changed; upstream versions not recorded (ForbiddenException: You are not authorized to perform this operation), so the next scheduled run rebuilds',
    });
    expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5' });
    expect(stored(NAMES.stateParameter).upstream).toBeUndefined();
  });

  describe('a scheduled run (rebuild=scheduled)', () => {
    test('a newer parent image: rebuilt, and the new versions recorded', async () => {
      lastBuild(6);
      upstreamWorld.publish('image/amazon-linux-2023-x86', '2026.11.21/1');
      await handler(scheduledRun(), context());
      expect(variables()).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'parent image amazon-linux-2023-x86 2026.11.14 → 2026.11.21' });
      expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.5');
      expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5', executionId: 'exec-2', upstream: { ...CURRENT, 'image/amazon-linux-2023-x86/x.x.x': '2026.11.21/1' } });
    });

    test('a newer AWS-managed component: rebuilt', async () => {
      lastBuild(6);
      upstreamWorld.publish('component/update-linux', '1.0.4/1');
      await handler(scheduledRun(), context());
      expect(variables()).toMatchObject({ version: '1.0.5', build: 'true', reason: 'component update-linux 1.0.3 → 1.0.4' });
    });

    test('both newer: both named', async () => {
      lastBuild(6);
      upstreamWorld.publish('image/amazon-linux-2023-x86', '2026.11.21/1').publish('component/update-linux', '1.0.3/2');
      await handler(scheduledRun(), context());
      expect(variables().reason).toBe('parent image amazon-linux-2023-x86 2026.11.14 → 2026.11.21; component update-linux 1.0.3/1 → 1.0.3/2');
    });

    test('nothing upstream changed and the last build is recent: nothing is built, the state keeps the last build', async () => {
      lastBuild(6);
      const before = stored(NAMES.stateParameter);
      await handler(scheduledRun(), context());
      const expected = { version: '1.0.4', previousVersion: '1.0.4', build: 'false', reason: 'nothing upstream changed; last build 6 days ago (max 30 days); keeping the current image' };
      expect(variables()).toEqual(expected);
      expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.4');
      expect(stored(NAMES.stateParameter)).toEqual({ ...before, answer: { executionId: 'exec-2', variables: expected } });
    });

    test('the last build older than the maximum age: rebuilt though nothing upstream changed', async () => {
      lastBuild(31);
      await handler(scheduledRun(), context());
      expect(variables()).toMatchObject({ version: '1.0.5', build: 'true', reason: 'last build 31 days ago (max 30 days)' });
      // The clock starts again with this build.
      expect(Date.now() - Date.parse(stored(NAMES.stateParameter).updatedAt)).toBeLessThan(60_000);
    });

    test('the maximum age comes from the step (operations.rebuild.maxAge)', async () => {
      lastBuild(8);
      await handler(prepare('exec-2', '1.0', 'fp-same', 'scheduled', { maxAgeSeconds: String(7 * 86_400) }), context());
      expect(variables()).toMatchObject({ build: 'true', reason: 'last build 8 days ago (max 7 days)' });
    });

    test('an image named in the variable is forced, the others are checked', async () => {
      lastBuild(6);
      await handler(scheduledRun('exec-2', 'scheduled app'), context());
      expect(variables()).toMatchObject({ version: '1.0.5', build: 'true', reason: 'rebuild requested' });
      ssm.reset();
      codepipeline.reset();
      parameters.install(ssm);
      lastBuild(6);
      await handler(event({ mode: 'prepare', image: 'web', majorMinor: '1.0', ...NAMES, executionId: 'exec-3', fingerprint: 'fp-same', rebuild: 'scheduled app', upstream: UPSTREAM, maxAgeSeconds: THIRTY_DAYS, scanPolicyParameter: SCAN_POLICY }), context());
      expect(variables()).toMatchObject({ build: 'false', reason: expect.stringMatching(/^nothing upstream changed/) });
    });

    test('throttled lookups fail safe: rebuilt, the reason says the check failed, nothing recorded', async () => {
      lastBuild(6);
      // Image Builder's throttling error, "You have exceeded the permitted request rate for the specific operation"
      // (https://docs.aws.amazon.com/botocore/latest/reference/services/imagebuilder/client/exceptions/CallRateLimitExceededException.html;
      // the class of that name in @aws-sdk/client-imagebuilder): it reaches the function once the SDK's retries are spent.
      imagebuilder.on(GetImageCommand).rejects(Object.assign(awsError('CallRateLimitExceededException', 'Rate exceeded'), { $metadata: { httpStatusCode: 429 } }));
      await handler(scheduledRun(), context());
      expect(variables()).toMatchObject({
        version: '1.0.5',
        build: 'true',
        reason: 'could not check for upstream updates (CallRateLimitExceededException: Rate exceeded); rebuilding so that no update is missed',
      });
      expect(stored(NAMES.stateParameter).upstream).toBeUndefined();
      expectOneResult();
    });

    test('a lookup that hangs is stopped by its budget and fails safe; the job still answers well before its deadline', async () => {
      lastBuild(6);
      imagebuilder.on(GetImageCommand).callsFake(() => {
        const signal = ((imagebuilder.send.lastCall.args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      });
      // 12 s left: 7 s before the reporting reserve, less 5 s kept for the SSM writes, leaves the lookup 2 s.
      const started = Date.now();
      await handler(scheduledRun(), context(12_000));
      expect(variables()).toMatchObject({ build: 'true', reason: expect.stringMatching(/^could not check for upstream updates \(no answer from Image Builder within 2 s\)/) });
      // Not a speed check (the machine may be busy): the answer comes before the 5 s the handler reserves for
      // reporting, i.e. the lookup's budget stopped the hang rather than the job's own deadline.
      expect(reportedAt[0] - started).toBeLessThan(7_000);
      expect(parameters.values.get(NAMES.versionParameter)).toBe('1.0.5');
      const calls = imagebuilder.calls().length;
      await sleep(200);
      expect(imagebuilder.calls().length).toBe(calls);
    });

    test('state from before versions were recorded: rebuilt once to learn them, then compared', async () => {
      lastBuild(6, null);
      await handler(scheduledRun('exec-2'), context());
      expect(variables()).toMatchObject({ version: '1.0.5', build: 'true', reason: 'the last build recorded no upstream versions; rebuilding once to record them' });
      expect(stored(NAMES.stateParameter).upstream).toEqual(CURRENT);
      codepipeline.reset();
      await handler(scheduledRun('exec-3'), context());
      expect(variables()).toMatchObject({ version: '1.0.5', build: 'false', reason: 'nothing upstream changed; last build 0 seconds ago (max 30 days); keeping the current image' });
    });

    test('an image with no AWS-managed parent or component: only the age counts, and Image Builder is not asked', async () => {
      lastBuild(6, {});
      await handler(prepare('exec-2', '1.0', 'fp-same', 'scheduled', { upstream: 'none' }), context());
      expect(variables()).toMatchObject({ build: 'false', reason: 'no AWS-managed parent image or component to check; last build 6 days ago (max 30 days); keeping the current image' });
      expect(imagebuilder.calls()).toHaveLength(0);
    });

    test('the same scheduled job delivered again gets the same answer and asks Image Builder nothing more', async () => {
      lastBuild(6);
      await handler(scheduledRun(), context());
      const callsOfFirst = imagebuilder.calls().length;
      upstreamWorld.publish('component/update-linux', '1.0.4/1');
      await handler(scheduledRun(), context());
      const [first, second] = success().map((r) => JSON.stringify(r.outputVariables));
      expect(second).toBe(first);
      expect(imagebuilder.calls().length).toBe(callsOfFirst);
    });

    test('recorded versions that do not parse fail the job with the fix, and are not overwritten', async () => {
      lastBuild(6, { 'image/amazon-linux-2023-x86/x.x.x': 'latest' });
      await handler(scheduledRun(), context());
      expect(puts()).toEqual([]);
      expect(failures()[0].failureDetails?.message).toMatch(/holds upstream versions that do not parse .*Fix: remove the "upstream" field/);
    });
  });
});

describe('an attempt that runs out of time', () => {
  /** The options (second argument) of a call to an SDK client's send. */
  const optionsOf = (call: { args: unknown[] }) => call.args[1] as { abortSignal?: AbortSignal } | undefined;
  /** The abort signal the SDK got with the latest SSM call. */
  const lastSignal = (): AbortSignal => optionsOf(ssm.send.lastCall)!.abortSignal!;

  test('every AWS call of an attempt carries its abort signal; the report does not', async () => {
    await handler(prepare(), context());
    // State read, scan policy read (a build is decided), state and version written.
    expect(ssm.send.getCalls().map((c) => optionsOf(c)?.abortSignal)).toEqual([expect.any(AbortSignal), expect.any(AbortSignal), expect.any(AbortSignal), expect.any(AbortSignal)]);
    expect(imagebuilder.send.getCalls().map((c) => optionsOf(c)?.abortSignal)).toEqual([expect.any(AbortSignal), expect.any(AbortSignal)]);
    expect(inspector2.send.getCalls().map((c) => optionsOf(c)?.abortSignal)).toEqual([expect.any(AbortSignal)]);
    expect(optionsOf(codepipeline.send.lastCall)).toBeUndefined();
  });

  test('a call that hangs until it is aborted: aborted first, then the failure is reported, and nothing is written', async () => {
    const events: string[] = [];
    ssm.on(GetParameterCommand).callsFake(() => {
      const signal = lastSignal();
      // What the SDK does with an aborted request: rejects it with the abort reason.
      return new Promise((_, reject) => signal.addEventListener('abort', () => (events.push('aborted'), reject(signal.reason))));
    });
    codepipeline.on(PutJobFailureResultCommand).callsFake(() => void events.push('reported'));
    await handler(prepare(), context(5_200));
    expect(events).toEqual(['aborted', 'reported']);
    expect(failures()[0].failureDetails?.message).toMatch(/gave up after 0 s waiting for AWS; retry the action/);
    await sleep(50);
    expect(puts()).toEqual([]);
    expectOneResult();
  });

  test('a call that answers after the attempt reported is not followed by any write, even in a later invocation', async () => {
    storeState('1.0.4', 'exec-1');
    // Reads the state as it is now, but the answer arrives after 400 ms; the attempt gives up after 200 ms.
    ssm.on(GetParameterCommand).callsFake(async () => {
      const value = parameters.values.get(NAMES.stateParameter);
      await sleep(400);
      return { Parameter: { Value: value } };
    });
    await handler(prepare('exec-2'), context(5_200));
    expect(failures()).toHaveLength(1);
    // The container is warm and the abandoned attempt resumes while the next invocation of the same job runs.
    parameters.install(ssm);
    await handler(prepare('exec-2'), context());
    await sleep(500);
    // Only the second invocation wrote; the first attempt, resuming with its stale read, wrote nothing.
    expect(puts().map(([name]) => name)).toEqual([NAMES.stateParameter, NAMES.versionParameter]);
    expect(success()[0].outputVariables).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed' });
    expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.5' });
  });
});

describe('release', () => {
  const builtImage = { id: AMI, creationDate: '2026-11-01T00:00:00.000Z', tags: { Ec2ImageBuilderArn: BUILD_ARN, ...OUR_TAGS, 'golden-ami:version': '1.0.3' }, snapshots: ['snap-new'] };
  const previousRelease = { amiId: PREVIOUS_AMI, version: '1.0.2', executionId: 'exec-1', releasedAt: '2026-10-01T00:00:00.000Z' };
  const storeRelease = (record: object) => parameters.values.set(RELEASE_NAMES.releaseParameter, JSON.stringify(record));
  beforeEach(() => world.addAmi('eu-west-1', builtImage));

  test('first release: record, then AMI parameter (validated as an EC2 image), then the answer; output variables', async () => {
    await handler(release(), context());
    const calls = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Name)).toEqual([RELEASE_NAMES.releaseParameter, RELEASE_NAMES.releaseAmiParameter, RELEASE_NAMES.releaseParameter]);
    expect(calls[1]).toMatchObject({ Value: AMI, DataType: 'aws:ec2:image', Overwrite: true });
    const scan = { scan: 'passed (failOn CRITICAL)', scanFindings: 'CRITICAL 0, HIGH 0, MEDIUM 0, LOW 0, other 0', scanWorst: 'none', scanIgnored: 'none', scanExpiredIgnores: 'none' };
    const variables = { amiId: AMI, version: '1.0.3', previousAmiId: 'none', rolledBack: 'false', ...scan, deprecated: 'none', deleted: 'none', retentionError: 'none' };
    expect(success()[0].outputVariables).toEqual(variables);
    const record = stored(RELEASE_NAMES.releaseParameter);
    expect(record).toMatchObject({ amiId: AMI, version: '1.0.3', commitId: 'abc123', executionId: 'exec-2', answer: { executionId: 'exec-2', variables } });
    expect(record.previous).toBeUndefined();
  });

  test('a new release keeps the previous one for rollback', async () => {
    world.addAmi('eu-west-1', { id: PREVIOUS_AMI, creationDate: '2026-10-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-prev'] });
    storeRelease(previousRelease);
    await handler(release(), context());
    expect(stored(RELEASE_NAMES.releaseParameter).previous).toEqual(previousRelease);
    expect(success()[0].outputVariables?.previousAmiId).toBe(PREVIOUS_AMI);
  });

  test('another execution releasing the same AMI (nothing new was built) keeps the record and its previous release', async () => {
    const current = { amiId: AMI, version: '1.0.3', executionId: 'exec-1', releasedAt: 'x', previous: previousRelease };
    storeRelease(current);
    await handler(release({ executionId: 'exec-3' }), context());
    expect(puts().map(([name]) => name)).toEqual([RELEASE_NAMES.releaseAmiParameter, RELEASE_NAMES.releaseParameter]);
    expect(stored(RELEASE_NAMES.releaseParameter)).toEqual({ ...current, answer: { executionId: 'exec-3', variables: success()[0].outputVariables } });
    expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, version: '1.0.3', previousAmiId: PREVIOUS_AMI, rolledBack: 'false' });
  });

  test('the same job delivered again gets byte-identical output variables, and only the hand-off is repaired', async () => {
    // Enough AMIs that the first delivery deletes one: a second decision would find nothing left to delete.
    world.addAmi('eu-west-1', { id: PREVIOUS_AMI, creationDate: '2026-10-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-prev'] });
    world.addAmi('eu-west-1', { id: 'ami-00000000000000000', creationDate: '2026-09-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-old'] });
    storeRelease(previousRelease);
    await handler(release({ keepImages: '1', deleteBeyond: '2' }), context());
    const ec2CallsOfFirst = world.calls.length;
    await handler(release({ keepImages: '1', deleteBeyond: '2' }), context());
    const [first, second] = success().map((s) => JSON.stringify(s.outputVariables));
    expect(second).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ deleted: 'ami-00000000000000000' });
    expect(world.calls.length).toBe(ec2CallsOfFirst);
    expect(puts().slice(-1)).toEqual([[RELEASE_NAMES.releaseAmiParameter, AMI]]);
  });

  test('after an operator rolled back from this AMI, a run that built nothing new keeps the rollback', async () => {
    world.addAmi('eu-west-1', { id: PREVIOUS_AMI, creationDate: '2026-10-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-prev'] });
    const rolledBack = { ...previousRelease, executionId: 'rollback', releasedAt: 'z', rolledBackFrom: AMI, previous: { amiId: AMI, version: '1.0.3', executionId: 'exec-1', releasedAt: 'y' } };
    storeRelease(rolledBack);
    await handler(release(), context());
    expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(PREVIOUS_AMI);
    expect(success()[0].outputVariables).toMatchObject({ amiId: PREVIOUS_AMI, version: '1.0.2', previousAmiId: AMI, rolledBack: 'true', retentionError: 'none' });
    expect(stored(RELEASE_NAMES.releaseParameter)).toMatchObject({ amiId: PREVIOUS_AMI, rolledBackFrom: AMI });
  });

  test('an operator rollback while housekeeping ran is not undone by storing the answer', async () => {
    storeRelease(previousRelease);
    world.addAmi('eu-west-1', { id: PREVIOUS_AMI, creationDate: '2026-10-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-prev'] });
    const rollback = { ...previousRelease, executionId: 'rollback', releasedAt: 'now', rolledBackFrom: AMI };
    // The rollback lands while housekeeping lists the image's snapshots.
    world.before = (call) => {
      if (call.includes('DescribeSnapshots')) storeRelease(rollback);
    };
    await handler(release(), context());
    expect(stored(RELEASE_NAMES.releaseParameter)).toEqual(rollback);
    expect(success()).toHaveLength(1);
  });

  test.each([
    ['missing', () => world.region('eu-west-1').images.delete(AMI), /does not exist in this account and region/],
    ['not available', () => world.addAmi('eu-west-1', { ...builtImage, state: 'pending' as never }), /is pending, not available/],
    ['built by another version', () => world.addAmi('eu-west-1', { ...builtImage, tags: { ...builtImage.tags, Ec2ImageBuilderArn: BUILD_ARN.replace('1.0.3', '1.0.1') } }), /refusing to release an image this pipeline run did not build/],
  ])('an AMI that is %s is not released and nothing is written', async (_name, arrange, message) => {
    arrange();
    await handler(release(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(message);
    expectOneResult();
  });

  test('a malformed AMI id, version or region list fails before any AWS call', async () => {
    await handler(release({ amiId: 'i-123' }), context());
    await handler(release({ version: '1.0' }), context());
    await handler(release({ regions: '' }), context());
    expect(failures().map((f) => f.failureDetails?.message)).toEqual([
      'UserParameters.amiId is not an AMI id (got "i-123")',
      'UserParameters.version must be MAJOR.MINOR.PATCH (got "1.0")',
      'UserParameters.regions must be a non-empty string for mode "release" (got "")',
    ]);
    expect(ec2.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  test('a release record that does not parse fails and is not overwritten', async () => {
    parameters.values.set(RELEASE_NAMES.releaseParameter, '{"ami":"x"}');
    await handler(release(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(/does not hold a valid release record/);
  });

  describe('snapshot tags', () => {
    const THREE_TAGS = { ...OUR_TAGS, 'golden-ami:version': '1.0.3' };

    test('the released AMI\'s snapshots get the pipeline, image and version tags', async () => {
      world.addAmi('eu-west-1', { ...builtImage, snapshots: ['snap-root', 'snap-data'] });
      await handler(release(), context());
      expect(world.snapshotTags('eu-west-1', 'snap-root')).toEqual(THREE_TAGS);
      expect(world.snapshotTags('eu-west-1', 'snap-data')).toEqual(THREE_TAGS);
    });

    test('in every distribution region, the copy of this version is found by its tags and its snapshots tagged there', async () => {
      for (const region of ['us-east-1', 'ap-southeast-2']) {
        world.addAmi(region, { id: `ami-copy-${region}`, creationDate: '2026-11-01T01:00:00.000Z', tags: { ...OUR_TAGS, 'golden-ami:version': '1.0.3' }, snapshots: [`snap-${region}`] });
        world.addAmi(region, { id: `ami-other-${region}`, creationDate: '2026-11-01T01:00:00.000Z', tags: { ...OUR_TAGS, 'golden-ami:version': '1.0.9' }, snapshots: [`snap-other-${region}`] });
      }
      await handler(release({ regions: 'us-east-1 ap-southeast-2', keepImages: '5', deleteBeyond: '10' }), context());
      expect(world.snapshotTags('us-east-1', 'snap-us-east-1')).toEqual(THREE_TAGS);
      expect(world.snapshotTags('ap-southeast-2', 'snap-ap-southeast-2')).toEqual(THREE_TAGS);
      expect(world.snapshotTags('us-east-1', 'snap-other-us-east-1')).toEqual({});
      expect(world.calls.filter((c) => c.includes('CreateTags')).sort()).toEqual([
        'ap-southeast-2 CreateTags snap-ap-southeast-2',
        'eu-west-1 CreateTags snap-new',
        'us-east-1 CreateTags snap-us-east-1',
      ]);
      expect(success()[0].outputVariables?.retentionError).toBe('none');
    });

    test('a region without a copy of the version is reported, and the release stands', async () => {
      await handler(release({ regions: 'us-east-1' }), context());
      expect(success()[0].outputVariables?.retentionError).toBe('us-east-1: no AMI of app tagged golden-ami:version=1.0.3 found, so no snapshot was tagged. Fix: check that Image Builder distributed this version to the region');
    });

    test('a tagging failure does not fail the release', async () => {
      ec2.on(DescribeImagesCommand, { Owners: ['self'] }).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
      await handler(release(), context());
      expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, retentionError: 'eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.' });
      expectOneResult();
    });
  });

  describe('retention', () => {
    /** n AMIs of the image besides the new release, one a day before it, snapshots untagged (as Image Builder leaves them). */
    const olderAmis = (region: string, n: number) => {
      for (let i = 1; i <= n; i++) {
        const id = `ami-${String(i).padStart(17, '0')}`;
        world.addAmi(region, { id, creationDate: `2026-10-${String(i).padStart(2, '0')}T00:00:00.000Z`, tags: { ...OUR_TAGS, 'golden-ami:version': `0.9.${i}` }, snapshots: [`snap-${region}-${i}`] });
      }
    };
    const retention = { keepImages: '5', deleteBeyond: '10' };

    test('12 AMIs in all: the newest 5 kept, the next 5 deprecated, the oldest 2 deleted with their snapshots', async () => {
      olderAmis('eu-west-1', 11);
      storeRelease({ ...previousRelease, amiId: 'ami-00000000000000011' });
      await handler(release(retention), context());
      const variables = success()[0].outputVariables!;
      expect(variables.deprecated.split(' ')).toEqual(['ami-00000000000000007', 'ami-00000000000000006', 'ami-00000000000000005', 'ami-00000000000000004', 'ami-00000000000000003']);
      expect(variables.deleted.split(' ')).toEqual(['ami-00000000000000002', 'ami-00000000000000001']);
      expect(variables.retentionError).toBe('none');
      expect(world.images('eu-west-1')).toHaveLength(10);
      expect(world.snapshotTags('eu-west-1', 'snap-eu-west-1-1')).toBeUndefined();
      expect(world.snapshotTags('eu-west-1', 'snap-eu-west-1-3')).toEqual({});
    });

    test('deleting an AMI: its snapshots are tagged first, then it is deregistered, then its snapshots deleted', async () => {
      olderAmis('eu-west-1', 11);
      await handler(release(retention), context());
      const forOldest = world.calls.filter((c) => / (ami|snap)-(0{16}1|eu-west-1-1)$/.test(c));
      expect(forOldest).toEqual([
        'eu-west-1 CreateTags snap-eu-west-1-1',
        'eu-west-1 DeregisterImage ami-00000000000000001',
        'eu-west-1 DeleteSnapshot snap-eu-west-1-1',
      ]);
      // The snapshots are deleted by their own calls, which the role may only make on snapshots tagged for this pipeline.
      expect(ec2.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: 'ami-00000000000000002' }, { ImageId: 'ami-00000000000000001' }]);
    });

    test('the current and previous release are never deleted, wherever they stand, and count in their place', async () => {
      olderAmis('eu-west-1', 11);
      storeRelease({ ...previousRelease, amiId: 'ami-00000000000000001' });
      await handler(release(retention), context());
      expect(success()[0].outputVariables).toMatchObject({ deleted: 'ami-00000000000000002' });
      expect(world.images('eu-west-1').map((i) => i.id)).toContain('ami-00000000000000001');
    });

    test('a deprecated previous release gets its deprecation cancelled', async () => {
      olderAmis('eu-west-1', 3);
      world.region('eu-west-1').images.get('ami-00000000000000003')!.deprecationTime = '2026-10-10T00:00:00.000Z';
      storeRelease({ ...previousRelease, amiId: 'ami-00000000000000003' });
      await handler(release(retention), context());
      expect(world.calls).toContain('eu-west-1 DisableImageDeprecation ami-00000000000000003');
      expect(world.region('eu-west-1').images.get('ami-00000000000000003')!.deprecationTime).toBeUndefined();
    });

    test('in a distribution region the releases are recognised by their version tag', async () => {
      olderAmis('us-east-1', 11);
      world.addAmi('us-east-1', { id: 'ami-copy', creationDate: '2026-11-01T01:00:00.000Z', tags: { ...OUR_TAGS, 'golden-ami:version': '1.0.3' }, snapshots: ['snap-copy'] });
      // The previous release is 0.9.2, the oldest copy but one.
      storeRelease({ ...previousRelease, version: '0.9.2' });
      await handler(release({ ...retention, regions: 'us-east-1' }), context());
      expect(success()[0].outputVariables?.deleted).toBe('us-east-1:ami-00000000000000001');
      expect(world.images('us-east-1').map((i) => i.id)).toContain('ami-00000000000000002');
    });

    test('a snapshot whose AMI was deregistered just before a failure is found by its tag and deleted by the next release', async () => {
      olderAmis('eu-west-1', 11);
      ec2.on(DeleteSnapshotCommand).rejectsOnce(awsError('InternalError', 'An internal error has occurred'));
      await handler(release(retention), context());
      expect(success()[0].outputVariables).toMatchObject({ deleted: 'ami-00000000000000002', retentionError: 'eu-west-1: InternalError: An internal error has occurred' });
      expect(world.snapshotTags('eu-west-1', 'snap-eu-west-1-2')).toEqual({ ...OUR_TAGS, 'golden-ami:version': '0.9.2' });
      world.install(ec2);
      await handler(release({ ...retention, executionId: 'exec-3' }), context());
      expect(world.snapshotTags('eu-west-1', 'snap-eu-west-1-2')).toBeUndefined();
      expect(logs.join('\n')).toMatch(/swept snapshots no AMI of the image uses.*snap-eu-west-1-2/);
    });

    test('a tagged snapshot another AMI still uses is left alone', async () => {
      world.addAmi('eu-west-1', { id: 'ami-00000000000000042', creationDate: '2026-10-01T00:00:00.000Z', tags: { 'golden-ami:pipeline': 'golden-ami', 'golden-ami:image': 'other' }, snapshots: ['snap-shared'] }, OUR_TAGS);
      await handler(release(retention), context());
      // EC2 refuses (InvalidSnapshot.InUse); that is not an error of the release.
      expect(world.calls).toContain('eu-west-1 DeleteSnapshot snap-shared');
      expect(world.snapshotTags('eu-west-1', 'snap-shared')).toEqual(OUR_TAGS);
      expect(success()[0].outputVariables?.retentionError).toBe('none');
    });

    test('an AMI that another run deregistered meanwhile is not an error', async () => {
      olderAmis('eu-west-1', 11);
      // Listed as available, gone by the time it is deregistered: EC2 answers InvalidAMIID.NotFound.
      world.before = (call) => {
        if (call.includes('DescribeSnapshots')) world.region('eu-west-1').images.get('ami-00000000000000001')!.state = 'deregistered';
      };
      await handler(release(retention), context());
      expect(success()[0].outputVariables).toMatchObject({ deleted: 'ami-00000000000000002 ami-00000000000000001', retentionError: 'none' });
      expect(world.snapshotTags('eu-west-1', 'snap-eu-west-1-1')).toBeUndefined();
    });

    test('a refused call stops housekeeping in that region only, and does not fail the release', async () => {
      olderAmis('eu-west-1', 11);
      olderAmis('us-east-1', 11);
      world.addAmi('us-east-1', { id: 'ami-copy', creationDate: '2026-11-01T01:00:00.000Z', tags: { ...OUR_TAGS, 'golden-ami:version': '1.0.3' }, snapshots: ['snap-copy'] });
      ec2.on(DeregisterImageCommand).callsFake(async (_input, getClient) => {
        if ((await getClient().config.region()) === 'eu-west-1') throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.');
        return {};
      });
      await handler(release({ ...retention, regions: 'us-east-1' }), context());
      expect(success()[0].outputVariables).toMatchObject({
        amiId: AMI,
        deleted: 'us-east-1:ami-00000000000000002 us-east-1:ami-00000000000000001',
        retentionError: 'eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.',
      });
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(AMI);
    });

    test('retention settings that do not parse are reported; the snapshots are still tagged', async () => {
      await handler(release({ keepImages: '5', deleteBeyond: '3' }), context());
      expect(success()[0].outputVariables?.retentionError).toMatch(/^UserParameters\.keepImages\/deleteBeyond must be whole numbers/);
      expect(world.snapshotTags('eu-west-1', 'snap-new')).toMatchObject(OUR_TAGS);
    });
  });

  describe('housekeeping has its own time budget', () => {
    test('a hanging DescribeImages ends housekeeping with retentionError; the release succeeds well before the deadline, and no EC2 call follows the report', async () => {
      // Listing the image's AMIs answers only after 2.5 s; with 11.5 s left, housekeeping gets 1.5 s
      // (11.5 s less the 5 s reporting reserve, less 5 s to store the answer).
      ec2.on(DescribeImagesCommand, { Owners: ['self'] }).callsFake(async () => (await sleep(2_500), { Images: [{ ImageId: 'ami-00000000000000009', CreationDate: '2020-01-01T00:00:00.000Z', BlockDeviceMappings: [] }] }));
      const started = Date.now();
      await handler(release(), context(11_500));
      expect(success()[0].outputVariables).toMatchObject({
        amiId: AMI,
        retentionError: expect.stringMatching(/^stopped after [12] s: eu-west-1: listing the image's AMIs \(DescribeImages\) had not finished; the next release of app continues$/),
      });
      expect(reportedAt[0] - started).toBeLessThan(3_000);
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(AMI);
      expect(stored(RELEASE_NAMES.releaseParameter).answer.variables).toEqual(success()[0].outputVariables);
      const callsAtReport = ec2.calls().length;
      await sleep(1_500);
      expect(ec2.calls().length).toBe(callsAtReport);
      expectOneResult();
    });

    test('with too little time left, housekeeping is skipped and says so', async () => {
      await handler(release(), context(10_500));
      expect(success()[0].outputVariables?.retentionError).toMatch(/^skipped: only [01] s were left before the function's deadline; the next release of app does it$/);
      expect(world.calls).toEqual(['eu-west-1 DescribeImages ami-0123456789abcdef0']);
    });
  });
  describe('the scan gate (Amazon Inspector findings of the build)', () => {
    const nothingReleased = () => {
      expect(parameters.values.has(RELEASE_NAMES.releaseAmiParameter)).toBe(false);
      expect(parameters.values.has(RELEASE_NAMES.releaseParameter)).toBe(false);
      expect(failures()).toHaveLength(1);
      expectOneResult();
    };
    const findings = (...list: ReturnType<typeof scanFinding>[]) => upstreamWorld.addBuild(BUILD_ARN, { scanned: true, status: 'COMPLETED', findings: list });
    const message = () => failures()[0].failureDetails!.message!;

    test('a CRITICAL finding over failOn CRITICAL: not released, the fleet keeps the previous release, the message carries the summary and the fix', async () => {
      world.addAmi('eu-west-1', { id: PREVIOUS_AMI, creationDate: '2026-10-01T00:00:00.000Z', tags: OUR_TAGS, snapshots: ['snap-prev'] });
      storeRelease(previousRelease);
      parameters.values.set(RELEASE_NAMES.releaseAmiParameter, PREVIOUS_AMI);
      findings(scanFinding('CVE-2026-0001', 'CRITICAL'), scanFinding('CVE-2026-0002', 'HIGH', 'curl', '8.11.1'), scanFinding('CVE-2026-0003', 'LOW', 'zlib', 'NotAvailable', 2.1));
      await handler(release(), context());
      expect(puts()).toEqual([]);
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(PREVIOUS_AMI);
      expect(stored(RELEASE_NAMES.releaseParameter)).toEqual(previousRelease);
      expect(message()).toBe(
        `app: AMI ${AMI} (version 1.0.3) is not released: Amazon Inspector found 1 finding at or above scanning.failOn CRITICAL (${IMAGE_FILE}). ` +
          'Findings: CRITICAL 1, HIGH 1, MEDIUM 0, LOW 1, other 0. ' +
          `The fleet keeps its current release (${PREVIOUS_AMI}). ` +
          `Fix: update the affected packages and rebuild (start the pipeline with the variable rebuild=app); or, for a finding that does not apply, add its id to scanning.ignore in ${IMAGE_FILE} with a reason and an expiry date, push, and the release is judged again. ` +
          'Worst: CVE-2026-0001 CRITICAL 9.8: openssl 3.0.8 (fixed in 3.0.9); CVE-2026-0002 HIGH 7.5: curl 3.0.8 (fixed in 8.11.1); CVE-2026-0003 LOW 2.1: zlib 3.0.8 (no fix yet). ' +
          'Ignored: none.',
      );
      // No housekeeping either: nothing of a refused release touches the image's AMIs.
      expect(world.calls.filter((c) => !c.includes('DescribeImages ami-'))).toEqual([]);
    });

    test('findings under the threshold: released, and the output variables carry the counts and the worst findings', async () => {
      findings(scanFinding('CVE-2026-0002', 'HIGH', 'curl', '8.11.1'), scanFinding('CVE-2026-0004', 'MEDIUM', 'glibc', '2.40-3', 5.3));
      await handler(release(), context());
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(AMI);
      expect(success()[0].outputVariables).toMatchObject({
        scan: 'passed (failOn CRITICAL)',
        scanFindings: 'CRITICAL 0, HIGH 1, MEDIUM 1, LOW 0, other 0',
        scanWorst: 'CVE-2026-0002 HIGH 7.5: curl 3.0.8 (fixed in 8.11.1); CVE-2026-0004 MEDIUM 5.3: glibc 3.0.8 (fixed in 2.40-3)',
        scanIgnored: 'none',
      });
    });

    test('failOn HIGH blocks a HIGH finding that CRITICAL lets through', async () => {
      storePolicy({ enabled: true, failOn: 'HIGH', ignore: [] });
      findings(scanFinding('CVE-2026-0002', 'HIGH', 'curl', '8.11.1'));
      await handler(release(), context());
      expect(message()).toMatch(/found 1 finding at or above scanning\.failOn HIGH/);
      nothingReleased();
    });

    test('an ignored CVE (valid until a future date) does not count; the ignore and its reason are in the output', async () => {
      storePolicy({ enabled: true, failOn: 'CRITICAL', ignore: [{ id: 'CVE-2026-0001', reason: 'kernel module not loaded on our instances', expires: '2999-12-31' }] });
      findings(scanFinding('CVE-2026-0001', 'CRITICAL'));
      await handler(release(), context());
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(AMI);
      expect(success()[0].outputVariables).toMatchObject({
        scanFindings: 'CRITICAL 0, HIGH 0, MEDIUM 0, LOW 0, other 0',
        scanIgnored: 'CVE-2026-0001 until 2999-12-31 (kernel module not loaded on our instances)',
        scanExpiredIgnores: 'none',
      });
    });

    test('an expired ignore counts again and says so', async () => {
      storePolicy({ enabled: true, failOn: 'CRITICAL', ignore: [{ id: 'CVE-2026-0001', reason: 'waiting for the vendor', expires: '2026-01-31' }] });
      findings(scanFinding('CVE-2026-0001', 'CRITICAL'));
      await handler(release(), context());
      expect(message()).toContain('Expired ignores, counted again: CVE-2026-0001 (ignore expired 2026-01-31).');
      nothingReleased();
    });

    test('failOn none never blocks, and still reports what was found', async () => {
      storePolicy({ enabled: true, failOn: 'none', ignore: [] });
      findings(scanFinding('CVE-2026-0001', 'CRITICAL'));
      await handler(release(), context());
      expect(success()[0].outputVariables).toMatchObject({ scan: 'passed (failOn none)', scanFindings: 'CRITICAL 1, HIGH 0, MEDIUM 0, LOW 0, other 0' });
    });

    test.each([
      ['EC2 scanning was never activated', 'DISABLED', 'DISABLED'],
      ['Inspector is on but not for EC2', 'DISABLED', 'ENABLED'],
      ['EC2 scanning is being turned on', 'ENABLING', 'ENABLED'],
    ])('Inspector off (%s) is a clear failure, never a pass', async (_name, ec2, account) => {
      inspectorWorld.ec2 = ec2;
      inspectorWorld.account = account;
      await handler(release(), context());
      expect(message()).toBe(
        `app: the image is to be scanned, but Amazon Inspector does not scan EC2 in account 123456789012, region eu-west-1 (EC2 scanning: ${ec2}; Inspector: ${account}), so the scan cannot run. ` +
          `Fix: activate Amazon Inspector's EC2 scanning (aws inspector2 enable --resource-types EC2 --region eu-west-1), or turn the scan of app off in ${IMAGE_FILE} (scanning.enabled: false, with scanning.reason)`,
      );
      nothingReleased();
    });

    test.each([
      ['still collecting', { scanned: true, status: 'COLLECTING' }, /is still COLLECTING\. Fix: retry this action in a few minutes$/],
      ['abandoned', { scanned: true, status: 'ABANDONED', reason: 'Amazon Inspector is not enabled' }, /did not complete \(ABANDONED: Amazon Inspector is not enabled\), and an image is never released on a scan that did not happen/],
      ['timed out', { scanned: true, status: 'TIMED_OUT' }, /did not complete \(TIMED_OUT\)/],
      ['without a scan state', { scanned: true }, /did not complete \(no scan state\)/],
      ['a build that asked for no scan', { scanned: false }, /was not scanned for vulnerabilities, and pipeline-assets\/images\/app\.yaml asks for a scan\. Fix: rebuild it \(start the pipeline with the variable rebuild=app\)/],
    ])('a scan that did not complete (%s) blocks the release', async (_name, build, expected) => {
      upstreamWorld.addBuild(BUILD_ARN, build);
      await handler(release(), context());
      expect(message()).toMatch(expected);
      expect(imagebuilder.commandCalls(ListImageScanFindingsCommand)).toHaveLength(0);
      nothingReleased();
    });

    test('ListImageScanFindings throttled past the SDK retries: a failure naming the throttling, nothing released, no hang', async () => {
      upstreamWorld.throttleFindings = true;
      const started = Date.now();
      await handler(release(), context());
      expect(message()).toMatch(/^ThrottlingException: Rate exceeded/);
      // The SDK's own retries (standard mode, 5 attempts) sit behind send, which the mock replaces: what reaches the
      // handler is the error they end with. No page was judged.
      expect(upstreamWorld.findingPages).toBe(1);
      expect(Date.now() - started).toBeLessThan(50_000);
      nothingReleased();
    });

    test('findings are read page by page, 25 at a time, and every page is judged', async () => {
      findings(...Array.from({ length: 60 }, (_, i) => scanFinding(`CVE-2026-1${String(i).padStart(3, '0')}`, 'MEDIUM', 'pkg', '1.1', 4)), scanFinding('CVE-2026-0001', 'CRITICAL'));
      await handler(release(), context());
      expect(imagebuilder.commandCalls(ListImageScanFindingsCommand).map((c) => c.args[0].input.maxResults)).toEqual([25, 25, 25]);
      expect(message()).toContain('Findings: CRITICAL 1, HIGH 0, MEDIUM 60, LOW 0, other 0.');
      nothingReleased();
    });

    test('findings that take longer to read than their budget: a failure that says so, nothing released, time left to report', async () => {
      findings(...Array.from({ length: 200 }, (_, i) => scanFinding(`CVE-2026-2${String(i).padStart(3, '0')}`, 'LOW', 'pkg', '1.1', 2)));
      upstreamWorld.findingDelayMs = 400;
      // 13 s left: 8 s for the attempt, 10 s of which would be kept for the writes and the answer: the floor of 2 s to
      // read, and eight pages take 3.2 s.
      const started = Date.now();
      await handler(release(), context(13_000));
      expect(message()).toMatch(/^reading the findings of arn:aws:imagebuilder:eu-west-1:123456789012:image\/golden-ami-app\/1\.0\.3\/1 took more than 2 s \(\d+ read so far\); the release step does not judge part of a scan\. Fix: retry the action/);
      expect(upstreamWorld.findingPages).toBeLessThan(8);
      expect(Date.now() - started).toBeLessThan(8_000);
      nothingReleased();
    });

    test('a retry after the release was written but before its answer was stored answers the same scan variables', async () => {
      findings(scanFinding('CVE-2026-0002', 'HIGH', 'curl', '8.11.1'));
      await handler(release(), context());
      const first = success()[0].outputVariables!;
      // The first attempt's answer never reached the record (it stopped after moving the release pointer).
      const { answer: _lost, ...written } = stored(RELEASE_NAMES.releaseParameter);
      parameters.values.set(RELEASE_NAMES.releaseParameter, JSON.stringify(written));
      await handler(release(), context());
      const second = success()[1].outputVariables!;
      const scanOf = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('scan')));
      expect(scanOf(second)).toEqual(scanOf(first));
      expect(scanOf(first)).toMatchObject({ scan: 'passed (failOn CRITICAL)', scanFindings: 'CRITICAL 0, HIGH 1, MEDIUM 0, LOW 0, other 0' });
    });

    test('scanning turned off: released without asking Inspector, and the output says why', async () => {
      storePolicy({ enabled: false, reason: 'air-gapped lab image' });
      await handler(release(), context());
      expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, scan: `off: air-gapped lab image (scanning.enabled is false in ${IMAGE_FILE})` });
      expect(inspector2.calls()).toHaveLength(0);
      expect(imagebuilder.calls()).toHaveLength(0);
    });

    test('an AMI already released is not judged again (no new build)', async () => {
      storeRelease({ amiId: AMI, version: '1.0.3', executionId: 'exec-1', releasedAt: 'x' });
      await handler(release({ executionId: 'exec-3' }), context());
      expect(success()[0].outputVariables).toMatchObject({ scan: `not judged again: ${AMI} is already released` });
      expect(inspector2.calls()).toHaveLength(0);
    });

    test('a refused AMI is judged again by the next run, and released once the policy ignores its finding', async () => {
      findings(scanFinding('CVE-2026-0001', 'CRITICAL'));
      await handler(release(), context());
      nothingReleased();
      storePolicy({ enabled: true, failOn: 'CRITICAL', ignore: [{ id: 'CVE-2026-0001', reason: 'not reachable', expires: '2999-01-01' }] });
      await handler(release({ executionId: 'exec-3' }), context());
      expect(parameters.values.get(RELEASE_NAMES.releaseAmiParameter)).toBe(AMI);
    });

    test('a missing scan policy is a pipeline that has not updated itself: a failure with the fix', async () => {
      parameters.values.delete(SCAN_POLICY);
      await handler(release(), context());
      expect(message()).toBe(`SSM parameter ${SCAN_POLICY} (the image's scan policy) does not exist. Fix: let the pipeline update itself (its UpdatePipeline stage creates it), then retry the stage`);
      nothingReleased();
    });
  });
});

describe('prepare refuses a build that could not be scanned', () => {
  test('Inspector off and a build decided: failure before the build, with the fix; state and hand-off untouched', async () => {
    storeState('1.0.4', 'exec-1');
    inspectorWorld.ec2 = 'DISABLED';
    await handler(prepare('exec-2'), context());
    expect(failures()[0].failureDetails?.message).toMatch(/^app: the image is to be scanned, but Amazon Inspector does not scan EC2 .*Fix: activate Amazon Inspector's EC2 scanning/);
    expect(puts()).toEqual([]);
    expect(stored(NAMES.stateParameter)).toMatchObject({ version: '1.0.4', executionId: 'exec-1' });
    expectOneResult();
  });

  test('no build decided: Inspector is not asked', async () => {
    storeState('1.0.4', 'exec-1', 'fp-same');
    inspectorWorld.ec2 = 'DISABLED';
    await handler(prepare('exec-2', '1.0', 'fp-same'), context());
    expect(success()[0].outputVariables).toMatchObject({ build: 'false' });
    expect(inspectorWorld.calls).toBe(0);
  });

  test('scanning off: a build is decided without asking Inspector', async () => {
    storePolicy({ enabled: false, reason: 'air-gapped lab image' });
    inspectorWorld.ec2 = 'DISABLED';
    await handler(prepare(), context());
    expect(success()[0].outputVariables).toMatchObject({ build: 'true' });
    expect(inspectorWorld.calls).toBe(0);
  });
});

describe("the image's lane: beside its image stack's build, it releases and rolls the fleet out in one action", () => {
  const cloudformation = mockClient(CloudFormationClient);
  const IMAGE_STACK = 'golden-ami-image-app';
  const FLEET_STACK = 'golden-ami-fleet-app';
  const FLEET_FINGERPRINT = 'f'.repeat(64);
  const laneEvent = (token?: string): CodePipelineJobEvent => {
    const e = event({ mode: 'lane', imageStack: IMAGE_STACK, ...RELEASE_PARAMETERS, fleetStack: FLEET_STACK, fleetFingerprint: FLEET_FINGERPRINT });
    return token === undefined ? e : { 'CodePipeline.job': { ...e['CodePipeline.job'], data: { ...e['CodePipeline.job'].data, continuationToken: token } } };
  };
  /** The image stack's execute action as ListActionExecutions lists it (only the fields the step reads, and a sibling). */
  const buildAction = (status: string, outputVariables?: Record<string, string>): ListActionExecutionsCommandOutput => ({
    $metadata: {},
    actionExecutionDetails: [
      { stageName: 'BuildImage', actionName: 'Image-other.golden-ami-image-other.Deploy', status: 'Succeeded', input: { configuration: { StackName: 'golden-ami-image-other', ActionMode: 'CHANGE_SET_EXECUTE' } }, output: { outputVariables: { AmiId: 'ami-0ffffffffffffffff', BuiltVersion: '9.9.9', RecipeName: 'x' } } },
      { stageName: 'BuildImage', actionName: 'Image-app.golden-ami-image-app.Prepare', status: 'Succeeded', input: { configuration: { StackName: IMAGE_STACK, ActionMode: 'CHANGE_SET_REPLACE' } } },
      { stageName: 'BuildImage', actionName: 'Image-app.golden-ami-image-app.Deploy', status: status as ActionExecutionStatus, input: { configuration: { StackName: IMAGE_STACK, ActionMode: 'CHANGE_SET_EXECUTE' } }, output: { outputVariables, executionResult: status === 'Failed' ? { errorDetails: { message: 'Image (AWS::ImageBuilder::Image) CREATE_FAILED: test failed.' } } : undefined } },
    ],
  });
  const built = buildAction('Succeeded', { AmiId: AMI, BuiltVersion: '1.0.3', RecipeName: 'golden-ami-app' });
  const fleetStack = (status: string): Stack => ({
    StackName: FLEET_STACK,
    StackStatus: status as StackStatus,
    CreationTime: new Date('2026-11-01T00:00:00Z'),
    RoleARN: `arn:aws:iam::123456789012:role/${FLEET_STACK}-execution`,
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    Parameters: [{ ParameterKey: 'ReleasedAmi', ParameterValue: RELEASE_NAMES.releaseAmiParameter }],
    Outputs: [{ OutputKey: TEMPLATE_FINGERPRINT_OUTPUT, OutputValue: FLEET_FINGERPRINT }],
  });
  beforeEach(() => {
    cloudformation.reset();
    world.addAmi('eu-west-1', { id: AMI, creationDate: '2026-11-01T00:00:00.000Z', tags: { Ec2ImageBuilderArn: BUILD_ARN, ...OUR_TAGS, 'golden-ami:version': '1.0.3' }, snapshots: ['snap-new'] });
  });

  test.each<[string, ListActionExecutionsCommandOutput]>([
    ['not listed yet (CodePipeline lists an action once it runs)', { $metadata: {}, actionExecutionDetails: [] }],
    ['in progress', buildAction('InProgress')],
  ])('the build %s: nothing is released, and CodePipeline is told to come back', async (_name, listed) => {
    codepipeline.on(ListActionExecutionsCommand).resolves(listed);
    await handler(laneEvent(), context());
    expectOneResult();
    expect(success()[0]).toMatchObject({ continuationToken: JSON.stringify({ phase: 'build', stack: IMAGE_STACK }) });
    expect(success()[0].outputVariables).toBeUndefined();
    expect(codepipeline.commandCalls(ListActionExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: 'golden-ami', filter: { pipelineExecutionId: 'exec-2' }, maxResults: 100 });
    expect(puts()).toEqual([]);
    expect(cloudformation.calls()).toHaveLength(0);
  });

  test('a failed build fails the action with its reason; nothing is released', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(buildAction('Failed'));
    await handler(laneEvent(JSON.stringify({ phase: 'build', stack: IMAGE_STACK })), context());
    expect(failures()[0].failureDetails?.message).toBe(
      `app: the execute action of image stack ${IMAGE_STACK} failed (Image (AWS::ImageBuilder::Image) CREATE_FAILED: test failed), so nothing was released and the fleet runs what it ran before. Fix: see that action's failure in this stage, then retry the stage`,
    );
    expect(puts()).toEqual([]);
  });

  test('built: released from the action\'s outputs, the fleet update asked for, and CodePipeline told to come back', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(built);
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [fleetStack('UPDATE_COMPLETE')] });
    await handler(laneEvent(JSON.stringify({ phase: 'build', stack: IMAGE_STACK })), context());
    expectOneResult();
    const [answer] = success();
    // outputVariables "can be included only when there is no continuation token on the request" (PutJobSuccessResult API reference).
    expect(answer.outputVariables).toBeUndefined();
    expect(JSON.parse(answer.continuationToken!)).toMatchObject({ phase: 'rolling', stack: FLEET_STACK });
    expect(answer.executionDetails?.summary).toBe(`rolling out ${AMI} to fleet stack ${FLEET_STACK} (UPDATE_IN_PROGRESS)`);
    expect(stored(RELEASE_NAMES.releaseParameter)).toMatchObject({ amiId: AMI, version: '1.0.3', answer: { executionId: 'exec-2' } });
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(1);
  });

  test("later invocations do not release again; once the stack is updated the action answers the release's variables and the fleet's", async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(built);
    cloudformation.on(DescribeStacksCommand).resolvesOnce({ Stacks: [fleetStack('UPDATE_COMPLETE')] }).resolvesOnce({ Stacks: [fleetStack('UPDATE_IN_PROGRESS')] }).resolves({ Stacks: [fleetStack('UPDATE_COMPLETE')] });
    await handler(laneEvent(), context());
    const token = success()[0].continuationToken!;
    const releaseRecordWrites = () => puts().filter(([name]) => name === RELEASE_NAMES.releaseParameter).length;
    const writesAfterFirst = releaseRecordWrites();
    await handler(laneEvent(token), context());
    expect(success()[1]).toMatchObject({ continuationToken: token });
    await handler(laneEvent(token), context());
    const final = success()[2];
    expect(final.continuationToken).toBeUndefined();
    expect(final.outputVariables).toEqual({ ...stored(RELEASE_NAMES.releaseParameter).answer.variables, fleet: `rolled out: fleet stack ${FLEET_STACK} runs ${AMI}` });
    expect(releaseRecordWrites()).toBe(writesAfterFirst);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(1);
    expect(failures()).toHaveLength(0);
  });

  test('a rollout that rolled back fails the action with the cause, and the release stays recorded', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(built);
    cloudformation.on(DescribeStacksCommand).resolvesOnce({ Stacks: [fleetStack('UPDATE_COMPLETE')] }).resolves({ Stacks: [fleetStack('UPDATE_ROLLBACK_COMPLETE')] });
    cloudformation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [{ StackId: 's', EventId: '1', StackName: FLEET_STACK, Timestamp: new Date(Date.now() + 60_000), LogicalResourceId: 'Group', ResourceType: 'AWS::AutoScaling::AutoScalingGroup', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Received 0 SUCCESS signal(s) out of 1' }],
    });
    await handler(laneEvent(), context());
    await handler(laneEvent(success()[0].continuationToken!), context());
    expect(failures()[0].failureDetails?.message).toMatch(new RegExp(`^app: ${AMI} is released, but its fleet did not roll out: fleet stack ${FLEET_STACK} UPDATE_ROLLBACK_COMPLETE: Group \\(AWS::AutoScaling::AutoScalingGroup\\) UPDATE_FAILED: Received 0 SUCCESS signal\\(s\\) out of 1\\. The fleet runs what it ran before\\. Fix: `));
    expect(stored(RELEASE_NAMES.releaseParameter).amiId).toBe(AMI);
  });

  test('a fleet left to the DeployImage stage: done in one invocation, with the reason in the fleet variable', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(built);
    cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error(`Stack with id ${FLEET_STACK} does not exist`), { name: 'ValidationError' }));
    await handler(laneEvent(), context());
    expectOneResult();
    expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, fleet: `left to the DeployImage stage: fleet stack ${FLEET_STACK} does not exist yet` });
  });

  test('the lane of an image without a fleet releases as soon as its own build is done, asks CloudFormation nothing, answers without a fleet variable', async () => {
    codepipeline.on(ListActionExecutionsCommand).resolves(built);
    const { fleetStack: _s, fleetFingerprint: _f, ...fleetless } = JSON.parse(laneEvent()['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters!);
    await handler(event(fleetless), context());
    expectOneResult();
    expect(cloudformation.calls()).toHaveLength(0);
    expect(success()[0].continuationToken).toBeUndefined();
    expect(success()[0].outputVariables).toEqual(stored(RELEASE_NAMES.releaseParameter).answer.variables);
    expect(success()[0].outputVariables).not.toHaveProperty('fleet');
  });

  test('a release step of the form before lanes (mode release, from an execution started before the pipeline updated itself) still releases', async () => {
    await handler(release(), context());
    expect(cloudformation.calls()).toHaveLength(0);
    expect(success()[0].outputVariables).not.toHaveProperty('fleet');
  });
});
