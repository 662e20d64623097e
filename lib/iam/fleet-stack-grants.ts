import * as iam from 'aws-cdk-lib/aws-iam';
import { STACK_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';
import { arnIn, describeGrant, type ExecutionGrant, stageStackBaseGrants, type StageStackContext, tagOnCreateGrant } from './execution-grants';

/** AWS-managed policies the fleet instance role attaches (see FleetStack). */
export const FLEET_INSTANCE_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore'] as const;

/**
 * What CloudFormation needs to create, roll and delete one fleet stack (FleetStack): its launch template (recognised by
 * the stack tag it is created with), its Auto Scaling group by name, its instance role under the boundary and its
 * security group in the pipeline VPC. Creating or updating a group with a launch template makes Auto Scaling check
 * that the caller may run instances from it and pass its role, so those are granted for this launch template only.
 */
export function fleetStackGrants(ctx: StageStackContext): ExecutionGrant[] {
  const nag = NagNames.of(ctx.scope);
  const anyLaunchTemplate = arnIn(ctx.scope, 'ec2', 'launch-template/*');
  const nagAnyLaunchTemplate = nag.arn('ec2', 'launch-template/*');
  const ofThisStack = { StringEquals: { [`aws:ResourceTag/${STACK_TAG_KEY}`]: ctx.stackName } };
  const groupArn = arnIn(ctx.scope, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${ctx.stackName}`);
  const launched = ['instance/*', 'volume/*', 'network-interface/*', 'subnet/*', 'security-group/*'];
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'CreateTheLaunchTemplateTaggedWithThisStack',
        actions: ['ec2:CreateLaunchTemplate'],
        resources: [anyLaunchTemplate],
        conditions: { StringEquals: { [`aws:RequestTag/${STACK_TAG_KEY}`]: ctx.stackName } },
      }),
      wildcards: { [nagAnyLaunchTemplate]: `Launch template ids are generated at creation; the condition requires the tag ${STACK_TAG_KEY}=${ctx.stackName}.` },
    },
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
  ];
}
