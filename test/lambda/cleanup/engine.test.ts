import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { advanceCleanup, CleanupFailure, RoleNotAssumable } from '../../../lambda/cleanup/engine';
import { type CleanupScope, deletionScope, type RemoteStack } from '../../../lambda/cleanup/scope';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, FakeAccount } from '../../helpers/fake-account';

const PIPELINE = 'golden-ami';
/** A neighbouring pipeline whose name starts like ours: nothing of it may be touched. */
const NEIGHBOUR = 'golden-ami-image-factory';
const describedBy = (pipeline: string) => `golden-ami-pipeline ${pipeline}: stage`;
const tags = (pipeline: string, image: string) => ({ 'golden-ami:pipeline': pipeline, 'golden-ami:image': image });

function scope(overrides: Partial<CleanupScope> = {}): CleanupScope {
  return {
    ...deletionScope({
      PipelineName: PIPELINE,
      Images: [
        { Name: 'app-linux', Fleet: 'true', Regions: ['eu-west-1', 'us-east-1'] },
        { Name: 'windows-iis', Fleet: 'false', Regions: ['eu-west-1'] },
      ],
      Buckets: ['golden-ami-artifacts', 'golden-ami-access-logs'],
      SharedAmis: 'keep',
      Egress: 'false',
    }),
    ...overrides,
  };
}

