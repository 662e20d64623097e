import { parseArgs } from 'node:util';
import { type CloudFormationClient, DeleteStackCommand, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { type CodeCommitClient, DeleteRepositoryCommand, GetRepositoryCommand } from '@aws-sdk/client-codecommit';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import { paginateGetParametersByPath, type SSMClient } from '@aws-sdk/client-ssm';
import { advanceCleanup, amisOf, CleanupFailure, existingParameters, isMissingStack, observeStack, snapshotsOf } from '../../lambda/cleanup/engine';
import type { CleanupScope } from '../../lambda/cleanup/scope';
import type { EnvironmentConfig, GoldenAmiConfig } from '../config/model';
import { amiKeyStackName, CLEANUP_LOGICAL_ID, egressStackName, fleetStackName, imageParameterNames, imageStackName, PIPELINE_TAG_KEY, pipelineStackName, ssmRoot } from '../naming';
import { shellArgument } from './environment-option';
import { explainAwsError, OperatorError } from './operator-error';

/**
 * The AWS clients teardown uses; tests pass mocks. EC2 and SSM are also per region: AMIs, and the distribution
 * parameters Image Builder writes, are in every distribution region.
 */
export interface TeardownClients {
  readonly cloudformation: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly codecommit: CodeCommitClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  ec2(region: string): EC2Client;
  ssmIn(region: string): SSMClient;
  /** CloudFormation in one region: the AMI key stacks are in each environment region. */
  cloudformationIn(region: string): CloudFormationClient;
}

/** How teardown talks to the operator and how long it waits. */
export interface TeardownIo {
  /** Asks a question and returns the answer (only called without --yes). */
  readonly ask: (question: string) => Promise<string>;
  readonly log: (line: string) => void;
  /** @default 10000 */
  readonly pollMs?: number;
  /** @default 7200000 (the pipeline stack's clean-up may take an hour, and the rest resumes after it) */
  readonly timeoutMs?: number;
}

/** Everything teardown would delete, found in the account by exact name or tag (nothing is assumed to exist). */
export interface TeardownPlan {
  readonly region: string;
  /** What the clean-up engine removes, as it would be called. */
  readonly scope: CleanupScope;
  readonly fleetStacks: readonly StackFound[];
  /** The egress stack (network.egress on-demand), when it exists: deleted after the fleet stacks. */
  readonly egressStack?: StackFound;
  readonly imageStacks: readonly StackFound[];
  /** Stacks with a name of this pipeline that another pipeline (or nobody) describes: listed, never deleted. */
  readonly foreignStacks: readonly StackFound[];
  readonly amis: ReadonlyArray<{ readonly region: string; readonly id: string; readonly name: string; readonly snapshots: readonly string[]; readonly shared: boolean }>;
  /** Snapshots tagged with the pipeline whose AMI is already gone. */
  readonly snapshots: ReadonlyArray<{ readonly region: string; readonly id: string }>;
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly unconfigured: boolean }>;
  /** The distribution parameters (distribution.ssmParameter) of the configured images that exist, by exact name and region. */
  readonly distributionParameters: ReadonlyArray<{ readonly region: string; readonly name: string; readonly image: string }>;
  readonly pipelineStack?: StackFound & { readonly hasCleanup: boolean };
  readonly buckets: readonly string[];
  /** The CodeCommit repository the pipeline stack created, when it exists. */
  readonly repository?: string;
  readonly deleteRepository: boolean;
  /**
   * The AMI key stack of each environment region (in the pipeline's account), when it exists; `kept` while
   * operations.onDestroy.sharedAmis is keep: the AMIs shared with the environments are launchable only with its key.
   */
  readonly amiKeyStacks: ReadonlyArray<StackFound & { readonly region: string; readonly kept: boolean }>;
  /** The environments, each torn down with its own account's credentials (`npm run teardown -- --environment <name>`). */
  readonly environments: readonly EnvironmentConfig[];
  /** The configuration option to repeat in the printed commands. */
  readonly configOption: readonly string[];
}

