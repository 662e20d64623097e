/**
 * Small stateful stand-ins for the parts of SSM and EC2 the parameter-prep function uses, installed on
 * aws-sdk-client-mock stubs. Where the function's behaviour depends on what AWS answers, the answer given here is the
 * documented one, and the comment cites where it is documented.
 */
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DisableImageDeprecationCommand,
  type EC2Client,
  EnableImageDeprecationCommand,
  type Filter,
  type Image,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { GetComponentCommand, GetImageCommand, type ImageScanFinding, type ImagebuilderClient, ListImageScanFindingsCommand } from '@aws-sdk/client-imagebuilder';
import { BatchGetAccountStatusCommand, type Inspector2Client } from '@aws-sdk/client-inspector2';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** An AWS service error as the SDK v3 raises it: the error code is the name. */
export const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

/** SSM parameters by name. */
export class FakeParameterStore {
  public readonly values = new Map<string, string>();

  public install(ssm: AwsClientStub<SSMClient>): void {
    ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
      const value = this.values.get(input.Name);
      // GetParameter of a name that does not exist fails with ParameterNotFound
      // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors).
      if (value === undefined) throw new ParameterNotFound({ message: `Parameter ${input.Name} not found.`, $metadata: {} });
      return { Parameter: { Name: input.Name, Value: value } };
    });
    ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string }) => {
      this.values.set(input.Name, input.Value);
      return { Version: 1 };
    });
  }
}

/**
 * The AWS-owned images and components of Image Builder in one region, each with its available build versions, and a
 * log of the ARNs asked for. GetImage and GetComponent take a build version ARN, or a version ARN whose trailing nodes
 * may be x: "A version or wildcard ARN resolves to the latest matching build version that has reached AVAILABLE
 * status" (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html), "Version ARNs resolve to
 * the latest available matching component build version"
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetComponent.html). The answer's arn is the build
 * version ARN (four nodes, https://docs.aws.amazon.com/imagebuilder/latest/userguide/ibhow-semantic-versioning.html),
 * its version the first three.
 */
export class FakeImagebuilder {
  public readonly calls: string[] = [];
  /** `image/<name>` or `component/<name>` → available build versions, `1.0.3/1`. */
  private readonly available = new Map<string, string[]>();
  /** The account's own image builds, by build version ARN. */
  private readonly builds = new Map<string, OwnBuild>();
  /** ListImageScanFindings requests answered (or refused). */
  public findingPages = 0;
  /** Set to answer every ListImageScanFindings with ThrottlingException, as a throttled account does. */
  public throttleFindings = false;
  /** How long each ListImageScanFindings page takes to answer. */
  public findingDelayMs = 0;

  constructor(private readonly arnPrefix = 'arn:aws:imagebuilder:eu-west-1:aws:') {}

  /** Makes a build version available, e.g. publish('component/update-linux', '1.0.4/1'). */
  public publish(resource: string, buildVersion: string): this {
    this.available.set(resource, [...(this.available.get(resource) ?? []), buildVersion]);
    return this;
  }

  /**
   * Adds a build of one of the account's own images: whether it was scanned, the scan state Image Builder recorded
   * (GetImage's image.scanState, https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImageScanState.html)
   * and the findings it kept.
   */
  public addBuild(arn: string, build: OwnBuild): this {
    this.builds.set(arn, build);
    return this;
  }

