import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthApp } from '../helpers/synth-app';
import type { FleetStage } from '../../lib/stages/fleet-stage';

describe('the fleet stack of the shipped application image', () => {
  let template: Template;
  beforeAll(() => {
    const synth = synthApp();
    template = synth.templateOf((synth.stack.node.findChild('Fleet-app-linux') as FleetStage).stack);
  });

  test('runs the released AMI, resolved from SSM at every change set', () => {
    template.hasParameter('ReleasedAmi', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/golden-ami/golden-ami/images/app-linux/release-ami' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ ImageId: { Ref: 'ReleasedAmi' } }) });
  });

  test('the launch template requires IMDSv2, encrypts the root volume and has no SSH key', () => {
    const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    const data = lt.Properties.LaunchTemplateData;
    expect(data).toMatchObject({
      InstanceType: 't3.micro',
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 10, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
      IamInstanceProfile: { Arn: expect.anything() },
    });
    expect(data.KeyName).toBeUndefined();
  });

  test('instances may use Session Manager and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the group keeps no fixed desired capacity and rolls launch template versions out in batches', () => {
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      Properties: {
        MinSize: '1',
        MaxSize: '2',
        DesiredCapacity: Match.absent(),
        LaunchTemplate: { LaunchTemplateId: Match.anyValue(), Version: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchTemplate'), 'LatestVersionNumber'] } },
        VPCZoneIdentifier: { Ref: 'NetworkSubnetIds' },
      },
      UpdatePolicy: {
        AutoScalingRollingUpdate: {
          MaxBatchSize: 1,
          MinInstancesInService: 1,
          PauseTime: 'PT5M',
          SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
        },
        AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
      },
    });
  });

  test('no inbound rule; HTTPS out only', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
      SecurityGroupIngress: Match.absent(),
    });
  });
});
