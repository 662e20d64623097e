/**
 * What the pipeline costs: at rest (every fleet at its configured minimum, no run going) from the synthesized
 * templates, and per run from the timeline model. List prices of us-east-1, with their date and source; a model for
 * comparing changes, not a bill (no free tier, no data transfer, no storage growth).
 */
import type { EgressMode } from '../config/model';
import { ANY_FLEET_RUNNING_CONDITION } from '../stages/egress-stack';
import { ACTION_SECONDS, type ModelImage, type RunModel } from './pipeline-timeline';

/** The date the prices below were read. */
export const PRICES_AS_OF = '2026-11';

/** US-east-1 list prices, each with what it is and where it comes from. */
export const PRICES = {
  natGatewayHour: { usd: 0.045, basis: 'NAT gateway, per hour (aws.amazon.com/vpc/pricing)' },
  publicIpv4Hour: { usd: 0.005, basis: 'public IPv4 address, in use or not, per hour (since February 2024)' },
  kmsKeyMonth: { usd: 1, basis: 'customer-managed KMS key, per month' },
  albHour: { usd: 0.0225, basis: 'Application Load Balancer, per hour, before LCUs (about $16.4 a month)' },
  interfaceEndpointAzHour: { usd: 0.01, basis: 'interface VPC endpoint, per hour and zone' },
  alarmMonth: { usd: 0.1, basis: 'CloudWatch standard alarm, per month (first 10 free, not counted)' },
  dashboardMonth: { usd: 3, basis: 'CloudWatch dashboard, per month (first 3 free, not counted)' },
  codeBuildSmallMinute: { usd: 0.005, basis: 'CodeBuild general1.small (Linux), per build minute' },
  codePipelineV2ActionMinute: { usd: 0.002, basis: 'CodePipeline V2, per action execution minute (first 100 a month free, not counted)' },
  t3SmallHour: { usd: 0.0208, basis: 't3.small Linux on demand, per hour (the Linux build instance)' },
  t3LargeWindowsHour: { usd: 0.1108, basis: 't3.large Windows on demand, per hour (the Windows build instance)' },
  t3MicroHour: { usd: 0.0104, basis: 't3.micro Linux on demand, per hour (the shipped Linux fleet)' },
  t3MediumWindowsHour: { usd: 0.06, basis: 't3.medium Windows on demand, per hour (the shipped Windows fleet)' },
  t4gNanoHour: { usd: 0.0042, basis: 't4g.nano Linux on demand, per hour (a NAT instance)' },
  gp3GbMonth: { usd: 0.08, basis: 'EBS gp3, per GB-month (a NAT instance\'s 8 GB root volume)' },
} as const;

const HOURS_PER_MONTH = 730;

/** One line of a cost: what, how many, the monthly (or per-run) amount. */
export interface CostLine {
  readonly item: string;
  readonly count: number;
  readonly usd: number;
}

type Resource = { Type: string; Condition?: string; Properties?: Record<string, any> };
type Template = { Resources?: Record<string, Resource> };

/**
 * The resources that exist at rest with these fleets. A resource under the Egress stack's AnyFleetRunning condition
 * (the on-demand NAT gateways, their addresses and routes) exists only while some fleet has instances; one under any
 * other condition is counted as if it existed (conservative: the model would rather overstate a cost than miss one).
 */
function existingResources(templates: readonly Template[], fleets: readonly IdleFleet[]): Resource[] {
  const anyFleetRunning = fleets.some((f) => f.minSize > 0);
  return templates.flatMap((t) => Object.values(t.Resources ?? {})).filter((r) => r.Condition !== ANY_FLEET_RUNNING_CONDITION || anyFleetRunning);
}

function count(resources: readonly Resource[], type: string, where: (properties: Record<string, any>) => boolean = () => true): number {
  return resources.filter((r) => r.Type === type && where(r.Properties ?? {})).length;
}

