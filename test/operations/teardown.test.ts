import { CloudFormationClient, DeleteStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, DeleteRepositoryCommand } from '@aws-sdk/client-codecommit';
import { DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParametersCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load-config';
import { OperatorError } from '../../lib/operations/operator-error';
import { runTeardown } from '../../lib/operations/teardown';
import { SHIPPED_CONFIG_DIR } from '../helpers/synth-app';

const cloudformation = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const codecommit = mockClient(CodeCommitClient);
const region = { region: 'eu-west-1' };
const clients = { cloudformation: new CloudFormationClient(region), ec2: new EC2Client(region), ssm: new SSMClient(region), s3: new S3Client(region), codecommit: new CodeCommitClient(region) };
const config = loadConfig(SHIPPED_CONFIG_DIR);

/** Every delete, in the order it happened, across all clients. */
let deletes: string[];
let logs: string[];
let answer: string;
const io = { ask: async () => answer, log: (line: string) => void logs.push(line), pollMs: 1 };
const run = (...args: string[]) => runTeardown(args, config, clients, io);

function world({ stacks = ['golden-ami-pipeline', 'golden-ami-image-app-linux', 'golden-ami-image-windows-iis', 'golden-ami-image-old-image', 'golden-ami-fleet-app-linux', 'someone-else'] } = {}) {
  cloudformation.on(ListStacksCommand).resolves({ StackSummaries: stacks.map((StackName) => ({ StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() })) });
  cloudformation.on(DescribeStackResourcesCommand).resolves({
    StackResources: [
      { ResourceType: 'AWS::S3::Bucket', PhysicalResourceId: 'artifacts-bucket', LogicalResourceId: 'ArtifactBucket', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() },
      { ResourceType: 'AWS::S3::Bucket', PhysicalResourceId: 'access-logs-bucket', LogicalResourceId: 'ArtifactAccessLogs', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() },
      { ResourceType: 'AWS::CodeCommit::Repository', PhysicalResourceId: 'golden-ami-pipeline', LogicalResourceId: 'SourceRepository', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() },
    ],
  });
  cloudformation.on(DeleteStackCommand).callsFake((input) => void deletes.push(`stack ${input.StackName}`));
  cloudformation.on(DescribeStacksCommand).rejects(new Error('Stack with id x does not exist'));
  ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-1', Name: 'golden-ami-app-linux-2026', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-1' } }] }] });
  ec2.on(DeregisterImageCommand).callsFake((input) => void deletes.push(`ami ${input.ImageId}`));
  ec2.on(DeleteSnapshotCommand).callsFake((input) => void deletes.push(`snapshot ${input.SnapshotId}`));
  ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/golden-ami/golden-ami/images/app-linux/version' }, { Name: '/golden-ami/golden-ami/images/app-linux/release' }] });
  ssm.on(DeleteParametersCommand).callsFake((input) => void deletes.push(`parameters ${input.Names.join(',')}`));
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'a', VersionId: 'v1' }], DeleteMarkers: [{ Key: 'b', VersionId: 'v2' }], IsTruncated: false });
  s3.on(DeleteObjectsCommand).callsFake((input) => void deletes.push(`objects of ${input.Bucket}: ${input.Delete.Objects.map((o: { Key: string; VersionId: string }) => `${o.Key}@${o.VersionId}`).join(',')}`));
  s3.on(DeleteBucketCommand).callsFake((input) => void deletes.push(`bucket ${input.Bucket}`));
  codecommit.on(DeleteRepositoryCommand).callsFake((input) => void deletes.push(`repository ${input.repositoryName}`));
}

beforeEach(() => {
  for (const mock of [cloudformation, ec2, ssm, s3, codecommit]) mock.reset();
  deletes = [];
  logs = [];
  answer = 'golden-ami';
});

