import type { ConfigProblem } from './config-error';
import { display } from './config-files';
import { IMAGE_FLEET, type FleetFields, type FleetSetting } from './fleet-fields';
import type { EnvironmentConfig, FleetConfig, ImageConfig, IngressConfig, LoadBalancerConfig, NetworkConfig, TrafficSources } from './model';

type Raw = Record<string, any>;

const ANYWHERE = '0.0.0.0/0';

function sourcesOf(raw: Raw | undefined): TrafficSources {
  return { cidrs: raw?.cidrs ?? [], prefixListIds: raw?.prefixListIds ?? [], securityGroupIds: raw?.securityGroupIds ?? [] };
}

function isEmpty(sources: TrafficSources): boolean {
  return sources.cidrs.length + sources.prefixListIds.length + sources.securityGroupIds.length === 0;
}

/**
 * How a fleet is reached, from its image file (the schema has checked each field's shape): a load balancer, direct
 * ingress to the instances, or neither. What depends on the fleet's network is resolved by withNetworkDefaults (the
 * pipeline's) or withEnvironmentNetwork (an environment's). `fields` names where the settings were written.
 */
export function resolveFleetReach(raw: Raw, healthPort: number, file: string, problems: ConfigProblem[], fields: FleetFields = IMAGE_FLEET): Pick<FleetConfig, 'loadBalancer' | 'ingress'> {
  const f = display(file);
  const report = (settings: FleetSetting[], p: ConfigProblem) => {
    if (fields.reports(...settings)) problems.push(p);
  };
  let loadBalancer: LoadBalancerConfig | undefined;
  let ingress: IngressConfig | undefined;
  if (raw.loadBalancer) {
    const lb: Raw = raw.loadBalancer;
    const allowFrom = sourcesOf(lb.allowFrom);
    if (lb.scheme === 'internet-facing' && lb.certificateArn === undefined) {
      report(['loadBalancer'], {
        file: f,
        field: fields.at('loadBalancer', 'certificateArn'),
        message: 'is required for an internet-facing load balancer: plain HTTP from the internet is refused',
        fix: 'give the ARN of an ACM certificate for the name users will reach, or use scheme: internal',
      });
    }
    if (lb.allowFrom !== undefined && isEmpty(allowFrom)) {
      report(['loadBalancer'], { file: f, field: fields.at('loadBalancer', 'allowFrom'), message: 'names no source, so nobody could reach the load balancer', value: lb.allowFrom, fix: 'list cidrs, prefixListIds or securityGroupIds, or remove allowFrom for the default' });
    }
    if (lb.scheme === 'internal' && allowFrom.cidrs.includes(ANYWHERE)) {
      report(['loadBalancer'], { file: f, field: fields.at('loadBalancer', 'allowFrom.cidrs'), message: `includes ${ANYWHERE}, but an internal load balancer is reachable only from inside the VPC and its peers`, value: ANYWHERE, fix: 'list the networks that should reach it, or use scheme: internet-facing' });
    }
    loadBalancer = {
      scheme: lb.scheme,
      certificateArn: lb.certificateArn,
      // The internal default needs the VPC's CIDR: withNetworkDefaults fills it in.
      allowFrom: lb.allowFrom !== undefined ? allowFrom : lb.scheme === 'internet-facing' ? { ...allowFrom, cidrs: [ANYWHERE] } : allowFrom,
    };
  }
  if (raw.ingress) {
    const from = sourcesOf(raw.ingress);
    if (loadBalancer) {
      report(['loadBalancer', 'ingress'], {
        file: f,
        field: fields.at('ingress'),
        message: `cannot be combined with ${fields.at('loadBalancer')}: with a load balancer the instances accept traffic from it only`,
        fix: `put who may reach the fleet in ${fields.at('loadBalancer', 'allowFrom')} and remove ${fields.at('ingress')}`,
      });
    }
    if (isEmpty(from)) {
      report(['ingress'], { file: f, field: fields.at('ingress'), message: 'names no source, so it would open nothing', value: raw.ingress, fix: `list cidrs, prefixListIds or securityGroupIds, or remove ${fields.at('ingress')}` });
    }
    if (from.cidrs.includes(ANYWHERE)) {
      report(['ingress'], {
        file: f,
        field: fields.at('ingress', 'cidrs'),
        message: `includes ${ANYWHERE}; fleet instances run in private subnets, so the internet cannot reach them directly`,
        value: ANYWHERE,
        fix: `list the networks that should reach the instances, or serve the internet through ${fields.at('loadBalancer')} (scheme: internet-facing)`,
      });
    }
    ingress = { port: raw.ingress.port ?? healthPort, from };
  }
  return { loadBalancer, ingress };
}

