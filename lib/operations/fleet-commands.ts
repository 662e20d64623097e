import { type AutoScalingGroup, AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ReleaseState } from '../../lambda/parameter-prep/state';
import type { EnvironmentConfig, FleetConfig, GoldenAmiConfig, ImageConfig } from '../config/model';
import { egressStackName, fleetParameterNames, fleetStackName, imageParameterNames } from '../naming';
import { type EgressOutcome, type EgressWait, egressOnDemand, readEgressState, updateEgressStack } from './egress-update';
import { type EnvironmentTarget, requireEnvironmentAccount } from './environment-option';
import { explainAwsError, OperatorError } from './operator-error';
import { readReleaseRecord } from './release-record';

/** The AWS clients the commands use; tests pass mocks. */
export interface FleetClients {
  readonly autoscaling: AutoScalingClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  /** Updates the egress stack (network.egress on-demand): the NAT gateways follow the fleets. */
  readonly cloudformation: CloudFormationClient;
  /**
   * How the egress stack's update is followed.
   * @default DEFAULT_EGRESS_WAIT (every 30 s to 2 min, up to 20 min)
   */
  readonly egressWait?: EgressWait;
}

export const FLEET_USAGE = `Usage: npm run fleet -- <command> [--environment <name>]
  status [fleet]       desired / in service / min / max of each fleet (or one), and the AMI and version it runs
  scale <fleet> <n>    set the desired capacity to n (0 stops every instance; the minimum follows if n is below it)
  resume <fleet>       back to the configured minimum (at least one instance)
  --environment <name> the environment whose fleets to act on (required when pipeline.yaml configures environments;
                       run with that environment account's credentials)
A fleet is named after its image. The numbers you set survive later pipeline runs. With network.egress on-demand,
scaling up first brings the NAT gateway up (a few minutes the first time); the last fleet at zero takes it down.`;

type Fleet = ImageConfig & { readonly fleet: FleetConfig };

/** Where the command acts: the pipeline's account, or one environment (its account and region). */
interface Place {
  readonly config: GoldenAmiConfig;
  readonly clients: FleetClients;
  readonly environment?: EnvironmentConfig;
}

/**
 * Runs one command line; returns what to print. Throws OperatorError for anything the operator can fix. With a
 * target, the command acts on that environment's fleets (the clients must be in its region) after checking that the
 * credentials are its account's; the egress stack, which is the pipeline account's, is not involved.
 */
export async function runFleetCommand(args: readonly string[], config: GoldenAmiConfig, clients: FleetClients, target?: EnvironmentTarget): Promise<string> {
  const [command, ...rest] = args;
  const option = rest.find((a) => a.startsWith('--'));
  if (option) throw new OperatorError(`unknown option ${option}.\n${FLEET_USAGE}`);
  const place: Place = { config, clients, environment: target?.environment };
  try {
    const action = fleetAction(place, command, rest);
    if (target) await requireEnvironmentAccount(target);
    const out = await action();
    return target ? `environment ${target.environment.name} (account ${target.environment.account}, ${target.environment.region}):\n${out}` : out;
  } catch (err) {
    throw explainAwsError(err);
  }
}

/** The command, checked before any AWS call. */
function fleetAction(place: Place, command: string | undefined, rest: readonly string[]): () => Promise<string> {
  switch (command) {
    case 'status':
      if (rest.length > 1) throw new OperatorError(`status takes at most one fleet.\n${FLEET_USAGE}`);
      if (rest[0] !== undefined) fleetNamed(place, rest[0]);
      return () => status(place, rest[0]);
    case 'scale': {
      if (rest.length !== 2) throw new OperatorError(`scale takes a fleet and a number, e.g. scale app-linux 0.\n${FLEET_USAGE}`);
      const fleet = fleetNamed(place, rest[0]);
      const capacity = parseCapacity(rest[1]);
      return () => scale(place, fleet, capacity);
    }
    case 'resume': {
      if (rest.length !== 1) throw new OperatorError(`resume takes exactly one fleet.\n${FLEET_USAGE}`);
      const fleet = fleetNamed(place, rest[0]);
      return () => resume(place, fleet);
    }
    default:
      throw new OperatorError(`${command === undefined ? 'no command given' : `unknown command ${command}`}.\n${FLEET_USAGE}`);
  }
}

/** The fleets of the place: each image's own fleet, or its fleet in the environment (fleet.environments.<name> over it). */
function fleets({ config, environment }: Place): Fleet[] {
  if (environment) return config.images.flatMap((i) => (i.fleetIn[environment.name] ? [{ ...i, fleet: i.fleetIn[environment.name] }] : []));
  return config.images.filter((i): i is Fleet => i.fleet !== undefined);
}

