import { parseArgs } from 'node:util';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { advanceCleanup, CleanupFailure, existingParameters, observeStack } from '../../lambda/cleanup/engine';
import type { CleanupScope } from '../../lambda/cleanup/scope';
import type { EnvironmentConfig, GoldenAmiConfig } from '../config/model';
import { environmentStackName, fleetStackName, imageParameterNames } from '../naming';
import { requireEnvironmentAccount } from './environment-option';
import { explainAwsError, OperatorError } from './operator-error';
import { imagesWithParameters, type StackFound, taggedBuckets, type TeardownIo, withRoleHint } from './teardown';

/** The AWS clients of an environment's teardown, in its account and region; tests pass mocks. */
export interface EnvironmentTeardownClients {
  readonly sts: STSClient;
  readonly cloudformation: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  /** Not used (an environment holds no AMI of its own: they are the pipeline account's), but the engine takes it. */
  ec2(region: string): EC2Client;
  ssmIn(region: string): SSMClient;
}

/** What an environment's teardown would delete, found in its account by exact name or tag. */
export interface EnvironmentTeardownPlan {
  readonly environment: EnvironmentConfig;
  readonly scope: CleanupScope;
  readonly fleetStacks: readonly StackFound[];
  /** Deleted after the fleet stacks: it holds their deploy, execution and clean-up roles. */
  readonly environmentStack?: StackFound;
  /** Stacks with a name of this pipeline that another pipeline (or nobody) describes: listed, never deleted. */
  readonly foreignStacks: readonly StackFound[];
  /** The release records the promote steps wrote (no stack owns them). */
  readonly parameters: readonly string[];
  /** The load balancers' access-log bucket, which the environment stack retains; found by its golden-ami:pipeline tag. */
  readonly buckets: readonly string[];
}

/**
 * `npm run teardown -- --environment <name>`: with the environment account's credentials, removes what the pipeline
 * made there, each selected by exact name (stacks also by the pipeline their description names) or by tag: the fleet
 * stacks, then the environment stack (their roles are in it), then the release records and the log bucket. The same
 * --dry-run / --yes flow as the pipeline's teardown; run it again after a failure and it resumes.
 */
