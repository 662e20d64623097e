import * as path from 'path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load-config';
import type { EnvironmentConfig, GoldenAmiConfig, ImageConfig } from '../../lib/config/model';
import { runEnvironmentTeardown } from '../../lib/operations/environment-teardown';
import { OperatorError } from '../../lib/operations/operator-error';
import { runTeardown, TEARDOWN_USAGE } from '../../lib/operations/teardown';
import { FakeAccount } from '../helpers/fake-account';
import { REPO_ROOT } from '../helpers/synth-app';

const PIPELINE = 'golden-ami';
/** A neighbouring pipeline whose name starts like ours: nothing of it may be listed or touched. */
const NEIGHBOUR = 'golden-ami-image-factory';

/** The configuration as teardown reads it: the pipeline, its images and where their AMIs go. */
function config(overrides: Partial<GoldenAmiConfig> = {}): GoldenAmiConfig {
  const image = (name: string, regions: string[]) => ({ name, distribution: { regions } }) as unknown as ImageConfig;
  return {
    name: PIPELINE,
    region: 'eu-west-1',
    source: { provider: 'codecommit', repository: 'golden-ami-pipeline', branch: 'main', createRepository: true, onDestroy: 'keep', ignorePaths: ['*.md', 'docs/**'] },
    network: { kind: 'create', vpcCidr: '10.40.0.0/16', maxAzs: 2, natGateways: 1, egress: 'on-demand' },
    operations: { rebuild: { maxAge: 'P30D', maxAgeSeconds: 2_592_000 }, scheduleTimezone: 'UTC', alertEmails: [], amiRetention: { keep: 5, deleteBeyond: 10 }, onDestroy: { sharedAmis: 'keep' } },
    images: [image('app-linux', ['us-east-1']), image('windows-iis', [])],
    environments: [],
    ...overrides,
  };
}

const described = (pipeline: string, what = 'stage') => `golden-ami-pipeline ${pipeline}: ${what}`;
const tags = (pipeline: string, image: string) => ({ 'golden-ami:pipeline': pipeline, 'golden-ami:image': image });

/** Two pipelines in one account: ours (with the stacks of an image removed from its configuration) and the neighbour. */
function account({ pipelineStack = true, withCleanup = true } = {}): FakeAccount {
  const a = new FakeAccount();
  a.autoTick = true;
  if (pipelineStack) a.stacks.set('golden-ami-pipeline', { status: 'UPDATE_COMPLETE', description: described(PIPELINE, 'the pipeline'), resources: withCleanup ? ['Cleanup', 'Pipeline9850B417'] : ['Pipeline9850B417'] });
  a.stacks.set('golden-ami-fleet-app-linux', { status: 'UPDATE_COMPLETE', description: described(PIPELINE) });
  a.stacks.set('golden-ami-egress', { status: 'UPDATE_COMPLETE', description: described(PIPELINE, 'NAT gateways while a fleet runs') });
  a.stacks.set('golden-ami-image-app-linux', { status: 'UPDATE_COMPLETE', description: described(PIPELINE) });
  a.stacks.set('golden-ami-image-windows-iis', { status: 'UPDATE_COMPLETE', description: described(PIPELINE) });
  // Image "old-web" was removed from the configuration before pruning existed: found through its parameters.
  a.stacks.set('golden-ami-image-old-web', { status: 'UPDATE_COMPLETE', description: described(PIPELINE) });
  a.parameters.add('/golden-ami/golden-ami/images/old-web/version');
  a.parameters.add('/golden-ami/golden-ami/images/app-linux/release');
  // Neither a parameter of ours (another hierarchy level) nor of an image (too deep): both ignored.
  a.parameters.add('/golden-ami/golden-ami/images-archive/web/version');
  a.parameters.add('/golden-ami/golden-ami/images/app-linux/notes/extra');
  for (const name of [`${NEIGHBOUR}-pipeline`, `${NEIGHBOUR}-fleet-web`, `${NEIGHBOUR}-image-web`]) a.stacks.set(name, { status: 'CREATE_COMPLETE', description: described(NEIGHBOUR) });
  a.parameters.add(`/golden-ami/${NEIGHBOUR}/images/web/version`);
  a.addAmi('eu-west-1', { id: 'ami-1', name: 'golden-ami-app-linux-1', tags: tags(PIPELINE, 'app-linux'), snapshots: ['snap-1'] }, tags(PIPELINE, 'app-linux'));
  a.addAmi('us-east-1', { id: 'ami-2', name: 'golden-ami-app-linux-1', tags: tags(PIPELINE, 'app-linux'), snapshots: ['snap-2'] });
  a.addAmi('eu-west-1', { id: 'ami-9', name: 'golden-ami-image-factory-web-1', tags: tags(NEIGHBOUR, 'web'), snapshots: ['snap-9'] }, tags(NEIGHBOUR, 'web'));
  a.snapshotsIn('eu-west-1').set('snap-orphan', tags(PIPELINE, 'old-web'));
  a.buckets.set('golden-ami-pipeline-artifactbucket7410c9ef-1a2b3c', { tags: { 'golden-ami:pipeline': PIPELINE }, versions: 3 });
  a.buckets.set('golden-ami-pipeline-artifactaccesslogsf8325158-4d5e6f', { tags: { 'golden-ami:pipeline': PIPELINE }, versions: 2 });
  a.buckets.set('golden-ami-image-factory-pipeline-artifactbucket-7g8h9i', { tags: { 'golden-ami:pipeline': NEIGHBOUR }, versions: 1 });
  a.repositories.add('golden-ami-pipeline');
  return a;
}

