/**
 * The ordered clean-up of what a pipeline created, shared by the pipeline stack's Cleanup custom resource (`cdk
 * destroy`, and pruning a removed image on the next push) and `npm run teardown`.
 *
 * Order: fleet stacks (they run the AMIs), in the pipeline's account and in each environment's; the environment stacks
 * (they hold the environment fleet stacks' roles); the egress stack (its NAT gateways serve the fleets' instances), image
 * stacks, the AMI key stacks of the environments' regions (with sharedAmis delete), AMIs with their snapshots in every
 * distribution region, snapshots left behind by an earlier interrupted run, the distribution parameters
 * (distribution.ssmParameter) in each of their regions, the image parameters, the buckets. Every call selects by exact
 * name, or by the tag golden-ami:pipeline=<pipeline>; nothing is found by a name prefix. Each advanceCleanup call looks
 * at what exists now and takes the next steps, so a clean-up interrupted anywhere resumes where it stopped.
 */
import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  type EC2Client,
  type Filter,
  paginateDescribeImages,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, DeleteParametersCommand, GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { IMAGE_TAG_KEY, pipelineOfStackDescription, PIPELINE_TAG_KEY } from '../../lib/naming';
import type { CleanupScope, RegionalParameters, RemoteStack } from './scope';
import { nextStackStep, type ObservedStack } from './stack-deletion';

/**
 * The AWS clients a clean-up uses; EC2 and SSM are also regional, because AMIs and the distribution parameters Image
 * Builder writes are in every distribution region.
 */
export interface CleanupClients {
  readonly cloudformation: CloudFormationClient;
  /**
   * The client that may delete one stage stack.
   * @default - `cloudformation`
   */
  readonly stackClient?: (stackName: string) => Promise<CloudFormationClient>;
  /**
   * CloudFormation in an environment's account and region, with the credentials of the stack's role there
   * (RemoteStack.roleName). Needed only by a scope with environment stacks.
   */
  readonly remoteStackClient?: (stack: RemoteStack) => Promise<CloudFormationClient>;
  /** CloudFormation of the pipeline's account in one region: the AMI key stacks. Needed only by a scope with those. */
  readonly cloudformationIn?: (region: string) => CloudFormationClient;
  /** SSM in the pipeline's region: the image parameters. */
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  ec2(region: string): EC2Client;
  /** SSM in one distribution region: the distribution parameters there. */
  ssmIn(region: string): SSMClient;
}

export interface CleanupProgress {
  /** True when nothing of the scope is left (AMIs kept because they are shared do not count). */
  readonly done: boolean;
  /** What the clean-up waits for, for the log and for a timeout message. */
  readonly waitingFor: readonly string[];
}

/** A clean-up that cannot go on without the operator: the message says what failed and why. */
export class CleanupFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CleanupFailure';
  }
}

/** The role that deletes a stack could not be assumed; `errorName` is STS's error (AccessDenied when the role is gone). */
export class RoleNotAssumable extends CleanupFailure {
  constructor(
    message: string,
    public readonly errorName: string,
  ) {
    super(message);
  }
}

/**
 * Access refused: STS would not let the role be assumed, or the role's session may no longer describe the stack.
 * CloudFormation answers AccessDenied when the caller's policies do not allow the call.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
 */
export function isAccessLost(err: unknown): boolean {
  if (err instanceof RoleNotAssumable) return err.errorName === 'AccessDenied';
  const name = (err as Error)?.name;
  return name === 'AccessDenied' || name === 'AccessDeniedException';
}

/** How a stack whose role is one of its own resources is remembered in CleanupRun.deletionsBegun. */
export function remoteStackKey(stack: RemoteStack): string {
  return `${stack.account}/${stack.region}/${stack.stackName}`;
}

export interface CleanupRun {
  /** When this clean-up started: a stack that failed to delete after it stops the clean-up; one that failed before is tried again. */
  readonly startedAt: Date;
  readonly log: (line: string) => void;
  /**
   * Role CloudFormation deletes the stage stacks with.
   * @default - the execution role each stack was created with
   */
  readonly stackRoleArn?: string;
  /**
   * The stacks deleted through a role of their own (RemoteStack.roleInStack: the environment stacks) whose deletion
   * this clean-up has begun, by remoteStackKey; the engine adds to it. The Cleanup function hands it on from one
   * invocation to the next.
   * @default - none yet
   */
  readonly deletionsBegun?: Set<string>;
}

/** One stack to delete, with the client that may. */
interface StackTarget {
  readonly name: string;
  /** For the log and the wait list: the name, and where it is when not in the pipeline's account and region. */
  readonly label: string;
  readonly client: () => Promise<CloudFormationClient>;
  /** Passed to DeleteStack (teardown's --role-arn, for the pipeline account's stage stacks only). */
  readonly roleArn?: string;
  /** Set for a stack whose role is one of its own resources: its key in CleanupRun.deletionsBegun. */
  readonly ownRoleKey?: string;
}

