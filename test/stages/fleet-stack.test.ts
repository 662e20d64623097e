import { Match, type Template } from 'aws-cdk-lib/assertions';
import { fixtureAssembly } from '../helpers/fixture-assembly';

/** A launch template's user data, with CloudFormation references shown as <{"Ref":…}>. */
function userDataOf(template: Template): string {
  const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
  const parts: unknown[] = lt.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p)}>`)).join('');
}

describe('the fleet stack of the shipped application image', () => {
  let template: Template;
  beforeAll(() => {
    template = fixtureAssembly().stageTemplate('Fleet-app-linux');
  });

  test('runs the released AMI, resolved from SSM at every change set', () => {
    template.hasParameter('ReleasedAmi', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/golden-ami/golden-ami/images/app-linux/release-ami' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ ImageId: { Ref: 'ReleasedAmi' } }) });
  });

  test('the launch template requires IMDSv2, encrypts the root volume, has no SSH key and never a public address', () => {
    const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    const data = lt.Properties.LaunchTemplateData;
    expect(data).toMatchObject({
      InstanceType: 't3.micro',
      // Whatever the subnet's auto-assign setting: an existing VPC's private subnets may have it on.
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [{ 'Fn::GetAtt': [expect.stringMatching(/^InstanceSecurityGroup/), 'GroupId'] }] }],
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

  test('minimum and desired capacity come from SSM, so a pipeline run re-applies what the operator set', () => {
    template.hasParameter('MinSize', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/golden-ami/golden-ami/fleets/app-linux/min-size' });
    template.hasParameter('DesiredCapacity', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/golden-ami/golden-ami/fleets/app-linux/desired-capacity' });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: { Ref: 'MinSize' },
      MaxSize: '2',
      DesiredCapacity: { Ref: 'DesiredCapacity' },
      LaunchTemplate: { LaunchTemplateId: Match.anyValue(), Version: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchTemplate'), 'LatestVersionNumber'] } },
      VPCZoneIdentifier: { Ref: 'NetworkSubnetIds' },
    });
  });

  test('rolls new launch template versions out in batches that must each signal healthy', () => {
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      UpdatePolicy: {
        AutoScalingRollingUpdate: {
          MaxBatchSize: 1,
          MinInstancesInService: 1,
          PauseTime: 'PT10M',
          WaitOnResourceSignals: true,
          MinSuccessfulInstancesPercent: 100,
          // Launch and Terminate stay active: CloudFormation needs them to replace instances and to roll back.
          SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions'],
        },
        AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
      },
      CreationPolicy: { ResourceSignal: { Count: { Ref: 'DesiredCapacity' }, Timeout: 'PT10M' }, AutoScalingCreationPolicy: { MinSuccessfulInstancesPercent: 100 } },
    });
  });

  test('instances signal CloudFormation with the outcome of the health check on the instance (health-gate.ts)', () => {
    const script = userDataOf(template);
    expect(script.startsWith('#!/bin/bash')).toBe(true);
    expect(script).toContain("local url='http://127.0.0.1:8080/health'");
    expect(script).toContain('local deadline=$((SECONDS + 300))');
    expect(script).toContain(`"$cfn_signal" --exit-code "$status" --stack '<{"Ref":"AWS::StackName"}>' --resource 'Group' --region '<{"Ref":"AWS::Region"}>'`);
    // No load balancer: the gate does not ask one.
    expect(script).not.toContain('describe-target-health');
  });

  test('no inbound rule; HTTPS out only', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('the fleet stack of the Windows IIS image', () => {
  let template: Template;
  beforeAll(() => {
    template = fixtureAssembly().stageTemplate('Fleet-windows-iis');
  });

  test('runs the released Windows AMI on a t3.medium with its 30 GiB /dev/sda1 root volume', () => {
    template.hasParameter('ReleasedAmi', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/golden-ami/golden-ami/images/windows-iis/release-ami' });
    const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(lt.Properties.LaunchTemplateData).toMatchObject({
      InstanceType: 't3.medium',
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 30, VolumeType: 'gp3', Encrypted: true } }],
    });
  });

  test('its first boot runs the PowerShell gate: IIS must answer /health.html within 900 s, then cfn-signal.exe', () => {
    const script = userDataOf(template);
    expect(script.startsWith('<powershell>')).toBe(true);
    expect(script).toContain("$url = 'http://127.0.0.1:80/health.html'");
    expect(script).toContain('while ($clock.Elapsed.TotalSeconds -lt 900)');
    expect(script).toContain(`& $cfnSignal --exit-code $status --stack '<{"Ref":"AWS::StackName"}>' --resource 'Group' --region '<{"Ref":"AWS::Region"}>'`);
  });

  test('rolls out and rolls back like Linux: signals per batch within PT20M, the creation waits for the desired count', () => {
    template.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      UpdatePolicy: {
        AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 1, PauseTime: 'PT20M', WaitOnResourceSignals: true, MinSuccessfulInstancesPercent: 100 }),
        AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
      },
      CreationPolicy: { ResourceSignal: { Count: { Ref: 'DesiredCapacity' }, Timeout: 'PT20M' }, AutoScalingCreationPolicy: { MinSuccessfulInstancesPercent: 100 } },
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: { Ref: 'MinSize' }, MaxSize: '2', HealthCheckGracePeriod: 900 });
  });
});