export interface StackFound {
  readonly name: string;
  /** Set for a stack outside the pipeline's region. */
  readonly region?: string;
  readonly status: string;
  readonly owner?: string;
  /** Of an image no longer in the configuration: cdk destroy does not know it, teardown removes it. */
  readonly unconfigured?: boolean;
}

export const TEARDOWN_USAGE = `Usage: npm run teardown -- [--dry-run] [--yes] [--delete-repository] [--role-arn <arn>]
       npm run teardown -- --environment <name> [--dry-run] [--yes] [--role-arn <arn>]
  Removes what the pipeline created, as \`cdk destroy\` of the pipeline stack does, and repairs what a partial run
  left: the fleet stacks, the egress stack, the image stacks (also of images removed from the configuration), the
  AMIs and snapshots tagged with the pipeline in every distribution region, the distribution parameters
  (distribution.ssmParameter) of the configured images in each of their regions, the image parameters, the pipeline
  stack and its buckets; with environments configured, also the AMI key stack of each environment region (kept while
  operations.onDestroy.sharedAmis is keep).
  With --environment, run with that environment account's credentials: removes that environment's fleet stacks, then
  its environment stack, its release records and its load balancer log bucket.
  Lists everything first and asks for the pipeline (or environment) name.
  --dry-run             list only
  --yes                 do not ask (for scripts)
  --delete-repository   also delete the CodeCommit repository the pipeline stack created (kept by default)
  --role-arn <arn>      delete stage stacks with this role (for a stack whose own execution role is gone)
  --environment <name>  tear down that environment (in its account and region) instead of the pipeline
  --help                this text`;

/**
 * Runs teardown of the pipeline's account with command-line flags; returns the last line to print. `configOption` is
 * repeated in the commands it prints for the environments.
 */