export async function runEnvironmentTeardown(
  args: readonly string[],
  config: GoldenAmiConfig,
  environment: EnvironmentConfig,
  clients: EnvironmentTeardownClients,
  io: TeardownIo,
  commandLine: string,
): Promise<string> {
  let flags;
  try {
    flags = parseArgs({ args: [...args], options: { 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, 'role-arn': { type: 'string' } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new OperatorError(`${(err as Error).message} (with --environment).\nUsage: npm run teardown -- --environment <name> [--dry-run] [--yes] [--role-arn <arn>]`);
  }
  const roleArn = flags['role-arn'];
  if (roleArn !== undefined && !new RegExp(`^arn:aws[a-z-]*:iam::${environment.account}:role/.+$`).test(roleArn)) {
    throw new OperatorError(
      `--role-arn must be an IAM role ARN of environment ${environment.name}'s account ${environment.account} (got ${roleArn}). Fix: e.g. arn:aws:iam::${environment.account}:role/cdk-hnb659fds-cfn-exec-role-${environment.account}-${environment.region}`,
    );
  }
  try {
    await requireEnvironmentAccount({ environment, sts: clients.sts, commandLine });
    const plan = await planEnvironmentTeardown(config, environment, clients);
    io.log(describeEnvironmentPlan(config.name, plan));
    if (plan.fleetStacks.length === 0 && !plan.environmentStack && plan.parameters.length === 0 && plan.buckets.length === 0) return 'Nothing to delete.';
    if (flags['dry-run']) return 'Dry run: nothing was deleted.';
    if (!flags.yes) {
      const answer = await io.ask(`Type the environment name (${environment.name}) to delete all of the above: `);
      if (answer.trim() !== environment.name) return 'Not confirmed: nothing was deleted.';
    }
    const run = { startedAt: new Date(), log: io.log, stackRoleArn: roleArn };
    const deadline = Date.now() + (io.timeoutMs ?? 7_200_000);
    for (;;) {
      const progress = await advanceCleanup(plan.scope, clients, run);
      if (progress.done) break;
      if (Date.now() > deadline) throw new OperatorError(`still waiting for ${progress.waitingFor.join(', ')}; run teardown again later (it resumes where it stopped)`);
      await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 10_000));
    }
    return `Deleted environment ${environment.name} of pipeline ${config.name} (account ${environment.account}, ${environment.region}).`;
  } catch (err) {
    if (err instanceof CleanupFailure) throw new OperatorError(withRoleHint(err.message));
    throw explainAwsError(err);
  }
}

export async function planEnvironmentTeardown(config: GoldenAmiConfig, environment: EnvironmentConfig, clients: EnvironmentTeardownClients): Promise<EnvironmentTeardownPlan> {
  const name = config.name;
  // The configured images with a fleet, and any image whose release records the promote steps left here (an image
  // removed from the configuration): a stack that does not exist is skipped.
  const fleetImages = config.images.filter((i) => i.fleetIn[environment.name] !== undefined).map((i) => i.name);
  const images = [...new Set([...fleetImages, ...(await imagesWithParameters(name, clients.ssm))])].sort();
  const found: StackFound[] = [];
  for (const stackName of [...images.map((image) => fleetStackName(name, image)), environmentStackName(name, environment.name)]) {
    const stack = await observeStack(stackName, clients.cloudformation);
    if (stack) found.push({ name: stackName, status: stack.status, owner: stack.owner });
  }
  const ours = found.filter((s) => s.owner === name);
  const environmentStack = ours.find((s) => s.name === environmentStackName(name, environment.name));
  const fleetStacks = ours.filter((s) => s !== environmentStack);
  const parameters = await existingParameters(images.flatMap((image) => [imageParameterNames(name, image).release, imageParameterNames(name, image).releaseAmi]), clients.ssm);
  // An environment is an account of its own, which no other environment of this pipeline shares (the configuration
  // checks it): the buckets tagged with the pipeline there are the environment stack's.
  const buckets = await taggedBuckets(name, clients.tagging);
  return {
    environment,
    scope: {
      pipelineName: name,
      fleetStacks: fleetStacks.map((s) => s.name),
      environmentStack: environmentStack?.name,
      imageStacks: [],
      parameters,
      buckets,
      sharedAmis: config.operations.onDestroy.sharedAmis,
    },
    fleetStacks,
    environmentStack,
    foreignStacks: found.filter((s) => s.owner !== name),
    parameters,
    buckets,
  };
}

export function describeEnvironmentPlan(pipelineName: string, plan: EnvironmentTeardownPlan): string {
  const list = (title: string, items: readonly string[]) => (items.length === 0 ? [`${title}: none`] : [`${title}:`, ...items.map((i) => `  - ${i}`)]);
  const stack = (s: StackFound) => `${s.name} (${s.status})`;
  const { environment } = plan;
  return [
    `Teardown of environment ${environment.name} of pipeline ${pipelineName} (account ${environment.account}, region ${environment.region})`,
    ...list('1. fleet stacks', plan.fleetStacks.map(stack)),
    ...list("2. environment stack (the fleet stacks' roles, capacity and network parameters; after them)", plan.environmentStack ? [stack(plan.environmentStack)] : []),
    ...list('3. release records (written by the promote steps)', plan.parameters),
    ...list('4. buckets (load balancer access logs, emptied, every version)', plan.buckets),
    ...(plan.foreignStacks.length > 0 ? list('Not touched (another owner)', plan.foreignStacks.map((s) => `${s.name}: described as ${s.owner ? `pipeline ${s.owner}` : 'no golden-ami pipeline'}`)) : []),
    `Not touched: the VPC and subnets (the environment's own), the AMIs (the pipeline account's: its teardown removes them).`,
  ].join('\n');
}
