import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { ConfigProblem } from '../config-error';
import { isToken, problem } from './problem';

/**
 * The subnets the pipeline's VPC gets in each zone, as lib/pipeline/pipeline-network.ts creates them: a /24 public
 * subnet (NAT gateways only) and a /22 private one. test/config/checks/network.test.ts synthesizes PipelineNetwork
 * and fails if the two drift apart.
 */
export const CREATED_SUBNET_MASKS = { public: 24, private: 22 } as const;

/** The subnet CIDRs CDK gives a created VPC, in its order (all public subnets, then all private); throws when they do not fit. */
export function plannedSubnets(vpcCidr: string, zones: number): string[] {
  const requestedSubnets: ec2.RequestedSubnet[] = [];
  for (const [name, subnetType, cidrMask] of [
    ['Public', ec2.SubnetType.PUBLIC, CREATED_SUBNET_MASKS.public],
    ['Private', ec2.SubnetType.PRIVATE_WITH_EGRESS, CREATED_SUBNET_MASKS.private],
  ] as const) {
    for (let zone = 0; zone < zones; zone++) {
      requestedSubnets.push({ availabilityZone: `zone-${zone}`, subnetConstructId: `${name}${zone}`, configuration: { name, subnetType, cidrMask } });
    }
  }
  return ec2.IpAddresses.cidr(vpcCidr).allocateSubnetsCidr({ vpcCidr, requestedSubnets }).allocatedSubnets.map((s) => s.cidr);
}

/**
 * The CIDR of the VPC the pipeline creates: octets of 0-255, written as its network address (10.40.7.0/16 is not the
 * network 10.40.0.0/16 and CDK would lay the subnets out elsewhere), and large enough for the subnets of `zones` zones.
 */
export function checkVpcCidr(file: string, field: string, cidr: string, zones: number): ConfigProblem[] {
  if (isToken(cidr)) return [];
  const [address, prefixText] = cidr.split('/');
  const octets = address.split('.').map(Number);
  const prefix = Number(prefixText);
  if (octets.some((o) => o > 255)) {
    return [problem(file, field, 'has an octet over 255', cidr, 'use four numbers from 0 to 255, e.g. 10.40.0.0/16')];
  }
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const network = value - (value % size);
  if (network !== value) {
    const canonical = `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`; // e.g. 10.40.0.0/16
    return [problem(file, field, `is not a network address: the bits after /${prefix} must be 0, or the VPC lands on another network than the one written`, cidr, `write ${canonical}`)];
  }
  try {
    plannedSubnets(cidr, zones);
    return [];
  } catch {
    const networkAt = (bits: number) => {
      const block = 2 ** (32 - bits);
      const start = value - (value % block);
      return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join('.')}/${bits}`;
    };
    let needed = prefix;
    while (needed > 16 && !fits(networkAt(needed), zones)) needed--;
    const layout = `${zones} zone${zones === 1 ? '' : 's'} × (a /${CREATED_SUBNET_MASKS.public} public and a /${CREATED_SUBNET_MASKS.private} private subnet)`;
    return [problem(file, field, `is too small for the subnets the VPC gets: ${layout} need at least a /${needed}`, cidr, `use a /${needed} or larger, e.g. ${networkAt(needed)}${zones > 1 ? ', or lower network.maxAzs' : ''}`)];
  }
}

function fits(cidr: string, zones: number): boolean {
  try {
    plannedSubnets(cidr, zones);
    return true;
  } catch {
    return false;
  }
}
