import * as CloudFormationSdk from '@aws-sdk/client-cloudformation';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand, type Stack, type StackStatus } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { followRollout, startRollout, TEMPLATE_FINGERPRINT_OUTPUT, type Lane } from '../../../lambda/parameter-prep/fleet-rollout';

const cloudformation = mockClient(CloudFormationClient);
const STACK = 'golden-ami-app-linux-fleet';
const AMI = 'ami-0123456789abcdef0';
const FINGERPRINT = 'a'.repeat(64);
const NOW = new Date('2026-11-23T10:00:00.000Z');
const validationError = (message: string) => Object.assign(new Error(message), { name: 'ValidationError' });

const lane = (): Lane => ({
  image: 'app-linux',
  stack: STACK,
  fingerprint: FINGERPRINT,
  amiId: AMI,
  cloudformation: async () => ({ client: new CloudFormationClient({ region: 'eu-west-1' }), sdk: CloudFormationSdk }),
  signal: new AbortController().signal,
  now: () => NOW,
});

/** The fleet stack as DescribeStacks shows it once the DeployImage stage deployed this run's template. */
function deployed(overrides: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK,
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date('2026-11-01T00:00:00Z'),
    RoleARN: `arn:aws:iam::123456789012:role/${STACK}-execution`,
    Capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    Parameters: [
      { ParameterKey: 'ReleasedAmi', ParameterValue: '/golden-ami/golden-ami/images/app-linux/release-ami', ResolvedValue: 'ami-00000000000000001' },
      { ParameterKey: 'DesiredCapacity', ParameterValue: '/golden-ami/golden-ami/fleets/app-linux/desired-capacity', ResolvedValue: '1' },
    ],
    Outputs: [{ OutputKey: TEMPLATE_FINGERPRINT_OUTPUT, OutputValue: FINGERPRINT }],
    ...overrides,
  };
}
const describeAs = (...stacks: Stack[]) => {
  let call = cloudformation.on(DescribeStacksCommand);
  for (const stack of stacks) call = call.resolvesOnce({ Stacks: [stack] });
};

beforeEach(() => cloudformation.reset());

