import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rollbackRecord, type ReleaseRecord, type ReleaseState } from '../../lambda/parameter-prep/state';
import { amiRejection } from '../../lambda/parameter-prep/verify-ami';
import type { EnvironmentConfig, GoldenAmiConfig } from '../config/model';
import { imageBuilderName, imageParameterNames } from '../naming';
import { type EnvironmentTarget, requireEnvironmentAccount } from './environment-option';
import { explainAwsError, OperatorError } from './operator-error';
import { readReleaseRecord } from './release-record';

/** The AWS clients the commands use; tests pass mocks. */
export interface ReleaseClients {
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly codepipeline: CodePipelineClient;
}

export const RELEASE_USAGE = `Usage: npm run release -- <command> [--environment <name>]
  status [image]            current and previous release of each image (or one)
  rollback <image> [--no-start]
                            make the previous release current again and start the pipeline, whose fleet stage
                            rolls the fleet back; the rollback holds until a new image is built
  --environment <name>      the environment whose releases to show or roll back (run with that environment
                            account's credentials); required for rollback when pipeline.yaml configures
                            environments. Without it, status shows the pipeline account's releases, which the
                            environments are promoted from`;

/** Whether a release command line needs --environment when environments are configured: rollback does. */
export function releaseNeedsEnvironment(args: readonly string[]): boolean {
  return args[0] === 'rollback';
}

/**
 * Runs one command line; returns what to print. Throws OperatorError for anything the operator can fix. With a
 * target, the command reads and writes that environment's release records (the clients must be in its region) after
 * checking that the credentials are its account's.
 */
export async function runReleaseCommand(args: readonly string[], config: GoldenAmiConfig, clients: ReleaseClients, target?: EnvironmentTarget): Promise<string> {
  const [command, ...rest] = args;
  const flags = rest.filter((a) => a.startsWith('--'));
  const positional = rest.filter((a) => !a.startsWith('--'));
  const unknownFlag = flags.find((f) => !(command === 'rollback' && f === '--no-start'));
  if (unknownFlag) throw new OperatorError(`unknown option ${unknownFlag}.\n${RELEASE_USAGE}`);
  const environment = target?.environment;
  try {
    let action: () => Promise<string>;
    switch (command) {
      case 'status': {
        if (positional.length > 1) throw new OperatorError(`status takes at most one image.\n${RELEASE_USAGE}`);
        const only = positional[0] === undefined ? undefined : imageNamed(config, positional[0]);
        action = () => status(config, clients, only);
        break;
      }
      case 'rollback': {
        if (positional.length !== 1) throw new OperatorError(`rollback takes exactly one image.\n${RELEASE_USAGE}`);
        const image = imageNamed(config, positional[0]);
        action = environment ? () => rollbackInEnvironment(config, environment, clients, image) : () => rollback(config, clients, image, !flags.includes('--no-start'));
        break;
      }
      default:
        throw new OperatorError(`${command === undefined ? 'no command given' : `unknown command ${command}`}.\n${RELEASE_USAGE}`);
    }
    if (target) await requireEnvironmentAccount(target);
    const out = await action();
    return environment ? `environment ${environment.name} (account ${environment.account}, ${environment.region}):\n${out}` : out;
  } catch (err) {
    throw explainAwsError(err);
  }
}

function imageNamed(config: GoldenAmiConfig, name: string): string {
  if (!config.images.some((i) => i.name === name)) {
    throw new OperatorError(`unknown image ${name}. Fix: use one of ${config.images.map((i) => i.name).join(', ')}`);
  }
  return name;
}


function describe(record: ReleaseRecord): string {
  const commit = record.commitId ? `, commit ${record.commitId.slice(0, 12)}` : '';
  return `${record.amiId} (version ${record.version}${commit}, released ${record.releasedAt})`;
}

async function status(config: GoldenAmiConfig, { ssm }: ReleaseClients, only?: string): Promise<string> {
  const names = only ? [imageNamed(config, only)] : config.images.map((i) => i.name);
  const lines: string[] = [];
  for (const image of names) {
    const release = await readReleaseRecord(ssm, imageParameterNames(config.name, image).release);
    if (!release) {
      lines.push(`${image}: not released yet`);
      continue;
    }
    lines.push(`${image}: ${describe(release)}${release.rolledBackFrom ? ` (rolled back from ${release.rolledBackFrom})` : ''}`);
    lines.push(`  previous: ${release.previous ? describe(release.previous) : 'none'}`);
  }
  return lines.join('\n');
}

/** The rolled-back record of an image, or why there is none: the release record as it is now, and the next one. */
async function rollbackOf(config: GoldenAmiConfig, { ssm }: ReleaseClients, image: string): Promise<{ current: ReleaseState; next: ReleaseState }> {
  const current = await readReleaseRecord(ssm, imageParameterNames(config.name, image).release);
  if (!current) throw new OperatorError(`${image} has not been released yet, so there is nothing to roll back`);
  try {
    return { current, next: rollbackRecord(current, new Date()) };
  } catch (err) {
    throw new OperatorError(`${image}: ${(err as Error).message}`);
  }
}