  public install(imagebuilder: AwsClientStub<ImagebuilderClient>): void {
    imagebuilder.on(GetImageCommand).callsFake((input: { imageBuildVersionArn: string }) => {
      const own = this.builds.get(input.imageBuildVersionArn);
      if (own) {
        this.calls.push(input.imageBuildVersionArn);
        return {
          image: {
            arn: input.imageBuildVersionArn,
            imageScanningConfiguration: own.scanned ? { imageScanningEnabled: true } : undefined,
            scanState: own.status ? { status: own.status, reason: own.reason } : undefined,
          },
        };
      }
      return { image: this.resolve('image', input.imageBuildVersionArn) };
    });
    // Filtered on one imageBuildVersionArn, at most 25 a page, nextToken to go on
    // (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ListImageScanFindings.html: maxResults 1–25;
    // the filter list has a fixed number of 1 item).
    imagebuilder.on(ListImageScanFindingsCommand).callsFake(async (input: { filters?: Array<{ name: string; values: string[] }>; maxResults?: number; nextToken?: string }) => {
      this.findingPages += 1;
      if (this.findingDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.findingDelayMs));
      if (this.throttleFindings) throw Object.assign(awsError('ThrottlingException', 'Rate exceeded'), { $retryable: { throttling: true } });
      if ((input.maxResults ?? 25) > 25) throw awsError('InvalidParameterValueException', 'maxResults must be between 1 and 25');
      const filter = input.filters?.[0];
      if (input.filters?.length !== 1 || filter?.name !== 'imageBuildVersionArn' || filter.values.length !== 1) {
        throw new Error(`the fake lists findings of one build only (got filters ${JSON.stringify(input.filters)})`);
      }
      const findings = this.builds.get(filter.values[0])?.findings ?? [];
      const start = Number(input.nextToken ?? 0);
      const end = start + (input.maxResults ?? 25);
      return { findings: findings.slice(start, end), nextToken: end < findings.length ? String(end) : undefined };
    });
    imagebuilder.on(GetComponentCommand).callsFake((input: { componentBuildVersionArn: string }) => ({ component: this.resolve('component', input.componentBuildVersionArn) }));
  }

  private resolve(kind: 'image' | 'component', arn: string) {
    this.calls.push(arn);
    const m = arn.startsWith(this.arnPrefix) ? new RegExp(`^${kind}/([a-z0-9_-]+)/([0-9x]+)\\.([0-9x]+)\\.([0-9x]+)(?:/([0-9]+))?$`).exec(arn.slice(this.arnPrefix.length)) : null;
    // Not a request the function should make (another partition, region or account, or no version): fail the test.
    if (!m) throw new Error(`the fake Image Builder was asked for ${arn}, not an AWS-owned ${kind} under ${this.arnPrefix}`);
    const [, name, ...nodes] = m;
    const wanted = nodes.slice(0, 3);
    const build = nodes[3];
    const matching = (this.available.get(`${kind}/${name}`) ?? []).filter((v) => {
      const [version, b] = v.split('/');
      return version.split('.').every((n, i) => wanted[i] === 'x' || wanted[i] === n) && (build === undefined || build === b);
    });
    // The function treats every error alike (the scheduled run rebuilds), so the error's name carries no weight here.
    if (matching.length === 0) throw awsError('ResourceNotFoundException', `The resource ${arn} cannot be found.`);
    const numbers = (v: string) => v.split(/[./]/).map(Number);
    const newest = matching.sort((a, b) => numbers(a).reduce((d, n, i) => d || n - numbers(b)[i], 0)).at(-1)!;
    return { arn: `${this.arnPrefix}${kind}/${name}/${newest}`, name, version: newest.split('/')[0] };
  }
}

/** One build of the account's own image, as Image Builder keeps it. */
export interface OwnBuild {
  /** Did the build ask for a scan (imageScanningConfiguration.imageScanningEnabled)? */
  readonly scanned: boolean;
  /** PENDING, SCANNING, COLLECTING, COMPLETED, ABANDONED, FAILED or TIMED_OUT. */
  readonly status?: string;
  readonly reason?: string;
  readonly findings?: readonly ImageScanFinding[];
}

/**
 * STS of the function's account: the roles that trust the function, and a log of every AssumeRole request. A role that
 * does not exist or does not trust the caller is refused with the error code AccessDenied, HTTP 403, as STS answers it:
 * the AWS CLI reports "An error occurred (AccessDenied) when calling the AssumeRole operation", the Go SDK "api error
 * AccessDenied: User: … is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::…:role/…"
 * (https://github.com/cloud-toolkit/cloud-toolkit-aws/issues/31). AccessDenied is not among AssumeRole's modelled
 * errors (ExpiredToken, MalformedPolicyDocument, PackedPolicyTooLarge, RegionDisabled:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors), so SDK v3 raises a
 * generic service error named by the code.
 */
export class FakeSts {
  public readonly requests: Array<{ RoleArn: string; RoleSessionName: string; DurationSeconds?: number }> = [];
  /** Access key id handed out → the account of the role assumed. */
  public readonly accountOfKey = new Map<string, string>();
  private readonly trusting = new Set<string>();