let logs: string[];
let answer: string;
const io = { ask: async () => answer, log: (line: string) => void logs.push(line), pollMs: 1 };
const run = (a: FakeAccount, args: string[], c = config()) => runTeardown(args, c, 'eu-west-1', a.clients, io);

beforeEach(() => {
  logs = [];
  answer = PIPELINE;
});

describe('npm run teardown', () => {
  test('--dry-run lists exactly what is ours, found by exact names, the parameter hierarchy and tags, and deletes nothing', async () => {
    const a = account();
    expect(await run(a, ['--dry-run'])).toBe('Dry run: nothing was deleted.');
    expect(a.calls).toEqual([]);
    expect(logs[0].split('\n')).toEqual([
      'Teardown of pipeline golden-ami (region eu-west-1; AMIs in eu-west-1, us-east-1)',
      '1. fleet stacks:',
      '  - golden-ami-fleet-app-linux (UPDATE_COMPLETE)',
      '2. egress stack (NAT gateways):',
      '  - golden-ami-egress (UPDATE_COMPLETE)',
      '3. image stacks:',
      '  - golden-ami-image-app-linux (UPDATE_COMPLETE)',
      '  - golden-ami-image-old-web (UPDATE_COMPLETE) [image no longer configured: teardown only, cdk destroy leaves it]',
      '  - golden-ami-image-windows-iis (UPDATE_COMPLETE)',
      '4. AMIs and their snapshots:',
      '  - ami-1 golden-ami-app-linux-1 in eu-west-1 (snap-1)',
      '  - ami-2 golden-ami-app-linux-1 in us-east-1 (snap-2)',
      '5. snapshots whose AMI is gone:',
      '  - snap-orphan in eu-west-1',
      '6. SSM parameters:',
      '  - /golden-ami/golden-ami/images/app-linux/release',
      '  - /golden-ami/golden-ami/images/old-web/version [image no longer configured: teardown only, cdk destroy leaves it]',
      '7. pipeline stack:',
      '  - golden-ami-pipeline (UPDATE_COMPLETE)',
      '8. buckets (emptied, every version):',
      '  - golden-ami-pipeline-artifactaccesslogsf8325158-4d5e6f',
      '  - golden-ami-pipeline-artifactbucket7410c9ef-1a2b3c',
      '9. repository golden-ami-pipeline: kept (it holds your code)',
    ]);
    expect(logs.join('\n')).not.toContain(NEIGHBOUR);
  });

  test('--yes deletes the pipeline stack first when it has the Cleanup resource (as cdk destroy), then whatever is left', async () => {
    const a = account();
    expect(await run(a, ['--yes'])).toBe('Deleted pipeline golden-ami. Kept repository golden-ami-pipeline (delete it with --delete-repository).');
    expect(a.calls[0]).toBe('DeleteStack golden-ami-pipeline');
    expect([...a.stacks.keys()].sort()).toEqual([`${NEIGHBOUR}-fleet-web`, `${NEIGHBOUR}-image-web`, `${NEIGHBOUR}-pipeline`]);
    expect(a.amis.get('eu-west-1')!.map((i) => i.id)).toEqual(['ami-9']);
    expect(a.amis.get('us-east-1')).toEqual([]);
    expect([...a.snapshotsIn('eu-west-1').keys()]).toEqual(['snap-9']);
    expect([...a.parameters].sort()).toEqual([`/golden-ami/${NEIGHBOUR}/images/web/version`, '/golden-ami/golden-ami/images-archive/web/version', '/golden-ami/golden-ami/images/app-linux/notes/extra']);
    expect([...a.buckets.keys()]).toEqual(['golden-ami-image-factory-pipeline-artifactbucket-7g8h9i']);
    expect(a.repositories.has('golden-ami-pipeline')).toBe(true);
    expect(a.calls.filter((c) => c.includes(NEIGHBOUR) || c.includes('ami-9') || c.includes('snap-9'))).toEqual([]);
  });

  test('a pipeline stack of an earlier version (no Cleanup) is deleted only after its stage stacks, while their roles exist', async () => {
    const a = account({ withCleanup: false });
    await run(a, ['--yes']);
    const stackDeletes = a.calls.filter((c) => c.startsWith('DeleteStack'));
    expect(stackDeletes[stackDeletes.length - 1]).toBe('DeleteStack golden-ami-pipeline');
    expect(stackDeletes.indexOf('DeleteStack golden-ami-fleet-app-linux')).toBeLessThan(stackDeletes.indexOf('DeleteStack golden-ami-image-app-linux'));
    // The fleets' instances use the egress stack's NAT gateway until they are gone; the images do not need it.
    expect(stackDeletes.indexOf('DeleteStack golden-ami-egress')).toBeGreaterThan(stackDeletes.indexOf('DeleteStack golden-ami-fleet-app-linux'));
    expect(stackDeletes.indexOf('DeleteStack golden-ami-egress')).toBeLessThan(stackDeletes.indexOf('DeleteStack golden-ami-image-app-linux'));
    // The buckets go only after the pipeline stack, which still used them.
    expect(a.calls.findIndex((c) => c.startsWith('DeleteBucket'))).toBeGreaterThan(a.calls.indexOf('DeleteStack golden-ami-pipeline'));
  });

  test('an egress stack another pipeline describes is listed as not ours and never deleted', async () => {
    const a = account({ withCleanup: false });
    a.stacks.get('golden-ami-egress')!.description = described(NEIGHBOUR);
    await run(a, ['--yes']);
    expect(logs[0]).toContain('2. egress stack (NAT gateways): none');
    expect(logs[0]).toContain(`Not touched (another owner):\n  - golden-ami-egress: described as pipeline ${NEIGHBOUR}`);
    expect(a.stacks.has('golden-ami-egress')).toBe(true);
    expect(a.calls).not.toContain('DeleteStack golden-ami-egress');
  });

  test('an egress stack left from when egress was on demand is found whatever the configuration says now', async () => {
    const a = account({ pipelineStack: false });
    const existingVpc = config({ network: { kind: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], publicSubnetIds: [] } });
    await run(a, ['--yes'], existingVpc);
    expect(a.calls).toContain('DeleteStack golden-ami-egress');
    expect(a.stacks.has('golden-ami-egress')).toBe(false);
  });

  test('resumes from a partial state without the pipeline stack: buckets by tag, parameters by hierarchy, snapshots by tag', async () => {
    const a = account({ pipelineStack: false });
    for (const s of ['golden-ami-fleet-app-linux', 'golden-ami-egress', 'golden-ami-image-app-linux', 'golden-ami-image-windows-iis', 'golden-ami-image-old-web']) a.stacks.delete(s);
    a.amis.set('eu-west-1', a.amis.get('eu-west-1')!.filter((i) => i.id === 'ami-9'));
    expect(await run(a, ['--yes'])).toMatch(/^Deleted pipeline golden-ami\./);
    expect([...a.buckets.keys()]).toEqual(['golden-ami-image-factory-pipeline-artifactbucket-7g8h9i']);
    expect(a.calls).toContain('DeleteSnapshot eu-west-1 snap-orphan');
    expect(a.calls).toContain('DeleteSnapshot eu-west-1 snap-1');
    logs = [];
    expect(await run(a, ['--yes'])).toBe('Nothing to delete.');
  });

  test("lists and deletes each configured image's distribution.ssmParameter by exact name in each of its regions, and nothing else", async () => {
    const a = account({ withCleanup: false });
    const LATEST = '/golden-images/app-linux/latest';
    const image = (name: string, regions: string[], ssmParameter?: string) => ({ name, distribution: { regions, ssmParameter } }) as unknown as ImageConfig;
    const withParameter = config({ images: [image('app-linux', ['us-east-1'], LATEST), image('windows-iis', [])] });
    a.parametersIn('eu-west-1').add(LATEST);
    a.parametersIn('us-east-1').add(LATEST);
    // Not ours to delete: a longer name, and the same name in a region app-linux is not distributed to.
    a.parametersIn('us-east-1').add(`${LATEST}-x`);
    a.parametersIn('ap-southeast-2').add(LATEST);

    expect(await run(a, ['--dry-run'], withParameter)).toBe('Dry run: nothing was deleted.');
    expect(logs[0]).toContain(
      [
        '6. SSM parameters:',
        `  - ${LATEST} in eu-west-1 (distribution.ssmParameter of app-linux)`,
        `  - ${LATEST} in us-east-1 (distribution.ssmParameter of app-linux)`,
        '  - /golden-ami/golden-ami/images/app-linux/release',
      ].join('\n'),
    );
    expect(a.calls).toEqual([]);

    logs = [];
    await run(a, ['--yes'], withParameter);
    // Asked again after the pipeline stack (an earlier version's, without Cleanup) is gone: ParameterNotFound then.
    expect(new Set(a.calls.filter((c) => c.startsWith('DeleteParameter ')))).toEqual(new Set([`DeleteParameter eu-west-1 ${LATEST}`, `DeleteParameter us-east-1 ${LATEST}`]));
    expect([...a.parametersIn('us-east-1')]).toEqual([`${LATEST}-x`]);
    expect([...a.parametersIn('ap-southeast-2')]).toEqual([LATEST]);
    logs = [];
    expect(await run(a, ['--yes'], withParameter)).toBe('Nothing to delete.');
  });

  test('--delete-repository deletes the repository by its name (Ref would give its id, which CodeCommit "deletes" without error)', async () => {
    // Ref on AWS::CodeCommit::Repository returns the repository id, and DeleteRepository answers success for an
    // unknown name: so the name comes from the configuration and its existence is checked first.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-codecommit-repository.html#aws-resource-codecommit-repository-return-values
    // https://docs.aws.amazon.com/codecommit/latest/APIReference/API_DeleteRepository.html
    const a = account();
    expect(await run(a, ['--yes', '--delete-repository'])).toBe('Deleted pipeline golden-ami.');
    expect(a.calls).toContain('DeleteRepository golden-ami-pipeline');
    expect(a.repositories.size).toBe(0);
    expect(logs).toContain('deleted repository golden-ami-pipeline');
  });

  test('a repository that does not exist is not reported deleted', async () => {
    const a = account();
    a.repositories.clear();
    await run(a, ['--yes', '--delete-repository']);
    expect(a.calls.filter((c) => c.startsWith('DeleteRepository'))).toEqual([]);
    expect(logs[0]).toContain('9. repository: none created by the pipeline stack');
  });

  test('a stage stack whose name another pipeline owns is listed as not ours and never deleted', async () => {
    const a = account();
    // "factory-pipeline" gives golden-ami the stack name golden-ami-image-factory-pipeline: the neighbour's pipeline stack.
    a.parameters.add('/golden-ami/golden-ami/images/factory-pipeline/version');
    await run(a, ['--yes']);
    expect(logs[0]).toContain('Not touched (another owner):\n  - golden-ami-image-factory-pipeline: described as pipeline golden-ami-image-factory');
    expect(a.stacks.has(`${NEIGHBOUR}-pipeline`)).toBe(true);
    expect(a.calls).not.toContain(`DeleteStack ${NEIGHBOUR}-pipeline`);
  });

  test('a stack that fails to delete stops teardown with CloudFormation\'s reason', async () => {
    const a = account({ withCleanup: false });
    Object.assign(a.stacks.get('golden-ami-fleet-app-linux')!, { deleteOutcome: 'DELETE_FAILED', failureReason: 'Role arn:aws:iam::123456789012:role/golden-ami-fleet-app-linux-cfn-exec is invalid or cannot be assumed' });
    const failure = run(a, ['--yes']);
    await expect(failure).rejects.toThrow(OperatorError);
    await expect(failure).rejects.toThrow(
      /^stack golden-ami-fleet-app-linux could not be deleted: Group \(AWS::AutoScaling::AutoScalingGroup\): Role .* is invalid or cannot be assumed\. .*run teardown again with --role-arn/,
    );
    expect(a.stacks.has('golden-ami-pipeline')).toBe(true);
    // Failed during this run: reported, not retried.
    expect(a.calls.filter((c) => c === 'DeleteStack golden-ami-fleet-app-linux')).toHaveLength(1);
  });

  test('--role-arn deletes the stage stacks with that role', async () => {
    const a = account({ withCleanup: false });
    const role = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';
    await run(a, ['--yes', '--role-arn', role]);
    expect(a.calls).toContain(`DeleteStack golden-ami-fleet-app-linux as ${role}`);
    expect(a.calls).toContain('DeleteStack golden-ami-pipeline');
  });

  test('asks for the pipeline name and deletes nothing on another answer', async () => {
    const a = account();
    answer = 'yes';
    expect(await run(a, [])).toBe('Not confirmed: nothing was deleted.');
    expect(a.calls).toEqual([]);
  });

  test.each<[string[], RegExp]>([
    [['--force'], /^Unknown option '--force'.*\nUsage: npm run teardown/s],
    [['leftover'], /Unexpected argument 'leftover'.*\nUsage: npm run teardown/s],
    [['--role-arn', 'admin'], /^--role-arn must be an IAM role ARN \(got admin\)\. Fix: /],
  ])('%j is refused with the usage, before any AWS call', async (args, expected) => {
    const a = account();
    await expect(run(a, args)).rejects.toThrow(expected);
    expect(a.calls).toEqual([]);
  });

  test('--help prints the usage', async () => {
    expect(await run(account(), ['--help'])).toBe(TEARDOWN_USAGE);
  });
});