/** The instance price per hour of a fleet's instances. */
export type InstanceHourPrice = (instanceType: string, platform: 'linux' | 'windows') => number | undefined;

/** Prices of the instance types the shipped configuration uses; others are reported as unpriced. */
export const SHIPPED_INSTANCE_PRICES: InstanceHourPrice = (type, platform) =>
  type === 't3.micro' && platform === 'linux' ? PRICES.t3MicroHour.usd : type === 't3.medium' && platform === 'windows' ? PRICES.t3MediumWindowsHour.usd : undefined;

/** A fleet as the idle model sees it: instances running at rest (its configured minimum). */
export interface IdleFleet {
  readonly image: string;
  readonly instanceType: string;
  readonly platform: 'linux' | 'windows';
  readonly minSize: number;
}

/**
 * Monthly cost at rest, from every template of the app: NAT gateways and their addresses (the on-demand ones only
 * while some fleet's minimum is above zero), KMS keys, load balancers, interface endpoints, alarms beyond the free
 * ten, dashboards beyond the free three, and each fleet's minimum instances.
 */
export function idleMonthlyCost(templates: readonly Template[], fleets: readonly IdleFleet[], instancePrice: InstanceHourPrice = SHIPPED_INSTANCE_PRICES): { lines: CostLine[]; usd: number; unpriced: string[] } {
  const resources = existingResources(templates, fleets);
  const nat = count(resources, 'AWS::EC2::NatGateway');
  const eips = count(resources, 'AWS::EC2::EIP');
  const keys = count(resources, 'AWS::KMS::Key');
  const albs = count(resources, 'AWS::ElasticLoadBalancingV2::LoadBalancer', (p) => (p.Type ?? 'application') === 'application');
  const endpoints = resources
    .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, r) => sum + (Array.isArray(r.Properties?.SubnetIds) ? r.Properties!.SubnetIds.length : 1), 0);
  const alarms = Math.max(0, count(resources, 'AWS::CloudWatch::Alarm') - 10);
  const dashboards = Math.max(0, count(resources, 'AWS::CloudWatch::Dashboard') - 3);
  const lines: CostLine[] = [
    { item: 'NAT gateway', count: nat, usd: nat * PRICES.natGatewayHour.usd * HOURS_PER_MONTH },
    { item: 'public IPv4 address', count: eips, usd: eips * PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH },
    { item: 'KMS key', count: keys, usd: keys * PRICES.kmsKeyMonth.usd },
    { item: 'Application Load Balancer', count: albs, usd: albs * PRICES.albHour.usd * HOURS_PER_MONTH },
    { item: 'interface endpoint zone', count: endpoints, usd: endpoints * PRICES.interfaceEndpointAzHour.usd * HOURS_PER_MONTH },
    { item: 'alarm beyond the free 10', count: alarms, usd: alarms * PRICES.alarmMonth.usd },
    { item: 'dashboard beyond the free 3', count: dashboards, usd: dashboards * PRICES.dashboardMonth.usd },
  ];
  const unpriced: string[] = [];
  for (const fleet of fleets.filter((f) => f.minSize > 0)) {
    const hour = instancePrice(fleet.instanceType, fleet.platform);
    if (hour === undefined) unpriced.push(`${fleet.image}: ${fleet.minSize} × ${fleet.instanceType} (${fleet.platform})`);
    else lines.push({ item: `fleet ${fleet.image} at its minimum (${fleet.instanceType})`, count: fleet.minSize, usd: fleet.minSize * hour * HOURS_PER_MONTH });
  }
  const kept = lines.filter((l) => l.count > 0);
  return { lines: kept, usd: kept.reduce((sum, l) => sum + l.usd, 0), unpriced };
}

