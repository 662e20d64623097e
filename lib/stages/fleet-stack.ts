import { Aws, CfnOutput, CfnParameter, Lazy, Stack, type StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FleetConfig, ImageConfig } from '../config/model';
import { FLEET_INSTANCE_MANAGED_POLICIES } from '../iam/fleet-stack-grants';
import { fleetParameterNames, IMAGE_TAG_KEY, imageParameterNames, instanceRoleBoundaryName, instanceRoleName, PIPELINE_TAG_KEY, STACK_TAG_KEY } from '../naming';
import { TEMPLATE_FINGERPRINT_OUTPUT } from '../../lambda/parameter-prep/fleet-rollout';
import { fleetTemplateFingerprint } from './fleet-fingerprint';
import { FleetLoadBalancer } from './fleet-load-balancer';
import { linuxHealthGate, windowsHealthGate } from './health-gate';
import { ImportedNetwork } from './imported-network';
import { allowFromSources } from './traffic-sources';

/** Props for FleetStack. */
export interface FleetStackProps extends StackProps {
  readonly pipelineName: string;
  /** The image the fleet runs; must declare a fleet. */
  readonly image: ImageConfig & { readonly fleet: FleetConfig };
}

/**
 * The fleet of one image: a launch template on the image's *released* AMI (resolved from SSM at every change set, so
 * only an AMI that passed the release gate is ever rolled out) and an Auto Scaling group that rolls new launch template
 * versions out in batches, each instance proving its health before the rollout goes on.
 *
 * Health gate (health-gate.ts, bash on Linux, PowerShell on Windows): user data polls the application's health endpoint
 * on the instance (and, behind a load balancer, waits for its target group to report the instance healthy) and signals
 * CloudFormation. A batch that does not signal success within the pause time fails the update, and CloudFormation rolls
 * the group back to the previous launch template version. (Chosen over an instance refresh because without a load balancer the only health
 * an instance refresh sees is EC2's own, not the application's.)
 *
 * Capacity: minimum and desired capacity are SSM-typed parameters, written by the pipeline stack from configuration and
 * by `npm run fleet` at run time, so a pipeline run re-applies the operator's numbers instead of resetting them.
 */
export class FleetStack extends Stack {
  public readonly launchTemplate: ec2.LaunchTemplate;
  public readonly group: autoscaling.CfnAutoScalingGroup;
  /** @default - no load balancer (fleet.loadBalancer unset) */
  public readonly loadBalancer?: FleetLoadBalancer;