export async function runTeardown(args: readonly string[], config: GoldenAmiConfig, region: string, clients: TeardownClients, io: TeardownIo, configOption: readonly string[] = []): Promise<string> {
  let flags;
  try {
    flags = parseArgs({
      args: [...args],
      options: { 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, 'delete-repository': { type: 'boolean' }, 'role-arn': { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new OperatorError(`${(err as Error).message}.\n${TEARDOWN_USAGE}`);
  }
  if (flags.help) return TEARDOWN_USAGE;
  const roleArn = flags['role-arn'];
  if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw new OperatorError(`--role-arn must be an IAM role ARN (got ${roleArn}). Fix: give a role CloudFormation can assume, e.g. arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-${region}`);
  }
  try {
    const plan = await planTeardown(config, region, clients, flags['delete-repository'] ?? false, configOption);
    io.log(describePlan(config.name, plan));
    if (isEmpty(plan)) return 'Nothing to delete.';
    if (flags['dry-run']) return 'Dry run: nothing was deleted.';
    if (!flags.yes) {
      const answer = await io.ask(`Type the pipeline name (${config.name}) to delete all of the above: `);
      if (answer.trim() !== config.name) return 'Not confirmed: nothing was deleted.';
    }
    await executeTeardown(plan, clients, io, roleArn);
    const kept = plan.amis.filter((a) => a.shared).length;
    const keptKeys = plan.amiKeyStacks.filter((k) => k.kept);
    return [
      `Deleted pipeline ${config.name}.`,
      kept > 0 ? `Kept ${kept} shared AMI(s) (operations.onDestroy.sharedAmis is keep).` : '',
      keptKeys.length > 0 ? `Kept AMI key stack ${amiKeyStackName(config.name)} in ${keptKeys.map((k) => k.region).join(', ')}: the AMIs shared with the environments are launchable only with its key (operations.onDestroy.sharedAmis is keep).` : '',
      plan.repository && !plan.deleteRepository ? `Kept repository ${plan.repository} (delete it with --delete-repository).` : '',
      plan.environments.length > 0 ? `The environments are not torn down by this: run ${environmentTeardownCommands(plan).map((c) => `\`${c}\``).join(', ')}, each with that account's credentials.` : '',
    ].filter(Boolean).join(' ');
  } catch (err) {
    if (err instanceof CleanupFailure) throw new OperatorError(withRoleHint(err.message));
    throw explainAwsError(err);
  }
}

/** A stack whose execution role is gone can only be deleted with another role. */
export function withRoleHint(message: string): string {
  return /invalid or cannot be assumed/.test(message) ? `${message}. Its execution role no longer exists: run teardown again with --role-arn <a role CloudFormation can assume that may delete the stack's resources>` : message;
}

export async function planTeardown(config: GoldenAmiConfig, region: string, clients: TeardownClients, deleteRepository: boolean, configOption: readonly string[] = []): Promise<TeardownPlan> {
  const name = config.name;
  const configured = new Set(config.images.map((i) => i.name));
  const images = [...new Set([...config.images.map((i) => i.name), ...(await imagesWithParameters(name, clients.ssm))])].sort();
  const regions = [...new Set([region, ...config.images.flatMap((i) => i.distribution.regions)])].sort();
  const buckets = await taggedBuckets(name, clients.tagging);
  const scope: CleanupScope = {
    pipelineName: name,
    // Every image the pipeline knows of, configured or left with parameters: a stack that does not exist is skipped.
    fleetStacks: images.map((image) => fleetStackName(name, image)),
    // Whatever the configuration says now: a pipeline that had egress on demand before keeps the stack until it goes.
    egressStack: egressStackName(name),
    imageStacks: images.map((image) => imageStackName(name, image)),
    amis: { regions },
    parameters: images.flatMap((image) => Object.values(imageParameterNames(name, image))),
    // Only the configured images': the name of an image removed from the configuration is not recorded anywhere.
    distributionParameters: distributionParametersOf(config, region),
    buckets,
    sharedAmis: config.operations.onDestroy.sharedAmis,
  };

  const stacks = async (names: readonly string[], imageOf: (stackName: string) => string | undefined = () => undefined) => {
    const found: StackFound[] = [];
    for (const stackName of names) {
      const stack = await observeStack(stackName, clients.cloudformation);
      const image = imageOf(stackName);
      if (stack) found.push({ name: stackName, status: stack.status, owner: stack.owner, unconfigured: image !== undefined && !configured.has(image) });
    }
    return found;
  };
  const imageOfStack = (stackName: string) => images.find((image) => stackName === fleetStackName(name, image) || stackName === imageStackName(name, image));
  const ours = (s: StackFound) => s.owner === name;
  const fleetStacks = await stacks(scope.fleetStacks, imageOfStack);
  const egressStacks = await stacks([egressStackName(name)]);
  const imageStacks = await stacks(scope.imageStacks, imageOfStack);
  const [pipelineStack] = await stacks([pipelineStackName(name)]);
  // The AMI key stacks are deployed by the pipeline (its Environments wave), not by the pipeline stack: cdk destroy
  // leaves them. One per environment region, of the same name, checked against its description like every stack.
  const amiKeyStacks: Array<StackFound & { region: string }> = [];
  for (const keyRegion of [...new Set(config.environments.map((e) => e.region))].sort()) {
    const stack = await observeStack(amiKeyStackName(name), clients.cloudformationIn(keyRegion));
    if (stack) amiKeyStacks.push({ name: amiKeyStackName(name), region: keyRegion, status: stack.status, owner: stack.owner });
  }

  const amis: Array<TeardownPlan['amis'][number]> = [];
  const snapshots: Array<TeardownPlan['snapshots'][number]> = [];
  for (const amiRegion of regions) {
    const ec2 = clients.ec2(amiRegion);
    const found = await amisOf(ec2, scope);
    amis.push(...found.map((a) => ({ region: amiRegion, id: a.id, name: a.name, snapshots: a.snapshots, shared: a.shared })));
    const inUse = new Set(found.flatMap((a) => a.snapshots));
    snapshots.push(...(await snapshotsOf(ec2, scope)).filter((id) => !inUse.has(id)).map((id) => ({ region: amiRegion, id })));
  }

  const distributionParameters: Array<TeardownPlan['distributionParameters'][number]> = [];
  for (const { region: parameterRegion, names } of scope.distributionParameters ?? []) {
    for (const parameter of await existingParameters(names, clients.ssmIn(parameterRegion))) {
      const image = config.images.find((i) => i.distribution.ssmParameter === parameter)!.name;
      distributionParameters.push({ region: parameterRegion, name: parameter, image });
    }
  }

  return {
    region,
    scope,
    fleetStacks: fleetStacks.filter(ours),
    egressStack: egressStacks.find(ours),
    imageStacks: imageStacks.filter(ours),
    foreignStacks: [...fleetStacks, ...egressStacks, ...imageStacks, ...(pipelineStack ? [pipelineStack] : []), ...amiKeyStacks].filter((s) => !ours(s)),
    amis,
    snapshots,
    parameters: (await existingParameters(scope.parameters, clients.ssm)).map((parameter) => ({
      name: parameter,
      unconfigured: !images.some((image) => configured.has(image) && Object.values(imageParameterNames(name, image)).includes(parameter)),
    })),
    distributionParameters,
    pipelineStack: pipelineStack && ours(pipelineStack) ? { ...pipelineStack, hasCleanup: await hasCleanupResource(pipelineStack.name, clients.cloudformation) } : undefined,
    buckets,
    repository: await createdRepository(config, clients.codecommit),
    deleteRepository,
    amiKeyStacks: amiKeyStacks.filter(ours).map((s) => ({ ...s, kept: config.operations.onDestroy.sharedAmis === 'keep' })),
    environments: config.environments,
    configOption,
  };
}

/** The command that tears down each environment, to run with that environment account's credentials. */
export function environmentTeardownCommands(plan: Pick<TeardownPlan, 'environments' | 'configOption'>): string[] {
  return plan.environments.map((e) => ['AWS_PROFILE=<a profile of account ' + e.account + '>', 'npm run teardown --', '--environment', e.name, ...plan.configOption.map(shellArgument)].join(' '));
}

/**
 * Images the pipeline kept parameters for, read from the parameter hierarchy /golden-ami/<pipeline>/images/<image>/…:
 * images removed from the configuration are found too. Segments are compared whole, so pipeline "golden-ami" never
 * sees the parameters of "golden-ami-image-factory".
 */
export async function imagesWithParameters(pipelineName: string, ssm: SSMClient): Promise<string[]> {
  const root = `${ssmRoot(pipelineName)}/images`;
  const images = new Set<string>();
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: root, Recursive: true })) {
    for (const parameter of page.Parameters ?? []) {
      const rest = parameter.Name!.startsWith(`${root}/`) ? parameter.Name!.slice(root.length + 1).split('/') : [];
      if (rest.length === 2 && rest[0]) images.add(rest[0]);
    }
  }
  return [...images];
}