/** Where the run's build and test instances are, which decides whether they hold a public IPv4 address. */
export interface RunNetwork {
  /**
   * True when builds run in the public subnets, each build and test instance with its own public IPv4 address (one at
   * a time: Image Builder tests after it builds). That is the case exactly when the pipeline creates the VPC with
   * network.egress on-demand (the pipeline stack then gives the image stacks the public subnets), so callers pass it
   * from the configuration; in private subnets the addresses are the NAT gateway's, counted at rest.
   */
  readonly buildsInPublicSubnets: boolean;
}

/**
 * What one modelled run costs: CodeBuild minutes of BuildApplication, Synth, UpdatePipeline and Assets, Image Builder
 * build instance time for each image built (and its public IPv4 address when builds run in the public subnets), and
 * CodePipeline V2 action minutes of every action. Rollout instances and NAT gateways are the fleets', counted at rest.
 */
export function runCost(run: RunModel, images: readonly ModelImage[], network: RunNetwork): { lines: CostLine[]; usd: number } {
  const codeBuildActions = ['BuildApplication', 'Synth', 'UpdatePipeline', 'Assets'];
  const codeBuildMinutes = run.actions.filter((a) => codeBuildActions.includes(a.action)).reduce((sum, a) => sum + a.seconds / 60, 0);
  const buildHours = (platform: 'linux' | 'windows') =>
    run.actions
      .filter((a) => a.work && a.action.endsWith(' execute') && images.some((i) => i.platform === platform && a.action === `${i.name} execute`))
      .reduce((sum, a) => sum + a.seconds / 3600, 0);
  const addressHours = network.buildsInPublicSubnets ? buildHours('linux') + buildHours('windows') : 0;
  const actionMinutes = run.actions.reduce((sum, a) => sum + a.seconds / 60, 0);
  const lines: CostLine[] = [
    { item: 'CodeBuild minutes (small)', count: Math.round(codeBuildMinutes), usd: codeBuildMinutes * PRICES.codeBuildSmallMinute.usd },
    { item: 'Linux build instance hours (t3.small)', count: Math.round(buildHours('linux') * 100) / 100, usd: buildHours('linux') * PRICES.t3SmallHour.usd },
    { item: 'Windows build instance hours (t3.large)', count: Math.round(buildHours('windows') * 100) / 100, usd: buildHours('windows') * PRICES.t3LargeWindowsHour.usd },
    { item: 'build instance public IPv4 address hours', count: Math.round(addressHours * 100) / 100, usd: addressHours * PRICES.publicIpv4Hour.usd },
    { item: 'CodePipeline V2 action minutes', count: Math.round(actionMinutes), usd: actionMinutes * PRICES.codePipelineV2ActionMinute.usd },
  ];
  const kept = lines.filter((l) => l.count > 0);
  return { lines: kept, usd: kept.reduce((sum, l) => sum + l.usd, 0) };
}

/** One way to give build and fleet instances their way out, priced at rest (every fleet at zero). */
export interface NetworkChoice {
  readonly choice: string;
  /** Monthly cost at rest (every fleet at zero) with this choice in place of the configured one. */
  readonly idleUsd: number;
  /** What it costs while a fleet runs, per hour, on top of the fleet's instances. */
  readonly runningHourUsd: number;
  /** Whether the pipeline offers it today. */
  readonly available: 'yes' | 'no (design)';
  /** What it gives up, in security or operations. */
  readonly tradeOff: string;
}

/**
 * Interface endpoints a private fleet would need without any internet route: Systems Manager (ssm, ssmmessages,
 * ec2messages), CloudFormation (cfn-signal) and Elastic Load Balancing (the health gate's target health). S3's gateway
 * endpoint is free.
 */
export const FLEET_INTERFACE_ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages', 'cloudformation', 'elasticloadbalancing'] as const;

/** Which network choice a configuration makes: network.egress of a created VPC, or an existing VPC. */
export type ConfiguredNetwork = EgressMode | 'existing';

