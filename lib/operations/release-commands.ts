import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rollbackRecord, type ReleaseRecord, type ReleaseState } from '../../lambda/parameter-prep/state';
import { amiRejection } from '../../lambda/parameter-prep/verify-ami';
import type { GoldenAmiConfig } from '../config/model';
import { imageBuilderName, imageParameterNames } from '../naming';
import { explainAwsError, OperatorError } from './operator-error';
import { readReleaseRecord } from './release-record';

/** The AWS clients the commands use; tests pass mocks. */
export interface ReleaseClients {
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly codepipeline: CodePipelineClient;
}

export const RELEASE_USAGE = `Usage: npm run release -- <command>
  status [image]            current and previous release of each image (or one)
  rollback <image> [--no-start]
                            make the previous release current again and start the pipeline, whose fleet stage
                            rolls the fleet back; the rollback holds until a new image is built`;

/** Runs one command line; returns what to print. Throws OperatorError for anything the operator can fix. */
export async function runReleaseCommand(args: readonly string[], config: GoldenAmiConfig, clients: ReleaseClients): Promise<string> {
  const [command, ...rest] = args;
  const flags = rest.filter((a) => a.startsWith('--'));
  const positional = rest.filter((a) => !a.startsWith('--'));
  const unknownFlag = flags.find((f) => !(command === 'rollback' && f === '--no-start'));
  if (unknownFlag) throw new OperatorError(`unknown option ${unknownFlag}.\n${RELEASE_USAGE}`);
  try {
    switch (command) {
      case 'status':
        if (positional.length > 1) throw new OperatorError(`status takes at most one image.\n${RELEASE_USAGE}`);
        return await status(config, clients, positional[0]);
      case 'rollback':
        if (positional.length !== 1) throw new OperatorError(`rollback takes exactly one image.\n${RELEASE_USAGE}`);
        return await rollback(config, clients, positional[0], !flags.includes('--no-start'));
      default:
        throw new OperatorError(`${command === undefined ? 'no command given' : `unknown command ${command}`}.\n${RELEASE_USAGE}`);
    }
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

async function rollback(config: GoldenAmiConfig, clients: ReleaseClients, name: string, start: boolean): Promise<string> {
  const image = imageNamed(config, name);
  const names = imageParameterNames(config.name, image);
  const current = await readReleaseRecord(clients.ssm, names.release);
  if (!current) throw new OperatorError(`${image} has not been released yet, so there is nothing to roll back`);
  let next: ReleaseState;
  try {
    next = rollbackRecord(current, new Date());
  } catch (err) {
    throw new OperatorError(`${image}: ${(err as Error).message}`);
  }
  // The previous AMI must still be there: rolling a fleet onto a deregistered image would break it.
  const described = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [next.amiId] })).catch((err: Error) => {
    if (/^InvalidAMIID\./.test(err.name)) return { Images: [] };
    throw err;
  });
  const rejection = amiRejection(described.Images?.[0], { amiId: next.amiId, version: next.version, recipeName: imageBuilderName(config.name, image) });
  if (rejection) throw new OperatorError(`${image}: cannot roll back: ${rejection}`);

  await clients.ssm.send(new PutParameterCommand({ Name: names.release, Value: JSON.stringify(next), Type: 'String', Overwrite: true }));
  await clients.ssm.send(new PutParameterCommand({ Name: names.releaseAmi, Value: next.amiId, Type: 'String', Overwrite: true, DataType: 'aws:ec2:image' }));
  const lines = [`${image}: release is now ${describe(next)}; was ${current.amiId} (version ${current.version}).`];
  if (start) {
    const execution = await clients.codepipeline.send(new StartPipelineExecutionCommand({ name: config.name }));
    lines.push(`Started pipeline ${config.name} (execution ${execution.pipelineExecutionId}); its Fleet-${image} stage rolls the fleet back.`);
  } else {
    lines.push(`The fleet changes on the next pipeline run: aws codepipeline start-pipeline-execution --name ${config.name}`);
  }
  return lines.join('\n');
}