/** Each configured image's distribution.ssmParameter in each region Image Builder writes it to: the pipeline's and its distribution regions. */
function distributionParametersOf(config: GoldenAmiConfig, region: string): CleanupScope['distributionParameters'] {
  const byRegion = new Map<string, Set<string>>();
  for (const image of config.images) {
    const parameter = image.distribution.ssmParameter;
    if (!parameter) continue;
    for (const r of new Set([region, ...image.distribution.regions])) byRegion.set(r, (byRegion.get(r) ?? new Set()).add(parameter));
  }
  const grouped = [...byRegion.keys()].sort().map((r) => ({ region: r, names: [...byRegion.get(r)!].sort() }));
  return grouped.length > 0 ? grouped : undefined;
}

/** The pipeline's buckets by their golden-ami:pipeline tag, found with or without the pipeline stack. */
export async function taggedBuckets(pipelineName: string, tagging: ResourceGroupsTaggingAPIClient): Promise<string[]> {
  const buckets: string[] = [];
  for await (const page of paginateGetResources({ client: tagging }, { ResourceTypeFilters: ['s3:bucket'], TagFilters: [{ Key: PIPELINE_TAG_KEY, Values: [pipelineName] }] })) {
    // arn:aws:s3:::<bucket>
    buckets.push(...(page.ResourceTagMappingList ?? []).map((m) => m.ResourceARN!.split(':::')[1]).filter(Boolean));
  }
  return buckets.sort();
}