describe('teardown', () => {
  test('lists what it will delete, found in the account (orphaned stacks of removed images included)', async () => {
    world();
    expect(await run('--dry-run')).toBe('Dry run: nothing was deleted.');
    expect(logs[0]).toBe(
      [
        'Teardown of pipeline golden-ami',
        '1. fleet stacks:',
        '  - golden-ami-fleet-app-linux',
        '2. image stacks:',
        '  - golden-ami-image-app-linux',
        '  - golden-ami-image-old-image',
        '  - golden-ami-image-windows-iis',
        '3. AMIs and their snapshots:',
        '  - ami-1 golden-ami-app-linux-2026 (snap-1)',
        '4. SSM parameters:',
        '  - /golden-ami/golden-ami/images/app-linux/release',
        '  - /golden-ami/golden-ami/images/app-linux/version',
        '5. pipeline stack:',
        '  - golden-ami-pipeline',
        '6. artifact buckets (emptied, every version):',
        '  - artifacts-bucket',
        '  - access-logs-bucket',
        '7. repository golden-ami-pipeline: kept (it holds your code)',
      ].join('\n'),
    );
    expect(deletes).toEqual([]);
  });

  test('deletes in a safe order: fleets, images, AMIs and snapshots, parameters, pipeline, buckets; keeps the repository', async () => {
    world();
    expect(await run('--yes')).toBe('Deleted pipeline golden-ami. Kept repository golden-ami-pipeline (delete it with --delete-repository).');
    expect(deletes).toEqual([
      'stack golden-ami-fleet-app-linux',
      'stack golden-ami-image-app-linux',
      'stack golden-ami-image-old-image',
      'stack golden-ami-image-windows-iis',
      'ami ami-1',
      'snapshot snap-1',
      'parameters /golden-ami/golden-ami/images/app-linux/release,/golden-ami/golden-ami/images/app-linux/version',
      'stack golden-ami-pipeline',
      'objects of artifacts-bucket: a@v1,b@v2',
      'bucket artifacts-bucket',
      'objects of access-logs-bucket: a@v1,b@v2',
      'bucket access-logs-bucket',
    ]);
    expect(deletes.some((d) => d.includes('someone-else'))).toBe(false);
  });

  test('deletes the repository only when asked', async () => {
    world();
    await run('--yes', '--delete-repository');
    expect(deletes.at(-1)).toBe('repository golden-ami-pipeline');
  });

  test('asks for the pipeline name and deletes nothing without it', async () => {
    world();
    answer = 'yes';
    expect(await run()).toBe('Not confirmed: nothing was deleted.');
    expect(deletes).toEqual([]);
    answer = 'golden-ami';
    expect(await run()).toMatch(/^Deleted pipeline golden-ami\./);
  });

  test('resumes from a partial state: pipeline stack already gone, AMI already deregistered', async () => {
    world({ stacks: ['golden-ami-image-app-linux'] });
    ec2.on(DeregisterImageCommand).rejects(Object.assign(new Error('gone'), { name: 'InvalidAMIID.NotFound' }));
    await run('--yes');
    expect(deletes).toEqual(['stack golden-ami-image-app-linux', 'snapshot snap-1', 'parameters /golden-ami/golden-ami/images/app-linux/release,/golden-ami/golden-ami/images/app-linux/version']);
  });

  test('run again when everything is gone: nothing to delete', async () => {
    world({ stacks: [] });
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    expect(await run('--yes')).toBe('Nothing to delete.');
    expect(deletes).toEqual([]);
  });

  test('waits for a deletion, and stops with the reason when a stack fails to delete', async () => {
    world({ stacks: ['golden-ami-fleet-app-linux'] });
    cloudformation
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [{ StackName: 'golden-ami-fleet-app-linux', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] })
      .resolves({ Stacks: [{ StackName: 'golden-ami-fleet-app-linux', StackStatus: 'DELETE_FAILED', StackStatusReason: 'The following resource(s) failed to delete: [Group]', CreationTime: new Date() }] });
    const error = await run('--yes').catch((e) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.message).toBe('stack golden-ami-fleet-app-linux could not be deleted: The following resource(s) failed to delete: [Group]. Fix the cause, then run teardown again (it resumes where it stopped)');
    // Nothing after the failed step was touched.
    expect(deletes).toEqual(['stack golden-ami-fleet-app-linux']);
  });

  test('an unknown argument: usage, nothing listed or deleted', async () => {
    await expect(run('--force')).rejects.toThrow(/^unknown argument --force\.\nUsage: npm run teardown/);
    expect(cloudformation.calls()).toHaveLength(0);
  });
});