function fleetNamed(place: Place, name: string): Fleet {
  const fleet = fleets(place).find((f) => f.name === name);
  if (!fleet) {
    const known = fleets(place).map((f) => f.name).join(', ') || 'none (no image file declares a fleet)';
    throw new OperatorError(`unknown fleet ${name}. Fix: use one of ${known}`);
  }
  return fleet;
}

/** Egress on demand is the pipeline account's NAT gateway: an environment's VPC is the user's own. */
function egressHere({ config, environment }: Place): boolean {
  return !environment && egressOnDemand(config);
}

/** The stage whose run deploys the fleet stack. */
function fleetStage({ environment }: Place, fleet: Fleet): string {
  return environment ? `Fleet-${environment.name}-${fleet.name} stage (wave Deploy-${environment.name})` : `Fleet-${fleet.name} stage`;
}

/** The option to repeat in a suggested command. */
function environmentOption({ environment }: Place): string {
  return environment ? ` --environment ${environment.name}` : '';
}

/** A desired capacity as typed: a whole number, 0 or more. */
export function parseCapacity(text: string): number {
  if (!/^\d+$/.test(text)) throw new OperatorError(`the capacity must be a whole number, 0 or more (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** Finds the fleet's Auto Scaling group by the tags the fleet stack gives it; nobody types generated names. */
async function findGroup({ config, clients }: Place, fleet: Fleet): Promise<AutoScalingGroup | undefined> {
  const out = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({
      Filters: [
        { Name: 'tag:golden-ami:pipeline', Values: [config.name] },
        { Name: 'tag:golden-ami:image', Values: [fleet.name] },
      ],
    }),
  );
  const groups = out.AutoScalingGroups ?? [];
  if (groups.length > 1) {
    throw new OperatorError(`${groups.length} Auto Scaling groups are tagged as fleet ${fleet.name} of pipeline ${config.name} (${groups.map((g) => g.AutoScalingGroupName).join(', ')}); remove the tags from the ones not made by stack ${fleetStackName(config.name, fleet.name)}`);
  }
  return groups[0];
}

async function requireGroup(place: Place, fleet: Fleet): Promise<AutoScalingGroup> {
  const group = await findGroup(place, fleet);
  if (!group) throw new OperatorError(`fleet ${fleet.name} is not deployed (no Auto Scaling group from stack ${fleetStackName(place.config.name, fleet.name)}); it appears after the pipeline's ${fleetStage(place, fleet)} has run`);
  return group;
}


async function status(place: Place, only?: string): Promise<string> {
  const { config, clients } = place;
  const selected = only ? [fleetNamed(place, only)] : fleets(place);
  if (selected.length === 0) return 'no fleets: no image file declares a fleet';
  const lines: string[] = [];
  for (const fleet of selected) {
    const group = await findGroup(place, fleet);
    if (!group) {
      lines.push(`${fleet.name}: not deployed`);
      continue;
    }
    const instances = group.Instances ?? [];
    const inService = instances.filter((i) => i.LifecycleState === 'InService');
    const healthy = inService.filter((i) => i.HealthStatus === 'Healthy');
    lines.push(
      `${fleet.name}: desired ${group.DesiredCapacity}, in service ${inService.length} (${healthy.length} healthy), min ${group.MinSize}, max ${group.MaxSize} — ${group.AutoScalingGroupName}`,
    );
    lines.push(`  running: ${await runningImages(clients, instances.map((i) => i.InstanceId!).filter(Boolean), await readReleaseRecord(clients.ssm, imageParameterNames(config.name, fleet.name).release))}`);
  }
  if (egressHere(place)) {
    const state = await readEgressState(config.name, clients.ssm);
    lines.push(`egress: ${state === undefined ? 'not deployed' : `${natGateways(config)} ${state}`}`);
  }
  return lines.join('\n');
}

/** "NAT gateway", or "2 NAT gateways": what egress on-demand turns on and off. */
function natGateways(config: GoldenAmiConfig): string {
  const count = config.network.kind === 'create' ? config.network.natGateways : 1;
  return count === 1 ? 'NAT gateway' : `${count} NAT gateways`;
}

/** One line saying what the egress update did. */
function egressLine(config: GoldenAmiConfig, outcome: EgressOutcome | undefined): string {
  if (!outcome) return `egress: no egress stack ${egressStackName(config.name)}, nothing to turn off`;
  const state = outcome.state === undefined ? 'state unknown (its parameter is missing)' : outcome.state;
  return `egress: ${natGateways(config)} ${state}${outcome.unchanged ? ' (unchanged)' : ''}`;
}

/** Which AMIs the instances run, with the release version of each when the release record knows it. */
async function runningImages(clients: FleetClients, instanceIds: string[], release: ReleaseState | undefined): Promise<string> {
  if (instanceIds.length === 0) return 'no instances';
  const out = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const counts = new Map<string, number>();
  for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
    counts.set(instance.ImageId ?? 'unknown', (counts.get(instance.ImageId ?? 'unknown') ?? 0) + 1);
  }
  const versionOf = (ami: string) =>
    ami === release?.amiId ? `version ${release.version}, current release` : ami === release?.previous?.amiId ? `version ${release.previous.version}, previous release` : 'not a recorded release';
  return [...counts].map(([ami, n]) => `${ami} (${versionOf(ami)}) on ${n} instance${n === 1 ? '' : 's'}`).join('; ');
}

