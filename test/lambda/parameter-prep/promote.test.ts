/**
 * The promote step, through the handler: the pipeline's account owns the AMIs (FakeEc2, per region), each environment
 * has its own account whose Parameter Store is reached only through its release writer role (FakeSts hands out the
 * credentials, FakeAccountParameters places every SSM call by those credentials and the client's region).
 *
 * What AWS answers at the edges this step depends on (see fake-aws.ts for each):
 * - DescribeImageAttribute with Attribute launchPermission answers { ImageId, LaunchPermissions: [{ UserId }, …] } for
 *   an AMI the caller owns; an account shared with appears as one entry with its UserId (a public AMI as Group "all",
 *   an organization or OU share as OrganizationArn / OrganizationalUnitArn, which the step does not count)
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html, API_LaunchPermission.html).
 * - AssumeRole of a role that does not exist or does not trust the caller fails with the error code AccessDenied (HTTP
 *   403; not a modelled AssumeRole error, so the SDK names the error by the code).
 * - GetParameter of a name that does not exist fails with ParameterNotFound
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors).
 * - DescribeImages with Owners ['self'] and tag filters lists only the caller's AMIs whose tags match exactly; a
 *   deregistered AMI may still show for a while in state "deregistered"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 */
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { CreateTagsCommand, DeleteTagsCommand, DescribeImageAttributeCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { environmentStackName, imageParameterNames, parameterPrepRoleName, releaseWriterRoleName } from '../../../lib/naming';
import { handler, type CodePipelineJobEvent } from '../../../lambda/parameter-prep/index';
import { sessionName } from '../../../lambda/parameter-prep/promote';
import { FakeAccountParameters, FakeEc2, FakeSts } from './fake-aws';

// Lambda sets AWS_REGION to the function's region (the pipeline's).
process.env.AWS_REGION = 'eu-west-1';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const codepipeline = mockClient(CodePipelineClient);

const PIPELINE = 'golden-ami';
const NAMES = imageParameterNames(PIPELINE, 'app');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** Two environments in promotion order: test, then production; each its own account and region. */
const TEST = { name: 'test', account: '111122223333', region: 'us-east-1' };
const PRODUCTION = { name: 'production', account: '444455556666', region: 'eu-central-1' };
const writerRole = (account: string) => `arn:aws:iam::${account}:role/${releaseWriterRoleName(PIPELINE)}`;
/** Image Builder's copies of version 1.0.3, one per environment region; the previous release 1.0.2 in production. */
const PRODUCTION_AMI = 'ami-0e0e0e0e0e0e0e0e3';
const TEST_AMI = 'ami-0a0a0a0a0a0a0a0a3';
const PRODUCTION_PREVIOUS_AMI = 'ami-0e0e0e0e0e0e0e0e2';
const copyTags = (version: string) => ({ 'golden-ami:pipeline': PIPELINE, 'golden-ami:image': 'app', 'golden-ami:version': version });

function event(overrides: object = {}): CodePipelineJobEvent {
  const userParameters = {
    mode: 'promote',
    image: 'app',
    environment: PRODUCTION.name,
    account: PRODUCTION.account,
    region: PRODUCTION.region,
    writerRoleArn: writerRole(PRODUCTION.account),
    version: '1.0.3',
    executionId: 'exec-2',
    commitId: 'abc123',
    pipeline: PIPELINE,
    releaseParameter: NAMES.release,
    releaseAmiParameter: NAMES.releaseAmi,
    previousEnvironment: TEST.name,
    previousWriterRoleArn: writerRole(TEST.account),
    previousRegion: TEST.region,
    ...overrides,
  };
  return {
    'CodePipeline.job': {
      id: 'job-1',
      data: {
        actionConfiguration: { configuration: { UserParameters: JSON.stringify(userParameters) } },
        // What CodePipeline really sends along: credentials that must never reach the logs.
        artifactCredentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token' },
      } as never,
    },
  };
}
const FIRST_ENVIRONMENT = { environment: TEST.name, account: TEST.account, region: TEST.region, writerRoleArn: writerRole(TEST.account), previousEnvironment: 'none', previousWriterRoleArn: 'none', previousRegion: 'none' };
const context = (remainingMs = 55_000) => ({ awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:golden-ami-parameter-prep', getRemainingTimeInMillis: () => remainingMs });

let world: FakeEc2;
let stsWorld: FakeSts;
let parameters: FakeAccountParameters;
let logs: string[];
/** Jobs run by the test: each gets exactly one result. */
let jobs: number;
const run = (e: CodePipelineJobEvent, c = context()) => {
  jobs += 1;
  return handler(e, c);
};
const success = () => codepipeline.commandCalls(PutJobSuccessResultCommand).map((c) => c.args[0].input);
const failures = () => codepipeline.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input);
const failure = () => failures()[0]?.failureDetails?.message;
const record = (env: { account: string; region: string }) => {
  const text = parameters.get(env.account, env.region, NAMES.release);
  return text === undefined ? undefined : JSON.parse(text);
};
/** The options (second argument) of a call to an SDK client's send. */
const optionsOf = (call: { args: unknown[] }) => call.args[1] as { abortSignal?: AbortSignal } | undefined;
const storeRecord = (env: { account: string; region: string }, value: object) => parameters.set(env.account, env.region, NAMES.release, JSON.stringify(value));
const writes = () => parameters.calls.filter((c) => c.includes(' Put '));
const release = (amiId: string, version: string, executionId = 'exec-1') => ({ amiId, version, commitId: 'old', executionId, releasedAt: '2026-11-01T00:00:00.000Z' });

beforeEach(() => {
  ssm.reset();
  ec2.reset();
  sts.reset();
  codepipeline.reset();
  world = new FakeEc2();
  world.install(ec2);
  stsWorld = new FakeSts().trust(writerRole(TEST.account), writerRole(PRODUCTION.account));
  stsWorld.install(sts);
  parameters = new FakeAccountParameters(stsWorld);
  parameters.install(ssm);
  codepipeline.on(PutJobSuccessResultCommand).resolves({});
  codepipeline.on(PutJobFailureResultCommand).resolves({});
  // Image Builder distributed 1.0.3 to both environment regions and shared each copy with both environment accounts.
  const shared = [TEST.account, PRODUCTION.account];
  world.addAmi(TEST.region, { id: TEST_AMI, creationDate: '2026-11-20T00:00:00.000Z', tags: copyTags('1.0.3'), snapshots: ['snap-t3'], launchPermissions: shared });
  world.addAmi(PRODUCTION.region, { id: PRODUCTION_AMI, creationDate: '2026-11-20T00:00:00.000Z', tags: copyTags('1.0.3'), snapshots: ['snap-p3'], launchPermissions: shared });
  world.addAmi(PRODUCTION.region, { id: PRODUCTION_PREVIOUS_AMI, creationDate: '2026-10-20T00:00:00.000Z', tags: copyTags('1.0.2'), snapshots: ['snap-p2'], launchPermissions: shared });
  // Test took 1.0.3 earlier in this execution; production runs 1.0.2.
  storeRecord(TEST, { ...release(TEST_AMI, '1.0.3', 'exec-2'), answer: { executionId: 'exec-2', variables: {} } });
  storeRecord(PRODUCTION, release(PRODUCTION_PREVIOUS_AMI, '1.0.2'));
  logs = [];
  jobs = 0;
  jest.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args.join(' ')));
});
afterEach(() => {
  jest.restoreAllMocks();
  // The job event carries artifact credentials: no log line may contain them, nor the assumed roles' secrets.
  expect(logs.join('\n')).not.toContain(SECRET);
  expect(logs.join('\n')).not.toContain('ASIA');
  // Exactly one result per job, whichever it is.
  expect(success().length + failures().length).toBe(jobs);
});

