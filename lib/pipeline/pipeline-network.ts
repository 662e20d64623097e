import { Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../config/model';
import { networkParameterNames } from '../naming';

/** Props for PipelineNetwork. */
export interface PipelineNetworkProps {
  readonly pipelineName: string;
  readonly network: NetworkConfig;
  /** Key that encrypts the VPC flow logs. */
  readonly logKey: kms.IKey;
}

/**
 * The network image builds and fleets run in: a small VPC the pipeline owns, or an existing one. Either way its ids
 * are published to SSM, where the stage stacks resolve them (they cannot reference this stack).
 */
export class PipelineNetwork extends Construct {
  /** The VPC created, when the configuration asks for one. */
  public readonly vpc?: ec2.Vpc;
  /** ARN of the VPC, created or existing: the stage stacks' execution roles may create security groups only there. */
  public readonly vpcArn: string;

  constructor(scope: Construct, id: string, props: PipelineNetworkProps) {
    super(scope, id);
    const { network } = props;
    let vpcId: string;
    let subnetIds: string;
    let publicSubnetIds: string | undefined;
    if (network.kind === 'create') {
      this.vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(network.vpcCidr),
        maxAzs: network.maxAzs,
        natGateways: network.natGateways,
        subnetConfiguration: [
          // Only the NAT gateways live here; nothing launched in them should get a public address.
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
          { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        ],
      });
      const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.logKey,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
      const restrictDefaultSecurityGroup = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
      if (restrictDefaultSecurityGroup) {
        Validations.of(restrictDefaultSecurityGroup).acknowledge({
          id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
          reason: "CDK's provider that strips the VPC's default security group rules; it calls only the EC2 API, once per deployment.",
        });
      }
      for (const subnet of this.vpc.publicSubnets) {
        Validations.of(subnet.node.findChild('DefaultRoute')).acknowledge({
          id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
          reason: `Public subnet ${subnet.node.id} holds only a NAT gateway (nothing launched in it gets a public address); its route to the internet gateway is how private build and fleet instances reach package repositories and AWS APIs.`,
        });
      }
      vpcId = this.vpc.vpcId;
      subnetIds = Fn.join(',', this.vpc.privateSubnets.map((s) => s.subnetId));
      publicSubnetIds = Fn.join(',', this.vpc.publicSubnets.map((s) => s.subnetId));
    } else {
      vpcId = network.vpcId;
      subnetIds = network.subnetIds.join(',');
      publicSubnetIds = network.publicSubnetIds.length > 0 ? network.publicSubnetIds.join(',') : undefined;
    }
    this.vpcArn = Stack.of(this).formatArn({ service: 'ec2', resource: 'vpc', resourceName: vpcId });
    const names = networkParameterNames(props.pipelineName);
    new ssm.CfnParameter(this, 'VpcIdParameter', { name: names.vpcId, type: 'String', value: vpcId, description: 'VPC of image builds and fleets' });
    new ssm.CfnParameter(this, 'SubnetIdsParameter', { name: names.subnetIds, type: 'StringList', value: subnetIds, description: 'Private subnets of image builds and fleets' });
    if (publicSubnetIds !== undefined) {
      new ssm.CfnParameter(this, 'PublicSubnetIdsParameter', { name: names.publicSubnetIds, type: 'StringList', value: publicSubnetIds, description: 'Public subnets of internet-facing fleet load balancers' });
    }
  }
}
