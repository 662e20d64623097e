import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, DeleteRepositoryCommand } from '@aws-sdk/client-codecommit';
import { DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParametersCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { GoldenAmiConfig } from '../config/model';
import { ssmRoot } from '../naming';
import { explainAwsError, OperatorError } from './operator-error';

/** The AWS clients teardown uses; tests pass mocks. */
export interface TeardownClients {
  readonly cloudformation: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly codecommit: CodeCommitClient;
}

/** How teardown talks to the operator and how long it waits. */
export interface TeardownIo {
  /** Asks a question and returns the answer (only called without --yes). */
  readonly ask: (question: string) => Promise<string>;
  readonly log: (line: string) => void;
  /** @default 10000 */
  readonly pollMs?: number;
  /** @default 3600000 (an image stack's deletion can wait for a running build) */
  readonly stackTimeoutMs?: number;
}

/** Everything teardown would delete, found in the account (nothing is assumed to exist). */
export interface TeardownPlan {
  readonly fleetStacks: readonly string[];
  readonly imageStacks: readonly string[];
  readonly amis: ReadonlyArray<{ readonly id: string; readonly name: string; readonly snapshots: readonly string[] }>;
  readonly parameters: readonly string[];
  readonly pipelineStack?: string;
  readonly buckets: readonly string[];
  /** The source repository of the pipeline stack, if it created one. */
  readonly repository?: string;
  readonly deleteRepository: boolean;
}

export const TEARDOWN_USAGE = `Usage: npm run teardown -- [--dry-run] [--yes] [--delete-repository]
  Deletes, in this order: the fleet stacks, the image stacks, the AMIs and snapshots the pipeline built, its SSM
  parameters, the pipeline stack, and its artifact buckets. Lists everything first and asks for the pipeline name.
  --dry-run             list only
  --yes                 do not ask (for scripts)
  --delete-repository   also delete the CodeCommit repository the pipeline stack created (kept by default)`;

const GONE: ReadonlySet<StackStatus | string> = new Set(['DELETE_COMPLETE']);

/** Runs teardown with command-line flags; returns the last line to print. */
export async function runTeardown(args: readonly string[], config: GoldenAmiConfig, clients: TeardownClients, io: TeardownIo): Promise<string> {
  const known = new Set(['--dry-run', '--yes', '--delete-repository']);
  const unknown = args.find((a) => !known.has(a));
  if (unknown) throw new OperatorError(`unknown argument ${unknown}.\n${TEARDOWN_USAGE}`);
  try {
    const plan = await planTeardown(config, clients, args.includes('--delete-repository'));
    io.log(describePlan(config.name, plan));
    if (isEmpty(plan)) return 'Nothing to delete.';
    if (args.includes('--dry-run')) return 'Dry run: nothing was deleted.';
    if (!args.includes('--yes')) {
      const answer = await io.ask(`Type the pipeline name (${config.name}) to delete all of the above: `);
      if (answer.trim() !== config.name) return 'Not confirmed: nothing was deleted.';
    }
    await executeTeardown(plan, clients, io);
    return `Deleted pipeline ${config.name}.${plan.repository && !plan.deleteRepository ? ` Kept repository ${plan.repository} (delete it with --delete-repository).` : ''}`;
  } catch (err) {
    throw explainAwsError(err);
  }
}

export async function planTeardown(config: GoldenAmiConfig, clients: TeardownClients, deleteRepository: boolean): Promise<TeardownPlan> {
  const stacks = await liveStackNames(clients.cloudformation);
  const pipelineStack = stacks.find((s) => s === `${config.name}-pipeline`);
  // By prefix, so stacks of images whose files were removed are found too.
  const fleetStacks = stacks.filter((s) => s.startsWith(`${config.name}-fleet-`)).sort();
  const imageStacks = stacks.filter((s) => s.startsWith(`${config.name}-image-`)).sort();

  const images = await clients.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:golden-ami:pipeline', Values: [config.name] }] }));
  const amis = (images.Images ?? []).map((i) => ({
    id: i.ImageId!,
    name: i.Name ?? '',
    snapshots: (i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
  }));

  // Only the parameters parameter-prep and the operator commands write; the rest belong to the pipeline stack.
  const parameters: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ssm.send(new GetParametersByPathCommand({ Path: `${ssmRoot(config.name)}/images`, Recursive: true, NextToken: token }));
    parameters.push(...(page.Parameters ?? []).map((p) => p.Name!));
    token = page.NextToken;
  } while (token);

  let buckets: string[] = [];
  let repository: string | undefined;
  if (pipelineStack) {
    const resources = await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: pipelineStack }));
    buckets = (resources.StackResources ?? []).filter((r) => r.ResourceType === 'AWS::S3::Bucket' && r.PhysicalResourceId).map((r) => r.PhysicalResourceId!);
    repository = (resources.StackResources ?? []).find((r) => r.ResourceType === 'AWS::CodeCommit::Repository')?.PhysicalResourceId;
  }
  return { fleetStacks, imageStacks, amis, parameters: parameters.sort(), pipelineStack, buckets, repository, deleteRepository };
}