  /** Roles (ARNs) that exist and trust the function's role. */
  public trust(...roleArns: string[]): this {
    roleArns.forEach((arn) => this.trusting.add(arn));
    return this;
  }

  public install(sts: AwsClientStub<STSClient>): void {
    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number }) => {
      this.requests.push(input);
      if (!this.trusting.has(input.RoleArn)) {
        throw Object.assign(awsError('AccessDenied', `User: arn:aws:sts::123456789012:assumed-role/golden-ami-parameter-prep/fn is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`), { $metadata: { httpStatusCode: 403 } });
      }
      const account = input.RoleArn.split(':')[4];
      const accessKeyId = `ASIA${account}${this.requests.length}`;
      this.accountOfKey.set(accessKeyId, account);
      return { Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) }, AssumedRoleUser: { Arn: `${input.RoleArn}/${input.RoleSessionName}`, AssumedRoleId: 'AROA:x' } };
    });
  }
}

/**
 * SSM parameters of several accounts and regions, the same names in each. A client is placed by its region and by the
 * credentials FakeSts handed out for a role in an account; a client with any other credentials fails the test, so a
 * call made in the wrong account cannot pass unseen. Every call is logged as `<account> <region> <Get|Put> <name>`.
 */
export class FakeAccountParameters {
  public readonly calls: string[] = [];
  private readonly values = new Map<string, string>();

  constructor(private readonly sts: FakeSts) {}

  public set(account: string, region: string, name: string, value: string): void {
    this.values.set(`${account} ${region} ${name}`, value);
  }

  public get(account: string, region: string, name: string): string | undefined {
    return this.values.get(`${account} ${region} ${name}`);
  }

  public install(ssm: AwsClientStub<SSMClient>): void {
    const place = async (getClient: () => SSMClient) => {
      const client = getClient();
      const credentials = await client.config.credentials();
      const account = this.sts.accountOfKey.get(credentials.accessKeyId);
      if (!account) throw new Error(`SSM was called with credentials no assumed role gave (${credentials.accessKeyId})`);
      return `${account} ${await client.config.region()}`;
    };
    ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }, getClient: () => SSMClient) => {
      const where = await place(getClient);
      this.calls.push(`${where} Get ${input.Name}`);
      const value = this.values.get(`${where} ${input.Name}`);
      // GetParameter of a name that does not exist fails with ParameterNotFound
      // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors).
      if (value === undefined) throw new ParameterNotFound({ message: `Parameter ${input.Name} not found.`, $metadata: {} });
      return { Parameter: { Name: input.Name, Value: value } };
    });
    ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }, getClient: () => SSMClient) => {
      const where = await place(getClient);
      this.calls.push(`${where} Put ${input.Name}`);
      this.values.set(`${where} ${input.Name}`, input.Value);
      return { Version: 1 };
    });
  }
}

/** A finding as ListImageScanFindings returns it (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImageScanFinding.html). */
export function scanFinding(id: string, severity: string, pkg = 'openssl', fixedInVersion = '3.0.9', score = severity === 'CRITICAL' ? 9.8 : 7.5): ImageScanFinding {
  return {
    severity,
    inspectorScore: score,
    title: `${id} - ${pkg}`,
    packageVulnerabilityDetails: { vulnerabilityId: id, vulnerablePackages: [{ name: pkg, version: '3.0.8', fixedInVersion }] },
  };
}

/**
 * Amazon Inspector's account status for the caller. BatchGetAccountStatus without account ids answers for the caller
 * (https://docs.aws.amazon.com/inspector/v2/APIReference/API_BatchGetAccountStatus.html); an account that never
 * activated Inspector reads DISABLED (State.status, https://docs.aws.amazon.com/inspector/v2/APIReference/API_State.html).
 */
export class FakeInspector {
  public calls = 0;
  constructor(
    public ec2: string = 'ENABLED',
    public account: string = 'ENABLED',
  ) {}

  public install(inspector: AwsClientStub<Inspector2Client>): void {
    inspector.on(BatchGetAccountStatusCommand).callsFake(() => {
      this.calls += 1;
      const state = (status: string) => ({ status, errorCode: undefined, errorMessage: undefined });
      return { accounts: [{ accountId: '123456789012', state: state(this.account), resourceState: { ec2: state(this.ec2), ecr: state('DISABLED') } }], failedAccounts: [] };
    });
  }
}

