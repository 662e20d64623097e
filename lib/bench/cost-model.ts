/**
 * What the pipeline costs: at rest (every fleet at its configured minimum, no run going) from the synthesized
 * templates, and per run from the timeline model. List prices of us-east-1, with their date and source; a model for
 * comparing changes, not a bill (no free tier, no data transfer, no storage growth).
 */
import type { ModelImage, RunModel } from './pipeline-timeline';

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
} as const;

const HOURS_PER_MONTH = 730;

/** One line of a cost: what, how many, the monthly (or per-run) amount. */
export interface CostLine {
  readonly item: string;
  readonly count: number;
  readonly usd: number;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> };

function count(templates: readonly Template[], type: string, where: (properties: Record<string, any>) => boolean = () => true): number {
  return templates.flatMap((t) => Object.values(t.Resources ?? {})).filter((r) => r.Type === type && where(r.Properties ?? {})).length;
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
 * Monthly cost at rest, from every template of the app: NAT gateways and their addresses, KMS keys, load balancers,
 * interface endpoints, alarms beyond the free ten, dashboards beyond the free three, and each fleet's minimum
 * instances.
 */
export function idleMonthlyCost(templates: readonly Template[], fleets: readonly IdleFleet[], instancePrice: InstanceHourPrice = SHIPPED_INSTANCE_PRICES): { lines: CostLine[]; usd: number; unpriced: string[] } {
  const nat = count(templates, 'AWS::EC2::NatGateway');
  const eips = count(templates, 'AWS::EC2::EIP');
  const keys = count(templates, 'AWS::KMS::Key');
  const albs = count(templates, 'AWS::ElasticLoadBalancingV2::LoadBalancer', (p) => (p.Type ?? 'application') === 'application');
  const endpoints = templates
    .flatMap((t) => Object.values(t.Resources ?? {}))
    .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, r) => sum + (Array.isArray(r.Properties?.SubnetIds) ? r.Properties!.SubnetIds.length : 1), 0);
  const alarms = Math.max(0, count(templates, 'AWS::CloudWatch::Alarm') - 10);
  const dashboards = Math.max(0, count(templates, 'AWS::CloudWatch::Dashboard') - 3);
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

/**
 * What one modelled run costs: CodeBuild minutes of BuildApplication, Synth, UpdatePipeline and Assets, Image Builder
 * build instance time for each image built, and CodePipeline V2 action minutes of every action. Rollout instances are
 * the fleet's own, counted at rest.
 */
export function runCost(run: RunModel, images: readonly ModelImage[]): { lines: CostLine[]; usd: number } {
  const codeBuildActions = ['BuildApplication', 'Synth', 'UpdatePipeline', 'Assets'];
  const codeBuildMinutes = run.actions.filter((a) => codeBuildActions.includes(a.action)).reduce((sum, a) => sum + a.seconds / 60, 0);
  const buildHours = (platform: 'linux' | 'windows') =>
    run.actions
      .filter((a) => a.work && a.action.endsWith(' execute') && images.some((i) => i.platform === platform && a.action === `${i.name} execute`))
      .reduce((sum, a) => sum + a.seconds / 3600, 0);
  const actionMinutes = run.actions.reduce((sum, a) => sum + a.seconds / 60, 0);
  const lines: CostLine[] = [
    { item: 'CodeBuild minutes (small)', count: Math.round(codeBuildMinutes), usd: codeBuildMinutes * PRICES.codeBuildSmallMinute.usd },
    { item: 'Linux build instance hours (t3.small)', count: Math.round(buildHours('linux') * 100) / 100, usd: buildHours('linux') * PRICES.t3SmallHour.usd },
    { item: 'Windows build instance hours (t3.large)', count: Math.round(buildHours('windows') * 100) / 100, usd: buildHours('windows') * PRICES.t3LargeWindowsHour.usd },
    { item: 'CodePipeline V2 action minutes', count: Math.round(actionMinutes), usd: actionMinutes * PRICES.codePipelineV2ActionMinute.usd },
  ];
  const kept = lines.filter((l) => l.count > 0);
  return { lines: kept, usd: kept.reduce((sum, l) => sum + l.usd, 0) };
}
