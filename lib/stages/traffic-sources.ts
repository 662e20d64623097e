import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { TrafficSources } from '../config/model';

/**
 * Opens `port` on `group` to each configured source: CIDR ranges, managed prefix lists and security groups, one rule
 * each, described by what it is for.
 */
export function allowFromSources(scope: Construct, group: ec2.SecurityGroup, sources: TrafficSources, port: ec2.Port, purpose: string): void {
  for (const cidr of sources.cidrs) group.addIngressRule(ec2.Peer.ipv4(cidr), port, `${purpose} from ${cidr}`);
  for (const prefixList of sources.prefixListIds) group.addIngressRule(ec2.Peer.prefixList(prefixList), port, `${purpose} from ${prefixList}`);
  sources.securityGroupIds.forEach((id, i) => {
    group.addIngressRule(ec2.SecurityGroup.fromSecurityGroupId(scope, `AllowedGroup${i}${group.node.id}`, id, { mutable: false }), port, `${purpose} from ${id}`);
  });
}
