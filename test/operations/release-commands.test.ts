import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { OperatorError } from '../../lib/operations/operator-error';
import { runReleaseCommand } from '../../lib/operations/release-commands';
import { FIXTURE_CONFIG_DIR, REPO_ROOT } from '../helpers/synth-app';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const codepipeline = mockClient(CodePipelineClient);
const clients = { ssm: new SSMClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }), codepipeline: new CodePipelineClient({ region: 'eu-west-1' }) };
const config = loadConfig(FIXTURE_CONFIG_DIR);
const RELEASE = '/golden-ami/golden-ami/images/app-linux/release';
const RELEASE_AMI = '/golden-ami/golden-ami/images/app-linux/release-ami';
const OLD = { amiId: 'ami-00000000000000001', version: '1.0.2', commitId: 'aaaaaaaaaaaaaaaa', executionId: 'e1', releasedAt: '2026-11-01T00:00:00.000Z' };
const NEW = { amiId: 'ami-00000000000000002', version: '1.0.3', commitId: 'bbbbbbbbbbbbbbbb', executionId: 'e2', releasedAt: '2026-11-02T00:00:00.000Z', previous: OLD };
const builtImage = (ami: string, version: string) => ({
  Images: [{ ImageId: ami, State: 'available' as const, Tags: [{ Key: 'Ec2ImageBuilderArn', Value: `arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/${version}/1` }] }],
});

const run = (...args: string[]) => runReleaseCommand(args, config, clients);
const writes = () => ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);

beforeEach(() => {
  ssm.reset();
  ec2.reset();
  codepipeline.reset();
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-9' });
});

describe('release status', () => {
  test('shows the current and previous release of each image', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    expect(await run('status')).toBe(
      [
        'app-linux: ami-00000000000000002 (version 1.0.3, commit bbbbbbbbbbbb, released 2026-11-02T00:00:00.000Z)',
        '  previous: ami-00000000000000001 (version 1.0.2, commit aaaaaaaaaaaa, released 2026-11-01T00:00:00.000Z)',
        'windows-iis: not released yet',
      ].join('\n'),
    );
  });

  test('says when an image was never released', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    expect(await run('status', 'app-linux')).toBe('app-linux: not released yet');
  });
});

describe('release rollback', () => {
  test('makes the previous release current, keeps the rolled-back one as previous, and starts the pipeline', async () => {
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    ec2.on(DescribeImagesCommand, { ImageIds: [OLD.amiId] }).resolves(builtImage(OLD.amiId, OLD.version));
    const out = await run('rollback', 'app-linux');
    const [record, ami] = writes();
    expect(record.Name).toBe(RELEASE);
    expect(JSON.parse(record.Value!)).toMatchObject({
      amiId: OLD.amiId,
      version: '1.0.2',
      commitId: OLD.commitId,
      executionId: 'rollback',
      rolledBackFrom: NEW.amiId,
      previous: { amiId: NEW.amiId, version: '1.0.3' },
    });
    expect(ami).toMatchObject({ Name: RELEASE_AMI, Value: OLD.amiId, DataType: 'aws:ec2:image' });
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toEqual({ name: 'golden-ami' });
    expect(out).toMatch(/release is now ami-00000000000000001 .*; was ami-00000000000000002 \(version 1\.0\.3\)\.\nStarted pipeline golden-ami \(execution exec-9\)/);
  });

  test('the rolled-back record carries no stored answer of the release step, so a retried release job sees the rollback', async () => {
    const answered = { ...NEW, answer: { executionId: 'e2', variables: { amiId: NEW.amiId, rolledBack: 'false' } } };
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(answered) } });
    ec2.on(DescribeImagesCommand).resolves(builtImage(OLD.amiId, OLD.version));
    await run('rollback', 'app-linux', '--no-start');
    const record = JSON.parse(writes()[0].Value!);
    expect(record).not.toHaveProperty('answer');
    expect(record.previous).not.toHaveProperty('answer');
  });

  test('--no-start records the rollback and says how to apply it', async () => {
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    ec2.on(DescribeImagesCommand).resolves(builtImage(OLD.amiId, OLD.version));
    expect(await run('rollback', 'app-linux', '--no-start')).toMatch(/next pipeline run: aws codepipeline start-pipeline-execution --name golden-ami$/);
    expect(codepipeline.calls()).toHaveLength(0);
  });

  test.each<[string, () => void, string[], RegExp]>([
    ['no release yet', () => ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'x', $metadata: {} })), ['rollback', 'app-linux'], /^app-linux has not been released yet/],
    ['no previous release', () => ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ ...NEW, previous: undefined }) } }), ['rollback', 'app-linux'], /^app-linux: there is no previous release to roll back to \(current: ami-00000000000000002, version 1\.0\.3\)/],
    [
      'the previous AMI was deregistered',
      () => {
        ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
        ec2.on(DescribeImagesCommand).rejects(Object.assign(new Error('gone'), { name: 'InvalidAMIID.NotFound' }));
      },
      ['rollback', 'app-linux'],
      /^app-linux: cannot roll back: AMI ami-00000000000000001 does not exist/,
    ],
    ['an unknown image', () => undefined, ['rollback', 'web'], /^unknown image web\. Fix: use one of app-linux, windows-iis$/],
    ['no image named', () => undefined, ['rollback'], /^rollback takes exactly one image\./],
    ['an unknown command', () => undefined, ['promote', 'app-linux'], /^unknown command promote\.\nUsage: npm run release/],
    ['no command', () => undefined, [], /^no command given\./],
    ['an unknown option', () => undefined, ['status', '--force'], /^unknown option --force\./],
  ])('%s: one clear error, nothing written', async (_name, arrange, args, message) => {
    arrange();
    const error = await run(...args).catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toMatch(message);
    expect(writes()).toEqual([]);
    expect(codepipeline.calls()).toHaveLength(0);
  });

  test('missing credentials become one instruction', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    await expect(run('status')).rejects.toThrow(/^no AWS credentials found\. Fix: run `aws configure`/);
  });
});

