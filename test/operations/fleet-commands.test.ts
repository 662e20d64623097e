import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, type Stack, type StackStatus, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { runFleetCommand } from '../../lib/operations/fleet-commands';
import { OperatorError } from '../../lib/operations/operator-error';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { configDirWith, REPO_ROOT } from '../helpers/synth-app';

const autoscaling = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const cloudformation = mockClient(CloudFormationClient);
const clients = {
  autoscaling: new AutoScalingClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
  ssm: new SSMClient({ region: 'eu-west-1' }),
  cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
  // The SDK waiter's real delays are 30 s to 2 min; the same polling, in milliseconds.
  egressWait: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 5 },
};
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

const EGRESS_STACK = 'golden-ami-egress';
const EGRESS_STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${EGRESS_STACK}/1f2e3d4c`;
const EGRESS_ROLE = 'arn:aws:iam::123456789012:role/golden-ami-egress-cfn-exec';
const EGRESS_STATE = '/golden-ami/golden-ami/network/egress';
/** The egress stack as DescribeStacks shows it, one status per call (the last one repeats). */
function egressStack(statuses: string[], overrides: object = {}) {
  const stack = (status: string): Stack => ({
    StackName: EGRESS_STACK,
    StackId: EGRESS_STACK_ID,
    StackStatus: status as StackStatus,
    CreationTime: new Date(),
    Description: 'golden-ami-pipeline golden-ami: NAT gateways while a fleet runs',
    RoleARN: EGRESS_ROLE,
    Parameters: [
      { ParameterKey: 'NetworkPublicSubnetIds', ParameterValue: '/golden-ami/golden-ami/network/public-subnet-ids', ResolvedValue: 'subnet-1,subnet-2' },
      { ParameterKey: 'DesiredCapacityapplinux', ParameterValue: '/golden-ami/golden-ami/fleets/app-linux/desired-capacity', ResolvedValue: '1' },
    ],
    Tags: [{ Key: 'golden-ami:pipeline', Value: 'golden-ami' }],
    ...overrides,
  });
  const describe = cloudformation.on(DescribeStacksCommand, { StackName: EGRESS_STACK });
  statuses.slice(0, -1).forEach((status) => describe.resolvesOnce({ Stacks: [stack(status)] }));
  describe.resolves({ Stacks: [stack(statuses[statuses.length - 1])] });
}
function egressState(value: string | undefined) {
  const parameter = ssm.on(GetParameterCommand, { Name: EGRESS_STATE });
  if (value === undefined) parameter.rejects(Object.assign(new Error('parameter not found'), { name: 'ParameterNotFound' }));
  else parameter.resolves({ Parameter: { Name: EGRESS_STATE, Value: value } });
}
const validationError = (message: string) => Object.assign(new Error(message), { name: 'ValidationError' });
/** Every call that changes something or waits, across the three clients, in the order made. */
function callOrder(): string[] {
  const calls = [
    ...ssm.commandCalls(PutParameterCommand).map((c) => ({ call: c, what: `PutParameter ${c.args[0].input.Name!.split('/').pop()}` })),
    ...cloudformation.calls().map((c) => ({ call: c, what: (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '') })),
    ...ssm.commandCalls(GetParameterCommand, { Name: EGRESS_STATE }).map((c) => ({ call: c, what: 'GetParameter egress' })),
    ...autoscaling.commandCalls(UpdateAutoScalingGroupCommand).map((c) => ({ call: c, what: 'UpdateAutoScalingGroup' })),
  ];
  return calls.sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1)).map((c) => c.what);
}

beforeEach(() => {
  autoscaling.reset();
  ec2.reset();
  ssm.reset();
  cloudformation.reset();
  autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group() as never] });
  autoscaling.on(UpdateAutoScalingGroupCommand).resolves({});
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(RELEASE) } });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', ImageId: 'ami-00000000000000002' }] }] });
  // The fixture's network is a created VPC with egress on demand: the egress stack exists and updates cleanly.
  egressStack(['UPDATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
  cloudformation.on(UpdateStackCommand).resolves({ StackId: EGRESS_STACK_ID });
  egressState('on');
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
        'egress: NAT gateway on',
      ].join('\n'),
    );
  });

  test('a fleet at zero and one not deployed', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolvesOnce({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0, Instances: [] }) as never] });
    expect(await run('status', 'app-linux')).toMatch(/desired 0, in service 0 \(0 healthy\), min 0, max 2 .*\n  running: no instances\negress: NAT gateway on$/);
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    expect(await run('status')).toBe('app-linux: not deployed\negress: NAT gateway on');
  });
});

describe('fleet scale', () => {
  test('scale to zero lowers the minimum too, and records both where the fleet stack reads them', async () => {
    egressState('off');
    const out = await run('scale', 'app-linux', '0');
    expect(ssmWrites()).toEqual([
      ['/golden-ami/golden-ami/fleets/app-linux/min-size', '0'],
      ['/golden-ami/golden-ami/fleets/app-linux/desired-capacity', '0'],
    ]);
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 0, DesiredCapacity: 0 }]);
    expect(out).toBe('app-linux: desired capacity 1 -> 0 (min 0, max 2); pipeline runs keep it. Bring it back with: npm run fleet -- resume app-linux\negress: NAT gateway off');
  });

  test('scaling up keeps the minimum', async () => {
    await run('scale', 'app-linux', '2');
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 1, DesiredCapacity: 2 }]);
  });

  test('resume returns to the configured minimum, with at least one instance', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0 }) as never] });
    expect(await run('resume', 'app-linux')).toBe('app-linux: back to configuration: desired 1, min 1, max 2\negress: NAT gateway on');
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

describe('egress on demand: the NAT gateway follows the fleets', () => {
  // The egress stack's capacity parameters are SSM-typed: "CloudFormation always fetches the latest values from
  // Parameter Store when it updates stacks", with UsePreviousValue too
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html). So an update
  // with the previous template and values is what makes the stack read the numbers the command just wrote.
  const wrote = ['PutParameter min-size', 'PutParameter desired-capacity'];
  const updated = ['DescribeStacks', 'UpdateStack', 'DescribeStacks', 'DescribeStacks', 'GetParameter egress'];

  test('scaling up brings egress up first and waits for it: instances need the NAT gateway from their first boot', async () => {
    const out = await run('scale', 'app-linux', '2');
    expect(callOrder()).toEqual([...wrote, ...updated, 'UpdateAutoScalingGroup']);
    expect(out).toBe('app-linux: desired capacity 1 -> 2 (min 1, max 2); pipeline runs keep it\negress: NAT gateway on');
  });

  test('the update reuses the template and every parameter, runs as the stack\'s execution role, and leaves its tags alone', async () => {
    await run('scale', 'app-linux', '2');
    // UpdateStack without RoleARN uses "the role that was previously associated with the stack" (its execution role,
    // and no iam:PassRole for the operator); without Tags the stack's tags stay
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html).
    expect(cloudformation.commandCalls(UpdateStackCommand).map((c) => c.args[0].input)).toEqual([
      {
        StackName: EGRESS_STACK,
        UsePreviousTemplate: true,
        Parameters: [
          { ParameterKey: 'NetworkPublicSubnetIds', UsePreviousValue: true },
          { ParameterKey: 'DesiredCapacityapplinux', UsePreviousValue: true },
        ],
      },
    ]);
  });

  test('resume brings egress up before the group too', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0 }) as never] });
    await run('resume', 'app-linux');
    expect(callOrder()).toEqual([...wrote, ...updated, 'UpdateAutoScalingGroup']);
  });

  test('scaling to zero takes the group down first, then egress (the stack deletes the NAT gateway once every fleet is at zero)', async () => {
    egressState('off');
    const out = await run('scale', 'app-linux', '0');
    expect(callOrder()).toEqual([...wrote, 'UpdateAutoScalingGroup', ...updated]);
    expect(out.split('\n')[1]).toBe('egress: NAT gateway off');
  });

  test('another fleet still running: the update changes nothing, and the NAT gateway stays', async () => {
    // CloudFormation refuses an update that changes nothing with this ValidationError (https://github.com/boto/boto3/issues/1609,
    // https://github.com/aws/aws-cli/issues/3249): the stack already matches.
    cloudformation.on(UpdateStackCommand).rejects(validationError('No updates are to be performed.'));
    const out = await run('scale', 'app-linux', '0');
    expect(out.split('\n')[1]).toBe('egress: NAT gateway on (unchanged)');
    expect(callOrder()).toEqual([...wrote, 'UpdateAutoScalingGroup', 'DescribeStacks', 'UpdateStack', 'GetParameter egress']);
  });

  test('already in line when scaling up: the group is scaled at once', async () => {
    cloudformation.on(UpdateStackCommand).rejects(validationError('No updates are to be performed.'));
    expect((await run('scale', 'app-linux', '2')).split('\n')[1]).toBe('egress: NAT gateway on (unchanged)');
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 1, DesiredCapacity: 2 }]);
  });

  // DescribeStacks of a stack that does not exist answers ValidationError "Stack with id <name> does not exist"
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
  const noEgressStack = () => cloudformation.on(DescribeStacksCommand, { StackName: EGRESS_STACK }).rejects(validationError(`Stack with id ${EGRESS_STACK} does not exist`));

  test('no egress stack yet, scaling up: the numbers are recorded, the group is NOT scaled, and the message says when the stack appears', async () => {
    noEgressStack();
    const error = await run('scale', 'app-linux', '2').catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toBe(
      'fleet app-linux: desired 2 and min 1 are recorded (the next pipeline run applies them), but the Auto Scaling group was NOT scaled: its instances would start without a way out to the internet: ' +
        "egress stack golden-ami-egress does not exist; it appears after the pipeline's Egress stage has run. Fix: let the pipeline run once (push, or release it in the CodePipeline console)",
    );
    expect(ssmWrites().map(([, v]) => v)).toEqual(['1', '2']);
    expect(groupUpdates()).toEqual([]);
  });

  test('no egress stack, scaling to zero: nothing to turn off', async () => {
    noEgressStack();
    const out = await run('scale', 'app-linux', '0');
    expect(out.split('\n')[1]).toBe('egress: no egress stack golden-ami-egress, nothing to turn off');
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 0, DesiredCapacity: 0 }]);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toEqual([]);
  });

  test('a stack the pipeline is deploying is left to it; the group is not scaled', async () => {
    egressStack(['UPDATE_IN_PROGRESS']);
    const error = await run('scale', 'app-linux', '2').catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toMatch(/was NOT scaled.*: egress stack golden-ami-egress is busy \(UPDATE_IN_PROGRESS\), most likely a pipeline run deploying it\. Fix: wait for that run to finish \(it applies the recorded numbers too\)/);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toEqual([]);
    expect(groupUpdates()).toEqual([]);
  });

  test('a deploy that starts between describing and updating is told the same way', async () => {
    // UpdateStack answers a stack in another operation with "Stack:<arn> is in <STATUS> state and can not be updated."
    // (https://github.com/remind101/empire/issues/932, https://github.com/aws-amplify/amplify-backend/pull/2180).
    cloudformation.on(UpdateStackCommand).rejects(validationError(`Stack:${EGRESS_STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.`));
    await expect(run('scale', 'app-linux', '2')).rejects.toThrow(/is busy \(UPDATE_IN_PROGRESS\)/);
    expect(groupUpdates()).toEqual([]);
  });

  test('a fleet removed since the stack was deployed: its parameter is gone, and the message says to let the Egress stage run', async () => {
    egressStack(['UPDATE_COMPLETE']);
    // CloudFormation's answer when an SSM-typed parameter names a parameter that does not exist (quoted in
    // https://github.com/aws-samples/aws-cross-account-cicd-pipeline/issues/40 and awslabs/aws-deployment-framework#339).
    cloudformation.on(UpdateStackCommand).rejects(validationError('Unable to fetch parameters [/golden-ami/golden-ami/fleets/old-web/desired-capacity] from parameter store for this account.'));
    const error = await run('scale', 'app-linux', '2').catch((e: Error) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as Error).message).toMatch(/was NOT scaled.*: egress stack golden-ami-egress names SSM parameters that do not exist \(\/golden-ami\/golden-ami\/fleets\/old-web\/desired-capacity\): a fleet was removed .*Fix: let the pipeline's Egress stage run/);
    expect(groupUpdates()).toEqual([]);
  });

  test('credentials that may not read the parameters CloudFormation resolves as the caller: the message names the permission', async () => {
    egressStack(['UPDATE_COMPLETE']);
    // The form the CDK CLI met for the same resolution (aws/aws-cdk#20959).
    cloudformation.on(UpdateStackCommand).rejects(validationError("AccessDenied. User doesn't have permission to call ssm:GetParameters"));
    await expect(run('scale', 'app-linux', '0')).rejects.toThrow(
      /is scaled to 0, but the pipeline's NAT gateway may still be running \(and billed\): your credentials may not read the SSM parameters .*Fix: allow ssm:GetParameters on \/golden-ami\/golden-ami\/network\/\*, \/golden-ami\/golden-ami\/fleets\/\*\/desired-capacity and \/cdk-bootstrap\/\*\/version/,
    );
  });

  test('a stack whose first change set was never executed is not "busy": the message says to finish the Egress stage', async () => {
    egressStack(['REVIEW_IN_PROGRESS']);
    await expect(run('scale', 'app-linux', '2')).rejects.toThrow(/egress stack golden-ami-egress was never deployed \(REVIEW_IN_PROGRESS.*Fix: let the pipeline run its Egress stage to the end/);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toEqual([]);
  });

  test('a failed update (rolled back) names the stack, the final status and the resource that failed; the group is not scaled', async () => {
    // The SDK waiter ends in failure on UPDATE_ROLLBACK_COMPLETE (its FAILURE acceptor, @aws-sdk/client-cloudformation
    // waitUntilStackUpdateComplete).
    egressStack(['UPDATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    const now = Date.now();
    cloudformation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        { StackId: EGRESS_STACK_ID, EventId: '3', StackName: EGRESS_STACK, Timestamp: new Date(now + 3000), LogicalResourceId: EGRESS_STACK, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE' },
        { StackId: EGRESS_STACK_ID, EventId: '2', StackName: EGRESS_STACK, Timestamp: new Date(now + 2000), LogicalResourceId: 'DefaultRoute1', ResourceType: 'AWS::EC2::Route', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource creation cancelled' },
        { StackId: EGRESS_STACK_ID, EventId: '1', StackName: EGRESS_STACK, Timestamp: new Date(now + 1000), LogicalResourceId: 'NatAddress1', ResourceType: 'AWS::EC2::EIP', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'The maximum number of addresses has been reached.' },
      ],
    });
    const error = await run('scale', 'app-linux', '2').catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toMatch(/was NOT scaled/);
    expect(error.message).toMatch(
      /egress stack golden-ami-egress did not update: UPDATE_ROLLBACK_COMPLETE: NatAddress1 \(AWS::EC2::EIP\) CREATE_FAILED: The maximum number of addresses has been reached\. Fix: remove the cause .*then run this command again$/,
    );
    expect(groupUpdates()).toEqual([]);
  });

  test('an update still running after the wait: the group is not scaled, and the message says where to follow it', async () => {
    egressStack(['UPDATE_COMPLETE', 'UPDATE_IN_PROGRESS']);
    const slow = { ...clients, egressWait: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.1 } };
    await expect(runFleetCommand(['scale', 'app-linux', '2'], config, slow)).rejects.toThrow(/egress stack golden-ami-egress is still UPDATE_IN_PROGRESS after 0 minutes\. Fix: follow it in the CloudFormation console/);
    expect(groupUpdates()).toEqual([]);
  });

  test('a failure after scaling to zero says the group is down and the NAT gateway may still run', async () => {
    egressStack(['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'], { StackStatusReason: 'The following resource(s) failed to delete: [NatGateway1].' });
    cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await expect(run('scale', 'app-linux', '0')).rejects.toThrow(
      /^fleet app-linux is scaled to 0, but the pipeline's NAT gateway may still be running \(and billed\): egress stack golden-ami-egress did not update: UPDATE_ROLLBACK_COMPLETE: The following resource\(s\) failed to delete: \[NatGateway1\]\./,
    );
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 0, DesiredCapacity: 0 }]);
  });

  test('a stack without an execution role is not updated with the operator\'s own credentials', async () => {
    egressStack(['UPDATE_COMPLETE'], { RoleARN: undefined });
    await expect(run('scale', 'app-linux', '2')).rejects.toThrow(/egress stack golden-ami-egress has no execution role, so the update would run with your own credentials; refused/);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toEqual([]);
  });

  test('a stack of that name another pipeline describes is left alone', async () => {
    egressStack(['UPDATE_COMPLETE'], { Description: 'golden-ami-pipeline golden-ami-other: NAT gateways while a fleet runs' });
    await expect(run('scale', 'app-linux', '2')).rejects.toThrow(/stack golden-ami-egress is described as pipeline golden-ami-other, not pipeline golden-ami; left alone/);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toEqual([]);
  });

  test('status: one line for egress, from the state parameter the stack writes', async () => {
    expect((await run('status')).split('\n').pop()).toBe('egress: NAT gateway on');
    egressState(undefined);
    expect((await run('status')).split('\n').pop()).toBe('egress: not deployed');
    expect(cloudformation.calls()).toEqual([]);
  });

  test.each<[string, Record<string, string | null>]>([
    ['egress always', { 'pipeline.yaml': 'name: golden-ami\nnetwork:\n  vpcCidr: 10.40.0.0/16\n  egress: always\n' }],
    ['an existing VPC', { 'pipeline.yaml': 'name: golden-ami\nnetwork:\n  vpcId: vpc-0123456789abcdef0\n  subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]\n' }],
  ])('%s: no CloudFormation call at all, and no egress line', async (_name, files) => {
    const fixed = loadConfig(configDirWith({ 'images/windows-iis.yaml': null, ...files }));
    expect(await runFleetCommand(['scale', 'app-linux', '2'], fixed, clients)).toBe('app-linux: desired capacity 1 -> 2 (min 1, max 2); pipeline runs keep it');
    expect(await runFleetCommand(['resume', 'app-linux'], fixed, clients)).not.toMatch(/egress/);
    expect(await runFleetCommand(['scale', 'app-linux', '0'], fixed, clients)).not.toMatch(/egress/);
    expect(await runFleetCommand(['status'], fixed, clients)).not.toMatch(/egress/);
    expect(cloudformation.calls()).toEqual([]);
    expect(groupUpdates()).toHaveLength(3);
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

describe('--environment: the fleets of one environment', () => {
  const sts = mockClient(STSClient);
  const environments = loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', 'environments'));
  const production = environments.environments.find((e) => e.name === 'production')!;
  const target = { environment: production, sts: new STSClient({ region: 'eu-west-1' }), commandLine: 'npm run fleet -- resume app-linux --environment production' };
  const inProduction = (...args: string[]) => runFleetCommand(args, environments, clients, target);

  beforeEach(() => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333', Arn: 'arn:aws:sts::333333333333:assumed-role/ops/me' });
  });

  test("status shows the environment's fleets and no egress line: an environment's VPC is the user's", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ MinSize: 2, MaxSize: 4, DesiredCapacity: 2 }) as never] });
    const out = await inProduction('status', 'app-linux');
    expect(out).toBe(
      [
        'environment production (account 333333333333, eu-west-1):',
        `app-linux: desired 2, in service 1 (1 healthy), min 2, max 4 — ${GROUP}`,
        '  running: ami-00000000000000002 (version 1.0.3, current release) on 1 instance',
      ].join('\n'),
    );
    expect(cloudformation.calls()).toHaveLength(0);
    expect(ssm.commandCalls(GetParameterCommand, { Name: EGRESS_STATE })).toHaveLength(0);
  });

  test("resume uses the environment's fleet settings (fleet.environments.production) and never touches the egress stack", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ DesiredCapacity: 0, MinSize: 0, MaxSize: 4 }) as never] });
    expect(await inProduction('resume', 'app-linux')).toBe('environment production (account 333333333333, eu-west-1):\napp-linux: back to configuration: desired 2, min 2, max 4');
    expect(ssmWrites()).toEqual([
      ['/golden-ami/golden-ami/fleets/app-linux/min-size', '2'],
      ['/golden-ami/golden-ami/fleets/app-linux/desired-capacity', '2'],
    ]);
    expect(groupUpdates()).toEqual([{ AutoScalingGroupName: GROUP, MinSize: 2, DesiredCapacity: 2 }]);
    expect(cloudformation.calls()).toHaveLength(0);
  });

  test('scale to zero says how to bring it back in that environment', async () => {
    expect(await inProduction('scale', 'app-linux', '0')).toMatch(/Bring it back with: npm run fleet -- resume app-linux --environment production$/);
  });

  test("credentials of another account: refused before anything is read or written", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
    await expect(inProduction('scale', 'app-linux', '0')).rejects.toThrow(
      /^these credentials are account 111111111111; environment production is account 333333333333\. Fix: use that account's profile, e\.g\. AWS_PROFILE=<a profile of account 333333333333> npm run fleet -- resume app-linux --environment production$/,
    );
    expect(autoscaling.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  test('a usage mistake is reported before the account is asked', async () => {
    await expect(inProduction('scale', 'web', '1')).rejects.toThrow(/^unknown fleet web\. Fix: use one of app-linux, windows-iis$/);
    expect(sts.calls()).toHaveLength(0);
  });

  test('a fleet not deployed yet names the environment\'s stage', async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(inProduction('scale', 'app-linux', '1')).rejects.toThrow(/it appears after the pipeline's Fleet-production-app-linux stage \(wave Deploy-production\) has run$/);
  });

  test("more than the environment's maximum names both fields", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ MaxSize: 4 }) as never] });
    await expect(inProduction('scale', 'app-linux', '5')).rejects.toThrow(/^fleet app-linux has at most 4 instances \(got 5\)\. Fix: use 0 to 4, or raise fleet\.maxSize \(or fleet\.environments\.production\.maxSize\) in /);
  });
});