describe('the first step of a lane', () => {
  test('refreshes the fleet stack with its own template, parameters and capabilities, and keeps rolling', async () => {
    describeAs(deployed());
    const step = await startRollout(lane());
    // SSM-typed parameters are resolved afresh at every update, with UsePreviousValue too: ReleasedAmi picks up the AMI
    // just released (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html).
    // A stack with named IAM resources needs CAPABILITY_NAMED_IAM on every update, or UpdateStack fails with
    // InsufficientCapabilities (API_UpdateStack.html, Capabilities): the stack's own capabilities are passed back.
    expect(cloudformation.commandCalls(UpdateStackCommand).map((c) => c.args[0].input)).toEqual([
      {
        StackName: STACK,
        UsePreviousTemplate: true,
        Parameters: [
          { ParameterKey: 'ReleasedAmi', UsePreviousValue: true },
          { ParameterKey: 'DesiredCapacity', UsePreviousValue: true },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      },
    ]);
    expect(step).toEqual({ done: false, token: JSON.stringify({ phase: 'rolling', stack: STACK, since: NOW.toISOString() }), progress: `rolling out ${AMI} to fleet stack ${STACK} (UPDATE_IN_PROGRESS)` });
  });

  test('the stack already runs the release: CloudFormation has nothing to update, and the lane is done', async () => {
    describeAs(deployed());
    // CloudFormation refuses an update that changes nothing with this ValidationError (https://github.com/boto/boto3/issues/1609).
    cloudformation.on(UpdateStackCommand).rejects(validationError('No updates are to be performed.'));
    expect(await startRollout(lane())).toEqual({ done: true, fleet: `nothing to roll out: fleet stack ${STACK} already runs the released AMI and capacity` });
  });

  // DescribeStacks of a stack that does not exist answers ValidationError "Stack with id <name> does not exist"
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html; cleanup/engine.ts).
  test.each<[string, () => void, RegExp]>([
    ['a fleet that does not exist yet', () => void cloudformation.on(DescribeStacksCommand).rejects(validationError(`Stack with id ${STACK} does not exist`)), /fleet stack golden-ami-app-linux-fleet does not exist yet/],
    ['a fleet whose template changes in this run', () => describeAs(deployed({ Outputs: [{ OutputKey: TEMPLATE_FINGERPRINT_OUTPUT, OutputValue: 'b'.repeat(64) }] })), /the fleet's template changes in this run \(deployed fingerprint bbbbbbbbbbbb, this run's aaaaaaaaaaaa\)/],
    ['a fleet deployed before fingerprints (no output)', () => describeAs(deployed({ Outputs: [] })), /the fleet's template changes in this run \(deployed fingerprint none/],
    ['a stack whose first change set was never executed', () => describeAs(deployed({ StackStatus: 'REVIEW_IN_PROGRESS' })), /was never deployed \(REVIEW_IN_PROGRESS\)/],
    ['a stack CloudFormation cannot update', () => describeAs(deployed({ StackStatus: 'UPDATE_ROLLBACK_FAILED' })), /cannot be updated in state UPDATE_ROLLBACK_FAILED/],
    ['a stack without an execution role (the update would run as this function)', () => describeAs(deployed({ RoleARN: undefined })), /has no execution role/],
  ])('%s is left to the DeployImage stage, untouched', async (_name, arrange, reason) => {
    arrange();
    const step = await startRollout(lane());
    expect(step).toMatchObject({ done: true, fleet: expect.stringMatching(/^left to the DeployImage stage: /) });
    expect(step.done && step.fleet).toMatch(reason);
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });

  test('a parameter the deployed template names is gone: left to the DeployImage stage', async () => {
    describeAs(deployed());
    // CloudFormation resolves SSM-typed parameters when the update is asked for; a missing one fails it with this message
    // (quoted from public issue threads; the same answer npm run fleet explains, fleet-commands.test.ts).
    cloudformation.on(UpdateStackCommand).rejects(validationError('Unable to fetch parameters [/golden-ami/golden-ami/fleets/app-linux/min-size] from parameter store for this account.'));
    expect(await startRollout(lane())).toEqual({ done: true, fleet: `left to the DeployImage stage: fleet stack ${STACK} names SSM parameters that no longer exist (/golden-ami/golden-ami/fleets/app-linux/min-size)` });
  });

  test('a busy stack (npm run fleet, an earlier run) is waited for, not updated', async () => {
    describeAs(deployed({ StackStatus: 'UPDATE_IN_PROGRESS' }));
    const step = await startRollout(lane());
    expect(step).toEqual({ done: false, token: JSON.stringify({ phase: 'waiting', stack: STACK, since: NOW.toISOString() }), progress: `waiting for fleet stack ${STACK} (UPDATE_IN_PROGRESS) before rolling out ${AMI}` });
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });

  test('a stack that became busy between the describe and the update is waited for too', async () => {
    describeAs(deployed());
    // UpdateStack answers a stack in another operation with "Stack:<arn> is in <STATUS> state and can not be updated."
    cloudformation.on(UpdateStackCommand).rejects(validationError(`Stack:arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/1 is in UPDATE_IN_PROGRESS state and can not be updated.`));
    expect(await startRollout(lane())).toMatchObject({ done: false, token: expect.stringContaining('"phase":"waiting"') });
  });

  test('any other refusal fails the action with the cause and the fix (the release stays recorded)', async () => {
    describeAs(deployed());
    cloudformation.on(UpdateStackCommand).rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: cloudformation:UpdateStack'), { name: 'AccessDenied' }));
    await expect(startRollout(lane())).rejects.toThrow(
      `app-linux: ${AMI} is released, but rolling out fleet stack ${STACK} failed to start (AccessDenied: User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: cloudformation:UpdateStack). Fix: remove the cause, then retry this action; it finds the release recorded and rolls the fleet out`,
    );
  });
});

