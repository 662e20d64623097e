import type { ConfigProblem } from './config-error';
import { display } from './config-files';
import type { FleetConfig, ImageConfig, IngressConfig, LoadBalancerConfig, NetworkConfig, TrafficSources } from './model';

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
 * ingress to the instances, or neither. What depends on the pipeline's network is resolved by withNetworkDefaults.
 */
export function resolveFleetReach(raw: Raw, healthPort: number, file: string, problems: ConfigProblem[]): Pick<FleetConfig, 'loadBalancer' | 'ingress'> {
  const f = display(file);
  let loadBalancer: LoadBalancerConfig | undefined;
  let ingress: IngressConfig | undefined;
  if (raw.loadBalancer) {
    const lb: Raw = raw.loadBalancer;
    const allowFrom = sourcesOf(lb.allowFrom);
    if (lb.scheme === 'internet-facing' && lb.certificateArn === undefined) {
      problems.push({
        file: f,
        field: 'fleet.loadBalancer.certificateArn',
        message: 'is required for an internet-facing load balancer: plain HTTP from the internet is refused',
        fix: 'give the ARN of an ACM certificate for the name users will reach, or use scheme: internal',
      });
    }
    if (lb.allowFrom !== undefined && isEmpty(allowFrom)) {
      problems.push({ file: f, field: 'fleet.loadBalancer.allowFrom', message: 'names no source, so nobody could reach the load balancer', value: lb.allowFrom, fix: 'list cidrs, prefixListIds or securityGroupIds, or remove allowFrom for the default' });
    }
    if (lb.scheme === 'internal' && allowFrom.cidrs.includes(ANYWHERE)) {
      problems.push({ file: f, field: 'fleet.loadBalancer.allowFrom.cidrs', message: `includes ${ANYWHERE}, but an internal load balancer is reachable only from inside the VPC and its peers`, value: ANYWHERE, fix: 'list the networks that should reach it, or use scheme: internet-facing' });
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
      problems.push({
        file: f,
        field: 'fleet.ingress',
        message: 'cannot be combined with fleet.loadBalancer: with a load balancer the instances accept traffic from it only',
        fix: 'put who may reach the fleet in fleet.loadBalancer.allowFrom and remove fleet.ingress',
      });
    }
    if (isEmpty(from)) {
      problems.push({ file: f, field: 'fleet.ingress', message: 'names no source, so it would open nothing', value: raw.ingress, fix: 'list cidrs, prefixListIds or securityGroupIds, or remove fleet.ingress' });
    }
    if (from.cidrs.includes(ANYWHERE)) {
      problems.push({
        file: f,
        field: 'fleet.ingress.cidrs',
        message: `includes ${ANYWHERE}; fleet instances run in private subnets, so the internet cannot reach them directly`,
        value: ANYWHERE,
        fix: 'list the networks that should reach the instances, or serve the internet through fleet.loadBalancer (scheme: internet-facing)',
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
  const arn = image.fleet?.loadBalancer?.certificateArn;
  if (!arn || !region) return;
  const certificateRegion = arn.split(':')[3];
  if (certificateRegion !== region) {
    problems.push({
      file: image.file,
      field: 'fleet.loadBalancer.certificateArn',
      message: `is in ${certificateRegion}, but the fleet's load balancer is in ${region}; a load balancer can use only certificates of its own region`,
      value: arn,
      fix: `request or import the certificate in ACM in ${region} and use that ARN`,
    });
  }
}