function isEmpty(plan: TeardownPlan): boolean {
  return !plan.pipelineStack && [plan.fleetStacks, plan.imageStacks, plan.amis, plan.parameters, plan.buckets].every((l) => l.length === 0);
}

export function describePlan(pipelineName: string, plan: TeardownPlan): string {
  const list = (title: string, items: readonly string[]) => (items.length === 0 ? [`${title}: none`] : [`${title}:`, ...items.map((i) => `  - ${i}`)]);
  return [
    `Teardown of pipeline ${pipelineName}`,
    ...list('1. fleet stacks', plan.fleetStacks),
    ...list('2. image stacks', plan.imageStacks),
    ...list('3. AMIs and their snapshots', plan.amis.map((a) => `${a.id} ${a.name} (${a.snapshots.join(', ') || 'no snapshot'})`)),
    ...list('4. SSM parameters', plan.parameters),
    ...list('5. pipeline stack', plan.pipelineStack ? [plan.pipelineStack] : []),
    ...list('6. artifact buckets (emptied, every version)', plan.buckets),
    plan.repository ? `7. repository ${plan.repository}: ${plan.deleteRepository ? 'DELETED' : 'kept (it holds your code)'}` : '7. repository: none created by the pipeline stack',
  ].join('\n');
}

export async function executeTeardown(plan: TeardownPlan, clients: TeardownClients, io: TeardownIo): Promise<void> {
  // Fleets first: they run the AMIs; then the image stacks; only then can the AMIs go.
  await deleteStacks(plan.fleetStacks, clients.cloudformation, io);
  await deleteStacks(plan.imageStacks, clients.cloudformation, io);
  for (const ami of plan.amis) {
    await ignoreMissing(() => clients.ec2.send(new DeregisterImageCommand({ ImageId: ami.id })));
    for (const snapshot of ami.snapshots) await ignoreMissing(() => clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot })));
    io.log(`deregistered ${ami.id}${ami.snapshots.length ? ` and deleted ${ami.snapshots.join(', ')}` : ''}`);
  }
  for (let i = 0; i < plan.parameters.length; i += 10) {
    await clients.ssm.send(new DeleteParametersCommand({ Names: plan.parameters.slice(i, i + 10) }));
  }
  if (plan.parameters.length) io.log(`deleted ${plan.parameters.length} SSM parameters`);
  if (plan.pipelineStack) await deleteStacks([plan.pipelineStack], clients.cloudformation, io);
  for (const bucket of plan.buckets) await deleteBucket(bucket, clients.s3, io);
  if (plan.repository && plan.deleteRepository) {
    await clients.codecommit.send(new DeleteRepositoryCommand({ repositoryName: plan.repository }));
    io.log(`deleted repository ${plan.repository}`);
  }
}

async function liveStackNames(cloudformation: CloudFormationClient): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await cloudformation.send(new ListStacksCommand({ NextToken: token }));
    names.push(...(page.StackSummaries ?? []).filter((s) => !GONE.has(s.StackStatus!)).map((s) => s.StackName!));
    token = page.NextToken;
  } while (token);
  return names;
}

/** Deletes stacks side by side and waits for each; a stack left in DELETE_FAILED stops teardown with its reason. */
async function deleteStacks(names: readonly string[], cloudformation: CloudFormationClient, io: TeardownIo): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      await cloudformation.send(new DeleteStackCommand({ StackName: name }));
      io.log(`deleting stack ${name} …`);
      await waitUntilGone(name, cloudformation, io);
      io.log(`deleted stack ${name}`);
    }),
  );
}

async function waitUntilGone(name: string, cloudformation: CloudFormationClient, io: TeardownIo): Promise<void> {
  const deadline = Date.now() + (io.stackTimeoutMs ?? 3_600_000);
  for (;;) {
    let status: string | undefined;
    let reason: string | undefined;
    try {
      const out = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
      status = out.Stacks?.[0]?.StackStatus;
      reason = out.Stacks?.[0]?.StackStatusReason;
    } catch (err) {
      if (/does not exist/.test((err as Error).message)) return;
      throw err;
    }
    if (status === undefined || GONE.has(status)) return;
    if (status === 'DELETE_FAILED') {
      throw new OperatorError(`stack ${name} could not be deleted: ${reason ?? 'see its events in the CloudFormation console'}. Fix the cause, then run teardown again (it resumes where it stopped)`);
    }
    if (Date.now() > deadline) throw new OperatorError(`stack ${name} is still ${status}; run teardown again later (it resumes where it stopped)`);
    await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 10_000));
  }
}

/** Empties a versioned bucket (every version and delete marker), then deletes it. */
async function deleteBucket(bucket: string, s3: S3Client, io: TeardownIo): Promise<void> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
      if (objects.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    io.log(`emptied and deleted bucket ${bucket}`);
  } catch (err) {
    if ((err as Error).name === 'NoSuchBucket') return;
    throw err;
  }
}

/** Runs a delete that may find its target already gone (a resumed teardown). */
async function ignoreMissing(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!/NotFound|InvalidAMIID|InvalidSnapshot/.test((err as Error).name)) throw err;
  }
}
