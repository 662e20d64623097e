import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { DeregisterImageCommand, DescribeImagesCommand, EC2Client, EnableImageDeprecationCommand, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, type CodePipelineJobEvent } from '../../../lambda/parameter-prep/index';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const codepipeline = mockClient(CodePipelineClient);

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NAMES = { versionParameter: '/golden-ami/p/images/app/version', stateParameter: '/golden-ami/p/images/app/build-state' };
const RELEASE_NAMES = { releaseParameter: '/golden-ami/p/images/app/release', releaseAmiParameter: '/golden-ami/p/images/app/release-ami' };
const AMI = 'ami-0123456789abcdef0';
const BUILD_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app/1.0.3/1';

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
const prepare = (executionId = 'exec-2', majorMinor = '1.0', fingerprint = 'fp-new', rebuild = 'false') =>
  event({ mode: 'prepare', image: 'app', majorMinor, ...NAMES, executionId, fingerprint, rebuild });
const release = (overrides: object = {}) =>
  event({
    mode: 'release',
    image: 'app',
    amiId: AMI,
    version: '1.0.3',
    recipeName: 'golden-ami-app',
    ...RELEASE_NAMES,
    executionId: 'exec-2',
    commitId: 'abc123',
    pipeline: 'golden-ami',
    keepImages: '1',
    deleteBeyond: '2',
    ...overrides,
  });
const context = (remainingMs = 55_000) => ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs });

function storedState(version: string, executionId: string, fingerprint = 'fp-old') {
  return { Parameter: { Value: JSON.stringify({ version, fingerprint, executionId, updatedAt: '2026-11-01T00:00:00.000Z' }) } };
}
const puts = () => ssm.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input.Value]);
const success = () => codepipeline.commandCalls(PutJobSuccessResultCommand).map((c) => c.args[0].input);
const failures = () => codepipeline.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input);