describe('npm run teardown with environments configured (the pipeline account)', () => {
  const network = { vpcId: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0a1b2c3d4e5f60001'], publicSubnetIds: [] };
  const environments: EnvironmentConfig[] = [
    { name: 'test', account: '222222222222', region: 'eu-west-1', approval: false, network },
    { name: 'production', account: '333333333333', region: 'us-east-1', approval: true, network },
  ];
  const withEnvironments = (sharedAmis: 'keep' | 'delete') =>
    config({ account: '111111111111', environments, operations: { ...config().operations, onDestroy: { sharedAmis } } });
  const withKeys = () => {
    const a = account({ withCleanup: false });
    a.stacksIn('eu-west-1').set('golden-ami-ami-key', { status: 'CREATE_COMPLETE', description: described(PIPELINE, 'key of the AMIs promoted to environments in eu-west-1') });
    a.stacksIn('us-east-1').set('golden-ami-ami-key', { status: 'CREATE_COMPLETE', description: described(PIPELINE, 'key of the AMIs promoted to environments in us-east-1') });
    return a;
  };

  test('--dry-run lists the AMI key stack of each environment region, kept while sharedAmis is keep, and the command of each environment', async () => {
    const a = withKeys();
    expect(await run(a, ['--dry-run'], withEnvironments('keep'))).toBe('Dry run: nothing was deleted.');
    expect(a.calls).toEqual([]);
    const keep = ' KEPT: the AMIs shared with the environments are launchable only with its key (operations.onDestroy.sharedAmis: keep)';
    expect(logs[0]).toContain(
      [
        '10. AMI key stacks (one per environment region, after everything above):',
        `  - golden-ami-ami-key in eu-west-1 (CREATE_COMPLETE)${keep}`,
        `  - golden-ami-ami-key in us-east-1 (CREATE_COMPLETE)${keep}`,
        "Not torn down here: the environments, each in its own account. Their fleets run this pipeline's AMIs: tear them down first, each with its account's credentials:",
        '  AWS_PROFILE=<a profile of account 222222222222> npm run teardown -- --environment test',
        '  AWS_PROFILE=<a profile of account 333333333333> npm run teardown -- --environment production',
      ].join('\n'),
    );
  });

  test('sharedAmis keep: the key stacks stay, and the result says so and how to tear down the environments', async () => {
    const a = withKeys();
    const out = await runTeardown(['--yes'], withEnvironments('keep'), 'eu-west-1', a.clients, io, ['--config-dir', '/cfg/my pipeline']);
    expect(a.calls.filter((c) => c.includes('ami-key'))).toEqual([]);
    expect(a.stacksIn('us-east-1').has('golden-ami-ami-key')).toBe(true);
    expect(out).toContain('Kept AMI key stack golden-ami-ami-key in eu-west-1, us-east-1: the AMIs shared with the environments are launchable only with its key (operations.onDestroy.sharedAmis is keep).');
    expect(out).toContain("`AWS_PROFILE=<a profile of account 333333333333> npm run teardown -- --environment production --config-dir '/cfg/my pipeline'`");
  });

  test('sharedAmis delete: each key stack is deleted last, in its region, after the AMIs and the pipeline stack', async () => {
    const a = withKeys();
    await run(a, ['--yes'], withEnvironments('delete'));
    const keyDeletes = a.calls.filter((c) => c.includes('golden-ami-ami-key'));
    expect(keyDeletes).toEqual(['DeleteStack golden-ami-ami-key', 'DeleteStack us-east-1 golden-ami-ami-key']);
    expect(a.calls.indexOf(keyDeletes[0])).toBeGreaterThan(a.calls.indexOf('DeleteStack golden-ami-pipeline'));
    expect(a.calls.indexOf(keyDeletes[0])).toBeGreaterThan(a.calls.findIndex((c) => c.startsWith('DeregisterImage')));
    expect(a.stacksIn('us-east-1').size).toBe(0);
  });

  test('a key stack of that name another pipeline describes is listed as not ours and never deleted', async () => {
    const a = withKeys();
    a.stacksIn('us-east-1').get('golden-ami-ami-key')!.description = described(NEIGHBOUR);
    await run(a, ['--yes'], withEnvironments('delete'));
    expect(logs[0]).toContain(`  - golden-ami-ami-key in us-east-1: described as pipeline ${NEIGHBOUR}`);
    expect(a.calls).not.toContain('DeleteStack us-east-1 golden-ami-ami-key');
    expect(a.stacksIn('us-east-1').has('golden-ami-ami-key')).toBe(true);
  });

  test('without environments nothing changes: no key stack is looked for', async () => {
    const a = withKeys();
    await run(a, ['--dry-run']);
    expect(logs[0]).not.toContain('AMI key');
    expect(logs[0]).not.toContain('--environment');
  });
});

describe('npm run teardown -- --environment <name> (the environment account)', () => {
  const sts = mockClient(STSClient);
  const fixture = loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', 'environments'));
  const production = fixture.environments.find((e) => e.name === 'production')!;
  const COMMAND = 'npm run teardown -- --environment production --yes';
  /** Production's account (eu-west-1, the fake's home region): what the pipeline made there, and a neighbour's stack. */
  function productionAccount(): FakeAccount {
    const a = new FakeAccount();
    a.autoTick = true;
    a.stacks.set('golden-ami-fleet-app-linux', { status: 'UPDATE_COMPLETE', description: described(PIPELINE, 'fleet of image app-linux') });
    a.stacks.set('golden-ami-fleet-windows-iis', { status: 'UPDATE_COMPLETE', description: described(PIPELINE, 'fleet of image windows-iis') });
    a.stacks.set('golden-ami-environment-production', { status: 'UPDATE_COMPLETE', description: described(PIPELINE, 'what the fleets of environment production need') });
    a.stacks.set(`${NEIGHBOUR}-fleet-web`, { status: 'CREATE_COMPLETE', description: described(NEIGHBOUR) });
    for (const p of ['app-linux/release', 'app-linux/release-ami', 'windows-iis/release']) a.parameters.add(`/golden-ami/golden-ami/images/${p}`);
    a.parameters.add('/golden-ami/golden-ami/fleets/app-linux/min-size');
    a.parameters.add(`/golden-ami/${NEIGHBOUR}/images/web/release`);
    a.buckets.set('golden-ami-environment-produc-loadbalancerlogs1a2b-3c4d', { tags: { 'golden-ami:pipeline': PIPELINE }, versions: 4 });
    a.buckets.set('golden-ami-image-factory-logs-5e6f', { tags: { 'golden-ami:pipeline': NEIGHBOUR }, versions: 1 });
    return a;
  }
  const runIn = (a: FakeAccount, args: string[], c = fixture) => runEnvironmentTeardown(args, c, production, { ...a.clients, sts: new STSClient({ region: 'eu-west-1' }) }, io, COMMAND);

  beforeEach(() => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
  });

  test('--dry-run lists exactly what is ours in the environment, by exact names, description and tag, and deletes nothing', async () => {
    const a = productionAccount();
    expect(await runIn(a, ['--dry-run'])).toBe('Dry run: nothing was deleted.');
    expect(a.calls).toEqual([]);
    expect(logs[0].split('\n')).toEqual([
      'Teardown of environment production of pipeline golden-ami (account 333333333333, region eu-west-1)',
      '1. fleet stacks:',
      '  - golden-ami-fleet-app-linux (UPDATE_COMPLETE)',
      '  - golden-ami-fleet-windows-iis (UPDATE_COMPLETE)',
      "2. environment stack (the fleet stacks' roles, capacity and network parameters; after them):",
      '  - golden-ami-environment-production (UPDATE_COMPLETE)',
      '3. release records (written by the promote steps):',
      '  - /golden-ami/golden-ami/images/app-linux/release',
      '  - /golden-ami/golden-ami/images/app-linux/release-ami',
      '  - /golden-ami/golden-ami/images/windows-iis/release',
      '4. buckets (load balancer access logs, emptied, every version):',
      '  - golden-ami-environment-produc-loadbalancerlogs1a2b-3c4d',
      "Not touched: the VPC and subnets (the environment's own), the AMIs (the pipeline account's: its teardown removes them).",
    ]);
  });

  test('--yes deletes the fleet stacks, and the environment stack only once they are gone (their roles are in it), then the records and the bucket', async () => {
    const a = productionAccount();
    expect(await runIn(a, ['--yes'])).toBe('Deleted environment production of pipeline golden-ami (account 333333333333, eu-west-1).');
    const order = a.calls.map((c) => c.split(' ').slice(0, 2).join(' '));
    expect(order).toEqual([
      'DeleteStack golden-ami-fleet-app-linux',
      'DeleteStack golden-ami-fleet-windows-iis',
      'DeleteStack golden-ami-environment-production',
      'DeleteParameters /golden-ami/golden-ami/images/app-linux/release,/golden-ami/golden-ami/images/app-linux/release-ami,/golden-ami/golden-ami/images/windows-iis/release',
      'DeleteObjects golden-ami-environment-produc-loadbalancerlogs1a2b-3c4d',
      'DeleteBucket golden-ami-environment-produc-loadbalancerlogs1a2b-3c4d',
    ]);
    expect([...a.stacks.keys()]).toEqual([`${NEIGHBOUR}-fleet-web`]);
    // The capacity parameter is the environment stack's (CloudFormation deletes it with the stack; this fake does not):
    // teardown never deletes it by name. The neighbour's record stays.
    expect([...a.parameters].sort()).toEqual([`/golden-ami/${NEIGHBOUR}/images/web/release`, '/golden-ami/golden-ami/fleets/app-linux/min-size']);
    expect([...a.buckets.keys()]).toEqual(['golden-ami-image-factory-logs-5e6f']);
    logs = [];
    expect(await runIn(a, ['--yes'])).toBe('Nothing to delete.');
  });

  test('a stack of the same name whose description names another pipeline is listed as not ours and never deleted', async () => {
    const a = productionAccount();
    a.stacks.get('golden-ami-environment-production')!.description = described(NEIGHBOUR);
    a.stacks.get('golden-ami-fleet-windows-iis')!.description = 'a stack someone made by hand';
    await runIn(a, ['--yes']);
    expect(logs[0]).toContain("2. environment stack (the fleet stacks' roles, capacity and network parameters; after them): none");
    expect(logs[0]).toContain(
      `Not touched (another owner):\n  - golden-ami-fleet-windows-iis: described as no golden-ami pipeline\n  - golden-ami-environment-production: described as pipeline ${NEIGHBOUR}`,
    );
    expect(a.calls.filter((c) => c.startsWith('DeleteStack'))).toEqual(['DeleteStack golden-ami-fleet-app-linux']);
    expect(a.stacks.has('golden-ami-environment-production')).toBe(true);
  });

  test("credentials of another account: refused with the environment's account before anything is listed", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
    const a = productionAccount();
    await expect(runIn(a, ['--yes'])).rejects.toThrow(
      /^these credentials are account 111111111111; environment production is account 333333333333\. Fix: use that account's profile, e\.g\. AWS_PROFILE=<a profile of account 333333333333> npm run teardown -- --environment production --yes$/,
    );
    expect(a.calls).toEqual([]);
    expect(logs).toEqual([]);
  });

  test('asks for the environment name and deletes nothing on another answer', async () => {
    const a = productionAccount();
    answer = PIPELINE;
    expect(await runIn(a, [])).toBe('Not confirmed: nothing was deleted.');
    expect(a.calls).toEqual([]);
  });

  test.each<[string[], RegExp]>([
    [['--delete-repository'], /^Unknown option '--delete-repository'.* \(with --environment\)\.\nUsage: npm run teardown -- --environment <name>/s],
    [['--role-arn', 'arn:aws:iam::111111111111:role/admin'], /^--role-arn must be an IAM role ARN of environment production's account 333333333333/],
  ])('%j is refused before any AWS call', async (args, expected) => {
    const a = productionAccount();
    await expect(runIn(a, args)).rejects.toThrow(expected);
    expect(sts.calls()).toHaveLength(0);
  });
});