/** Takes every step the current state allows; call again (after a pause) until `done`. */
export async function advanceCleanup(scope: CleanupScope, clients: CleanupClients, run: CleanupRun): Promise<CleanupProgress> {
  const { log } = run;
  const here = (name: string): StackTarget => ({
    name,
    label: name,
    client: async () => (clients.stackClient ? clients.stackClient(name) : clients.cloudformation),
    roleArn: run.stackRoleArn,
  });
  const remote = (stack: RemoteStack): StackTarget => ({
    name: stack.stackName,
    label: `${stack.stackName} (account ${stack.account}, ${stack.region})`,
    client: async () => {
      if (!clients.remoteStackClient) throw new CleanupFailure(`no client for stacks in other accounts, needed for stack ${stack.stackName} in account ${stack.account}`);
      return clients.remoteStackClient(stack);
    },
    ownRoleKey: stack.roleInStack ? remoteStackKey(stack) : undefined,
  });
  // With sharedAmis keep, the AMIs shared with the environments stay, and cannot be launched without their key.
  const keyStacks = scope.sharedAmis === 'delete' ? (scope.amiKeyStacks ?? []) : [];
  const keyStack = (stack: { stackName: string; region: string }): StackTarget => ({
    name: stack.stackName,
    label: `${stack.stackName} (${stack.region})`,
    client: async () => {
      if (!clients.cloudformationIn) throw new CleanupFailure(`no regional CloudFormation client, needed for stack ${stack.stackName} in ${stack.region}`);
      return clients.cloudformationIn(stack.region);
    },
  });
  const groups: StackTarget[][] = [
    // Fleets before images: an image stack's AMI must not go while a fleet still runs it. Fleets before egress too:
    // their instances reach out through its NAT gateways until they are gone.
    [...scope.fleetStacks.map(here), ...(scope.environmentFleetStacks ?? []).map(remote)],
    // An environment stack holds its fleet stacks' execution and clean-up roles: after them. (From the pipeline's
    // account through its own clean-up role; from the environment's, by teardown --environment, with its credentials.)
    [...(scope.environmentStacks ?? []).map(remote), ...(scope.environmentStack ? [here(scope.environmentStack)] : [])],
    scope.egressStack ? [here(scope.egressStack)] : [],
    scope.imageStacks.map(here),
    // Last of the stacks: the image stacks' distributions encrypt the environments' AMI copies with these keys.
    keyStacks.map(keyStack),
  ];
  for (const stacks of groups) {
    const waiting = await advanceStacks(stacks, scope.pipelineName, run);
    if (waiting.length > 0) return { done: false, waitingFor: waiting };
  }
  for (const kept of scope.sharedAmis === 'delete' ? [] : (scope.amiKeyStacks ?? [])) {
    log(`kept stack ${kept.stackName} in ${kept.region}: the AMIs shared with the environments need its key (operations.onDestroy.sharedAmis is keep)`);
  }
  // Each selection on its own: an image's AMIs in the regions it left, never the same image's in regions it keeps.
  const selections = [...(scope.amis ? [scope.amis] : []), ...(scope.amisLeftBehind ?? []).map((l) => ({ regions: l.regions, images: [l.image] }))];
  for (const amis of selections) {
    for (const region of amis.regions) {
      const ec2 = clients.ec2(region);
      await deregisterAmis(ec2, region, { ...scope, amis }, log);
      await deleteLeftoverSnapshots(ec2, region, { ...scope, amis }, log);
    }
  }
  // Before the image parameters: those are how teardown finds an image removed from the configuration, so an
  // interrupted run still finds it next time.
  for (const regional of scope.distributionParameters ?? []) await deleteDistributionParameters(regional, clients.ssmIn(regional.region), log);
  await deleteParameters(scope.parameters, clients.ssm, log);
  const buckets: string[] = [];
  for (const bucket of scope.buckets) {
    if (!(await deleteBucket(bucket, clients.s3, log))) buckets.push(`bucket ${bucket}`);
  }
  return { done: buckets.length === 0, waitingFor: buckets };
}