export interface FakeAmi {
  readonly id: string;
  readonly creationDate: string;
  readonly tags: Record<string, string>;
  readonly snapshots: readonly string[];
  deprecationTime?: string;
  state?: 'available' | 'deregistered';
  /** Accounts with launch permission (the owner can always launch it and is not listed). */
  launchPermissions?: readonly string[];
}

interface Region {
  readonly images: Map<string, FakeAmi>;
  /** Snapshot id → its tags. */
  readonly snapshots: Map<string, Record<string, string>>;
}

/** EC2 in several regions: AMIs, their snapshots and tags, and a log of every call made, in order. */
export class FakeEc2 {
  public readonly calls: string[] = [];
  /** Runs before each call is answered, with the call as logged: lets a test change the world mid-run. */
  public before?: (call: string) => void;
  private readonly regions = new Map<string, Region>();

  public region(name: string): Region {
    let region = this.regions.get(name);
    if (!region) {
      region = { images: new Map(), snapshots: new Map() };
      this.regions.set(name, region);
    }
    return region;
  }

  /** Registers an AMI with its snapshots (untagged unless `snapshotTags` says otherwise). */
  public addAmi(regionName: string, ami: FakeAmi, snapshotTags: Record<string, string> = {}): void {
    const region = this.region(regionName);
    region.images.set(ami.id, { state: 'available', ...ami });
    for (const id of ami.snapshots) region.snapshots.set(id, { ...snapshotTags });
  }

  public snapshotTags(regionName: string, id: string): Record<string, string> | undefined {
    return this.region(regionName).snapshots.get(id);
  }

  public images(regionName: string): FakeAmi[] {
    return [...this.region(regionName).images.values()].filter((i) => i.state !== 'deregistered');
  }