/** The AMI as this account sees it, or undefined when it does not exist (or is not visible to it). */
async function describeAmi(ec2: EC2Client, amiId: string) {
  const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [amiId] })).catch((err: Error) => {
    if (/^InvalidAMIID\./.test(err.name)) return { Images: [] };
    throw err;
  });
  return described.Images?.[0];
}

/** Writes the rolled-back record and released AMI, as the release step would. */
async function recordRollback(config: GoldenAmiConfig, { ssm }: ReleaseClients, image: string, next: ReleaseState): Promise<void> {
  const names = imageParameterNames(config.name, image);
  await ssm.send(new PutParameterCommand({ Name: names.release, Value: JSON.stringify(next), Type: 'String', Overwrite: true }));
  await ssm.send(new PutParameterCommand({ Name: names.releaseAmi, Value: next.amiId, Type: 'String', Overwrite: true, DataType: 'aws:ec2:image' }));
}

async function rollback(config: GoldenAmiConfig, clients: ReleaseClients, image: string, start: boolean): Promise<string> {
  const { current, next } = await rollbackOf(config, clients, image);
  // The previous AMI must still be there: rolling a fleet onto a deregistered image would break it.
  const rejection = amiRejection(await describeAmi(clients.ec2, next.amiId), { amiId: next.amiId, version: next.version, recipeName: imageBuilderName(config.name, image) });
  if (rejection) throw new OperatorError(`${image}: cannot roll back: ${rejection}`);

  await recordRollback(config, clients, image, next);
  const lines = [`${image}: release is now ${describe(next)}; was ${current.amiId} (version ${current.version}).`];
  if (start) {
    const execution = await clients.codepipeline.send(new StartPipelineExecutionCommand({ name: config.name }));
    lines.push(`Started pipeline ${config.name} (execution ${execution.pipelineExecutionId}); its Fleet-${image} stage rolls the fleet back.`);
  } else {
    lines.push(`The fleet changes on the next pipeline run: aws codepipeline start-pipeline-execution --name ${config.name}`);
  }
  return lines.join('\n');
}

/**
 * Why an environment must not be rolled back onto this AMI, or undefined. The environment sees the pipeline account's
 * AMI only because it is shared with it, and the tags of a shared AMI (Image Builder's build ARN among them) are
 * visible to its owner alone: what the environment can check is that the AMI still exists, is available, and is owned
 * by the pipeline's account.
 */
export function sharedAmiRejection(ami: { readonly ImageId?: string; readonly State?: string; readonly OwnerId?: string } | undefined, expected: { readonly amiId: string; readonly environment: EnvironmentConfig; readonly pipelineAccount?: string }): string | undefined {
  const { amiId, environment, pipelineAccount } = expected;
  if (!ami) return `AMI ${amiId} does not exist in ${environment.region}, or is no longer shared with account ${environment.account}: a fleet cannot be rolled back onto it`;
  if (ami.State !== 'available') return `AMI ${amiId} is ${ami.State ?? 'in an unknown state'}, not available: a fleet cannot be rolled back onto it`;
  if (pipelineAccount !== undefined && ami.OwnerId !== pipelineAccount) {
    return `AMI ${amiId} is owned by account ${ami.OwnerId ?? '(unknown)'}, not by the pipeline's account ${pipelineAccount}; refusing to roll back onto an image this pipeline did not build`;
  }
  return undefined;
}

/**
 * An environment's rollback: the same record as in the pipeline's account, written in the environment's. The pipeline
 * cannot be started from here (it is the pipeline account's), and nothing else applies the record: the fleet stack
 * reads the released AMI only when a change set is created. The next pipeline run does it: the environment's promote
 * step keeps an operator's rollback (it does not promote the AMI rolled back from again), and the environment's fleet
 * change set then resolves the rolled-back AMI.
 */
async function rollbackInEnvironment(config: GoldenAmiConfig, environment: EnvironmentConfig, clients: ReleaseClients, image: string): Promise<string> {
  const { current, next } = await rollbackOf(config, clients, image);
  const rejection = sharedAmiRejection(await describeAmi(clients.ec2, next.amiId), { amiId: next.amiId, environment, pipelineAccount: config.account });
  if (rejection) throw new OperatorError(`${image}: cannot roll back: ${rejection}`);
  await recordRollback(config, clients, image, next);
  const pipelineAccount = config.account ?? "the pipeline's account";
  const region = config.region ? ` --region ${config.region}` : '';
  return [
    `${image}: ${environment.name}'s release is now ${describe(next)}; was ${current.amiId} (version ${current.version}).`,
    `The fleet changes on the next pipeline run: its Promote-${environment.name}-${image} step keeps this rollback (it does not promote ${current.amiId} again) ` +
      `and the Fleet-${environment.name}-${image} change set rolls the fleet onto ${next.amiId}${environment.approval ? `, after someone approves Approve-${environment.name}` : ''}. ` +
      `The rollback holds until a new image is built.`,
    `Start the run with the pipeline account's credentials: AWS_PROFILE=<a profile of account ${pipelineAccount}> aws codepipeline start-pipeline-execution --name ${config.name}${region}`,
  ].join('\n');
}
