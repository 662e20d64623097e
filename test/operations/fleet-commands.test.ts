import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load-config';
import { runFleetCommand } from '../../lib/operations/fleet-commands';
import { OperatorError } from '../../lib/operations/operator-error';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { configDirWith } from '../helpers/synth-app';

const autoscaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const clients = { autoscaling: new AutoScalingClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) };
// The fixture without its Windows image: one fleet (app-linux) keeps the expected outputs short.
const config = loadConfig(configDirWith({ 'images/windows-iis.yaml': null }));
const GROUP = 'golden-ami-fleet-app-linux-Group-ABC123';
const group = (overrides: object = {}) => ({
  AutoScalingGroupName: GROUP,
  MinSize: 1,
  MaxSize: 2,
  DesiredCapacity: 1,
  Instances: [{ InstanceId: 'i-1', LifecycleState: 'InService', HealthStatus: 'Healthy' }],
  ...overrides,
});
const RELEASE = { amiId: 'ami-00000000000000002', version: '1.0.3', executionId: 'e2', releasedAt: 't2', previous: { amiId: 'ami-00000000000000001', version: '1.0.2', executionId: 'e1', releasedAt: 't1' } };

const run = (...args: string[]) => runFleetCommand(args, config, clients);
const ssmWrites = () => ssm.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input.Value]);
const groupUpdates = () => autoscaling.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input);

beforeEach(() => {
  autoscaling.reset();
  ec2.reset();
  ssm.reset();
  autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group() as never] });
  autoscaling.on(UpdateAutoScalingGroupCommand).resolves({});
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(RELEASE) } });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', ImageId: 'ami-00000000000000002' }] }] });
});

describe('fleet status', () => {
  test('finds the group by its tags and shows capacity and the release it runs', async () => {
    const out = await run('status');
    expect(autoscaling.commandCalls(DescribeAutoScalingGroupsCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'tag:golden-ami:pipeline', Values: ['golden-ami'] },
      { Name: 'tag:golden-ami:image', Values: ['app-linux'] },
    ]);
    expect(out).toBe(
      [
        `app-linux: desired 1, in service 1 (1 healthy), min 1, max 2 — ${GROUP}`,
        '  running: ami-00000000000000002 (version 1.0.3, current release) on 1 instance',
      ].join('\n'),
    );
  });

  test('a fleet at zero and one not deployed', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolvesOnce({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0, Instances: [] }) as never] });
    expect(await run('status', 'app-linux')).toMatch(/desired 0, in service 0 \(0 healthy\), min 0, max 2 .*\n  running: no instances$/);
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    expect(await run('status')).toBe('app-linux: not deployed');
  });
});

describe('fleet scale', () => {
  test('scale to zero lowers the minimum too, and records both where the fleet stack reads them', async () => {
    const out = await run('scale', 'app-linux', '0');
    expect(ssmWrites()).toEqual([
      ['/golden-ami/golden-ami/fleets/app-linux/min-size', '0'],
      ['/golden-ami/golden-ami/fleets/app-linux/desired-capacity', '0'],
    ]);
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 0, DesiredCapacity: 0 }]);
    expect(out).toBe('app-linux: desired capacity 1 -> 0 (min 0, max 2); pipeline runs keep it. Bring it back with: npm run fleet -- resume app-linux');
  });

  test('scaling up keeps the minimum', async () => {
    await run('scale', 'app-linux', '2');
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 1, DesiredCapacity: 2 }]);
  });

  test('resume returns to the configured minimum, with at least one instance', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0 }) as never] });
    expect(await run('resume', 'app-linux')).toBe('app-linux: back to configuration: desired 1, min 1, max 2');
    expect(ssmWrites().map(([, v]) => v)).toEqual(['1', '1']);
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 1, DesiredCapacity: 1 }]);
  });

  test.each<[string, string[], RegExp]>([
    ['an unknown fleet', ['scale', 'web', '1'], /^unknown fleet web\. Fix: use one of app-linux$/],
    ['a negative number', ['scale', 'app-linux', '-1'], /^the capacity must be a whole number, 0 or more \(got "-1"\)$/],
    ['a fraction', ['scale', 'app-linux', '1.5'], /^the capacity must be a whole number, 0 or more \(got "1\.5"\)$/],
    ['a word', ['scale', 'app-linux', 'none'], /^the capacity must be a whole number, 0 or more \(got "none"\)$/],
    ['more than the maximum', ['scale', 'app-linux', '3'], /^fleet app-linux has at most 2 instances \(got 3\)\. Fix: use 0 to 2, or raise fleet\.maxSize in .*app-linux\.yaml and push$/],
    ['a missing number', ['scale', 'app-linux'], /^scale takes a fleet and a number/],
    ['an unknown command', ['stop', 'app-linux'], /^unknown command stop\.\nUsage: npm run fleet/],
    ['an unknown option', ['scale', 'app-linux', '0', '--force'], /^unknown option --force\./],
  ])('%s: one clear error, nothing changed', async (_name, args, message) => {
    const error = await run(...args).catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toMatch(message);
    expect(ssmWrites()).toEqual([]);
    expect(groupUpdates()).toEqual([]);
  });

  test('a fleet that is not deployed yet: clear error, nothing written', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(run('scale', 'app-linux', '0')).rejects.toThrow(/^fleet app-linux is not deployed \(no Auto Scaling group from stack golden-ami-fleet-app-linux\)/);
    expect(ssmWrites()).toEqual([]);
  });

  test('an image without a fleet is not a fleet', async () => {
    const noFleet = loadConfig(configDirWith({ 'images/app-linux.yaml': 'name: app-linux\nversion: "1.0"\n', 'images/windows-iis.yaml': null }));
    await expect(runFleetCommand(['scale', 'app-linux', '0'], noFleet, clients)).rejects.toThrow(/^unknown fleet app-linux\. Fix: use one of none \(no image file declares a fleet\)$/);
  });

  test('missing credentials become one instruction, nothing changed', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    await expect(run('scale', 'app-linux', '0')).rejects.toThrow(/^no AWS credentials found\. Fix:/);
    expect(ssmWrites()).toEqual([]);
  });
});

describe('a pipeline run after scale to zero', () => {
  test('the fleet template resolves capacity from exactly the parameters the command writes, and holds no literal', async () => {
    await run('scale', 'app-linux', '0');
    const written = ssmWrites().map(([name]) => name);
    const synth = fixtureAssembly();
    const template = synth.stageTemplate('Fleet-app-linux').toJSON();
    expect([template.Parameters.MinSize.Default, template.Parameters.DesiredCapacity.Default]).toEqual(written);
    expect(template.Resources.Group.Properties).toMatchObject({ MinSize: { Ref: 'MinSize' }, DesiredCapacity: { Ref: 'DesiredCapacity' } });
    // The pipeline stack only seeds the parameters; CloudFormation rewrites them only if the configured minimum changes.
    const seeded = Object.values(synth.pipelineTemplate.findResources('AWS::SSM::Parameter')).filter((p) => written.includes(p.Properties.Name));
    expect(seeded.map((p) => p.Properties.Value)).toEqual(['1', '1']);
  });
});
