import { EventEmitter } from 'events';
import https from 'https';
import { CloudFormationClient, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeregisterImageCommand, DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { CustomResourceRequest } from '../../../lambda/cleanup/custom-resource';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { assumeCleanupRole, cleanupRoleArn, handler, OPERATION_LIMIT_MS, remoteRoleArn, remoteStackClient } from '../../../lambda/cleanup/index';
import { awsError } from '../../helpers/fake-account';

const cloudformation = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-pipeline/0d2d9f30';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/resp?X-Amz-Signature=SECRET-SIGNATURE';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:golden-ami-cleanup';
const PROPERTIES = {
  ServiceToken: FUNCTION_ARN,
  PipelineName: 'golden-ami',
  Images: [
    { Name: 'app-linux', Fleet: 'true', Regions: ['eu-west-1'] },
    { Name: 'windows-iis', Fleet: 'false', Regions: ['eu-west-1'] },
  ],
  Buckets: ['golden-ami-artifacts'],
  SharedAmis: 'keep',
};

const request = (type: CustomResourceRequest['RequestType'], overrides: Partial<CustomResourceRequest> = {}): CustomResourceRequest => ({
  RequestType: type,
  ResponseURL: RESPONSE_URL,
  StackId: STACK_ID,
  RequestId: 'req-1',
  LogicalResourceId: 'Cleanup',
  PhysicalResourceId: type === 'Create' ? undefined : 'golden-ami-cleanup',
  ResourceProperties: PROPERTIES,
  ...overrides,
});
const context = (remainingMs: number) => ({ invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => remainingMs });
/** Plenty of time: one round and no hand-off. Little: hand on after the first round. */
const PLENTY = 14 * 60_000;
const LITTLE = 60_000;

let responses: Array<{ url: string; body: Record<string, string>; contentType: unknown }>;
let logs: string[];
/** Stage stacks that exist, with their status. */
let stageStacks: Map<string, string>;
let pipelineStackStatus: string;

beforeEach(() => {
  for (const mock of [cloudformation, ec2, ssm, s3, lambda, sts]) mock.reset();
  responses = [];
  logs = [];
  stageStacks = new Map();
  pipelineStackStatus = 'DELETE_IN_PROGRESS';
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  // The response goes to the pre-signed URL with an HTTPS PUT and an empty content type, as cfn-response does.
  jest.spyOn(https, 'request').mockImplementation(((url: string, options: https.RequestOptions, callback: (res: EventEmitter & { statusCode: number; resume(): void }) => void) => {
    const req = new EventEmitter() as EventEmitter & { end(body: string): void };
    req.end = (body: string) => {
      responses.push({ url, body: JSON.parse(body), contentType: (options.headers as Record<string, unknown>)['content-type'] });
      const res = Object.assign(new EventEmitter(), { statusCode: 200, resume: () => undefined });
      callback(res);
      res.emit('end');
    };
    return req;
  }) as never);
  cloudformation.on(DescribeStacksCommand).callsFake((input) => {
    if (input.StackName === STACK_ID) return { Stacks: [{ StackName: 'golden-ami-pipeline', StackStatus: pipelineStackStatus, CreationTime: new Date(0) }] };
    const status = stageStacks.get(input.StackName);
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
    if (!status) throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
    return { Stacks: [{ StackName: input.StackName, StackStatus: status, Description: 'golden-ami-pipeline golden-ami: stage', CreationTime: new Date(0) }] };
  });
  cloudformation.on(DeleteStackCommand).callsFake((input) => {
    stageStacks.set(input.StackName, 'DELETE_IN_PROGRESS');
    return {};
  });
  ec2.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ssm.on(DeleteParametersCommand).callsFake((input) => ({ DeletedParameters: [], InvalidParameters: input.Names }));
  s3.on(ListObjectVersionsCommand).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist'));
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

afterEach(() => jest.restoreAllMocks());

const deletions = () => [
  ...cloudformation.commandCalls(DeleteStackCommand).map((c) => `stack ${c.args[0].input.StackName}`),
  ...ec2.commandCalls(DeregisterImageCommand).map((c) => `ami ${c.args[0].input.ImageId}`),
  ...ssm.commandCalls(DeleteParametersCommand).map((c) => `parameters ${c.args[0].input.Names!.join(',')}`),
  ...s3.commandCalls(DeleteObjectsCommand).map((c) => `objects ${c.args[0].input.Bucket}`),
];

describe('Cleanup handler', () => {
  test('Create answers SUCCESS with a stable physical id and deletes nothing', async () => {
    await handler(request('Create'), context(PLENTY));
    expect(responses).toEqual([
      { url: RESPONSE_URL, contentType: '', body: { Status: 'SUCCESS', Reason: 'done', PhysicalResourceId: 'golden-ami-cleanup', StackId: STACK_ID, RequestId: 'req-1', LogicalResourceId: 'Cleanup' } },
    ]);
    expect(deletions()).toEqual([]);
  });

  test.each(['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])(
    'a Delete while the pipeline stack is %s (a rollback or a replacement) deletes nothing',
    async (status) => {
      pipelineStackStatus = status;
      stageStacks.set('golden-ami-fleet-app-linux', 'UPDATE_COMPLETE');
      await handler(request('Delete'), context(PLENTY));
      expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
      expect(deletions()).toEqual([]);
    },
  );

  test('a Delete while the pipeline stack is being deleted removes everything and answers once', async () => {
    await handler(request('Delete'), context(PLENTY));
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(deletions()).toEqual([
      'parameters /golden-ami/golden-ami/images/app-linux/version,/golden-ami/golden-ami/images/app-linux/build-state,/golden-ami/golden-ami/images/app-linux/release,/golden-ami/golden-ami/images/app-linux/release-ami,/golden-ami/golden-ami/images/windows-iis/version,/golden-ami/golden-ami/images/windows-iis/build-state,/golden-ami/golden-ami/images/windows-iis/release,/golden-ami/golden-ami/images/windows-iis/release-ami',
    ]);
  });

  test('hands the request on to a fresh invocation while stacks are still being deleted, without answering yet', async () => {
    stageStacks.set('golden-ami-fleet-app-linux', 'UPDATE_COMPLETE');
    await handler(request('Delete'), context(LITTLE));
    expect(responses).toEqual([]);
    expect(deletions()).toEqual(['stack golden-ami-fleet-app-linux']);
    const invoke = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(invoke.FunctionName).toBe(FUNCTION_ARN);
    expect(invoke.InvocationType).toBe('Event');
    const next = JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString());
    expect(next.continuation).toEqual(request('Delete'));
    expect(Date.parse(next.startedAt)).toBeLessThanOrEqual(Date.now());
  });

  test('the next invocation goes on and answers SUCCESS when the stacks are gone', async () => {
    const startedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    await handler({ continuation: request('Delete'), startedAt }, context(PLENTY));
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
  });

  test('a stage stack that fails to delete fails the resource with CloudFormation\'s reason', async () => {
    const startedAt = new Date(Date.now() - 60_000);
    stageStacks.set('golden-ami-fleet-app-linux', 'DELETE_FAILED');
    cloudformation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        { StackId: 'x', EventId: '2', StackName: 'golden-ami-fleet-app-linux', Timestamp: new Date(), ResourceType: 'AWS::CloudFormation::Stack', LogicalResourceId: 'golden-ami-fleet-app-linux', ResourceStatus: 'DELETE_FAILED' },
        { StackId: 'x', EventId: '1', StackName: 'golden-ami-fleet-app-linux', Timestamp: new Date(), ResourceType: 'AWS::EC2::SecurityGroup', LogicalResourceId: 'InstanceSecurityGroup', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'resource sg-1 has a dependent object' },
      ],
    });
    await handler({ continuation: request('Delete'), startedAt: startedAt.toISOString() }, context(PLENTY));
    expect(responses).toHaveLength(1);
    expect(responses[0].body.Status).toBe('FAILED');
    expect(responses[0].body.Reason).toBe(
      'stack golden-ami-fleet-app-linux could not be deleted: InstanceSecurityGroup (AWS::EC2::SecurityGroup): resource sg-1 has a dependent object. Fix the cause, then delete again (the clean-up resumes where it stopped)',
    );
  });

  test('answers FAILED with what is left before CloudFormation\'s one-hour limit', async () => {
    stageStacks.set('golden-ami-image-app-linux', 'DELETE_IN_PROGRESS');
    const startedAt = new Date(Date.now() - OPERATION_LIMIT_MS).toISOString();
    await handler({ continuation: request('Delete'), startedAt }, context(PLENTY));
    expect(responses[0].body.Status).toBe('FAILED');
    expect(responses[0].body.Reason).toMatch(/^still waiting for stack golden-ami-image-app-linux \(DELETE_IN_PROGRESS\) after 55 minutes\. Delete the stack again to resume/);
  });

  test('an Update while the stack goes forward prunes exactly the removed image', async () => {
    pipelineStackStatus = 'UPDATE_IN_PROGRESS';
    stageStacks.set('golden-ami-fleet-app-linux', 'UPDATE_COMPLETE');
    stageStacks.set('golden-ami-image-app-linux', 'UPDATE_COMPLETE');
    stageStacks.set('golden-ami-image-windows-iis', 'UPDATE_COMPLETE');
    const update = request('Update', { ResourceProperties: { ...PROPERTIES, Images: [PROPERTIES.Images[1]] }, OldResourceProperties: PROPERTIES });
    await handler(update, context(LITTLE));
    expect(deletions()).toEqual(['stack golden-ami-fleet-app-linux']);
    expect(responses).toEqual([]);
  });

  test('an Update rolling back (properties swapped) prunes nothing', async () => {
    pipelineStackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    stageStacks.set('golden-ami-image-windows-iis', 'UPDATE_COMPLETE');
    await handler(request('Update', { ResourceProperties: { ...PROPERTIES, Images: [PROPERTIES.Images[0]] }, OldResourceProperties: PROPERTIES }), context(PLENTY));
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(deletions()).toEqual([]);
  });

  test('properties it cannot read fail the resource with the fix, and nothing is deleted', async () => {
    await handler(request('Delete', { ResourceProperties: { PipelineName: 'golden-ami' } }), context(PLENTY));
    expect(responses[0].body.Status).toBe('FAILED');
    expect(responses[0].body.Reason).toMatch(/^Cleanup resource properties: Images must be a list .*redeploy it with cdk deploy$/);
    expect(deletions()).toEqual([]);
  });

  test('an AWS error is reported with its name', async () => {
    ssm.on(DeleteParametersCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: ssm:DeleteParameters'));
    await handler(request('Delete'), context(PLENTY));
    expect(responses[0].body.Reason).toBe('AccessDeniedException: not authorized to perform: ssm:DeleteParameters');
  });

  test('never logs the pre-signed response URL', async () => {
    await handler(request('Delete'), context(PLENTY));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain('SECRET-SIGNATURE');
  });

  test("each stage stack is deleted through its own clean-up role, in the pipeline stack's partition and account", () => {
    expect(cleanupRoleArn(STACK_ID, 'golden-ami-fleet-app-linux')).toBe('arn:aws:iam::123456789012:role/golden-ami-fleet-app-linux-cleanup');
    expect(cleanupRoleArn('arn:aws-us-gov:cloudformation:us-gov-west-1:210987654321:stack/p/1', 'p-image-x')).toBe('arn:aws-us-gov:iam::210987654321:role/p-image-x-cleanup');
  });

  test('assumes the clean-up role for 15 minutes', async () => {
    const expiration = new Date(Date.now() + 900_000);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration } });
    expect(await assumeCleanupRole('arn:aws:iam::123456789012:role/golden-ami-fleet-app-linux-cleanup', 'golden-ami-fleet-app-linux')).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration,
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toEqual({ RoleArn: 'arn:aws:iam::123456789012:role/golden-ami-fleet-app-linux-cleanup', RoleSessionName: 'golden-ami-cleanup', DurationSeconds: 900 });
  });

  test('a stack without a clean-up role (deployed by an earlier version) fails with how to remove it', async () => {
    // STS answers AccessDenied when the role does not exist or does not trust the caller.
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: sts:AssumeRole'));
    await expect(assumeCleanupRole('arn:aws:iam::123456789012:role/golden-ami-image-old-cleanup', 'golden-ami-image-old')).rejects.toThrow(
      /^cannot assume arn:aws:iam::123456789012:role\/golden-ami-image-old-cleanup to delete stack golden-ami-image-old \(AccessDenied: .*\)\. .*npm run teardown$/,
    );
  });

  describe('environments', () => {
    const PRODUCTION = { Name: 'production', Account: '333333333333', Region: 'eu-west-1', Fleets: ['app-linux'] };
    const ENVIRONMENT_STACK = 'golden-ami-environment-production';
    const withEnvironments = (type: CustomResourceRequest['RequestType']) =>
      request(type, { ResourceProperties: { ...PROPERTIES, Images: [{ Name: 'app-linux', Fleet: 'false', Regions: ['eu-west-1'] }], Environments: [PRODUCTION] } });
    const KEY = `333333333333/eu-west-1/${ENVIRONMENT_STACK}`;
    /** The environment clean-up role is gone with its stack: its calls are refused. */
    const refuseTheEnvironmentStack = () =>
      cloudformation.on(DescribeStacksCommand, { StackName: ENVIRONMENT_STACK }).rejects(awsError('AccessDenied', 'User: arn:aws:sts::333333333333:assumed-role/golden-ami-environment-cleanup/golden-ami-cleanup is not authorized to perform: cloudformation:DescribeStacks'));

    test("a stack in an environment is deleted through its role there, in the pipeline stack's partition, and with a client in the environment's region", async () => {
      const fleet = { stackName: 'golden-ami-fleet-app-linux', account: '333333333333', region: 'eu-west-1', roleName: 'golden-ami-fleet-app-linux-cleanup' };
      expect(remoteRoleArn(STACK_ID, fleet)).toBe('arn:aws:iam::333333333333:role/golden-ami-fleet-app-linux-cleanup');
      expect(remoteRoleArn('arn:aws-us-gov:cloudformation:us-gov-west-1:210987654321:stack/p/1', { ...fleet, account: '444444444444' })).toBe('arn:aws-us-gov:iam::444444444444:role/golden-ami-fleet-app-linux-cleanup');
      sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) } });
      const client = remoteStackClient(STACK_ID, { ...fleet, region: 'ap-southeast-2' });
      expect(await client.config.region()).toBe('ap-southeast-2');
      expect((await client.config.credentials()).accessKeyId).toBe('ASIAEXAMPLE');
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual(['arn:aws:iam::333333333333:role/golden-ami-fleet-app-linux-cleanup']);
    });

    test('an environment stack without its clean-up role (deployed before there was one) fails with how to remove it', async () => {
      sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole'));
      const client = remoteStackClient(STACK_ID, { stackName: ENVIRONMENT_STACK, account: '333333333333', region: 'eu-west-1', roleName: 'golden-ami-environment-cleanup', roleInStack: true });
      await expect(client.config.credentials()).rejects.toThrow(
        /^cannot assume arn:aws:iam::333333333333:role\/golden-ami-environment-cleanup to delete stack golden-ami-environment-production \(AccessDenied: .*\)\. .*let the pipeline run once/,
      );
    });

    test('the environment stacks whose deletion began are handed on to the next invocation', async () => {
      stageStacks.set(ENVIRONMENT_STACK, 'UPDATE_COMPLETE');
      await handler(withEnvironments('Delete'), context(LITTLE));
      expect(deletions()).toEqual([`stack ${ENVIRONMENT_STACK}`]);
      const next = JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array).toString());
      expect(next.deletionsBegun).toEqual([KEY]);
    });

    test('the next invocation, refused by the environment stack once its role is deleted with it, counts it deleted and answers SUCCESS', async () => {
      refuseTheEnvironmentStack();
      await handler({ continuation: withEnvironments('Delete'), startedAt: new Date().toISOString(), deletionsBegun: [KEY] }, context(PLENTY));
      expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    });

    test('refused by an environment stack whose deletion it never began: FAILED, with the error', async () => {
      refuseTheEnvironmentStack();
      await handler(withEnvironments('Delete'), context(PLENTY));
      expect(responses[0].body.Status).toBe('FAILED');
      expect(responses[0].body.Reason).toMatch(/^AccessDenied: .*cloudformation:DescribeStacks/);
    });
  });
});