  constructor(scope: Construct, id: string, props: FleetStackProps) {
    super(scope, id, props);
    const { image, pipelineName } = props;
    const fleet = image.fleet;

    const releasedAmi = new CfnParameter(this, 'ReleasedAmi', {
      type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      default: imageParameterNames(pipelineName, image.name).releaseAmi,
      description: 'SSM parameter holding the released AMI of the image (written by the release step)',
    }).valueAsString;

    const network = new ImportedNetwork(this, 'Network', { pipelineName });
    const capacity = fleetParameterNames(pipelineName, image.name);
    const minSize = new CfnParameter(this, 'MinSize', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: capacity.minSize,
      description: 'SSM parameter holding the minimum size (configuration, or npm run fleet)',
    }).valueAsString;
    const desiredCapacity = new CfnParameter(this, 'DesiredCapacity', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: capacity.desiredCapacity,
      description: 'SSM parameter holding the desired capacity (configuration, or npm run fleet)',
    }).valueAsString;

    // Named, and under the pipeline's boundary: the stack's execution role may create no other role.
    const role = new iam.Role(this, 'InstanceRole', {
      roleName: instanceRoleName(this.stackName),
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of the ${image.name} fleet: Systems Manager Session Manager access only`,
      managedPolicies: FLEET_INSTANCE_MANAGED_POLICIES.map((policy) => iam.ManagedPolicy.fromAwsManagedPolicyName(policy)),
      permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(this, 'InstanceRoleBoundary', instanceRoleBoundaryName(pipelineName)),
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'Operators reach fleet instances through Session Manager instead of SSH; this AWS-maintained policy is what the SSM agent needs.',
    });

    const inbound = fleet.loadBalancer ? `port ${fleet.healthCheck.port} from its load balancer` : fleet.ingress ? `port ${fleet.ingress.port} from the configured sources` : 'no inbound (Session Manager needs none)';
    const securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: network.vpc,
      description: `${image.name} fleet: ${inbound}, HTTPS out`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Systems Manager and package repositories');
    if (fleet.loadBalancer) {
      // The first-boot gate asks whether the target group sees this instance healthy (the boundary allows it too).
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'HealthGateReadsTargetHealth', actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'elasticloadbalancing:DescribeTargetHealth supports no resource-level permission; it is read-only and only answers for target groups of this account.',
      });
      this.loadBalancer = new FleetLoadBalancer(this, 'LoadBalancer', { pipelineName, imageName: image.name, config: fleet.loadBalancer, healthCheck: fleet.healthCheck, network });
      const lbGroup = this.loadBalancer.securityGroup;
      securityGroup.addIngressRule(lbGroup, ec2.Port.tcp(fleet.healthCheck.port), 'Application traffic and health checks from the load balancer');
      lbGroup.addEgressRule(securityGroup, ec2.Port.tcp(fleet.healthCheck.port), 'To the fleet instances: requests and health checks');
    } else if (fleet.ingress) {
      allowFromSources(this, securityGroup, fleet.ingress.from, ec2.Port.tcp(fleet.ingress.port), 'Application traffic');
    }

    const windows = image.platform === 'windows';
    const userData = windows ? ec2.UserData.forWindows() : ec2.UserData.forLinux();
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: { getImage: () => ({ imageId: releasedAmi, osType: windows ? ec2.OperatingSystemType.WINDOWS : ec2.OperatingSystemType.LINUX, userData }) },
      userData,
      instanceType: new ec2.InstanceType(fleet.instanceType),
      role,
      securityGroup,
      // Never a public address, whatever the subnet's auto-assign setting (an existing VPC's subnets may have it on):
      // the instances reach out through the VPC's egress and are reached through Session Manager or the load balancer.
      associatePublicIpAddress: false,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: image.rootDeviceName,
          volume: ec2.BlockDeviceVolume.ebs(image.rootVolumeGiB, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
        },
      ],
      detailedMonitoring: true,
    });
    (this.launchTemplate.node.findChild('Profile') as iam.CfnInstanceProfile).instanceProfileName = instanceRoleName(this.stackName);
    // The execution role may change only launch templates carrying this tag from their creation.
    Tags.of(this.launchTemplate).add(STACK_TAG_KEY, this.stackName);

    this.group = new autoscaling.CfnAutoScalingGroup(this, 'Group', {
      // Named after the stack, so the execution role can be limited to it. Only a name change would replace the group.
      autoScalingGroupName: this.stackName,
      minSize,
      maxSize: String(fleet.maxSize),
      // From SSM, not a literal: a literal would be re-applied by CloudFormation and undo an operator's scaling.
      desiredCapacity,
      launchTemplate: { launchTemplateId: this.launchTemplate.launchTemplateId, version: this.launchTemplate.latestVersionNumber },
      // The subnet list is only known when the change set resolves the SSM parameter.
      vpcZoneIdentifier: network.subnetIds,
      // With a load balancer, an instance its target group finds unhealthy is replaced, not only one EC2 finds impaired.
      healthCheckType: fleet.loadBalancer ? 'ELB' : 'EC2',
      healthCheckGracePeriod: Math.max(300, fleet.healthCheck.timeoutSeconds),
      targetGroupArns: this.loadBalancer ? [this.loadBalancer.targetGroup.ref] : undefined,
      metricsCollection: [{ granularity: '1Minute' }],
      tags: [
        { key: 'Name', value: `${pipelineName}-${image.name}`, propagateAtLaunch: true },
        { key: PIPELINE_TAG_KEY, value: pipelineName, propagateAtLaunch: true },
        { key: IMAGE_TAG_KEY, value: image.name, propagateAtLaunch: true },
      ],
    });
    const target = { stackName: Aws.STACK_NAME, resourceLogicalId: this.group.logicalId, region: Aws.REGION };
    const waitForTargetGroup = this.loadBalancer ? { targetGroupArn: this.loadBalancer.targetGroup.ref } : undefined;
    userData.addCommands(...(windows ? windowsHealthGate : linuxHealthGate)(fleet.healthCheck, target, waitForTargetGroup));
    this.group.cfnOptions.creationPolicy = {
      resourceSignal: { count: Token.asNumber(desiredCapacity), timeout: fleet.rollingUpdate.pauseTime },
      autoScalingCreationPolicy: { minSuccessfulInstancesPercent: 100 },
    };
    this.group.cfnOptions.updatePolicy = {
      autoScalingRollingUpdate: {
        maxBatchSize: fleet.rollingUpdate.maxBatchSize,
        minInstancesInService: fleet.rollingUpdate.minInstancesInService,
        // With signals, the pause is how long a batch may take to prove healthy.
        pauseTime: fleet.rollingUpdate.pauseTime,
        waitOnResourceSignals: true,
        minSuccessfulInstancesPercent: 100,
        // Processes that would fight the update; Launch and Terminate must never be suspended.
        suspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
      },
      autoScalingScheduledAction: { ignoreUnmodifiedGroupSizeProperties: true },
    };

    Validations.of(this.group).acknowledge(
      {
        id: 'AwsSolutions-AS3',
        reason: 'Scaling activity is recorded in the group activity history and emitted to EventBridge (aws.autoscaling); no per-group SNS topic is kept.',
      },
      {
        id: 'cdk-validator-cfnguard::autoscaling_multiple_az_check',
        reason: 'The subnets are an SSM list resolved at deploy time, so the rule cannot count them; the pipeline VPC spans network.maxAzs zones (2 by default).',
      },
      {
        id: 'cdk-validator-cfnguard::autoscaling_mixed_instances_policy_multiple_instance_types_check',
        reason: 'The fleet runs the one instance type its image file names, sized and tested for the application.',
      },
    );

    new CfnOutput(this, 'AutoScalingGroupName', { value: this.group.ref, description: 'Auto Scaling group of the fleet' });
    new CfnOutput(this, 'ReleasedAmiId', { value: releasedAmi, description: 'AMI the launch template runs' });
    // What the release step compares before it rolls this fleet out in its image's lane (fleet-rollout.ts). Uncached:
    // the template is resolved once before the synthesizer adds its bootstrap-version parameter and rule, then again.
    new CfnOutput(this, TEMPLATE_FINGERPRINT_OUTPUT, { value: Lazy.uncachedString({ produce: () => fleetTemplateFingerprint(this) }), description: 'Fingerprint of this template (outputs left out)' });
    if (this.loadBalancer) {
      new CfnOutput(this, 'LoadBalancerDnsName', { value: this.loadBalancer.loadBalancer.attrDnsName, description: `DNS name of the ${fleet.loadBalancer!.scheme} load balancer` });
    }
  }
}