/** What the choices are weighed with, from the configuration. */
export interface NetworkChoiceInputs {
  /** Zones of the created VPC: interface endpoints are billed per zone. */
  readonly zones: number;
  /** NAT gateways of the created VPC (network.natGateways), whether on demand or always on. */
  readonly natGateways: number;
  /** The configuration's own choice, marked in the table. */
  readonly configured: ConfiguredNetwork;
}

/**
 * The network choices, weighed against each other at rest with every fleet at zero (`atZero`, from the templates).
 * Every row starts from the same base, the pipeline without any egress: whatever NAT gateways and addresses `atZero`
 * still holds (none with egress on demand, the VPC's with network.egress always) come off first, and each choice then
 * adds what it needs.
 */
export function networkChoices(atZero: { readonly lines: readonly CostLine[]; readonly usd: number }, inputs: NetworkChoiceInputs): NetworkChoice[] {
  const { zones, natGateways, configured } = inputs;
  const egressAtZero = atZero.lines.filter((l) => l.item === 'NAT gateway' || l.item === 'public IPv4 address').reduce((sum, l) => sum + l.usd, 0);
  const withoutEgress = atZero.usd - egressAtZero;
  const month = (hourUsd: number) => hourUsd * HOURS_PER_MONTH;
  // Each NAT gateway holds one Elastic IP, billed as a public IPv4 address.
  const natGatewaysHour = natGateways * (PRICES.natGatewayHour.usd + PRICES.publicIpv4Hour.usd);
  const natInstance = month(PRICES.t4gNanoHour.usd + PRICES.publicIpv4Hour.usd) + 8 * PRICES.gp3GbMonth.usd;
  const endpoints = FLEET_INTERFACE_ENDPOINTS.length * zones * month(PRICES.interfaceEndpointAzHour.usd);
  const mark = (choice: ConfiguredNetwork) => (choice === configured ? ' (as configured)' : '');
  const gateways = `${natGateways} NAT gateway${natGateways === 1 ? '' : 's'}`;
  return [
    {
      choice: `egress on demand (network.egress: on-demand, the default): ${gateways} only while a fleet runs, builds in public subnets${mark('on-demand')}`,
      idleUsd: withoutEgress,
      runningHourUsd: natGatewaysHour,
      available: 'yes',
      tradeOff: `build and test instances get a public IP for the build (security group without inbound rules; fleets never get one); a fleet started from zero waits for the NAT gateway (${ACTION_SECONDS.natGatewayCreate.seconds / 60} min modelled, up to 10)`,
    },
    {
      choice: `NAT gateway always on (network.egress: always): ${gateways}, builds in private subnets${mark('always')}`,
      idleUsd: withoutEgress + month(natGatewaysHour),
      runningHourUsd: 0,
      available: 'yes',
      tradeOff: 'nothing in security (no instance gets a public IP); the NAT gateway bills when nothing runs',
    },
    {
      choice: `an existing VPC (network.vpcId) whose egress the account already runs${mark('existing')}`,
      idleUsd: withoutEgress,
      runningHourUsd: 0,
      available: 'yes',
      tradeOff: "the pipeline's share only: the account's NAT or proxy is paid elsewhere, and its rules decide what builds and fleets reach",
    },
    {
      choice: 'NAT instance (t4g.nano, always on)',
      idleUsd: withoutEgress + natInstance,
      runningHourUsd: 0,
      available: 'no (design)',
      tradeOff: 'one instance to patch and a single point of failure for egress; about 5 Gbit/s burst',
    },
    {
      choice: `interface endpoints instead of NAT (${FLEET_INTERFACE_ENDPOINTS.join(', ')}; ${zones} zones), builds in public subnets`,
      idleUsd: withoutEgress + endpoints,
      runningHourUsd: 0,
      available: 'no (design)',
      tradeOff: 'fleets reach AWS APIs only (no package repositories); build instances get a public IP for the build (no inbound rule)',
    },
  ];
}