/** Our stacks, AMIs, snapshots, parameters and buckets, and the neighbour's look-alikes. */
function account(): FakeAccount {
  const a = new FakeAccount();
  a.stacks.set('golden-ami-fleet-app-linux', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
  a.stacks.set('golden-ami-image-app-linux', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
  a.stacks.set('golden-ami-image-windows-iis', { status: 'CREATE_COMPLETE', description: describedBy(PIPELINE) });
  a.stacks.set(`${NEIGHBOUR}-pipeline`, { status: 'CREATE_COMPLETE', description: describedBy(NEIGHBOUR) });
  a.stacks.set(`${NEIGHBOUR}-fleet-web`, { status: 'CREATE_COMPLETE', description: describedBy(NEIGHBOUR) });
  // Released before snapshots were tagged: untagged snapshots.
  a.addAmi('eu-west-1', { id: 'ami-old', name: 'golden-ami-app-linux-1', tags: tags(PIPELINE, 'app-linux'), snapshots: ['snap-old'] });
  a.addAmi('eu-west-1', { id: 'ami-new', name: 'golden-ami-app-linux-2', tags: tags(PIPELINE, 'app-linux'), snapshots: ['snap-new'] }, tags(PIPELINE, 'app-linux'));
  a.addAmi('us-east-1', { id: 'ami-copy', name: 'golden-ami-app-linux-2', tags: tags(PIPELINE, 'app-linux'), snapshots: ['snap-copy'] });
  a.addAmi('eu-west-1', { id: 'ami-theirs', name: 'golden-ami-image-factory-web-1', tags: tags(NEIGHBOUR, 'web'), snapshots: ['snap-theirs'] }, tags(NEIGHBOUR, 'web'));
  // Left by a run that deregistered its AMI and stopped before deleting it.
  a.snapshotsIn('eu-west-1').set('snap-orphan', tags(PIPELINE, 'windows-iis'));
  a.snapshotsIn('eu-west-1').set('snap-orphan-theirs', tags(NEIGHBOUR, 'web'));
  for (const p of ['/golden-ami/golden-ami/images/app-linux/version', '/golden-ami/golden-ami/images/windows-iis/release', '/golden-ami/golden-ami-image-factory/images/web/version']) a.parameters.add(p);
  a.buckets.set('golden-ami-artifacts', { tags: { 'golden-ami:pipeline': PIPELINE }, versions: 3 });
  a.buckets.set('golden-ami-access-logs', { tags: { 'golden-ami:pipeline': PIPELINE }, versions: 2 });
  a.buckets.set('golden-ami-image-factory-artifacts', { tags: { 'golden-ami:pipeline': NEIGHBOUR }, versions: 4 });
  return a;
}

async function runToCompletion(a: FakeAccount, s: CleanupScope, rounds = 10): Promise<string[]> {
  const log: string[] = [];
  const startedAt = a.now();
  for (let i = 0; i < rounds; i++) {
    const progress = await advanceCleanup(s, a.clients, { startedAt, log: (line) => log.push(line) });
    if (progress.done) return log;
    a.tick();
  }
  throw new Error(`not done after ${rounds} rounds: ${log.join('\n')}`);
}

describe('advanceCleanup', () => {
  test('deletes fleet stacks first, then the egress stack, then image stacks, and only then AMIs, snapshots, parameters and buckets', async () => {
    const a = account();
    a.stacks.set('golden-ami-egress', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
    const s = scope({ egressStack: 'golden-ami-egress' });
    const first = await advanceCleanup(s, a.clients, { startedAt: a.now(), log: () => undefined });
    expect(first).toEqual({ done: false, waitingFor: ['stack golden-ami-fleet-app-linux (DELETE_IN_PROGRESS)'] });
    expect(a.calls).toEqual(['DeleteStack golden-ami-fleet-app-linux']);

    // The fleet's instances reach out through the NAT gateway until they are gone: egress waits for the fleets.
    a.tick();
    const second = await advanceCleanup(s, a.clients, { startedAt: a.now(), log: () => undefined });
    expect(second).toEqual({ done: false, waitingFor: ['stack golden-ami-egress (DELETE_IN_PROGRESS)'] });
    expect(a.calls.filter((c) => c.startsWith('DeleteStack'))).toEqual(['DeleteStack golden-ami-fleet-app-linux', 'DeleteStack golden-ami-egress']);

    a.tick();
    await runToCompletion(a, s);
    const order = (prefix: string) => a.calls.findIndex((c) => c.startsWith(prefix));
    expect(order('DeleteStack golden-ami-image-app-linux')).toBeGreaterThan(order('DeleteStack golden-ami-egress'));
    expect(order('DeregisterImage')).toBeGreaterThan(order('DeleteStack golden-ami-image-windows-iis'));
    expect(order('DeleteParameters')).toBeGreaterThan(order('DeregisterImage'));
    expect(order('DeleteBucket')).toBeGreaterThan(order('DeleteParameters'));
  });

  test('removes everything of the pipeline, in every region, and nothing of the neighbour whose name starts the same', async () => {
    const a = account();
    await runToCompletion(a, scope());
    expect([...a.stacks.keys()].sort()).toEqual([`${NEIGHBOUR}-fleet-web`, `${NEIGHBOUR}-pipeline`]);
    expect(a.amis.get('eu-west-1')!.map((i) => i.id)).toEqual(['ami-theirs']);
    expect(a.amis.get('us-east-1')).toEqual([]);
    expect([...a.snapshotsIn('eu-west-1').keys()].sort()).toEqual(['snap-orphan-theirs', 'snap-theirs']);
    expect([...a.snapshotsIn('us-east-1').keys()]).toEqual([]);
    expect([...a.parameters]).toEqual(['/golden-ami/golden-ami-image-factory/images/web/version']);
    expect([...a.buckets.keys()]).toEqual(['golden-ami-image-factory-artifacts']);
    expect(a.calls.filter((c) => c.includes(NEIGHBOUR) || c.includes('theirs'))).toEqual([]);
  });

  test('tags untagged snapshots with the pipeline before deleting them, so IAM can require the tag', async () => {
    const a = account();
    await runToCompletion(a, scope());
    const tagged = a.calls.indexOf('CreateTags eu-west-1 snap-old');
    expect(tagged).toBeGreaterThanOrEqual(0);
    expect(a.calls.indexOf('DeleteSnapshot eu-west-1 snap-old')).toBeGreaterThan(tagged);
    expect(a.calls.indexOf('DeleteSnapshot us-east-1 snap-copy')).toBeGreaterThan(a.calls.indexOf('CreateTags us-east-1 snap-copy'));
  });

  test('finds a snapshot whose AMI was deregistered by an interrupted run, by its tag', async () => {
    const a = account();
    const log = await runToCompletion(a, scope());
    expect(a.calls).toContain('DeleteSnapshot eu-west-1 snap-orphan');
    expect(log).toContain('deleted snapshot snap-orphan in eu-west-1');
  });

  test('never touches a stack of one of its names that another pipeline describes', async () => {
    const a = account();
    // An image named "factory-pipeline" would give golden-ami the stack name of the neighbour's pipeline stack.
    const s = scope({ imageStacks: ['golden-ami-image-factory-pipeline'], fleetStacks: [] });
    const log = await runToCompletion(a, s);
    expect(a.calls.filter((c) => c.startsWith('DeleteStack'))).toEqual([]);
    expect(log).toContain('left stack golden-ami-image-factory-pipeline alone: its description names golden-ami-image-factory, not pipeline golden-ami');
  });

  test('keeps shared AMIs and their snapshots with sharedAmis keep, and deletes them with delete', async () => {
    const keep = account();
    keep.amis.get('eu-west-1')!.find((i) => i.id === 'ami-new')!.sharedWith = ['210987654321'];
    const log = await runToCompletion(keep, scope());
    expect(keep.amis.get('eu-west-1')!.map((i) => i.id).sort()).toEqual(['ami-new', 'ami-theirs']);
    expect(keep.snapshotsIn('eu-west-1').has('snap-new')).toBe(true);
    expect(log).toContain('kept ami-new in eu-west-1: it is shared with other accounts (operations.onDestroy.sharedAmis is keep)');

    const remove = account();
    remove.amis.get('eu-west-1')!.find((i) => i.id === 'ami-new')!.sharedWith = ['all'];
    await runToCompletion(remove, scope({ sharedAmis: 'delete' }));
    expect(remove.amis.get('eu-west-1')!.map((i) => i.id)).toEqual(['ami-theirs']);
  });

  test('a prune scope touches only the AMIs and snapshots of the removed image', async () => {
    const a = account();
    a.addAmi('eu-west-1', { id: 'ami-win', name: 'golden-ami-windows-iis-1', tags: tags(PIPELINE, 'windows-iis'), snapshots: ['snap-win'] }, tags(PIPELINE, 'windows-iis'));
    await runToCompletion(a, { ...scope(), fleetStacks: [], imageStacks: ['golden-ami-image-windows-iis'], amis: { regions: ['eu-west-1'], images: ['windows-iis'] }, buckets: [] });
    expect(a.amis.get('eu-west-1')!.map((i) => i.id).sort()).toEqual(['ami-new', 'ami-old', 'ami-theirs']);
    expect(a.snapshotsIn('eu-west-1').has('snap-win')).toBe(false);
    expect(a.snapshotsIn('eu-west-1').has('snap-orphan')).toBe(false);
    expect(a.stacks.has('golden-ami-fleet-app-linux')).toBe(true);
  });

  test("AMIs left behind in a region an image no longer goes to: that image's there, not its others, not another image's there", async () => {
    const a = account();
    a.addAmi('us-east-1', { id: 'ami-win-us', name: 'golden-ami-windows-iis-1', tags: tags(PIPELINE, 'windows-iis'), snapshots: ['snap-win-us'] }, tags(PIPELINE, 'windows-iis'));
    a.addAmi('eu-west-1', { id: 'ami-win-eu', name: 'golden-ami-windows-iis-1', tags: tags(PIPELINE, 'windows-iis'), snapshots: ['snap-win-eu'] }, tags(PIPELINE, 'windows-iis'));
    await runToCompletion(a, { ...scope(), fleetStacks: [], imageStacks: [], amis: undefined, amisLeftBehind: [{ image: 'windows-iis', regions: ['us-east-1'] }], parameters: [], buckets: [] });
    // app-linux still goes to us-east-1: its copy there stays.
    expect(a.amis.get('us-east-1')!.map((i) => i.id)).toEqual(['ami-copy']);
    expect(a.amis.get('eu-west-1')!.map((i) => i.id)).toContain('ami-win-eu');
    expect(a.snapshotsIn('us-east-1').has('snap-win-us')).toBe(false);
    expect(a.snapshotsIn('eu-west-1').has('snap-win-eu')).toBe(true);
  });

  test('a stack that fails to delete during the clean-up stops it with CloudFormation\'s reason', async () => {
    const a = account();
    a.stacks.get('golden-ami-fleet-app-linux')!.deleteOutcome = 'DELETE_FAILED';
    a.stacks.get('golden-ami-fleet-app-linux')!.failureReason = 'User is not authorized to perform: autoscaling:DeleteAutoScalingGroup';
    const startedAt = a.now();
    await advanceCleanup(scope(), a.clients, { startedAt, log: () => undefined });
    a.tick();
    const failure = advanceCleanup(scope(), a.clients, { startedAt, log: () => undefined });
    await expect(failure).rejects.toThrow(CleanupFailure);
    await expect(advanceCleanup(scope(), a.clients, { startedAt, log: () => undefined })).rejects.toThrow(
      'stack golden-ami-fleet-app-linux could not be deleted: Group (AWS::AutoScaling::AutoScalingGroup): User is not authorized to perform: autoscaling:DeleteAutoScalingGroup. Fix the cause, then delete again',
    );
    // Nothing after the fleet was touched.
    expect(a.calls).toEqual(['DeleteStack golden-ami-fleet-app-linux']);
  });

  test('a second run resumes: a stack that failed before it started is deleted again', async () => {
    const a = account();
    const fleet = a.stacks.get('golden-ami-fleet-app-linux')!;
    fleet.deleteOutcome = 'DELETE_FAILED';
    await advanceCleanup(scope(), a.clients, { startedAt: a.now(), log: () => undefined });
    a.tick();
    expect(fleet.status).toBe('DELETE_FAILED');
    fleet.deleteOutcome = undefined; // the operator fixed the cause
    a.tick();
    await runToCompletion(a, scope());
    expect(a.calls.filter((c) => c === 'DeleteStack golden-ami-fleet-app-linux')).toHaveLength(2);
    expect(a.stacks.has('golden-ami-fleet-app-linux')).toBe(false);
  });

  test('deletes the stage stacks with the given role when one is named (a stack whose execution role is gone)', async () => {
    const a = account();
    const role = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';
    await advanceCleanup(scope(), a.clients, { startedAt: a.now(), log: () => undefined, stackRoleArn: role });
    expect(a.calls).toEqual([`DeleteStack golden-ami-fleet-app-linux as ${role}`]);
  });

  test('a log bucket refilled by late log delivery is emptied and deleted on the next round', async () => {
    const a = account();
    a.buckets.get('golden-ami-access-logs')!.lateObjects = 1;
    const s = scope({ fleetStacks: [], imageStacks: [] });
    const first = await advanceCleanup(s, a.clients, { startedAt: a.now(), log: () => undefined });
    expect(first).toEqual({ done: false, waitingFor: ['bucket golden-ami-access-logs'] });
    const second = await advanceCleanup(s, a.clients, { startedAt: a.now(), log: () => undefined });
    expect(second.done).toBe(true);
    expect(a.buckets.has('golden-ami-access-logs')).toBe(false);
  });

  test('run again when everything is gone, it finds nothing and is done at once', async () => {
    const a = account();
    await runToCompletion(a, scope());
    const callsBefore = a.calls.length;
    expect(await advanceCleanup(scope(), a.clients, { startedAt: a.now(), log: () => undefined })).toEqual({ done: true, waitingFor: [] });
    expect(a.calls.slice(callsBefore).filter((c) => !c.startsWith('DeleteParameters'))).toEqual([]);
  });
});

describe('advanceCleanup: distribution parameters (distribution.ssmParameter)', () => {
  const LATEST = '/golden-images/app-linux/latest';
  const withDistribution = () =>
    scope({
      distributionParameters: [
        { region: 'eu-west-1', names: [LATEST] },
        { region: 'us-east-1', names: [LATEST] },
      ],
    });

  test('deleted by exact name in each region, after the AMIs and before the image parameters and buckets; nothing else', async () => {
    const a = account();
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-2']) a.parametersIn(region).add(LATEST);
    // Look-alikes: a longer name, and the neighbour's own parameter.
    a.parametersIn('us-east-1').add(`${LATEST}-x`);
    a.parametersIn('us-east-1').add('/golden-images/golden-ami-image-factory/latest');
    const log = await runToCompletion(a, withDistribution());

    expect(a.calls.filter((c) => c.startsWith('DeleteParameter '))).toEqual([`DeleteParameter eu-west-1 ${LATEST}`, `DeleteParameter us-east-1 ${LATEST}`]);
    expect(a.parametersIn('eu-west-1').has(LATEST)).toBe(false);
    expect([...a.parametersIn('us-east-1')].sort()).toEqual([`${LATEST}-x`, '/golden-images/golden-ami-image-factory/latest']);
    // A region the scope does not name keeps its parameter.
    expect([...a.parametersIn('ap-southeast-2')]).toEqual([LATEST]);
    const order = (prefix: string) => a.calls.findIndex((c) => c.startsWith(prefix));
    const lastDeregister = a.calls.map((c) => c.startsWith('DeregisterImage')).lastIndexOf(true);
    expect(order('DeleteParameter ')).toBeGreaterThan(lastDeregister);
    // The image parameters are how teardown finds an image removed from the configuration: they go last.
    expect(order('DeleteParameters')).toBeGreaterThan(a.calls.indexOf(`DeleteParameter us-east-1 ${LATEST}`));
    expect(order('DeleteBucket')).toBeGreaterThan(order('DeleteParameters'));
    expect(log).toContain(`deleted SSM parameter ${LATEST} in us-east-1`);
  });

  test('a parameter that does not exist (ParameterNotFound: already deleted, or never written there) counts as done', async () => {
    const a = account();
    a.parametersIn('us-east-1').add(LATEST);
    const log = await runToCompletion(a, withDistribution());
    expect(a.calls.filter((c) => c.startsWith('DeleteParameter '))).toEqual([`DeleteParameter eu-west-1 ${LATEST}`, `DeleteParameter us-east-1 ${LATEST}`]);
    expect(log).not.toContain(`deleted SSM parameter ${LATEST} in eu-west-1`);
    // Run again: every one is gone, and the clean-up is done at once.
    expect(await advanceCleanup(withDistribution(), a.clients, { startedAt: a.now(), log: () => undefined })).toEqual({ done: true, waitingFor: [] });
  });

  test('any other error stops the clean-up before the image parameters and buckets', async () => {
    const a = account();
    const denied = new SSMClient({ region: 'us-east-1' });
    mockClient(denied).on(DeleteParameterCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: ssm:DeleteParameter'));
    const clients = { ...a.clients, ssmIn: (region: string) => (region === 'us-east-1' ? denied : a.ssmIn(region)) };
    const noStacks = { ...withDistribution(), fleetStacks: [], imageStacks: [] };
    await expect(advanceCleanup(noStacks, clients, { startedAt: a.now(), log: () => undefined })).rejects.toThrow(/ssm:DeleteParameter/);
    expect(a.calls.some((c) => c.startsWith('DeleteParameters') || c.startsWith('DeleteBucket'))).toBe(false);
  });
});

describe('advanceCleanup: environments (stacks in other accounts)', () => {
  const TEST = { Name: 'test', Account: '222222222222', Region: 'us-east-1', Fleets: ['app-linux'] };
  const PRODUCTION = { Name: 'production', Account: '333333333333', Region: 'eu-west-1', Fleets: ['app-linux'] };
  const envScope = (sharedAmis: 'keep' | 'delete' = 'delete') =>
    deletionScope({
      PipelineName: PIPELINE,
      Images: [{ Name: 'app-linux', Fleet: 'false', Regions: ['eu-west-1', 'us-east-1'] }],
      Buckets: [],
      SharedAmis: sharedAmis,
      Egress: 'false',
      Environments: [TEST, PRODUCTION],
    });

  /** The pipeline's account (its stacks in eu-west-1, and its AMI key stack in us-east-1) and the two environments' accounts. */
  function accounts() {
    const pipeline = account();
    pipeline.stacks.delete('golden-ami-fleet-app-linux');
    pipeline.stacks.delete('golden-ami-image-windows-iis');
    pipeline.stacks.set('golden-ami-ami-key', { status: 'CREATE_COMPLETE', description: describedBy(PIPELINE) });
    const pipelineUsEast1 = new FakeAccount();
    pipelineUsEast1.stacks.set('golden-ami-ami-key', { status: 'CREATE_COMPLETE', description: describedBy(PIPELINE) });
    const environments = new Map([
      ['222222222222', new FakeAccount()],
      ['333333333333', new FakeAccount()],
    ]);
    for (const [, env] of environments) {
      env.stacks.set('golden-ami-fleet-app-linux', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
    }
    environments.get('222222222222')!.stacks.set('golden-ami-environment-test', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
    environments.get('333333333333')!.stacks.set('golden-ami-environment-production', { status: 'UPDATE_COMPLETE', description: describedBy(PIPELINE) });
    const asked: RemoteStack[] = [];
    const clients = {
      ...pipeline.clients,
      remoteStackClient: async (stack: RemoteStack) => {
        asked.push(stack);
        return environments.get(stack.account)!.cloudformation;
      },
      cloudformationIn: (region: string) => (region === 'eu-west-1' ? pipeline.cloudformation : pipelineUsEast1.cloudformation),
    };
    const tick = () => [pipeline, pipelineUsEast1, ...environments.values()].forEach((a) => a.tick());
    return { pipeline, pipelineUsEast1, environments, clients, asked, tick };
  }
  const stackCalls = (a: FakeAccount) => a.calls.filter((c) => c.startsWith('DeleteStack'));

  test("deletes every environment's fleet stacks, then the environment stacks, then the image stacks, then each region's AMI key stack, before the AMIs", async () => {
    const { pipeline, pipelineUsEast1, environments, clients, tick } = accounts();
    const [test, production] = [environments.get('222222222222')!, environments.get('333333333333')!];
    const run = { startedAt: pipeline.now(), log: () => undefined, deletionsBegun: new Set<string>() };
    const round = () => advanceCleanup(envScope(), clients, run);

    expect((await round()).waitingFor).toEqual([
      'stack golden-ami-fleet-app-linux (account 222222222222, us-east-1) (DELETE_IN_PROGRESS)',
      'stack golden-ami-fleet-app-linux (account 333333333333, eu-west-1) (DELETE_IN_PROGRESS)',
    ]);
    expect([...stackCalls(test), ...stackCalls(production), ...stackCalls(pipeline)]).toEqual(['DeleteStack golden-ami-fleet-app-linux', 'DeleteStack golden-ami-fleet-app-linux']);
    tick();
    expect((await round()).waitingFor).toEqual([
      'stack golden-ami-environment-test (account 222222222222, us-east-1) (DELETE_IN_PROGRESS)',
      'stack golden-ami-environment-production (account 333333333333, eu-west-1) (DELETE_IN_PROGRESS)',
    ]);
    expect(stackCalls(pipeline)).toEqual([]);
    tick();
    expect((await round()).waitingFor).toEqual(['stack golden-ami-image-app-linux (DELETE_IN_PROGRESS)']);
    expect(stackCalls(pipeline)).toEqual(['DeleteStack golden-ami-image-app-linux']);
    tick();
    expect((await round()).waitingFor).toEqual(['stack golden-ami-ami-key (eu-west-1) (DELETE_IN_PROGRESS)', 'stack golden-ami-ami-key (us-east-1) (DELETE_IN_PROGRESS)']);
    // No AMI deregistered while a stack remains.
    expect(pipeline.calls.filter((c) => c.startsWith('DeregisterImage'))).toEqual([]);
    tick();
    expect(await round()).toEqual({ done: true, waitingFor: [] });
    expect([...test.stacks.keys(), ...production.stacks.keys(), ...pipelineUsEast1.stacks.keys()]).toEqual([]);
    expect(pipeline.stacks.has('golden-ami-ami-key')).toBe(false);
    // Deleted with each stack's stored service role: no RoleARN passed.
    expect([...stackCalls(test), ...stackCalls(production), ...stackCalls(pipeline), ...stackCalls(pipelineUsEast1)].every((c) => !c.includes(' as '))).toBe(true);
  });

  test('asks for each stack in another account with its role and where it is', async () => {
    const { clients, asked, pipeline, tick } = accounts();
    const run = { startedAt: pipeline.now(), log: () => undefined, deletionsBegun: new Set<string>() };
    await advanceCleanup(envScope(), clients, run);
    tick();
    await advanceCleanup(envScope(), clients, run);
    expect(asked).toEqual([
      { stackName: 'golden-ami-fleet-app-linux', account: '222222222222', region: 'us-east-1', roleName: 'golden-ami-fleet-app-linux-cleanup' },
      { stackName: 'golden-ami-fleet-app-linux', account: '333333333333', region: 'eu-west-1', roleName: 'golden-ami-fleet-app-linux-cleanup' },
      { stackName: 'golden-ami-fleet-app-linux', account: '222222222222', region: 'us-east-1', roleName: 'golden-ami-fleet-app-linux-cleanup' },
      { stackName: 'golden-ami-fleet-app-linux', account: '333333333333', region: 'eu-west-1', roleName: 'golden-ami-fleet-app-linux-cleanup' },
      { stackName: 'golden-ami-environment-test', account: '222222222222', region: 'us-east-1', roleName: 'golden-ami-environment-cleanup', roleInStack: true },
      { stackName: 'golden-ami-environment-production', account: '333333333333', region: 'eu-west-1', roleName: 'golden-ami-environment-cleanup', roleInStack: true },
    ]);
  });

  describe('the environment stack deletes its own clean-up role', () => {
    /** The production account as the environment clean-up role sees it: once the stack's deletion has deleted the role, every call is refused. */
    function losingItsRole() {
      const setup = accounts();
      const production = setup.environments.get('333333333333')!;
      production.stacks.get('golden-ami-environment-production')!.deleteOutcome = 'DELETE_FAILED'; // still there: only the role is gone
      let roleGone = false;
      const refusing = {
        send: async (command: { input: { StackName?: string } }) => {
          if (roleGone && command.input.StackName === 'golden-ami-environment-production') {
            throw awsError('AccessDenied', 'User: arn:aws:sts::333333333333:assumed-role/golden-ami-environment-cleanup/golden-ami-cleanup is not authorized to perform: cloudformation:DescribeStacks');
          }
          return production.cloudformation.send(command as never);
        },
      } as unknown as CloudFormationClient;
      const clients = { ...setup.clients, remoteStackClient: async (stack: RemoteStack) => (stack.account === '333333333333' ? refusing : setup.environments.get(stack.account)!.cloudformation) };
      return { ...setup, clients, loseRole: () => (roleGone = true) };
    }

    test('AccessDenied after its deletion began counts as deleted-or-deleting, not as a failure', async () => {
      const { clients, pipeline, tick, loseRole } = losingItsRole();
      const log: string[] = [];
      const run = { startedAt: pipeline.now(), log: (line: string) => log.push(line), deletionsBegun: new Set<string>() };
      await advanceCleanup(envScope(), clients, run);
      tick();
      const second = await advanceCleanup(envScope(), clients, run);
      expect(second.waitingFor).toContain('stack golden-ami-environment-production (account 333333333333, eu-west-1) (DELETE_IN_PROGRESS)');
      expect(run.deletionsBegun).toEqual(new Set(['333333333333/eu-west-1/golden-ami-environment-production', '222222222222/us-east-1/golden-ami-environment-test']));
      loseRole();
      tick();
      const third = await advanceCleanup(envScope(), clients, run);
      expect(third.waitingFor.join()).not.toContain('golden-ami-environment-production');
      expect(log).toContain(
        'stack golden-ami-environment-production (account 333333333333, eu-west-1): access lost after its deletion began (its clean-up role is deleted with it); counted as deleted. Its outcome shows in CloudFormation in that account and region',
      );
    });

    test('the same role failing to be assumed (RoleNotAssumable, AccessDenied) after the deletion began counts the same', async () => {
      const { clients: base, pipeline, tick, environments } = accounts();
      let roleGone = false;
      const clients = {
        ...base,
        remoteStackClient: async (stack: RemoteStack) => {
          if (roleGone && stack.roleInStack && stack.account === '333333333333') throw new RoleNotAssumable('cannot assume', 'AccessDenied');
          return environments.get(stack.account)!.cloudformation;
        },
      };
      environments.get('333333333333')!.stacks.get('golden-ami-environment-production')!.deleteOutcome = 'DELETE_FAILED';
      const run = { startedAt: pipeline.now(), log: () => undefined, deletionsBegun: new Set<string>() };
      await advanceCleanup(envScope(), clients, run);
      tick();
      await advanceCleanup(envScope(), clients, run);
      roleGone = true;
      tick();
      expect((await advanceCleanup(envScope(), clients, run)).waitingFor.join()).not.toContain('golden-ami-environment-production');
    });

    test('AccessDenied before its deletion began is a failure: a missing role or grant, never a stack taken for gone', async () => {
      const { clients, pipeline, tick, loseRole } = losingItsRole();
      const run = { startedAt: pipeline.now(), log: () => undefined, deletionsBegun: new Set<string>() };
      await advanceCleanup(envScope(), clients, run);
      loseRole();
      tick();
      await expect(advanceCleanup(envScope(), clients, run)).rejects.toThrow(/not authorized to perform: cloudformation:DescribeStacks/);
    });

    test('a fleet stack in an environment is deleted through a role the environment stack holds: AccessDenied there is always a failure', async () => {
      const { clients: base, pipeline, environments } = accounts();
      const clients = {
        ...base,
        remoteStackClient: async (stack: RemoteStack) => {
          if (!stack.roleInStack) throw new RoleNotAssumable(`cannot assume ${stack.roleName}`, 'AccessDenied');
          return environments.get(stack.account)!.cloudformation;
        },
      };
      const run = { startedAt: pipeline.now(), log: () => undefined, deletionsBegun: new Set(['222222222222/us-east-1/golden-ami-fleet-app-linux']) };
      await expect(advanceCleanup(envScope(), clients, run)).rejects.toThrow('cannot assume golden-ami-fleet-app-linux-cleanup');
    });
  });

  test("with sharedAmis keep, each region's AMI key stack stays, and the log says why", async () => {
    const { pipeline, pipelineUsEast1, clients, tick } = accounts();
    const log: string[] = [];
    const run = { startedAt: pipeline.now(), log: (line: string) => log.push(line), deletionsBegun: new Set<string>() };
    for (let i = 0; i < 5 && !(await advanceCleanup(envScope('keep'), clients, run)).done; i++) tick();
    expect(pipeline.stacks.has('golden-ami-ami-key')).toBe(true);
    expect(pipelineUsEast1.stacks.has('golden-ami-ami-key')).toBe(true);
    expect(stackCalls(pipelineUsEast1)).toEqual([]);
    expect(log).toContain('kept stack golden-ami-ami-key in us-east-1: the AMIs shared with the environments need its key (operations.onDestroy.sharedAmis is keep)');
    expect(log).toContain('kept stack golden-ami-ami-key in eu-west-1: the AMIs shared with the environments need its key (operations.onDestroy.sharedAmis is keep)');
  });

  test('a scope without environments never asks for a client in another account or region', async () => {
    const a = account();
    const fail = () => {
      throw new Error('not expected');
    };
    const clients = { ...a.clients, remoteStackClient: fail, cloudformationIn: fail };
    const run = { startedAt: a.now(), log: () => undefined };
    for (let i = 0; i < 5 && !(await advanceCleanup(scope({ sharedAmis: 'delete' }), clients, run)).done; i++) a.tick();
    expect(a.stacks.has('golden-ami-image-app-linux')).toBe(false);
  });
});
