import * as iam from 'aws-cdk-lib/aws-iam';
import type { FleetConfig } from '../config/model';
import { logBucketParameterName, STACK_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';
import { arnIn, createTaggedWithStackGrant, describeGrant, type ExecutionGrant, serviceLinkedRoleGrant, stageStackBaseGrants, type StageStackContext, tagOnCreateGrant } from './execution-grants';

/** AWS-managed policies the fleet instance role attaches (see FleetStack). */
export const FLEET_INSTANCE_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore'] as const;

/**
 * What CloudFormation needs to create, roll and delete one fleet stack (FleetStack): its launch template (recognised by
 * the stack tag it is created with), its Auto Scaling group by name, its instance role under the boundary and its
 * security group in the pipeline VPC. Creating or updating a group with a launch template makes Auto Scaling check
 * that the caller may run instances from it and pass its role, so those are granted for this launch template only.
 */
export function fleetStackGrants(ctx: StageStackContext, fleet?: FleetConfig, pipelineName?: string): ExecutionGrant[] {
  const nag = NagNames.of(ctx.scope);
  const anyLaunchTemplate = arnIn(ctx.scope, 'ec2', 'launch-template/*');
  const nagAnyLaunchTemplate = nag.arn('ec2', 'launch-template/*');
  const ofThisStack = { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: ctx.stackName } };
  const groupArn = arnIn(ctx.scope, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${ctx.stackName}`);
  const launched = ['instance/*', 'volume/*', 'network-interface/*', 'subnet/*', 'security-group/*'];
  return [
    createTaggedWithStackGrant(
      ctx,
      'CreateTheLaunchTemplateTaggedWithThisStack',
      'ec2:CreateLaunchTemplate',
      anyLaunchTemplate,
      nagAnyLaunchTemplate,
      `Launch template ids are generated at creation; the condition requires the tag ${STACK_TAG_KEY}=${ctx.stackName}.`,
    ),
    {
      statement: new iam.PolicyStatement({
        sid: 'ChangeOnlyTheLaunchTemplateOfThisStack',
        actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplate', 'ec2:DeleteLaunchTemplateVersions', 'ec2:ModifyLaunchTemplate'],
        resources: [anyLaunchTemplate],
        conditions: ofThisStack,
      }),
      wildcards: { [nagAnyLaunchTemplate]: `Launch template ids are generated at creation; the condition requires the tag ${STACK_TAG_KEY}=${ctx.stackName}.` },
    },
    tagOnCreateGrant('TagTheLaunchTemplateOnlyWhileCreatingIt', 'CreateLaunchTemplate', anyLaunchTemplate, nagAnyLaunchTemplate),
    {
      statement: new iam.PolicyStatement({
        sid: 'RunInstancesFromTheLaunchTemplateOfThisStack',
        actions: ['ec2:RunInstances'],
        resources: [anyLaunchTemplate],
        conditions: ofThisStack,
      }),
      wildcards: { [nagAnyLaunchTemplate]: `Auto Scaling checks the caller may launch from the group's template; only a template tagged ${STACK_TAG_KEY}=${ctx.stackName}.` },
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'RunInstancesOnlyThroughALaunchTemplate',
        actions: ['ec2:RunInstances'],
        resources: [...launched.map((r) => arnIn(ctx.scope, 'ec2', r)), arnIn(ctx.scope, 'ec2', 'image/*', { account: '' })],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': anyLaunchTemplate } },
      }),
      wildcards: {
        ...Object.fromEntries(launched.map((r) => [nag.arn('ec2', r), 'Resources of a launch that goes through a launch template (condition); the template itself must be this stack\'s.'])),
        [nag.arn('ec2', 'image/*', false)]: 'The released AMI is only known when the change set resolves its SSM parameter; launches go through this stack\'s template.',
      },
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'TheAutoScalingGroupOfThisStack',
        actions: [
          'autoscaling:CreateAutoScalingGroup',
          'autoscaling:UpdateAutoScalingGroup',
          'autoscaling:DeleteAutoScalingGroup',
          'autoscaling:CreateOrUpdateTags',
          'autoscaling:DeleteTags',
          'autoscaling:EnableMetricsCollection',
          'autoscaling:DisableMetricsCollection',
          'autoscaling:SuspendProcesses',
          'autoscaling:ResumeProcesses',
          'autoscaling:SetDesiredCapacity',
          'autoscaling:TerminateInstanceInAutoScalingGroup',
        ],
        resources: [groupArn],
      }),
      wildcards: { [nag.arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${ctx.stackName}`)]: `The group named ${ctx.stackName} only; Auto Scaling puts a generated id before the name.` },
    },
    describeGrant('DescribeWhatCloudFormationWaitsOn', [
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:DescribeLifecycleHooks',
      'autoscaling:DescribeScalingActivities',
      'autoscaling:DescribeScheduledActions',
      'ec2:DescribeAccountAttributes',
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
    ]),
    ...stageStackBaseGrants(ctx, 'autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling'),
    ...(fleet?.loadBalancer || fleet?.ingress ? [ingressGrant(ctx)] : []),
    // In a managed policy of their own: with them the inline policy would pass IAM's 10,240 characters.
    ...(fleet?.loadBalancer && pipelineName ? loadBalancerGrants(ctx, pipelineName).map((g) => ({ ...g, managedPolicy: 'load-balancer' })) : []),
  ];
}

/** Inbound rules on the stack's security groups (a load balancer's, or the instances' for fleet.ingress). */
function ingressGrant(ctx: StageStackContext): ExecutionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'InboundRulesOnSecurityGroupsOfThePipelineVpc',
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:UpdateSecurityGroupRuleDescriptionsIngress'],
      resources: [arnIn(ctx.scope, 'ec2', 'security-group/*')],
      conditions: { ArnEquals: { 'ec2:Vpc': ctx.vpcArn } },
    }),
    wildcards: { [NagNames.of(ctx.scope).arn('ec2', 'security-group/*')]: 'Security group ids are generated at creation; the condition keeps every rule change inside the pipeline VPC.' },
  };
}

/**
 * The fleet's load balancer, target group and listeners. Their names and ids are generated, so each is recognised by
 * the stack tag it is created with (aws:RequestTag) and carries ever after (aws:ResourceTag); tags may be written only
 * inside those create calls (elasticloadbalancing:CreateAction).
 */
function loadBalancerGrants(ctx: StageStackContext, pipelineName: string): ExecutionGrant[] {
  const nag = NagNames.of(ctx.scope);
  const resources = ['loadbalancer/app/*/*', 'targetgroup/*/*', 'listener/app/*/*/*'];
  const arns = resources.map((r) => arnIn(ctx.scope, 'elasticloadbalancing', r));
  const reasons = (why: string) => Object.fromEntries(resources.map((r) => [nag.arn('elasticloadbalancing', r), why]));
  const tagged = `Load balancer, target group and listener ids are generated at creation; the condition requires the tag ${STACK_TAG_KEY}=${ctx.stackName}.`;
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'CreateTheLoadBalancerPartsTaggedWithThisStack',
        actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:CreateListener'],
        resources: arns,
        conditions: { StringEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: ctx.stackName } },
      }),
      wildcards: reasons(tagged),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'AddListenersOnlyToTheLoadBalancerOfThisStack',
        actions: ['elasticloadbalancing:CreateListener'],
        resources: [arnIn(ctx.scope, 'elasticloadbalancing', 'loadbalancer/app/*/*')],
        conditions: { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: ctx.stackName } },
      }),
      wildcards: { [nag.arn('elasticloadbalancing', 'loadbalancer/app/*/*')]: tagged },
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'TagLoadBalancerPartsOnlyWhileCreatingThem',
        actions: ['elasticloadbalancing:AddTags'],
        resources: arns,
        conditions: {
          StringEquals: {
            'elasticloadbalancing:CreateAction': ['CreateLoadBalancer', 'CreateTargetGroup', 'CreateListener'],
            [`aws:RequestTag/${STACK_TAG_KEY}`]: ctx.stackName,
          },
        },
      }),
      wildcards: reasons('Tags are written only inside the create call (elasticloadbalancing:CreateAction), which its own statement limits to this stack\'s tag.'),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ChangeOnlyTheLoadBalancerPartsOfThisStack',
        actions: [
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteListener',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:RemoveTags',
        ],
        resources: arns,
        conditions: { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: ctx.stackName } },
      }),
      wildcards: reasons(tagged),
    },
    describeGrant('DescribeTheLoadBalancerParts', [
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeLoadBalancerAttributes',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]),
    serviceLinkedRoleGrant(ctx, 'elasticloadbalancing.amazonaws.com', 'AWSServiceRoleForElasticLoadBalancing'),
    {
      // The access-log bucket is a dynamic reference ({{resolve:ssm:…}}), which CloudFormation reads as this role.
      statement: new iam.PolicyStatement({
        sid: 'ResolveTheLoadBalancerLogBucket',
        actions: ['ssm:GetParameters'],
        resources: [arnIn(ctx.scope, 'ssm', `parameter${logBucketParameterName(pipelineName)}`)],
      }),
    },
  ];
}
