/**
 * A small, stateful stand-in for one AWS account, built on aws-sdk-client-mock, for the clean-up engine and teardown
 * tests: stacks, AMIs and snapshots per region, SSM parameters, buckets, tagged resources and a CodeCommit repository.
 * Each answer follows the documented behaviour of the real API, cited where a test depends on it.
 */
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, DeleteRepositoryCommand, GetRepositoryCommand } from '@aws-sdk/client-codecommit';
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, DeleteParametersCommand, GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeStack {
  status: string;
  description: string;
  /** The status a DeleteStack leads to on the next tick. @default DELETE_COMPLETE (the stack is gone) */
  deleteOutcome?: 'DELETE_COMPLETE' | 'DELETE_FAILED';
  /** Why the delete fails, as CloudFormation's resource event says. */
  failureReason?: string;
  events?: StackEvent[];
  /** Logical ids of the stack's resources. */
  resources?: string[];
}

export interface FakeAmi {
  id: string;
  name: string;
  tags: Record<string, string>;
  snapshots: string[];
  /** Accounts (or "all") that may launch it. */
  sharedWith?: string[];
}

export interface FakeBucket {
  tags: Record<string, string>;
  versions: number;
  /** Objects S3 delivers after the next emptying (late server access logs). */
  lateObjects?: number;
}