/** Whether the pipeline stack carries the Cleanup resource (stacks deployed by earlier versions do not). */
async function hasCleanupResource(stackName: string, cloudformation: CloudFormationClient): Promise<boolean> {
  try {
    await cloudformation.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: CLEANUP_LOGICAL_ID }));
    return true;
  } catch (err) {
    // CloudFormation answers a ValidationError "Resource Cleanup does not exist for stack …".
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) return false;
    throw err;
  }
}

/**
 * The repository the pipeline stack created, found by its name. GetRepository is asked first because CodeCommit's
 * DeleteRepository answers success, with no repository id, for a name that does not exist.
 * https://docs.aws.amazon.com/codecommit/latest/APIReference/API_DeleteRepository.html
 */
async function createdRepository(config: GoldenAmiConfig, codecommit: CodeCommitClient): Promise<string | undefined> {
  if (config.source.provider !== 'codecommit' || !config.source.createRepository) return undefined;
  try {
    const out = await codecommit.send(new GetRepositoryCommand({ repositoryName: config.source.repository }));
    return out.repositoryMetadata?.repositoryName;
  } catch (err) {
    if ((err as Error).name === 'RepositoryDoesNotExistException') return undefined;
    throw err;
  }
}

function isEmpty(plan: TeardownPlan): boolean {
  return (
    !plan.pipelineStack &&
    !plan.egressStack &&
    [plan.fleetStacks, plan.imageStacks, plan.amis.filter((a) => !a.shared), plan.snapshots, plan.distributionParameters, plan.parameters, plan.buckets, plan.amiKeyStacks.filter((k) => !k.kept)].every((l) => l.length === 0) &&
    !(plan.repository && plan.deleteRepository)
  );
}

export function describePlan(pipelineName: string, plan: TeardownPlan): string {
  const list = (title: string, items: readonly string[]) => (items.length === 0 ? [`${title}: none`] : [`${title}:`, ...items.map((i) => `  - ${i}`)]);
  const unconfigured = ' [image no longer configured: teardown only, cdk destroy leaves it]';
  const stack = (s: StackFound) => `${s.name}${s.region ? ` in ${s.region}` : ''} (${s.status})${s.unconfigured ? unconfigured : ''}`;
  return [
    `Teardown of pipeline ${pipelineName} (region ${plan.region}; AMIs in ${plan.scope.amis?.regions.join(', ')})`,
    ...list('1. fleet stacks', plan.fleetStacks.map(stack)),
    ...list('2. egress stack (NAT gateways)', plan.egressStack ? [stack(plan.egressStack)] : []),
    ...list('3. image stacks', plan.imageStacks.map(stack)),
    ...list(
      '4. AMIs and their snapshots',
      plan.amis.map((a) => `${a.id} ${a.name} in ${a.region} (${a.snapshots.join(', ') || 'no snapshot'})${a.shared ? ' KEPT: shared with other accounts (operations.onDestroy.sharedAmis: keep)' : ''}`),
    ),
    ...list('5. snapshots whose AMI is gone', plan.snapshots.map((s) => `${s.id} in ${s.region}`)),
    ...list('6. SSM parameters', [
      ...plan.distributionParameters.map((p) => `${p.name} in ${p.region} (distribution.ssmParameter of ${p.image})`),
      ...plan.parameters.map((p) => `${p.name}${p.unconfigured ? unconfigured : ''}`),
    ]),
    ...list('7. pipeline stack', plan.pipelineStack ? [stack(plan.pipelineStack)] : []),
    ...list('8. buckets (emptied, every version)', plan.buckets),
    plan.repository ? `9. repository ${plan.repository}: ${plan.deleteRepository ? 'DELETED' : 'kept (it holds your code)'}` : '9. repository: none created by the pipeline stack',
    ...(plan.environments.length > 0
      ? list(
          '10. AMI key stacks (one per environment region, after everything above)',
          plan.amiKeyStacks.map((k) => `${stack(k)}${k.kept ? ' KEPT: the AMIs shared with the environments are launchable only with its key (operations.onDestroy.sharedAmis: keep)' : ''}`),
        )
      : []),
    ...(plan.foreignStacks.length > 0 ? list('Not touched (another owner)', plan.foreignStacks.map((s) => `${s.name}${s.region ? ` in ${s.region}` : ''}: described as ${s.owner ? `pipeline ${s.owner}` : 'no golden-ami pipeline'}`)) : []),
    ...(plan.environments.length > 0
      ? [
          `Not torn down here: the environments, each in its own account. Their fleets run this pipeline's AMIs: tear them down first, each with its account's credentials:`,
          ...environmentTeardownCommands(plan).map((c) => `  ${c}`),
        ]
      : []),
  ].join('\n');
}