let logs: string[];
beforeEach(() => {
  ssm.reset();
  ec2.reset();
  codepipeline.reset();
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
  // Retention's listing of the image's AMIs: none unless a test says otherwise.
  ec2.on(DescribeImagesCommand).resolves({ Images: [] });
  codepipeline.on(PutJobSuccessResultCommand).resolves({});
  codepipeline.on(PutJobFailureResultCommand).resolves({});
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
  test('first run (no state yet): 1.0.0, state written before the hand-off, output variables set', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await handler(prepare(), context());
    expect(puts()).toEqual([
      [NAMES.stateParameter, expect.stringContaining('"version":"1.0.0","fingerprint":"fp-new"')],
      [NAMES.versionParameter, '1.0.0'],
    ]);
    expect(success()).toEqual([
      { jobId: 'job-1', outputVariables: { version: '1.0.0', previousVersion: 'none', build: 'true', reason: 'first build of this image', redelivered: 'false' } },
    ]);
    expectOneResult();
  });

  test('a new execution whose image inputs changed bumps PATCH', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves(storedState('1.0.4', 'exec-1'));
    await handler(prepare('exec-2'), context());
    expect(puts()).toEqual([
      [NAMES.stateParameter, expect.stringContaining('"executionId":"exec-2"')],
      [NAMES.versionParameter, '1.0.5'],
    ]);
    expect(success()[0].outputVariables).toEqual({ version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed', redelivered: 'false' });
  });

  test('unchanged inputs keep the version: no state write, the hand-off repeats the same value, build=false', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves(storedState('1.0.4', 'exec-1', 'fp-same'));
    await handler(prepare('exec-2', '1.0', 'fp-same'), context());
    expect(puts()).toEqual([[NAMES.versionParameter, '1.0.4']]);
    expect(success()[0].outputVariables).toMatchObject({ version: '1.0.4', build: 'false', reason: 'image inputs unchanged; keeping the current image' });
  });

  test('the rebuild variable forces a new image even with unchanged inputs', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves(storedState('1.0.4', 'exec-1', 'fp-same'));
    await handler(prepare('exec-2', '1.0', 'fp-same', 'true'), context());
    expect(puts()[1]).toEqual([NAMES.versionParameter, '1.0.5']);
    expect(success()[0].outputVariables).toMatchObject({ build: 'true', reason: 'rebuild requested' });
  });

  test('raising MINOR in configuration restarts PATCH at 0', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves(storedState('1.0.4', 'exec-1'));
    await handler(prepare('exec-2', '1.1'), context());
    expect(puts()[1]).toEqual([NAMES.versionParameter, '1.1.0']);
  });

  test('the same job delivered twice does not bump twice', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolvesOnce(storedState('1.0.4', 'exec-1')).resolves(storedState('1.0.5', 'exec-2'));
    await handler(prepare('exec-2'), context());
    await handler(prepare('exec-2'), context());
    const versionsHandedOff = puts().filter(([name]) => name === NAMES.versionParameter).map(([, v]) => v);
    expect(versionsHandedOff).toEqual(['1.0.5', '1.0.5']);
    expect(puts().filter(([name]) => name === NAMES.stateParameter)).toHaveLength(1);
    expect(success().map((s) => s.outputVariables)).toEqual([
      { version: '1.0.5', previousVersion: '1.0.4', build: 'true', reason: 'image inputs changed', redelivered: 'false' },
      { version: '1.0.5', previousVersion: '1.0.5', build: 'true', reason: 'same pipeline execution as the stored decision', redelivered: 'true' },
    ]);
  });

  test('a configured version below the last build fails with the fix and writes nothing', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves(storedState('1.2.0', 'exec-1'));
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
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolves({ Parameter: { Value: value } });
    await handler(prepare(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(new RegExp(`SSM parameter ${NAMES.stateParameter} does not hold a valid build state.*Fix: put the last built version back`));
    expectOneResult();
  });

  test('throttling that outlasts the SDK retries fails the job with the AWS error name', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ssm.on(GetParameterCommand).rejects(throttled);
    await handler(prepare(), context());
    expect(failures()[0].failureDetails?.message).toBe('ThrottlingException: Rate exceeded');
    expectOneResult();
  });

  test('a write that fails after the state was saved is repaired by the redelivery', async () => {
    ssm.on(GetParameterCommand, { Name: NAMES.stateParameter }).resolvesOnce(storedState('1.0.4', 'exec-1')).resolves(storedState('1.0.5', 'exec-2'));
    ssm.on(PutParameterCommand, { Name: NAMES.versionParameter }).rejectsOnce(Object.assign(new Error('Internal'), { name: 'InternalServerError', $metadata: {} }));
    await handler(prepare('exec-2'), context());
    expect(failures()).toHaveLength(1);
    await handler(prepare('exec-2'), context());
    expect(puts().filter(([name]) => name === NAMES.versionParameter).map(([, v]) => v)).toEqual(['1.0.5', '1.0.5']);
    expect(success()[0].outputVariables?.version).toBe('1.0.5');
  });

  test('an AWS call that hangs ends in PutJobFailureResult before the function times out', async () => {
    ssm.on(GetParameterCommand).callsFake(() => new Promise(() => undefined));
    await handler(prepare(), context(5_200));
    expect(failures()[0].failureDetails?.message).toMatch(/gave up after 0 s waiting for AWS; retry the action/);
    expectOneResult();
  });

  test('malformed UserParameters fail the job with the field named', async () => {
    await handler(event({ mode: 'prepare', image: 'app' }), context());
    expect(failures()[0].failureDetails?.message).toMatch(/UserParameters\.majorMinor must be a non-empty string/);
    expect(ssm.calls()).toHaveLength(0);
    expectOneResult();
  });

  test('when CodePipeline cannot be told, the invocation fails so Lambda retries it', async () => {
    ssm.on(GetParameterCommand).resolves(storedState('1.0.4', 'exec-2'));
    codepipeline.on(PutJobSuccessResultCommand).rejects(new Error('endpoint unreachable'));
    await expect(handler(prepare('exec-2'), context())).rejects.toThrow('endpoint unreachable');
  });
});

