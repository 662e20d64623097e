import { Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { NetworkConfig } from '../config/model';
import { networkParameterNames } from '../naming';

/** The created VPC's shape as the Egress stack needs it: it places NAT gateways and routes by position in the SSM lists. */
export interface EgressLayout {
  readonly natGateways: number;
  readonly publicSubnets: number;
  readonly privateRouteTables: number;
}

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
  /**
   * With network.egress on-demand: what the Egress stack builds on (counts known at synth; ids published to SSM).
   * Undefined when the NAT gateways are always on, or the VPC is an existing one.
   */
  public readonly egress?: EgressLayout;

  constructor(scope: Construct, id: string, props: PipelineNetworkProps) {
    super(scope, id);
    const { network } = props;
    let vpcId: string;
    let subnetIds: string;
    let publicSubnetIds: string | undefined;
    let privateRouteTableIds: string | undefined;
    if (network.kind === 'create') {
      const onDemand = network.egress === 'on-demand';
      this.vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(network.vpcCidr),
        maxAzs: network.maxAzs,
        // On demand, the Egress stage stack owns the NAT gateways and the private subnets' default routes.
        natGateways: onDemand ? 0 : network.natGateways,
        subnetConfiguration: [
          // Always: only the NAT gateways live here. On demand: build instances too, which need a public address to
          // reach Systems Manager and package repositories (Image Builder assigns none itself); fleets never do
          // (their launch template refuses one).
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: onDemand },
          { name: 'Private', subnetType: onDemand ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
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
          reason: onDemand
            ? `Public subnet ${subnet.node.id} holds image build instances (no inbound rule) and, while a fleet runs, the NAT gateway; its route to the internet gateway is how they reach package repositories and AWS APIs.`
            : `Public subnet ${subnet.node.id} holds only a NAT gateway (nothing launched in it gets a public address); its route to the internet gateway is how private build and fleet instances reach package repositories and AWS APIs.`,
        });
        if (onDemand) {
          const reason = `network.egress is on-demand: image build and test instances run in public subnet ${subnet.node.id} with a public address, a security group with no inbound rule, and only for the build; fleets stay in the private subnets and their launch template refuses a public address.`;
          Validations.of(subnet.node.findChild('Subnet')).acknowledge(
            { id: 'cdk-validator-cfnguard::subnet_auto_assign_public_ip_disabled_check', reason },
            { id: 'NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled', reason },
          );
        }
      }
      vpcId = this.vpc.vpcId;
      // Isolated (no route out) until the Egress stack adds one, when egress is on demand.
      const privateSubnets = onDemand ? this.vpc.isolatedSubnets : this.vpc.privateSubnets;
      subnetIds = Fn.join(',', privateSubnets.map((s) => s.subnetId));
      publicSubnetIds = Fn.join(',', this.vpc.publicSubnets.map((s) => s.subnetId));
      if (onDemand) {
        this.egress = { natGateways: network.natGateways, publicSubnets: this.vpc.publicSubnets.length, privateRouteTables: privateSubnets.length };
        privateRouteTableIds = Fn.join(',', privateSubnets.map((s) => s.routeTable.routeTableId));
      }
    } else {
      vpcId = network.vpcId;
      subnetIds = network.subnetIds.join(',');
      publicSubnetIds = network.publicSubnetIds.length > 0 ? network.publicSubnetIds.join(',') : undefined;
    }
    this.vpcArn = Stack.of(this).formatArn({ service: 'ec2', resource: 'vpc', resourceName: vpcId });
    const names = networkParameterNames(props.pipelineName);
    new ssm.CfnParameter(this, 'VpcIdParameter', { name: names.vpcId, type: 'String', value: vpcId, description: 'VPC of image builds and fleets' });
    new ssm.CfnParameter(this, 'SubnetIdsParameter', { name: names.subnetIds, type: 'StringList', value: subnetIds, description: 'Private subnets of image builds and fleets' });
    if (privateRouteTableIds !== undefined) {
      new ssm.CfnParameter(this, 'PrivateRouteTableIdsParameter', { name: names.privateRouteTableIds, type: 'StringList', value: privateRouteTableIds, description: 'Route tables of the private subnets, where the Egress stack puts the default route while a fleet runs' });
    }
    if (publicSubnetIds !== undefined) {
      new ssm.CfnParameter(this, 'PublicSubnetIdsParameter', { name: names.publicSubnetIds, type: 'StringList', value: publicSubnetIds, description: 'Public subnets of internet-facing fleet load balancers' });
    }
  }
}
