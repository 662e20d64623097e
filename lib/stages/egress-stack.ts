import { CfnCondition, CfnParameter, Fn, type ICfnConditionExpression, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EgressLayout } from '../pipeline/pipeline-network';
import { fleetParameterNames, networkParameterNames, PIPELINE_TAG_KEY, STACK_TAG_KEY } from '../naming';

/** Props for EgressStack. */
export interface EgressStackProps extends StackProps {
  readonly pipelineName: string;
  /** Images that have a fleet: each one's desired capacity decides whether the NAT gateways exist. */
  readonly fleetImageNames: readonly string[];
  /** How many NAT gateways, public subnets and private route tables the pipeline's VPC has. */
  readonly layout: EgressLayout;
}

/** CloudFormation's Fn::Or takes 2 to 10 conditions. */
const MAX_OR_CONDITIONS = 10;

/** What the egress state parameter says, so `npm run fleet -- status` and the console can tell without reading the VPC. */
export const EGRESS_ON = 'on';
export const EGRESS_OFF = 'off';

/**
 * Logical id of the condition every NAT gateway, Elastic IP and default route of this stack carries: readers of the
 * template (the bench's cost model) tell on-demand egress from always-on resources by it.
 */
export const ANY_FLEET_RUNNING_CONDITION = 'AnyFleetRunning';

/**
 * The NAT gateways of the pipeline's VPC, which exist only while a fleet has instances (network.egress on-demand).
 *
 * Each fleet's desired capacity is an SSM-typed parameter (the SSM parameter `npm run fleet` writes), and one condition,
 * "some fleet wants an instance", gates every NAT gateway, its Elastic IP and the default route of every private
 * subnet. CloudFormation fetches an SSM parameter's current value at every change set, even with the previous template
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/systems-manager-parameter-types.html), so a pipeline
 * run and `npm run fleet` (which updates this stack after scaling) both bring the NAT gateways in line with the fleets:
 * created before a fleet's instances launch, deleted once every fleet is at zero.
 *
 * The state parameter is the one unconditional resource: a stack whose resources are all conditioned out is not
 * something to rely on.
 */
export class EgressStack extends Stack {
  /** True while some fleet's desired capacity is above zero. */
  public readonly anyFleetRunning: CfnCondition;

  constructor(scope: Construct, id: string, props: EgressStackProps) {
    super(scope, id, props);
    const { pipelineName, layout } = props;
    if (props.fleetImageNames.length === 0) throw new Error('EgressStack needs at least one fleet: without one there is nothing to give egress to');
    if (layout.natGateways > layout.publicSubnets) throw new Error(`EgressStack: ${layout.natGateways} NAT gateways need as many public subnets (the VPC has ${layout.publicSubnets})`);
    Tags.of(this).add(PIPELINE_TAG_KEY, pipelineName);
    // The execution role creates and deletes only what carries this tag (egress-stack-grants).
    Tags.of(this).add(STACK_TAG_KEY, this.stackName);

    const names = networkParameterNames(pipelineName);
    const publicSubnetIds = new CfnParameter(this, 'PublicSubnetIds', {
      type: 'AWS::SSM::Parameter::Value<List<String>>',
      default: names.publicSubnetIds,
      description: 'SSM parameter holding the public subnet ids, where the NAT gateways go (written by the pipeline stack)',
    });
    publicSubnetIds.overrideLogicalId('NetworkPublicSubnetIds');
    const routeTableIds = new CfnParameter(this, 'PrivateRouteTableIds', {
      type: 'AWS::SSM::Parameter::Value<List<String>>',
      default: names.privateRouteTableIds,
      description: 'SSM parameter holding the private subnets\' route tables (written by the pipeline stack)',
    });
    routeTableIds.overrideLogicalId('NetworkPrivateRouteTableIds');

    // In a scope of their own, so CDK gives each a logical id with a hash of its path: image names stripped to
    // letters and digits can collide (app-linux, applinux).
    const fleets = new Construct(this, 'Fleets');
    const fleetRunning = props.fleetImageNames.map((image) => {
      const desired = new CfnParameter(fleets, `DesiredCapacity-${image}`, {
        type: 'AWS::SSM::Parameter::Value<String>',
        default: fleetParameterNames(pipelineName, image).desiredCapacity,
        description: `SSM parameter holding the desired capacity of fleet ${image} (configuration, or npm run fleet)`,
      });
      return new CfnCondition(fleets, `FleetRunning-${image}`, { expression: Fn.conditionNot(Fn.conditionEquals(desired.valueAsString, '0')) });
    });
    this.anyFleetRunning = new CfnCondition(this, ANY_FLEET_RUNNING_CONDITION, { expression: anyOf(this, fleetRunning) });
    // Pinned, not left to CDK's id allocation: the cost model finds the on-demand resources by this id.
    this.anyFleetRunning.overrideLogicalId(ANY_FLEET_RUNNING_CONDITION);
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W9052',
      reason: `CDK's template validator tries every combination of the fleets' desired-capacity parameters and runs out of its budget past about 20 fleets; the one condition here is an OR of "fleet N is not at zero", proven by the Egress stack tests for up to 23 fleets.`,
    });

    const natGateways = Array.from({ length: layout.natGateways }, (_, i) => {
      const address = new ec2.CfnEIP(this, `NatAddress${i + 1}`, { domain: 'vpc' });
      address.cfnOptions.condition = this.anyFleetRunning;
      const gateway = new ec2.CfnNatGateway(this, `NatGateway${i + 1}`, {
        subnetId: Fn.select(i, publicSubnetIds.valueAsList),
        allocationId: address.attrAllocationId,
        connectivityType: 'public',
      });
      gateway.cfnOptions.condition = this.anyFleetRunning;
      return gateway;
    });
    for (let i = 0; i < layout.privateRouteTables; i++) {
      // Subnets and NAT gateways are laid out zone by zone in the same order: a private subnet uses its own zone's NAT
      // gateway when there is one.
      const route = new ec2.CfnRoute(this, `DefaultRoute${i + 1}`, {
        routeTableId: Fn.select(i, routeTableIds.valueAsList),
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natGateways[i % natGateways.length].ref,
      });
      route.cfnOptions.condition = this.anyFleetRunning;
    }

    new ssm.CfnParameter(this, 'EgressState', {
      name: names.egressState,
      type: 'String',
      value: Fn.conditionIf(this.anyFleetRunning.logicalId, EGRESS_ON, EGRESS_OFF).toString(),
      description: `Whether the NAT gateways of pipeline ${pipelineName} exist (on while some fleet has instances)`,
    });
  }
}

/** Fn::Or over any number of conditions: one stands alone, more are grouped ten at a time (CloudFormation's limit). */
function anyOf(scope: Construct, conditions: readonly CfnCondition[]): ICfnConditionExpression {
  if (conditions.length === 1) return conditions[0];
  if (conditions.length <= MAX_OR_CONDITIONS) return Fn.conditionOr(...conditions);
  const groups: CfnCondition[] = [];
  for (let i = 0; i < conditions.length; i += MAX_OR_CONDITIONS) {
    groups.push(new CfnCondition(scope, `${ANY_FLEET_RUNNING_CONDITION}${groups.length + 1}`, { expression: anyOf(scope, conditions.slice(i, i + MAX_OR_CONDITIONS)) }));
  }
  return anyOf(scope, groups);
}