/** Starts or follows the deletion of each stack; returns the stacks still being deleted. */
async function advanceStacks(targets: readonly StackTarget[], pipelineName: string, { startedAt, log, deletionsBegun }: CleanupRun): Promise<string[]> {
  const waiting: string[] = [];
  const begun = (target: StackTarget) => {
    if (target.ownRoleKey) deletionsBegun?.add(target.ownRoleKey);
  };
  for (const target of targets) {
    const { name, label } = target;
    let cloudformation: CloudFormationClient;
    let observed: ObservedStack | undefined;
    try {
      cloudformation = await target.client();
      observed = await observeStack(name, cloudformation);
    } catch (err) {
      // The environment stack's clean-up role is one of its resources, and CloudFormation deletes it with the stack:
      // from then on the role cannot be assumed, or its session may no longer describe the stack (AccessDenied). After
      // the deletion began, that means deleted or being deleted, not a failure: the clean-up stops waiting for the
      // stack, and can no longer see whether its deletion completes. Before, the same error is a missing role or grant.
      if (target.ownRoleKey && deletionsBegun?.has(target.ownRoleKey) && isAccessLost(err)) {
        log(`stack ${label}: access lost after its deletion began (its clean-up role is deleted with it); counted as deleted. Its outcome shows in CloudFormation in that account and region`);
        continue;
      }
      throw err;
    }
    const step = nextStackStep(observed, pipelineName, startedAt);
    switch (step.kind) {
      case 'gone':
        break;
      case 'not-ours':
        log(`left stack ${label} alone: its description names ${step.owner}, not pipeline ${pipelineName}`);
        break;
      case 'fail':
        throw new CleanupFailure(`stack ${label} could not be deleted: ${step.reason}. Fix the cause, then delete again (the clean-up resumes where it stopped)`);
      case 'wait':
        if (step.status === 'DELETE_IN_PROGRESS') begun(target);
        waiting.push(`stack ${label} (${step.status})`);
        break;
      case 'delete':
        // Without a role, CloudFormation deletes the stack with the service role it was created with (a stage stack's
        // execution role; the bootstrap execution role of a stack CDK Pipelines deployed), which needs no iam:PassRole
        // of the caller: "If you don't specify a value, CloudFormation uses the role that was previously associated
        // with the stack" (API reference, DeleteStack, RoleARN); "Provided that users have permission to operate on the
        // stack, CloudFormation uses this role even if the users don't have permission to pass it" (CreateChangeSet,
        // RoleARN). https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
        await cloudformation.send(new DeleteStackCommand({ StackName: name, RoleARN: target.roleArn }));
        begun(target);
        log(`deleting stack ${label}`);
        waiting.push(`stack ${label} (DELETE_IN_PROGRESS)`);
        break;
    }
  }
  return waiting;
}

/**
 * CloudFormation answers DescribeStacks for a stack name that does not exist (or exists only as deleted) with a
 * ValidationError "Stack with id <name> does not exist".
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
export function isMissingStack(err: unknown): boolean {
  const e = err as Error;
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

export async function observeStack(name: string, cloudformation: CloudFormationClient): Promise<ObservedStack | undefined> {
  let stack;
  try {
    stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    if (isMissingStack(err)) return undefined;
    throw err;
  }
  if (!stack?.StackStatus) return undefined;
  const observed = { status: stack.StackStatus, owner: pipelineOfStackDescription(stack.Description) };
  if (stack.StackStatus !== 'DELETE_FAILED') return observed;
  // Newest events first: the stack's own DELETE_FAILED says when, the failed resource says why.
  const events = (await cloudformation.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
  const stackFailed = events.find((e) => e.ResourceType === 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'DELETE_FAILED');
  const cause = events.find((e) => e.ResourceType !== 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'DELETE_FAILED');
  const reason = cause ? `${cause.LogicalResourceId} (${cause.ResourceType}): ${cause.ResourceStatusReason}` : (stack.StackStatusReason ?? 'see its events in the CloudFormation console');
  return { ...observed, lastDeleteFailure: stackFailed?.Timestamp ? { at: stackFailed.Timestamp, reason } : undefined };
}

/** Tag filters that select exactly this scope's AMIs and snapshots. */
function tagFilters(scope: CleanupScope): Filter[] {
  return [
    { Name: `tag:${PIPELINE_TAG_KEY}`, Values: [scope.pipelineName] },
    ...(scope.amis?.images ? [{ Name: `tag:${IMAGE_TAG_KEY}`, Values: [...scope.amis.images] }] : []),
  ];
}