describe('a later step of a lane (CodePipeline invokes again with the token)', () => {
  const rollingToken = JSON.stringify({ phase: 'rolling', stack: STACK, since: NOW.toISOString() });

  test.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS'])('%s: still rolling, with the same start', async (status) => {
    describeAs(deployed({ StackStatus: status as StackStatus }));
    expect(await followRollout(lane(), rollingToken)).toEqual({ done: false, token: rollingToken, progress: `rolling out ${AMI} to fleet stack ${STACK} (${status})` });
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });

  test('UPDATE_COMPLETE: the fleet runs the new AMI', async () => {
    describeAs(deployed());
    expect(await followRollout(lane(), rollingToken)).toEqual({ done: true, fleet: `rolled out: fleet stack ${STACK} runs ${AMI}` });
  });

  test('a rolled-back update fails the action with the first resource that failed since it started, and the fix', async () => {
    describeAs(deployed({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE' }));
    cloudformation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        { StackId: 's', EventId: '3', StackName: STACK, Timestamp: new Date('2026-11-23T10:20:00Z'), LogicalResourceId: STACK, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', ResourceStatusReason: 'The following resource(s) failed to update: [Group].' },
        { StackId: 's', EventId: '2', StackName: STACK, Timestamp: new Date('2026-11-23T10:19:00Z'), LogicalResourceId: 'Group', ResourceType: 'AWS::AutoScaling::AutoScalingGroup', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Received 0 SUCCESS signal(s) out of 1.  Unable to satisfy 100% MinSuccessfulInstancesPercent requirement' },
        // An older failure, before this rollout started: not its cause.
        { StackId: 's', EventId: '1', StackName: STACK, Timestamp: new Date('2026-11-20T10:00:00Z'), LogicalResourceId: 'LaunchTemplate', ResourceType: 'AWS::EC2::LaunchTemplate', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'an old failure' },
      ],
    });
    await expect(followRollout(lane(), rollingToken)).rejects.toThrow(
      `app-linux: ${AMI} is released, but its fleet did not roll out: fleet stack ${STACK} UPDATE_ROLLBACK_COMPLETE: Group (AWS::AutoScaling::AutoScalingGroup) UPDATE_FAILED: Received 0 SUCCESS signal(s) out of 1.  Unable to satisfy 100% MinSuccessfulInstancesPercent requirement. The fleet runs what it ran before. Fix: remove the cause (the stack's events in the CloudFormation console say more; a failed health check means the new image does not serve), then retry this action, or roll back the release (npm run release -- rollback app-linux)`,
    );
  });

  test('a rollback that failed names the command that finishes it', async () => {
    describeAs(deployed({ StackStatus: 'UPDATE_ROLLBACK_FAILED', StackStatusReason: 'The following resource(s) failed to update: [Group].' }));
    cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await expect(followRollout(lane(), rollingToken)).rejects.toThrow(`Fix: finish the rollback (aws cloudformation continue-update-rollback --stack-name ${STACK}), remove the cause, then retry this action`);
  });

  test('a stack deleted meanwhile fails the action', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(validationError(`Stack with id ${STACK} does not exist`));
    await expect(followRollout(lane(), rollingToken)).rejects.toThrow(`app-linux: fleet stack ${STACK} was deleted while the release step rolled it out`);
  });

  test('after waiting for a busy stack, the lane starts its own update once the stack has settled', async () => {
    describeAs(deployed());
    const step = await followRollout(lane(), JSON.stringify({ phase: 'waiting', stack: STACK, since: NOW.toISOString() }));
    expect(cloudformation.commandCalls(UpdateStackCommand)).toHaveLength(1);
    expect(step).toMatchObject({ done: false, token: expect.stringContaining('"phase":"rolling"') });
  });

  test.each([
    ['not JSON', 'abc'],
    ['another stack', JSON.stringify({ phase: 'rolling', stack: 'someone-else', since: NOW.toISOString() })],
    ['an unknown phase', JSON.stringify({ phase: 'done', stack: STACK, since: NOW.toISOString() })],
    ['no start time', JSON.stringify({ phase: 'rolling', stack: STACK })],
  ])('a token that is not this step\'s (%s) is refused, and nothing is asked of CloudFormation', async (_name, token) => {
    await expect(followRollout(lane(), token)).rejects.toThrow(/the continuation token is not one this release step gave for fleet stack golden-ami-app-linux-fleet .*Fix: retry the action/);
    expect(cloudformation.calls()).toHaveLength(0);
  });
});