/**
 * With a pipeline stack that has the Cleanup resource, deleting that stack does the ordered work (as `cdk destroy`
 * does); one from an earlier version is deleted only after its stage stacks, while their execution roles still exist.
 * The engine then removes whatever is left, so a teardown stopped anywhere resumes when run again.
 */
export async function executeTeardown(plan: TeardownPlan, clients: TeardownClients, io: TeardownIo, stackRoleArn?: string): Promise<void> {
  const run = { startedAt: new Date(), log: io.log, stackRoleArn };
  const deadline = Date.now() + (io.timeoutMs ?? 7_200_000);
  const untilDone = async (scope: CleanupScope) => {
    for (;;) {
      const progress = await advanceCleanup(scope, clients, run);
      if (progress.done) return;
      if (Date.now() > deadline) throw new OperatorError(`still waiting for ${progress.waitingFor.join(', ')}; run teardown again later (it resumes where it stopped)`);
      await sleep(io.pollMs ?? 10_000);
    }
  };
  if (plan.pipelineStack && !plan.pipelineStack.hasCleanup) await untilDone({ ...plan.scope, buckets: [] });
  if (plan.pipelineStack) {
    await deleteStack(plan.pipelineStack.name, plan.scope.pipelineName, clients.cloudformation, io, run.startedAt, deadline, '(its Cleanup resource removes the stage stacks, AMIs, snapshots, parameters and buckets first)');
  }
  await untilDone(plan.scope);
  if (plan.repository && plan.deleteRepository) {
    const out = await clients.codecommit.send(new DeleteRepositoryCommand({ repositoryName: plan.repository }));
    io.log(out.repositoryId ? `deleted repository ${plan.repository}` : `repository ${plan.repository} was already gone`);
  }
  // Last: the key of the AMIs promoted to the environments, once those AMIs are gone (deleted as the rest).
  for (const key of plan.amiKeyStacks.filter((k) => !k.kept)) {
    await deleteStack(key.name, plan.scope.pipelineName, clients.cloudformationIn(key.region), io, run.startedAt, deadline, `in ${key.region} (its key is scheduled for deletion)`);
  }
}

/** Deletes one stack (CloudFormation uses the role it was created with) and waits until it is gone. */
async function deleteStack(name: string, pipelineName: string, cloudformation: CloudFormationClient, io: TeardownIo, startedAt: Date, deadline: number, what: string): Promise<void> {
  await cloudformation.send(new DeleteStackCommand({ StackName: name }));
  io.log(`deleting stack ${name} ${what} …`);
  for (;;) {
    const stack = await observeStack(name, cloudformation).catch((err) => {
      if (isMissingStack(err)) return undefined;
      throw err;
    });
    if (!stack || stack.status === 'DELETE_COMPLETE') break;
    if (stack.status === 'DELETE_FAILED' && stack.owner === pipelineName && stack.lastDeleteFailure && stack.lastDeleteFailure.at >= startedAt) {
      throw new CleanupFailure(`stack ${name} could not be deleted: ${stack.lastDeleteFailure.reason}. Fix the cause, then run teardown again (it resumes where it stopped)`);
    }
    if (Date.now() > deadline) throw new OperatorError(`stack ${name} is still ${stack.status}; run teardown again later (it resumes where it stopped)`);
    await sleep(io.pollMs ?? 10_000);
  }
  io.log(`deleted stack ${name}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