/**
 * Records the numbers where the fleet stack reads them, then applies them to the group. With egress on demand the
 * egress stack follows: before the group when it gets instances (they need the NAT gateway from their first boot:
 * packages, cfn-signal), after it when it goes to zero (the NAT gateway goes once every fleet is at zero). Returns the
 * egress line to print, if any.
 */
async function setCapacity(place: Place, fleet: Fleet, group: AutoScalingGroup, minSize: number, desired: number): Promise<string | undefined> {
  const { config, clients } = place;
  const names = fleetParameterNames(config.name, fleet.name);
  // SSM first: if anything after fails, the next pipeline run still applies what was asked; the egress stack reads it.
  await clients.ssm.send(new PutParameterCommand({ Name: names.minSize, Value: String(minSize), Type: 'String', Overwrite: true }));
  await clients.ssm.send(new PutParameterCommand({ Name: names.desiredCapacity, Value: String(desired), Type: 'String', Overwrite: true }));
  const onDemand = egressHere(place);
  const outcome = onDemand && desired > 0 ? await egressFor(config, clients, fleet, { desired, minSize }) : undefined;
  await clients.autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group.AutoScalingGroupName, MinSize: minSize, DesiredCapacity: desired }));
  if (onDemand && desired === 0) return egressLine(config, await egressFor(config, clients, fleet, { desired, minSize }));
  return onDemand ? egressLine(config, outcome) : undefined;
}

/** Updates the egress stack; an error says what the command had done by then. */
async function egressFor(config: GoldenAmiConfig, clients: FleetClients, fleet: Fleet, { desired, minSize }: { desired: number; minSize: number }): Promise<EgressOutcome | undefined> {
  const scalingUp = desired > 0;
  try {
    // Scaling up needs the stack; scaling down without one has nothing to turn off.
    return await updateEgressStack(config.name, clients, { required: scalingUp, wait: clients.egressWait });
  } catch (err) {
    const done = scalingUp
      ? `fleet ${fleet.name}: desired ${desired} and min ${minSize} are recorded (the next pipeline run applies them), but the Auto Scaling group was NOT scaled: its instances would start without a way out to the internet`
      : `fleet ${fleet.name} is scaled to 0, but the pipeline's NAT gateway may still be running (and billed)`;
    const e = explainAwsError(err);
    // An operator's problem stays one (exit code 2); anything else keeps its cause.
    throw e instanceof OperatorError ? new OperatorError(`${done}: ${e.message}`) : new Error(`${done}: ${e.message}`, { cause: e });
  }
}

async function scale(place: Place, fleet: Fleet, desired: number): Promise<string> {
  const group = await requireGroup(place, fleet);
  const max = group.MaxSize ?? fleet.fleet.maxSize;
  if (desired > max) {
    const field = place.environment ? `fleet.maxSize (or fleet.environments.${place.environment.name}.maxSize)` : 'fleet.maxSize';
    throw new OperatorError(`fleet ${fleet.name} has at most ${max} instances (got ${desired}). Fix: use 0 to ${max}, or raise ${field} in ${fleet.file} and push`);
  }
  const minSize = Math.min(group.MinSize ?? fleet.fleet.minSize, desired);
  const egress = await setCapacity(place, fleet, group, minSize, desired);
  const line = `${fleet.name}: desired capacity ${group.DesiredCapacity} -> ${desired} (min ${minSize}, max ${max}); pipeline runs keep it${desired === 0 ? `. Bring it back with: npm run fleet -- resume ${fleet.name}${environmentOption(place)}` : ''}`;
  return [line, ...(egress ? [egress] : [])].join('\n');
}

async function resume(place: Place, fleet: Fleet): Promise<string> {
  const group = await requireGroup(place, fleet);
  const minSize = fleet.fleet.minSize;
  const desired = Math.min(Math.max(minSize, 1), group.MaxSize ?? fleet.fleet.maxSize);
  const egress = await setCapacity(place, fleet, group, minSize, desired);
  const line = `${fleet.name}: back to configuration: desired ${desired}, min ${minSize}, max ${group.MaxSize}`;
  return [line, ...(egress ? [egress] : [])].join('\n');
}