describe('release', () => {
  const available: { Images: Image[] } = { Images: [{ ImageId: AMI, State: 'available', Tags: [{ Key: 'Ec2ImageBuilderArn', Value: BUILD_ARN }] }] };

  test('first release: record then AMI parameter (validated as an EC2 image), output variables', async () => {
    ec2.on(DescribeImagesCommand, { ImageIds: [AMI] }).resolves(available);
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await handler(release(), context());
    const calls = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Name)).toEqual([RELEASE_NAMES.releaseParameter, RELEASE_NAMES.releaseAmiParameter]);
    expect(JSON.parse(calls[0].Value!)).toMatchObject({ amiId: AMI, version: '1.0.3', commitId: 'abc123', executionId: 'exec-2' });
    expect(JSON.parse(calls[0].Value!).previous).toBeUndefined();
    expect(calls[1]).toMatchObject({ Value: AMI, DataType: 'aws:ec2:image', Overwrite: true });
    expect(success()[0].outputVariables).toEqual({ amiId: AMI, version: '1.0.3', previousAmiId: 'none', rolledBack: 'false', deprecated: 'none', deleted: 'none', retentionError: 'none' });
  });

  test('a new release keeps the previous one for rollback', async () => {
    ec2.on(DescribeImagesCommand).resolves(available);
    const previous = { amiId: 'ami-00000000000000001', version: '1.0.2', executionId: 'exec-1', releasedAt: '2026-11-01T00:00:00.000Z' };
    ssm.on(GetParameterCommand, { Name: RELEASE_NAMES.releaseParameter }).resolves({ Parameter: { Value: JSON.stringify(previous) } });
    await handler(release(), context());
    const record = JSON.parse(ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value!);
    expect(record.previous).toEqual(previous);
    expect(success()[0].outputVariables?.previousAmiId).toBe('ami-00000000000000001');
  });

  test('releasing the same AMI again (redelivery) keeps the record and its previous release', async () => {
    ec2.on(DescribeImagesCommand).resolves(available);
    const current = { amiId: AMI, version: '1.0.3', executionId: 'exec-2', releasedAt: 'x', previous: { amiId: 'ami-00000000000000001', version: '1.0.2', executionId: 'exec-1', releasedAt: 'y' } };
    ssm.on(GetParameterCommand, { Name: RELEASE_NAMES.releaseParameter }).resolves({ Parameter: { Value: JSON.stringify(current) } });
    await handler(release(), context());
    expect(puts()).toEqual([[RELEASE_NAMES.releaseAmiParameter, AMI]]);
    expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, version: '1.0.3', previousAmiId: 'ami-00000000000000001', rolledBack: 'false' });
  });

  describe('retention after the release', () => {
    const older = (n: number): Image => ({ ImageId: `ami-0000000000000010${n}`, CreationDate: `2026-10-0${n}T00:00:00.000Z`, State: 'available' });
    const previous = { amiId: 'ami-00000000000000001', version: '1.0.2', executionId: 'exec-1', releasedAt: 't' };

    beforeEach(() => {
      ec2.on(DescribeImagesCommand, { ImageIds: [AMI] }).resolves(available);
      ssm.on(GetParameterCommand, { Name: RELEASE_NAMES.releaseParameter }).resolves({ Parameter: { Value: JSON.stringify(previous) } });
      // This pipeline's AMIs of the image: the new release, the previous one, and three older ones.
      ec2
        .on(DescribeImagesCommand, { Owners: ['self'], Filters: [{ Name: 'tag:golden-ami:pipeline', Values: ['golden-ami'] }, { Name: 'tag:golden-ami:image', Values: ['app'] }] })
        .resolves({ Images: [{ ...available.Images[0], CreationDate: '2026-11-01T00:00:00.000Z' }, { ImageId: previous.amiId, CreationDate: '2026-09-01T00:00:00.000Z' }, older(1), older(2), older(3)] });
    });

    test('keeps the newest, deprecates the next, deregisters older ones with their snapshots; spares both releases', async () => {
      await handler(release(), context());
      expect(ec2.commandCalls(EnableImageDeprecationCommand).map((c) => c.args[0].input.ImageId)).toEqual(['ami-00000000000000102']);
      expect(ec2.commandCalls(DeregisterImageCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: 'ami-00000000000000101', DeleteAssociatedSnapshots: true }]);
      expect(success()[0].outputVariables).toMatchObject({ deprecated: 'ami-00000000000000102', deleted: 'ami-00000000000000101', retentionError: 'none' });
    });

    test('a retention failure is reported but does not fail the release', async () => {
      ec2.on(DeregisterImageCommand).rejects(Object.assign(new Error('You are not authorized'), { name: 'UnauthorizedOperation', $metadata: {} }));
      await handler(release(), context());
      expect(puts().map(([name]) => name)).toEqual([RELEASE_NAMES.releaseParameter, RELEASE_NAMES.releaseAmiParameter]);
      expect(success()[0].outputVariables).toMatchObject({ amiId: AMI, deprecated: 'ami-00000000000000102', deleted: 'none', retentionError: 'UnauthorizedOperation: You are not authorized' });
      expectOneResult();
    });
  });

  test('after an operator rolled back from this AMI, a run that built nothing new keeps the rollback', async () => {
    ec2.on(DescribeImagesCommand).resolves(available);
    const rolledBack = { amiId: 'ami-00000000000000001', version: '1.0.2', executionId: 'rollback', releasedAt: 'z', rolledBackFrom: AMI, previous: { amiId: AMI, version: '1.0.3', executionId: 'exec-1', releasedAt: 'y' } };
    ssm.on(GetParameterCommand, { Name: RELEASE_NAMES.releaseParameter }).resolves({ Parameter: { Value: JSON.stringify(rolledBack) } });
    await handler(release(), context());
    expect(puts()).toEqual([[RELEASE_NAMES.releaseAmiParameter, 'ami-00000000000000001']]);
    expect(success()[0].outputVariables).toMatchObject({ amiId: 'ami-00000000000000001', version: '1.0.2', previousAmiId: AMI, rolledBack: 'true' });
  });

  test.each([
    ['missing', () => ec2.on(DescribeImagesCommand).rejects(Object.assign(new Error('The image id does not exist'), { name: 'InvalidAMIID.NotFound', $metadata: {} })), /does not exist in this account and region/],
    ['not available', () => ec2.on(DescribeImagesCommand).resolves({ Images: [{ ...available.Images[0], State: 'pending' as const }] }), /is pending, not available/],
    ['built by another version', () => ec2.on(DescribeImagesCommand).resolves({ Images: [{ ...available.Images[0], Tags: [{ Key: 'Ec2ImageBuilderArn', Value: BUILD_ARN.replace('1.0.3', '1.0.1') }] }] }), /refusing to release an image this pipeline run did not build/],
  ])('an AMI that is %s is not released and nothing is written', async (_name, arrange, message) => {
    arrange();
    await handler(release(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(message);
    expectOneResult();
  });

  test('a malformed AMI id or version fails before any AWS call', async () => {
    await handler(release({ amiId: 'i-123' }), context());
    await handler(release({ version: '1.0' }), context());
    expect(failures().map((f) => f.failureDetails?.message)).toEqual([
      'UserParameters.amiId is not an AMI id (got "i-123")',
      'UserParameters.version must be MAJOR.MINOR.PATCH (got "1.0")',
    ]);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('a release record that does not parse fails and is not overwritten', async () => {
    ec2.on(DescribeImagesCommand).resolves(available);
    ssm.on(GetParameterCommand, { Name: RELEASE_NAMES.releaseParameter }).resolves({ Parameter: { Value: '{"ami":"x"}' } });
    await handler(release(), context());
    expect(puts()).toEqual([]);
    expect(failures()[0].failureDetails?.message).toMatch(/does not hold a valid release record/);
  });
});
