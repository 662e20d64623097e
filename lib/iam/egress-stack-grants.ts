import * as iam from 'aws-cdk-lib/aws-iam';
import { networkParameterNames, STACK_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';
import { arnIn, createTaggedWithStackGrant, describeGrant, type ExecutionGrant, parameterGrant, type StageStackContext, tagOnCreateGrant } from './execution-grants';

/**
 * What CloudFormation needs to create and delete the on-demand NAT gateways (EgressStack): Elastic IPs and NAT gateways
 * recognised by the stack tag they are created with (aws:RequestTag) and carry ever after (aws:ResourceTag); default
 * routes only in route tables of the pipeline VPC; the one state parameter the stack writes.
 */
export function egressStackGrants(ctx: StageStackContext, pipelineName: string): ExecutionGrant[] {
  const nag = NagNames.of(ctx.scope);
  const anyAddress = arnIn(ctx.scope, 'ec2', 'elastic-ip/*');
  const anyGateway = arnIn(ctx.scope, 'ec2', 'natgateway/*');
  const anyRouteTable = arnIn(ctx.scope, 'ec2', 'route-table/*');
  const anySubnet = arnIn(ctx.scope, 'ec2', 'subnet/*');
  const anyInterface = arnIn(ctx.scope, 'ec2', 'network-interface/*');
  const tagged = `Elastic IP and NAT gateway ids are generated at creation; the condition requires the tag ${STACK_TAG_KEY}=${ctx.stackName}.`;
  const inVpc = 'Route table and subnet ids come from SSM at deploy time, network interface ids from the service; the condition keeps every call inside the pipeline VPC.';
  const ofThisStack = { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: ctx.stackName } };
  const inThePipelineVpc = { ArnEquals: { 'ec2:Vpc': ctx.vpcArn } };
  const stateParameter = arnIn(ctx.scope, 'ssm', `parameter${networkParameterNames(pipelineName).egressState}`);
  return [
    // Each create action on its own resource type: a request tag on CreateNatGateway must not let it take any address
    // (the address it names is limited by its own tag, below).
    createTaggedWithStackGrant(ctx, 'AllocateAddressesTaggedWithThisStack', 'ec2:AllocateAddress', anyAddress, nag.arn('ec2', 'elastic-ip/*'), tagged),
    createTaggedWithStackGrant(ctx, 'CreateNatGatewaysTaggedWithThisStack', 'ec2:CreateNatGateway', anyGateway, nag.arn('ec2', 'natgateway/*'), tagged),
    {
      // CreateNatGateway also names the address it takes: only one of this stack's.
      statement: new iam.PolicyStatement({
        sid: 'UseAndReleaseOnlyTheAddressesOfThisStack',
        actions: ['ec2:CreateNatGateway', 'ec2:AssociateAddress', 'ec2:DisassociateAddress', 'ec2:ReleaseAddress'],
        resources: [anyAddress],
        conditions: ofThisStack,
      }),
      wildcards: { [nag.arn('ec2', 'elastic-ip/*')]: tagged },
    },
    {
      statement: new iam.PolicyStatement({ sid: 'DeleteOnlyTheNatGatewaysOfThisStack', actions: ['ec2:DeleteNatGateway'], resources: [anyGateway], conditions: ofThisStack }),
      wildcards: { [nag.arn('ec2', 'natgateway/*')]: tagged },
    },
    tagOnCreateGrant('TagAddressesOnlyWhileAllocatingThem', 'AllocateAddress', anyAddress, nag.arn('ec2', 'elastic-ip/*')),
    tagOnCreateGrant('TagNatGatewaysOnlyWhileCreatingThem', 'CreateNatGateway', anyGateway, nag.arn('ec2', 'natgateway/*')),
    {
      // A NAT gateway's subnet, and the interface the service creates for it (whose address CloudFormation
      // disassociates on delete), in the pipeline VPC.
      statement: new iam.PolicyStatement({ sid: 'PlaceNatGatewaysOnlyInSubnetsOfThePipelineVpc', actions: ['ec2:CreateNatGateway'], resources: [anySubnet], conditions: inThePipelineVpc }),
      wildcards: { [nag.arn('ec2', 'subnet/*')]: inVpc },
    },
    {
      // CreateNatGateway names the VPC too (a resource type of the action in the service authorization reference).
      statement: new iam.PolicyStatement({ sid: 'NatGatewaysOnlyInThePipelineVpc', actions: ['ec2:CreateNatGateway'], resources: [ctx.vpcArn] }),
    },
    {
      statement: new iam.PolicyStatement({ sid: 'AddressesOnInterfacesOfThePipelineVpc', actions: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'], resources: [anyInterface], conditions: inThePipelineVpc }),
      wildcards: { [nag.arn('ec2', 'network-interface/*')]: inVpc },
    },
    {
      // Route actions name the route table only (service authorization reference): the VPC condition is their limit.
      statement: new iam.PolicyStatement({
        sid: 'DefaultRoutesOnlyInRouteTablesOfThePipelineVpc',
        actions: ['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'],
        resources: [anyRouteTable],
        conditions: inThePipelineVpc,
      }),
      wildcards: { [nag.arn('ec2', 'route-table/*')]: inVpc },
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'WriteTheEgressStateParameter',
        actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:ListTagsForResource'],
        resources: [stateParameter],
      }),
    },
    describeGrant('DescribeWhatCloudFormationWaitsOn', [
      'ec2:DescribeAddresses',
      'ec2:DescribeAddressesAttribute',
      'ec2:DescribeNatGateways',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ssm:DescribeParameters',
    ]),
    parameterGrant(ctx),
  ];
}