describe('--environment: the releases of one environment', () => {
  const sts = mockClient(STSClient);
  const environments = loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', 'environments'));
  const production = environments.environments.find((e) => e.name === 'production')!;
  const target = { environment: production, sts: new STSClient({ region: 'eu-west-1' }), commandLine: 'npm run release -- rollback app-linux --environment production' };
  const inProduction = (...args: string[]) => runReleaseCommand(args, environments, clients, target);
  /** The copy in production's region as production's account sees it: shared, so without the owner's tags. */
  const sharedCopy = (ami: string, overrides: object = {}) => ({ Images: [{ ImageId: ami, State: 'available' as const, OwnerId: '111111111111', ...overrides }] });

  beforeEach(() => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
  });

  test("status shows the environment's release records, under the same names", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    expect(await inProduction('status')).toBe(
      [
        'environment production (account 333333333333, eu-west-1):',
        'app-linux: ami-00000000000000002 (version 1.0.3, commit bbbbbbbbbbbb, released 2026-11-02T00:00:00.000Z)',
        '  previous: ami-00000000000000001 (version 1.0.2, commit aaaaaaaaaaaa, released 2026-11-01T00:00:00.000Z)',
        'windows-iis: not released yet',
      ].join('\n'),
    );
  });

  test('rollback writes the same rolled-back record there, starts nothing, and says how the next run applies it', async () => {
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    ec2.on(DescribeImagesCommand, { ImageIds: [OLD.amiId] }).resolves(sharedCopy(OLD.amiId));
    const out = await inProduction('rollback', 'app-linux');
    const [record, ami] = writes();
    expect(record.Name).toBe(RELEASE);
    expect(JSON.parse(record.Value!)).toMatchObject({ amiId: OLD.amiId, version: '1.0.2', executionId: 'rollback', rolledBackFrom: NEW.amiId, previous: { amiId: NEW.amiId } });
    expect(ami).toMatchObject({ Name: RELEASE_AMI, Value: OLD.amiId, DataType: 'aws:ec2:image' });
    expect(codepipeline.calls()).toHaveLength(0);
    expect(out.split('\n')).toEqual([
      'environment production (account 333333333333, eu-west-1):',
      "app-linux: production's release is now ami-00000000000000001 (version 1.0.2, commit aaaaaaaaaaaa, released " + JSON.parse(record.Value!).releasedAt + '); was ami-00000000000000002 (version 1.0.3).',
      'The fleet changes on the next pipeline run: its Promote-production-app-linux step keeps this rollback (it does not promote ami-00000000000000002 again) and the Fleet-production-app-linux change set rolls the fleet onto ami-00000000000000001, after someone approves Approve-production. The rollback holds until a new image is built.',
      "Start the run with the pipeline account's credentials: AWS_PROFILE=<a profile of account 111111111111> aws codepipeline start-pipeline-execution --name golden-ami --region us-east-1",
    ]);
  });

  test.each<[string, object | Error, RegExp]>([
    ['gone (or no longer shared)', Object.assign(new Error('gone'), { name: 'InvalidAMIID.NotFound' }), /^app-linux: cannot roll back: AMI ami-00000000000000001 does not exist in eu-west-1, or is no longer shared with account 333333333333/],
    ['not available', sharedCopy(OLD.amiId, { State: 'deregistered' }), /^app-linux: cannot roll back: AMI ami-00000000000000001 is deregistered, not available/],
    ['owned by another account', sharedCopy(OLD.amiId, { OwnerId: '999999999999' }), /^app-linux: cannot roll back: AMI ami-00000000000000001 is owned by account 999999999999, not by the pipeline's account 111111111111/],
  ])('the previous AMI %s: refused, nothing written', async (_name, answer, message) => {
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    if (answer instanceof Error) ec2.on(DescribeImagesCommand).rejects(answer);
    else ec2.on(DescribeImagesCommand).resolves(answer);
    await expect(inProduction('rollback', 'app-linux')).rejects.toThrow(message);
    expect(writes()).toEqual([]);
  });

  test('credentials of another account: refused before the record is read', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222' });
    await expect(inProduction('rollback', 'app-linux')).rejects.toThrow(/^these credentials are account 222222222222; environment production is account 333333333333\. Fix: /);
    expect(ssm.calls()).toHaveLength(0);
    expect(writes()).toEqual([]);
  });

  test('an unknown image is reported before the account is asked', async () => {
    await expect(inProduction('rollback', 'web')).rejects.toThrow(/^unknown image web\./);
    expect(sts.calls()).toHaveLength(0);
  });

  test("the pipeline account's status without --environment works as before: what the promote steps promote", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    ssm.on(GetParameterCommand, { Name: RELEASE }).resolves({ Parameter: { Value: JSON.stringify(NEW) } });
    expect(await runReleaseCommand(['status', 'app-linux'], environments, clients)).toMatch(/^app-linux: ami-00000000000000002 \(version 1\.0\.3/);
    expect(sts.calls()).toHaveLength(0);
  });
});