/** AWS SDK errors are Errors whose name is the service's error code. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

function matches(tags: Record<string, string>, filters: readonly Filter[] | undefined): boolean {
  return (filters ?? []).every((f) => !f.Name?.startsWith('tag:') || (f.Values ?? []).includes(tags[f.Name.slice(4)]));
}

export class FakeAccount {
  /** Stacks in the pipeline's region (eu-west-1). */
  public readonly stacks = new Map<string, FakeStack>();
  /** Stacks in the other regions. */
  private readonly otherRegionsStacks = new Map<string, Map<string, FakeStack>>();
  private readonly cloudformationClients = new Map<string, CloudFormationClient>();
  public readonly amis = new Map<string, FakeAmi[]>();
  public readonly snapshots = new Map<string, Map<string, Record<string, string>>>();
  /** SSM parameters in the pipeline's region (eu-west-1). */
  public readonly parameters = new Set<string>();
  /** SSM parameters in the other regions. */
  private readonly otherRegionsParameters = new Map<string, Set<string>>();
  public readonly buckets = new Map<string, FakeBucket>();
  public repositories = new Set<string>();
  /** Every mutating call, in order, as "Action target". */
  public readonly calls: string[] = [];
  /** When set, time passes at every DescribeStacks of a stack being deleted (for code that polls). */
  public autoTick = false;

  public readonly cloudformation = new CloudFormationClient({ region: 'eu-west-1' });
  public readonly ssm = new SSMClient({ region: 'eu-west-1' });
  public readonly s3 = new S3Client({ region: 'eu-west-1' });
  public readonly codecommit = new CodeCommitClient({ region: 'eu-west-1' });
  public readonly tagging = new ResourceGroupsTaggingAPIClient({ region: 'eu-west-1' });
  private readonly ec2Clients = new Map<string, EC2Client>();
  private readonly ssmClients = new Map<string, SSMClient>();
  // Starts now: the code under test compares event times with its own clock.
  private clock = Date.now();

  constructor() {
    this.mockCloudFormation(this.cloudformation, this.stacks, '');
    this.mockSsm(this.ssm, this.parameters);
    this.mockS3();
    this.mockCodeCommit();
    mockClient(this.tagging)
      .on(GetResourcesCommand)
      .callsFake((input) => ({
        ResourceTagMappingList: [...this.buckets]
          .filter(([, b]) => (input.TagFilters ?? []).every((f: { Key: string; Values: string[] }) => f.Values.includes(b.tags[f.Key])))
          .map(([name]) => ({ ResourceARN: `arn:aws:s3:::${name}` })),
      }));
  }

  /** The clients as the engine and teardown take them. */
  public get clients() {
    return {
      cloudformation: this.cloudformation,
      ssm: this.ssm,
      s3: this.s3,
      codecommit: this.codecommit,
      tagging: this.tagging,
      ec2: (region: string) => this.ec2(region),
      ssmIn: (region: string) => this.ssmIn(region),
      cloudformationIn: (region: string) => this.cloudformationIn(region),
    };
  }

  /** Time passes: stacks being deleted finish (or fail, as configured). */
  public tick(): void {
    this.clock += 60_000;
    for (const stacks of [this.stacks, ...this.otherRegionsStacks.values()]) this.tickStacks(stacks);
  }

  private tickStacks(stacks: Map<string, FakeStack>): void {
    for (const [name, stack] of stacks) {
      if (stack.status !== 'DELETE_IN_PROGRESS') continue;
      if (stack.deleteOutcome === 'DELETE_FAILED') {
        stack.status = 'DELETE_FAILED';
        const at = new Date(this.clock);
        stack.events = [
          { StackId: name, EventId: `${this.clock}-1`, StackName: name, Timestamp: at, ResourceType: 'AWS::CloudFormation::Stack', LogicalResourceId: name, ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'The following resource(s) failed to delete: [Group].' },
          { StackId: name, EventId: `${this.clock}-2`, StackName: name, Timestamp: at, ResourceType: 'AWS::AutoScaling::AutoScalingGroup', LogicalResourceId: 'Group', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: stack.failureReason ?? 'failed' },
          ...(stack.events ?? []),
        ];
      } else stacks.delete(name);
    }
  }

  public now(): Date {
    return new Date(this.clock);
  }

  public ec2(region: string): EC2Client {
    if (!this.ec2Clients.has(region)) {
      const client = new EC2Client({ region });
      this.ec2Clients.set(region, client);
      this.mockEc2(client, region);
    }
    return this.ec2Clients.get(region)!;
  }

  /** CloudFormation in one region: the pipeline's region (eu-west-1) is the same as `cloudformation`. */
  public cloudformationIn(region: string): CloudFormationClient {
    if (region === 'eu-west-1') return this.cloudformation;
    if (!this.cloudformationClients.has(region)) {
      const client = new CloudFormationClient({ region });
      this.cloudformationClients.set(region, client);
      this.mockCloudFormation(client, this.stacksIn(region), `${region} `);
    }
    return this.cloudformationClients.get(region)!;
  }

  /** The stacks of one region. */
  public stacksIn(region: string): Map<string, FakeStack> {
    if (region === 'eu-west-1') return this.stacks;
    if (!this.otherRegionsStacks.has(region)) this.otherRegionsStacks.set(region, new Map());
    return this.otherRegionsStacks.get(region)!;
  }

  /** SSM in one region: the pipeline's region (eu-west-1) is the same SSM as `ssm`. */
  public ssmIn(region: string): SSMClient {
    if (region === 'eu-west-1') return this.ssm;
    if (!this.ssmClients.has(region)) {
      const client = new SSMClient({ region });
      this.ssmClients.set(region, client);
      this.mockSsm(client, this.parametersIn(region));
    }
    return this.ssmClients.get(region)!;
  }

  /** The SSM parameters of one region. */
  public parametersIn(region: string): Set<string> {
    if (region === 'eu-west-1') return this.parameters;
    if (!this.otherRegionsParameters.has(region)) this.otherRegionsParameters.set(region, new Set());
    return this.otherRegionsParameters.get(region)!;
  }

  public addAmi(region: string, ami: FakeAmi, snapshotTags: Record<string, string> = {}): void {
    this.amis.set(region, [...(this.amis.get(region) ?? []), ami]);
    for (const s of ami.snapshots) this.snapshotsIn(region).set(s, { ...snapshotTags });
  }

  public snapshotsIn(region: string): Map<string, Record<string, string>> {
    if (!this.snapshots.has(region)) this.snapshots.set(region, new Map());
    return this.snapshots.get(region)!;
  }

  /** `where` prefixes the recorded calls of a region other than the pipeline's ("us-east-1 "). */
  private mockCloudFormation(client: CloudFormationClient, stacks: Map<string, FakeStack>, where: string): void {
    const mock = mockClient(client);
    // DescribeStacks by name: a ValidationError "Stack with id <name> does not exist" for an unknown or deleted stack.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
    mock.on(DescribeStacksCommand).callsFake((input) => {
      if (this.autoTick && stacks.get(input.StackName)?.status === 'DELETE_IN_PROGRESS') this.tick();
      const stack = stacks.get(input.StackName);
      if (!stack) throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`);
      return { Stacks: [{ StackName: input.StackName, StackStatus: stack.status, Description: stack.description, CreationTime: new Date(0) }] };
    });
    mock.on(DescribeStackEventsCommand).callsFake((input) => ({ StackEvents: stacks.get(input.StackName)?.events ?? [] }));
    mock.on(DescribeStackResourceCommand).callsFake((input) => {
      const stack = stacks.get(input.StackName);
      if (!stack?.resources?.includes(input.LogicalResourceId)) throw awsError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
      return { StackResourceDetail: { LogicalResourceId: input.LogicalResourceId, ResourceType: 'Custom::GoldenAmiCleanup', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(0) } };
    });
    mock.on(DeleteStackCommand).callsFake((input) => {
      this.calls.push(`DeleteStack ${where}${input.StackName}${input.RoleARN ? ` as ${input.RoleARN}` : ''}`);
      const stack = stacks.get(input.StackName);
      if (stack) stack.status = 'DELETE_IN_PROGRESS';
      return {};
    });
  }

  private mockEc2(client: EC2Client, region: string): void {
    const mock = mockClient(client);
    const amis = () => this.amis.get(region) ?? [];
    mock.on(DescribeImagesCommand).callsFake((input) => ({
      Images: amis()
        .filter((a) => matches(a.tags, input.Filters))
        .map((a) => ({ ImageId: a.id, Name: a.name, Tags: Object.entries(a.tags).map(([Key, Value]) => ({ Key, Value })), BlockDeviceMappings: a.snapshots.map((s) => ({ DeviceName: '/dev/xvda', Ebs: { SnapshotId: s } })) })),
    }));
    mock.on(DescribeImageAttributeCommand).callsFake((input) => ({
      ImageId: input.ImageId,
      LaunchPermissions: (amis().find((a) => a.id === input.ImageId)?.sharedWith ?? []).map((who) => (who === 'all' ? { Group: 'all' } : { UserId: who })),
    }));
    mock.on(CreateTagsCommand).callsFake((input) => {
      this.calls.push(`CreateTags ${region} ${input.Resources.join(',')}`);
      for (const id of input.Resources) {
        const tags = this.snapshotsIn(region).get(id);
        if (tags) for (const t of input.Tags) tags[t.Key] = t.Value;
      }
      return {};
    });
    mock.on(DeregisterImageCommand).callsFake((input) => {
      this.calls.push(`DeregisterImage ${region} ${input.ImageId}`);
      if (!amis().some((a) => a.id === input.ImageId)) throw awsError('InvalidAMIID.NotFound', `The image id '[${input.ImageId}]' does not exist`);
      this.amis.set(region, amis().filter((a) => a.id !== input.ImageId));
      return { Return: true };
    });
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html: InvalidSnapshot.InUse for a
    // snapshot a registered AMI still uses, InvalidSnapshot.NotFound for one that is gone.
    mock.on(DeleteSnapshotCommand).callsFake((input) => {
      this.calls.push(`DeleteSnapshot ${region} ${input.SnapshotId}`);
      if (!this.snapshotsIn(region).has(input.SnapshotId)) throw awsError('InvalidSnapshot.NotFound', `The snapshot '${input.SnapshotId}' does not exist.`);
      if (amis().some((a) => a.snapshots.includes(input.SnapshotId))) throw awsError('InvalidSnapshot.InUse', `The snapshot ${input.SnapshotId} is currently in use by an AMI`);
      this.snapshotsIn(region).delete(input.SnapshotId);
      return {};
    });
    mock.on(DescribeSnapshotsCommand).callsFake((input) => ({
      Snapshots: [...this.snapshotsIn(region)].filter(([, tags]) => matches(tags, input.Filters)).map(([id]) => ({ SnapshotId: id })),
    }));
  }

  private mockSsm(client: SSMClient, parameters: Set<string>): void {
    const region = client === this.ssm ? 'eu-west-1' : [...this.ssmClients].find(([, c]) => c === client)?.[0];
    const mock = mockClient(client);
    mock.on(GetParametersCommand).callsFake((input) => ({
      Parameters: input.Names.filter((n: string) => parameters.has(n)).map((Name: string) => ({ Name })),
      InvalidParameters: input.Names.filter((n: string) => !parameters.has(n)),
    }));
    // Names that do not exist come back in InvalidParameters; the call itself succeeds.
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html
    mock.on(DeleteParametersCommand).callsFake((input) => {
      this.calls.push(`DeleteParameters ${input.Names.join(',')}`);
      const deleted = input.Names.filter((n: string) => parameters.delete(n));
      return { DeletedParameters: deleted, InvalidParameters: input.Names.filter((n: string) => !deleted.includes(n)) };
    });
    // One name; a name that does not exist is a ParameterNotFound error.
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameter.html
    mock.on(DeleteParameterCommand).callsFake((input) => {
      this.calls.push(`DeleteParameter ${region} ${input.Name}`);
      if (!parameters.delete(input.Name)) throw awsError('ParameterNotFound', 'Parameter not found.');
      return {};
    });
    // A real SSM path matches whole hierarchy levels; this fake matches by string prefix, the worst case, so that
    // the caller's own segment check is what keeps another pipeline's parameters out.
    mock.on(GetParametersByPathCommand).callsFake((input) => ({ Parameters: [...parameters].filter((n) => n.startsWith(input.Path)).map((Name) => ({ Name })) }));
  }

  private mockS3(): void {
    const mock = mockClient(this.s3);
    const bucket = (name: string) => {
      const b = this.buckets.get(name);
      if (!b) throw awsError('NoSuchBucket', 'The specified bucket does not exist');
      return b;
    };
    mock.on(ListObjectVersionsCommand).callsFake((input) => {
      const b = bucket(input.Bucket);
      return { Versions: Array.from({ length: b.versions }, (_, i) => ({ Key: `k${i}`, VersionId: `v${i}` })), IsTruncated: false };
    });
    mock.on(DeleteObjectsCommand).callsFake((input) => {
      const b = bucket(input.Bucket);
      this.calls.push(`DeleteObjects ${input.Bucket} ${input.Delete.Objects.length}`);
      b.versions = b.lateObjects ?? 0;
      b.lateObjects = undefined;
      return {};
    });
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html: BucketNotEmpty while objects remain.
    mock.on(DeleteBucketCommand).callsFake((input) => {
      const b = bucket(input.Bucket);
      if (b.versions > 0) throw awsError('BucketNotEmpty', 'The bucket you tried to delete is not empty');
      this.calls.push(`DeleteBucket ${input.Bucket}`);
      this.buckets.delete(input.Bucket);
      return {};
    });
  }

  private mockCodeCommit(): void {
    const mock = mockClient(this.codecommit);
    mock.on(GetRepositoryCommand).callsFake((input) => {
      if (!this.repositories.has(input.repositoryName)) throw awsError('RepositoryDoesNotExistException', `${input.repositoryName} does not exist`);
      return { repositoryMetadata: { repositoryName: input.repositoryName, repositoryId: `id-of-${input.repositoryName}` } };
    });
    // DeleteRepository answers success, without a repository id, for a name that does not exist: asking by the id
    // (what CloudFormation's Ref returns for AWS::CodeCommit::Repository) "succeeds" and deletes nothing.
    // https://docs.aws.amazon.com/codecommit/latest/APIReference/API_DeleteRepository.html
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-codecommit-repository.html#aws-resource-codecommit-repository-return-values
    mock.on(DeleteRepositoryCommand).callsFake((input) => {
      this.calls.push(`DeleteRepository ${input.repositoryName}`);
      return this.repositories.delete(input.repositoryName) ? { repositoryId: `id-of-${input.repositoryName}` } : {};
    });
  }
}