/** Fills in what a fleet's reach takes from the pipeline's network, and checks the network can serve it. */
export function withNetworkDefaults(image: ImageConfig, network: NetworkConfig, pipelineFile: string, problems: ConfigProblem[]): ImageConfig {
  const lb = image.fleet?.loadBalancer;
  if (!image.fleet || !lb) return image;
  if (lb.scheme === 'internet-facing' && network.kind === 'existing' && network.publicSubnetIds.length === 0) {
    problems.push({
      file: display(pipelineFile),
      field: 'network.publicSubnetIds',
      message: `is required: ${image.file} puts an internet-facing load balancer in front of fleet ${image.name}, and an existing VPC's public subnets are not known`,
      fix: 'list the public subnets of network.vpcId (they route to an internet gateway), or use scheme: internal',
    });
  }
  if (!isEmpty(lb.allowFrom)) return image;
  if (network.kind === 'existing') {
    problems.push({
      file: image.file,
      field: 'fleet.loadBalancer.allowFrom',
      message: "is required for an internal load balancer in an existing VPC (the VPC's CIDR is not known to the pipeline)",
      fix: "list who may reach it, e.g. allowFrom: { cidrs: [10.0.0.0/8] } or the VPC's CIDR",
    });
    return image;
  }
  return { ...image, fleet: { ...image.fleet, loadBalancer: { ...lb, allowFrom: { ...lb.allowFrom, cidrs: [network.vpcCidr] } } } };
}

/** An ACM certificate is regional: the load balancer's region must be the certificate's. */
export function checkCertificateRegion(image: ImageConfig, region: string | undefined, problems: ConfigProblem[]): void {
  const problem = certificateRegionProblem(image.file, 'fleet.loadBalancer.certificateArn', image.fleet?.loadBalancer?.certificateArn, region, "the fleet's load balancer");
  if (problem) problems.push(problem);
}

function certificateRegionProblem(file: string, field: string, arn: string | undefined, region: string | undefined, what: string, fix?: string): ConfigProblem | undefined {
  if (!arn || !region) return undefined;
  const certificateRegion = arn.split(':')[3];
  if (certificateRegion === region) return undefined;
  return {
    file,
    field,
    message: `is in ${certificateRegion}, but ${what} is in ${region}; a load balancer can use only certificates of its own region`,
    value: arn,
    fix: fix ?? `request or import the certificate in ACM in ${region} and use that ARN`,
  };
}

/**
 * Checks the fleet of an image in an environment against what the environment provides: its region (the
 * certificate's) and its subnets. The environment's VPC is only named, never looked up, so unlike the pipeline's
 * created VPC its CIDR is not known: an internal load balancer there needs allowFrom written out. `index` is the
 * environment's place in pipeline.yaml's environments.
 */
export function checkEnvironmentReach(image: Pick<ImageConfig, 'name' | 'file'>, fleet: FleetConfig, environment: EnvironmentConfig, index: number, fields: FleetFields, pipelineFile: string, problems: ConfigProblem[]): void {
  const lb = fleet.loadBalancer;
  if (!lb) return;
  const name = environment.name;
  const own = `fleet.environments.${name}.loadBalancer`;
  // The environment's own load balancer is fixed where it is written; an inherited one by giving the environment its own.
  const inherited = fields.at('loadBalancer') !== own;
  const certificate = certificateRegionProblem(
    image.file,
    fields.at('loadBalancer', 'certificateArn'),
    lb.certificateArn,
    environment.region,
    `the load balancer of the fleet in environment ${name}`,
    inherited
      ? `give the environment a load balancer of its own, ${own} (scheme and all), with a certificate in ACM in ${environment.region}`
      : `request or import the certificate in ACM in ${environment.region} and use that ARN`,
  );
  if (certificate) problems.push(certificate);
  if (lb.scheme === 'internet-facing' && environment.network.publicSubnetIds.length === 0) {
    problems.push({
      file: display(pipelineFile),
      field: `environments[${index}].network.publicSubnetIds`,
      message: `is required: ${image.file} puts an internet-facing load balancer in front of fleet ${image.name} in environment ${name}, and the environment lists no public subnets`,
      fix: `list the public subnets of environments[${index}].network.vpcId (they route to an internet gateway), or give ${image.file} ${own} with scheme: internal`,
    });
  }
  if (lb.scheme === 'internal' && isEmpty(lb.allowFrom)) {
    problems.push({
      file: image.file,
      field: fields.at('loadBalancer', 'allowFrom'),
      message: `is required for an internal load balancer in environment ${name}: the CIDR of an environment's VPC is not known to the pipeline, so there is no default`,
      fix: inherited
        ? `list who may reach it, e.g. allowFrom: { cidrs: [10.0.0.0/8] }, in fleet.loadBalancer (every environment without a load balancer of its own inherits it) or in ${own}`
        : `list who may reach it, e.g. allowFrom: { cidrs: [10.0.0.0/8] } or the VPC's CIDR`,
    });
  }
}