/** The AMIs of the scope in one region, with what the clean-up does with each. */
export async function amisOf(ec2: EC2Client, scope: CleanupScope): Promise<Array<{ id: string; name: string; image: string; snapshots: string[]; shared: boolean }>> {
  const found = [];
  for await (const page of paginateDescribeImages({ client: ec2 }, { Owners: ['self'], Filters: tagFilters(scope), IncludeDeprecated: true, IncludeDisabled: true })) {
    for (const image of page.Images ?? []) {
      found.push({
        id: image.ImageId!,
        name: image.Name ?? '',
        image: image.Tags?.find((t) => t.Key === IMAGE_TAG_KEY)?.Value ?? '',
        snapshots: (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
        // Only asked when it matters: one more call per AMI.
        shared: scope.sharedAmis === 'keep' && (await isShared(ec2, image.ImageId!)),
      });
    }
  }
  return found;
}

/** An AMI other accounts, organizations or everyone may launch. */
async function isShared(ec2: EC2Client, imageId: string): Promise<boolean> {
  const attribute = await ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
  return (attribute.LaunchPermissions ?? []).length > 0;
}

async function deregisterAmis(ec2: EC2Client, region: string, scope: CleanupScope, log: (line: string) => void): Promise<void> {
  for (const ami of await amisOf(ec2, scope)) {
    if (ami.shared) {
      log(`kept ${ami.id} in ${region}: it is shared with other accounts (operations.onDestroy.sharedAmis is keep)`);
      continue;
    }
    if (ami.snapshots.length > 0) {
      // Tagged first, so that the snapshots are found again if this run stops before deleting them, and so that
      // IAM can limit DeleteSnapshot to snapshots carrying the pipeline's tag.
      await ec2.send(
        new CreateTagsCommand({ Resources: ami.snapshots, Tags: [{ Key: PIPELINE_TAG_KEY, Value: scope.pipelineName }, { Key: IMAGE_TAG_KEY, Value: ami.image }] }),
      );
    }
    await ignoring(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'], () => ec2.send(new DeregisterImageCommand({ ImageId: ami.id })));
    for (const snapshot of ami.snapshots) await deleteSnapshot(ec2, snapshot);
    log(`deregistered ${ami.id} (${ami.name}) in ${region}${ami.snapshots.length ? ` and deleted ${ami.snapshots.join(', ')}` : ''}`);
  }
}

/** Snapshots tagged with the scope whose AMI is gone: left by a run that stopped between deregistering and deleting. */
async function deleteLeftoverSnapshots(ec2: EC2Client, region: string, scope: CleanupScope, log: (line: string) => void): Promise<void> {
  for (const snapshot of await snapshotsOf(ec2, scope)) {
    if (await deleteSnapshot(ec2, snapshot)) log(`deleted snapshot ${snapshot} in ${region}`);
  }
}

export async function snapshotsOf(ec2: EC2Client, scope: CleanupScope): Promise<string[]> {
  const found: string[] = [];
  for await (const page of paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'], Filters: tagFilters(scope) })) {
    found.push(...(page.Snapshots ?? []).map((s) => s.SnapshotId!));
  }
  return found;
}

/**
 * Deletes a snapshot; false when it is still used by a registered AMI (a shared AMI that is kept). EC2 answers
 * InvalidSnapshot.InUse for that and InvalidSnapshot.NotFound for a snapshot that is already gone.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */
async function deleteSnapshot(ec2: EC2Client, snapshotId: string): Promise<boolean> {
  try {
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    return true;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'InvalidSnapshot.NotFound') return true;
    if (name === 'InvalidSnapshot.InUse') return false;
    throw err;
  }
}

/** The named parameters that exist. */
export async function existingParameters(names: readonly string[], ssm: SSMClient): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < names.length; i += 10) {
    const out = await ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
    found.push(...(out.Parameters ?? []).map((p) => p.Name!));
  }
  return found.sort();
}

/** SSM answers DeleteParameters for names that do not exist with them in InvalidParameters, not with an error. */
async function deleteParameters(names: readonly string[], ssm: SSMClient, log: (line: string) => void): Promise<void> {
  let deleted = 0;
  for (let i = 0; i < names.length; i += 10) {
    const out = await ssm.send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
    deleted += out.DeletedParameters?.length ?? 0;
  }
  if (deleted > 0) log(`deleted ${deleted} SSM parameters`);
}

/**
 * One by one with DeleteParameter, which names exactly one parameter (the role may delete exactly these names). SSM
 * answers it with ParameterNotFound for a name that does not exist: already deleted, or never written because no build
 * distributed to that region yet.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameter.html
 */
async function deleteDistributionParameters({ region, names }: RegionalParameters, ssm: SSMClient, log: (line: string) => void): Promise<void> {
  for (const name of names) {
    try {
      await ssm.send(new DeleteParameterCommand({ Name: name }));
      log(`deleted SSM parameter ${name} in ${region}`);
    } catch (err) {
      if ((err as Error).name !== 'ParameterNotFound') throw err;
    }
  }
}

/**
 * Empties a versioned bucket (every version and delete marker) and deletes it. Returns false when S3 still found
 * objects at the delete: server access logs are delivered late, so the log bucket can fill again after emptying.
 */
async function deleteBucket(bucket: string, s3: S3Client, log: (line: string) => void): Promise<boolean> {
  try {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
      if (objects.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    log(`emptied and deleted bucket ${bucket}`);
    return true;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'NoSuchBucket') return true;
    if (name === 'BucketNotEmpty') return false;
    throw err;
  }
}

async function ignoring(errorNames: readonly string[], action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!errorNames.includes((err as Error).name)) throw err;
  }
}