  public install(ec2: AwsClientStub<EC2Client>): void {
    // Each call is logged with the region of the client that made it, then answered from that region's state.
    const answer =
      <I>(name: string, fn: (region: Region, input: I) => unknown) =>
      async (input: I, getClient: () => EC2Client) => {
        const client = getClient();
        const regionName = await client.config.region();
        const call = `${regionName} ${name} ${describeInput(input)}`.trim();
        this.calls.push(call);
        this.before?.(call);
        return fn(this.region(regionName), input);
      };

    ec2.on(DescribeImagesCommand).callsFake(answer<{ ImageIds?: string[]; Owners?: string[]; Filters?: Filter[] }>('DescribeImages', (region, input) => {
      if (input.ImageIds) {
        const found = input.ImageIds.map((id) => region.images.get(id));
        // A missing AMI id is an error, not an empty list
        // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html, InvalidAMIID.NotFound).
        if (found.some((i) => !i)) throw awsError('InvalidAMIID.NotFound', `The image id '[${input.ImageIds.join(', ')}]' does not exist`);
        return { Images: found.map((i) => imageOf(i!)) };
      }
      // Filters match tags exactly; a deregistered AMI still shows for a short while, in state "deregistered", and
      // deprecated AMIs always show to their owner
      // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
      return { Images: [...region.images.values()].filter((i) => matches(i.tags, input.Filters)).map(imageOf) };
    }));
    // The launch permissions of an AMI the caller owns: { ImageId, LaunchPermissions: [{ UserId } | { Group: 'all' } |
    // { OrganizationArn } | { OrganizationalUnitArn }] }, one entry each
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html and API_LaunchPermission.html;
    // the shape is the SDK's ImageAttribute/LaunchPermission model). A missing AMI id is InvalidAMIID.NotFound.
    ec2.on(DescribeImageAttributeCommand).callsFake(answer<{ ImageId: string; Attribute: string }>('DescribeImageAttribute', (region, input) => {
      if (input.Attribute !== 'launchPermission') throw new Error(`the fake describes only launchPermission (got ${input.Attribute})`);
      const image = availableImage(region, input.ImageId);
      return { ImageId: image.id, LaunchPermissions: (image.launchPermissions ?? []).map((UserId) => ({ UserId })) };
    }));
    ec2.on(DescribeSnapshotsCommand).callsFake(answer<{ Filters?: Filter[] }>('DescribeSnapshots', (region, input) => ({
      Snapshots: [...region.snapshots].filter(([, tags]) => matches(tags, input.Filters)).map(([id, tags]): Snapshot => ({ SnapshotId: id, Tags: tagList(tags) })),
    })));
    ec2.on(CreateTagsCommand).callsFake(answer<{ Resources: string[]; Tags: Array<{ Key: string; Value: string }> }>('CreateTags', (region, input) => {
      for (const id of input.Resources) {
        const tags = id.startsWith('ami-') ? availableImage(region, id).tags : region.snapshots.get(id);
        if (!tags) throw awsError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
        // A key the resource already has gets the new value (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html).
        for (const t of input.Tags) tags[t.Key] = t.Value;
      }
      return {};
    }));
    // AMIs only: the promote step removes an environment's tag from a copy the environment no longer uses. A tag given
    // without a value is removed whatever its value (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html).
    ec2.on(DeleteTagsCommand).callsFake(answer<{ Resources: string[]; Tags: Array<{ Key: string; Value?: string }> }>('DeleteTags', (region, input) => {
      for (const id of input.Resources) {
        const tags = availableImage(region, id).tags;
        for (const t of input.Tags) if (t.Value === undefined || tags[t.Key] === t.Value) delete tags[t.Key];
      }
      return {};
    }));
    ec2.on(EnableImageDeprecationCommand).callsFake(answer<{ ImageId: string; DeprecateAt: Date }>('EnableImageDeprecation', (region, input) => {
      availableImage(region, input.ImageId).deprecationTime = input.DeprecateAt.toISOString();
      return { Return: true };
    }));
    ec2.on(DisableImageDeprecationCommand).callsFake(answer<{ ImageId: string }>('DisableImageDeprecation', (region, input) => {
      availableImage(region, input.ImageId).deprecationTime = undefined;
      return { Return: true };
    }));
    ec2.on(DeregisterImageCommand).callsFake(answer<{ ImageId: string }>('DeregisterImage', (region, input) => {
      availableImage(region, input.ImageId).state = 'deregistered';
      return {};
    }));
    ec2.on(DeleteSnapshotCommand).callsFake(answer<{ SnapshotId: string }>('DeleteSnapshot', (region, input) => {
      if (!region.snapshots.has(input.SnapshotId)) throw awsError('InvalidSnapshot.NotFound', `The snapshot '${input.SnapshotId}' does not exist.`);
      // A snapshot a registered AMI uses cannot be deleted (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshot.html;
      // error code InvalidSnapshot.InUse in https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
      const user = [...region.images.values()].find((i) => i.state !== 'deregistered' && i.snapshots.includes(input.SnapshotId));
      if (user) throw awsError('InvalidSnapshot.InUse', `The snapshot ${input.SnapshotId} is currently in use by ${user.id}`);
      region.snapshots.delete(input.SnapshotId);
      return {};
    }));
  }
}

function availableImage(region: Region, id: string): FakeAmi {
  const image = region.images.get(id);
  if (!image || image.state === 'deregistered') throw awsError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  return image;
}

function imageOf(ami: FakeAmi): Image {
  return {
    ImageId: ami.id,
    CreationDate: ami.creationDate,
    State: ami.state,
    DeprecationTime: ami.deprecationTime,
    Tags: tagList(ami.tags),
    BlockDeviceMappings: ami.snapshots.map((id, i) => ({ DeviceName: `/dev/xvd${'abcdefgh'[i]}`, Ebs: { SnapshotId: id } })),
  };
}

function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function matches(tags: Record<string, string>, filters: Filter[] = []): boolean {
  return filters.every((f) => {
    // tag-key: the resource has any of the keys, whatever their values (DescribeImages' filter list).
    if (f.Name === 'tag-key') return (f.Values ?? []).some((key) => key in tags);
    if (!f.Name?.startsWith('tag:')) throw new Error(`the fake does not know filter ${f.Name}`);
    return (f.Values ?? []).includes(tags[f.Name.slice(4)]);
  });
}

function describeInput(input: unknown): string {
  const i = input as Record<string, unknown>;
  if (i.ImageIds) return (i.ImageIds as string[]).join(',');
  return [i.ImageId, i.SnapshotId, (i.Resources as string[] | undefined)?.join(',')].filter(Boolean).join(' ');
}