describe('promote', () => {
  test("promoted: production's copy of the version, checked against test's release, recorded through production's writer role", async () => {
    await run(event());
    const variables = { amiId: PRODUCTION_AMI, version: '1.0.3', environment: 'production', previousAmiId: PRODUCTION_PREVIOUS_AMI, promoted: 'true' };
    expect(success()).toEqual([{ jobId: 'job-1', outputVariables: variables }]);
    // Both writer roles assumed from the function's account, for 15 minutes, under the pipeline's session name.
    expect(stsWorld.requests).toEqual([
      { RoleArn: writerRole(PRODUCTION.account), RoleSessionName: 'golden-ami-promote', DurationSeconds: 900 },
      { RoleArn: writerRole(TEST.account), RoleSessionName: 'golden-ami-promote', DurationSeconds: 900 },
    ]);
    // Every SSM call in the right account and region, with that account's assumed credentials (the fake refuses any
    // other): production's record read, test's record read, then production's record, AMI (the commit point), answer.
    const [p, t] = [`${PRODUCTION.account} ${PRODUCTION.region}`, `${TEST.account} ${TEST.region}`];
    expect(parameters.calls).toEqual([`${p} Get ${NAMES.release}`, `${t} Get ${NAMES.release}`, `${p} Put ${NAMES.release}`, `${p} Put ${NAMES.releaseAmi}`, `${p} Get ${NAMES.release}`, `${p} Put ${NAMES.release}`]);
    expect(ssm.commandCalls(PutParameterCommand)[1].args[0].input).toMatchObject({ Name: NAMES.releaseAmi, Value: PRODUCTION_AMI, DataType: 'aws:ec2:image', Overwrite: true });
    expect(parameters.get(PRODUCTION.account, PRODUCTION.region, NAMES.releaseAmi)).toBe(PRODUCTION_AMI);
    expect(record(PRODUCTION)).toEqual({
      amiId: PRODUCTION_AMI,
      version: '1.0.3',
      commitId: 'abc123',
      executionId: 'exec-2',
      releasedAt: expect.any(String),
      previous: release(PRODUCTION_PREVIOUS_AMI, '1.0.2'),
      answer: { executionId: 'exec-2', variables },
    });
    // The AMI is looked up in production's region among the pipeline account's own AMIs, by the three tags; then the
    // copies tagged for production are listed, to mark the new release current and the one before it previous.
    expect(ec2.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        Owners: ['self'],
        Filters: [
          { Name: 'tag:golden-ami:pipeline', Values: [PIPELINE] },
          { Name: 'tag:golden-ami:image', Values: ['app'] },
          { Name: 'tag:golden-ami:version', Values: ['1.0.3'] },
        ],
      }),
      expect.objectContaining({
        Owners: ['self'],
        Filters: [
          { Name: 'tag:golden-ami:pipeline', Values: [PIPELINE] },
          { Name: 'tag:golden-ami:image', Values: ['app'] },
          { Name: 'tag-key', Values: ['golden-ami:environment:production'] },
        ],
      }),
    ]);
    expect(world.calls).toEqual([
      `${PRODUCTION.region} DescribeImages`,
      `${PRODUCTION.region} DescribeImageAttribute ${PRODUCTION_AMI}`,
      `${PRODUCTION.region} DescribeImages`,
      `${PRODUCTION.region} CreateTags ${PRODUCTION_AMI}`,
      `${PRODUCTION.region} CreateTags ${PRODUCTION_PREVIOUS_AMI}`,
    ]);
    expect(ec2.commandCalls(DescribeImageAttributeCommand)[0].args[0].input).toEqual({ ImageId: PRODUCTION_AMI, Attribute: 'launchPermission' });
    // Test's release is read, never written.
    expect(writes().filter((c) => c.startsWith(TEST.account))).toEqual([]);
  });

  test("marks the copies production runs and would roll back to, and unmarks the one it no longer needs, so retention spares exactly those", async () => {
    // 1.0.1 was production's previous release until now: its copy carries production's tag from then.
    world.addAmi(PRODUCTION.region, { id: 'ami-0e0e0e0e0e0e0e0e1', creationDate: '2026-09-20T00:00:00.000Z', tags: { ...copyTags('1.0.1'), 'golden-ami:environment:production': 'previous' }, snapshots: ['snap-p1'] });
    world.region(PRODUCTION.region).images.get(PRODUCTION_PREVIOUS_AMI)!.tags['golden-ami:environment:production'] = 'current';
    // Test's tag on the same region's copies is test's business: never touched here.
    world.region(PRODUCTION.region).images.get(PRODUCTION_PREVIOUS_AMI)!.tags['golden-ami:environment:test'] = 'current';
    await run(event());
    const tag = (id: string) => world.region(PRODUCTION.region).images.get(id)!.tags;
    expect(tag(PRODUCTION_AMI)['golden-ami:environment:production']).toBe('current');
    expect(tag(PRODUCTION_PREVIOUS_AMI)['golden-ami:environment:production']).toBe('previous');
    expect(tag(PRODUCTION_PREVIOUS_AMI)['golden-ami:environment:test']).toBe('current');
    expect(tag('ami-0e0e0e0e0e0e0e0e1')).not.toHaveProperty('golden-ami:environment:production');
    expect(ec2.commandCalls(DeleteTagsCommand).map((c) => c.args[0].input)).toEqual([{ Resources: ['ami-0e0e0e0e0e0e0e0e1'], Tags: [{ Key: 'golden-ami:environment:production' }] }]);
  });

  test('the same job again finds the marks in place and writes no tag', async () => {
    await run(event());
    const tagsBefore = ec2.commandCalls(CreateTagsCommand).length;
    await run(event());
    expect(ec2.commandCalls(CreateTagsCommand).length).toBe(tagsBefore);
  });

  test('the first environment has no previous one to ask', async () => {
    parameters = new FakeAccountParameters(stsWorld);
    parameters.install(ssm);
    await run(event(FIRST_ENVIRONMENT));
    expect(success()[0].outputVariables).toEqual({ amiId: TEST_AMI, version: '1.0.3', environment: 'test', previousAmiId: 'none', promoted: 'true' });
    expect(stsWorld.requests.map((r) => r.RoleArn)).toEqual([writerRole(TEST.account)]);
    expect(record(TEST)).toMatchObject({ amiId: TEST_AMI, version: '1.0.3', executionId: 'exec-2' });
    expect(record(TEST).previous).toBeUndefined();
  });

  describe("production's copy of the version", () => {
    test('none in the region: a failure that says Image Builder did not distribute it there, with the fix; nothing written', async () => {
      world.region(PRODUCTION.region).images.delete(PRODUCTION_AMI);
      await run(event());
      expect(failure()).toMatch(/^app: version 1\.0\.3 of image app is not in region eu-central-1: Image Builder did not distribute it there .*Fix: the image's distribution must include eu-central-1/);
      expect(writes()).toEqual([]);
    });

    test("another version's copy, another image's or another pipeline's is not it", async () => {
      world.region(PRODUCTION.region).images.delete(PRODUCTION_AMI);
      world.addAmi(PRODUCTION.region, { id: 'ami-0b0b0b0b0b0b0b0b1', creationDate: 'x', tags: { ...copyTags('1.0.3'), 'golden-ami:image': 'api' }, snapshots: [] });
      world.addAmi(PRODUCTION.region, { id: 'ami-0b0b0b0b0b0b0b0b2', creationDate: 'x', tags: { ...copyTags('1.0.3'), 'golden-ami:pipeline': 'other' }, snapshots: [] });
      await run(event());
      expect(failure()).toMatch(/is not in region eu-central-1/);
    });

    test('a deregistered copy that still shows is not it', async () => {
      world.addAmi(PRODUCTION.region, { id: 'ami-0d0d0d0d0d0d0d0d3', creationDate: 'x', tags: copyTags('1.0.3'), snapshots: [], state: 'deregistered' });
      await run(event());
      expect(success()[0].outputVariables).toMatchObject({ amiId: PRODUCTION_AMI, promoted: 'true' });
    });

    test('two of them: a failure naming both, nothing written', async () => {
      world.addAmi(PRODUCTION.region, { id: 'ami-0f0f0f0f0f0f0f0f3', creationDate: 'x', tags: copyTags('1.0.3'), snapshots: [], launchPermissions: [PRODUCTION.account] });
      await run(event());
      expect(failure()).toMatch(new RegExp(`^app: 2 AMIs in eu-central-1 are tagged .* \\(${PRODUCTION_AMI}, ami-0f0f0f0f0f0f0f0f3\\), so which one to promote to production is ambiguous\\. Fix: deregister`));
      expect(writes()).toEqual([]);
    });

    test('not available yet: a failure that says so, nothing written', async () => {
      world.region(PRODUCTION.region).images.get(PRODUCTION_AMI)!.state = 'pending' as never;
      await run(event());
      expect(failure()).toMatch(/^app: ami-0e0e0e0e0e0e0e0e3 \(version 1\.0\.3\) in eu-central-1 is pending, not available\. Fix: if it is pending, Image Builder is still copying it/);
      expect(writes()).toEqual([]);
    });

    test("not shared with production's account: a failure naming the accounts it is shared with, with the fix; nothing written", async () => {
      world.region(PRODUCTION.region).images.get(PRODUCTION_AMI)!.launchPermissions = [TEST.account];
      await run(event());
      expect(failure()).toMatch(
        /^app: ami-0e0e0e0e0e0e0e0e3 \(version 1\.0\.3\) in eu-central-1 is not shared with production's account 444455556666: its launch permissions name only 111122223333\. Fix: the image's distribution must give account 444455556666 launch permission in eu-central-1; let the pipeline update itself/,
      );
      expect(writes()).toEqual([]);
    });

    test('shared with no account at all', async () => {
      world.region(PRODUCTION.region).images.get(PRODUCTION_AMI)!.launchPermissions = [];
      await run(event());
      expect(failure()).toMatch(/its launch permissions name no account\./);
    });
  });

  describe('production gets only what test runs', () => {
    test("test's release is another version: a failure that names both, production untouched", async () => {
      storeRecord(TEST, release('ami-0a0a0a0a0a0a0a0a2', '1.0.2'));
      await run(event());
      expect(failure()).toMatch(/^app: production gets only what test runs: test's release of app is 1\.0\.2, this run promotes 1\.0\.3\. Fix: production gets 1\.0\.3 once test runs it/);
      expect(writes()).toEqual([]);
      expect(record(PRODUCTION)).toEqual(release(PRODUCTION_PREVIOUS_AMI, '1.0.2'));
    });

    test('test rolled back from the version by an operator: production does not get it', async () => {
      storeRecord(TEST, { ...release('ami-0a0a0a0a0a0a0a0a2', '1.0.2', 'rollback'), rolledBackFrom: TEST_AMI, previous: release(TEST_AMI, '1.0.3', 'exec-2') });
      await run(event());
      expect(failure()).toMatch(/test's release of app is 1\.0\.2, this run promotes 1\.0\.3\..*if test was rolled back from 1\.0\.3, it waits for the next version to pass test/);
      expect(writes()).toEqual([]);
    });

    test("test has no release of the image: 'none'", async () => {
      parameters = new FakeAccountParameters(stsWorld);
      parameters.install(ssm);
      storeRecord(PRODUCTION, release(PRODUCTION_PREVIOUS_AMI, '1.0.2'));
      await run(event());
      expect(failure()).toMatch(/^app: production gets only what test runs: test's release of app is none, this run promotes 1\.0\.3\./);
      expect(writes()).toEqual([]);
    });

    test("test runs the version (its own region's copy, another AMI id): promoted", async () => {
      storeRecord(TEST, release('ami-0123456789abcdef0', '1.0.3'));
      await run(event());
      expect(success()[0].outputVariables).toMatchObject({ amiId: PRODUCTION_AMI, promoted: 'true' });
    });
  });

  test('already production\'s release (a run that built nothing new): record kept, hand-off repaired, promoted=false, test not asked', async () => {
    const current = { ...release(PRODUCTION_AMI, '1.0.3', 'exec-1'), previous: release(PRODUCTION_PREVIOUS_AMI, '1.0.2', 'exec-0') };
    storeRecord(PRODUCTION, current);
    await run(event());
    const variables = { amiId: PRODUCTION_AMI, version: '1.0.3', environment: 'production', previousAmiId: PRODUCTION_PREVIOUS_AMI, promoted: 'false' };
    expect(success()[0].outputVariables).toEqual(variables);
    expect(record(PRODUCTION)).toEqual({ ...current, answer: { executionId: 'exec-2', variables } });
    expect(writes()).toEqual([`${PRODUCTION.account} ${PRODUCTION.region} Put ${NAMES.releaseAmi}`, `${PRODUCTION.account} ${PRODUCTION.region} Put ${NAMES.release}`]);
    expect(parameters.get(PRODUCTION.account, PRODUCTION.region, NAMES.releaseAmi)).toBe(PRODUCTION_AMI);
    // Nothing new reaches production, so what test runs does not matter here.
    expect(stsWorld.requests.map((r) => r.RoleArn)).toEqual([writerRole(PRODUCTION.account)]);
  });

  test("promoted by this execution's earlier attempt, which stopped before storing its answer: promoted=true, as that attempt would have said", async () => {
    storeRecord(PRODUCTION, { ...release(PRODUCTION_AMI, '1.0.3', 'exec-2'), previous: release(PRODUCTION_PREVIOUS_AMI, '1.0.2') });
    await run(event());
    expect(success()[0].outputVariables).toEqual({ amiId: PRODUCTION_AMI, version: '1.0.3', environment: 'production', previousAmiId: PRODUCTION_PREVIOUS_AMI, promoted: 'true' });
  });

  test("production rolled back from this AMI by an operator: the rollback is kept, the AMI is not promoted again, and the step says so", async () => {
    const rolledBack = { ...release(PRODUCTION_PREVIOUS_AMI, '1.0.2', 'rollback'), rolledBackFrom: PRODUCTION_AMI, previous: release(PRODUCTION_AMI, '1.0.3', 'exec-1') };
    storeRecord(PRODUCTION, rolledBack);
    await run(event());
    const variables = { amiId: PRODUCTION_PREVIOUS_AMI, version: '1.0.2', environment: 'production', previousAmiId: PRODUCTION_AMI, promoted: 'false' };
    expect(success()[0].outputVariables).toEqual(variables);
    expect(record(PRODUCTION)).toEqual({ ...rolledBack, answer: { executionId: 'exec-2', variables } });
    // The hand-off names the AMI rolled back to.
    expect(parameters.get(PRODUCTION.account, PRODUCTION.region, NAMES.releaseAmi)).toBe(PRODUCTION_PREVIOUS_AMI);
    expect(logs.join('\n')).toMatch(/keeping production's rollback to ami-0e0e0e0e0e0e0e0e2 \(1\.0\.2\): ami-0e0e0e0e0e0e0e0e3 \(1\.0\.3\) was rolled back from, so it is not promoted again/);
  });

  test('the same job delivered again gets byte-identical output variables, asks EC2 and test nothing, and repairs the hand-off', async () => {
    await run(event());
    const ec2Calls = world.calls.length;
    // Meanwhile the hand-off went missing, and an operator rolled test back: the redelivery still answers the same.
    parameters.set(PRODUCTION.account, PRODUCTION.region, NAMES.releaseAmi, 'ami-00000000000000000');
    storeRecord(TEST, release('ami-0a0a0a0a0a0a0a0a2', '1.0.2', 'rollback'));
    await run(event());
    const [first, second] = success().map((s) => JSON.stringify(s.outputVariables));
    expect(second).toBe(first);
    expect(world.calls.length).toBe(ec2Calls);
    expect(stsWorld.requests.map((r) => r.RoleArn)).toEqual([writerRole(PRODUCTION.account), writerRole(TEST.account), writerRole(PRODUCTION.account)]);
    expect(parameters.get(PRODUCTION.account, PRODUCTION.region, NAMES.releaseAmi)).toBe(PRODUCTION_AMI);
  });

  describe('a release writer role that cannot be assumed', () => {
    test("production's: a failure naming the role and the fix (the environment stack, README \"Environments\"); nothing else asked", async () => {
      stsWorld = new FakeSts().trust(writerRole(TEST.account));
      stsWorld.install(sts);
      await run(event());
      expect(failure()).toBe(
        `app: cannot assume production's release writer role ${writerRole(PRODUCTION.account)} (AccessDenied: User: arn:aws:sts::123456789012:assumed-role/golden-ami-parameter-prep/fn is not authorized to perform: sts:AssumeRole on resource: ${writerRole(PRODUCTION.account)}). ` +
          `Fix: deploy the environment stack ${environmentStackName(PIPELINE, 'production')} in production's account (it creates the role, trusting this function's role ${parameterPrepRoleName(PIPELINE)}), ` +
          'and bootstrap that account to trust the pipeline\'s account; see README "Environments"',
      );
      expect(parameters.calls).toEqual([]);
      expect(world.calls).toEqual([]);
    });

    test("test's (the previous environment): a failure naming test's role; production untouched", async () => {
      stsWorld = new FakeSts().trust(writerRole(PRODUCTION.account));
      stsWorld.install(sts);
      parameters = new FakeAccountParameters(stsWorld);
      parameters.install(ssm);
      storeRecord(PRODUCTION, release(PRODUCTION_PREVIOUS_AMI, '1.0.2'));
      await run(event());
      expect(failure()).toMatch(new RegExp(`^app: cannot assume test's release writer role ${writerRole(TEST.account)} \\(AccessDenied: .*Fix: deploy the environment stack golden-ami-environment-test in test's account`));
      expect(writes()).toEqual([]);
    });

    test('any other STS error fails the job with its name', async () => {
      sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('STS is not activated in this region'), { name: 'RegionDisabledException', $metadata: { httpStatusCode: 403 } }));
      await run(event());
      expect(failure()).toBe('RegionDisabledException: STS is not activated in this region');
    });
  });

  test('every AWS call of the attempt carries its abort signal', async () => {
    await run(event());
    const signals = [sts, ssm, ec2].flatMap((m) => m.send.getCalls().map((c) => optionsOf(c)?.abortSignal));
    // EC2: find the copy, its launch permission, the copies tagged for production, and the two tags.
    expect(signals).toHaveLength(2 + 6 + 5);
    expect(signals.every((s) => s instanceof AbortSignal)).toBe(true);
  });

  test('an AssumeRole that hangs is aborted by the deadline: the failure is reported and nothing is written', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => {
      const signal = optionsOf(sts.send.lastCall)!.abortSignal!;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    await run(event(), context(5_200));
    expect(failure()).toMatch(/gave up after 0 s waiting for AWS; retry the action/);
    expect(parameters.calls).toEqual([]);
  });

  test.each([
    ['previous environment fields half set', { previousRegion: 'none' }, /UserParameters\.previousEnvironment, previousWriterRoleArn and previousRegion must be all "none" \(the first environment\) or all set/],
    ['a writer role in another account', { writerRoleArn: writerRole(TEST.account) }, /UserParameters\.writerRoleArn must be an IAM role ARN in the environment's account 444455556666/],
    ['a version that is not MAJOR.MINOR.PATCH', { version: '1.0' }, /UserParameters\.version must be MAJOR\.MINOR\.PATCH \(got "1\.0"\)/],
    ['a missing account', { account: undefined }, /UserParameters\.account must be a non-empty string for mode "promote" \(got undefined\)/],
  ])('malformed UserParameters (%s) fail the job before any AWS call', async (_name, overrides, message) => {
    await run(event(overrides));
    expect(failure()).toMatch(message);
    expect(sts.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('sessionName', () => {
  test.each([
    ['golden-ami', 'golden-ami-promote'],
    // At most 64 characters, and only the characters AssumeRole allows.
    ['p'.repeat(70), 'p'.repeat(64)],
    ['a b/c', 'a-b-c-promote'],
  ])('%s → %s', (pipeline, expected) => expect(sessionName(pipeline)).toBe(expected));
});
