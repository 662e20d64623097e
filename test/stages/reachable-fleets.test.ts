import * as fs from 'fs';
import * as path from 'path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TLS_POLICY } from '../../lib/stages/fleet-load-balancer';
import { CFN_LINT_AVAILABLE, cfnLintFindings } from '../helpers/cfn-lint';
import { templatesIn } from '../../lib/docs/role-inventory';
import { rolePolicies } from '../helpers/role-policies';
import { type FixtureAssembly, fixtureAssembly } from '../helpers/fixture-assembly';

/**
 * test/fixtures/reachable-fleets: `web` behind an internet-facing load balancer with HTTPS, `api` behind an internal
 * one over HTTP, `worker` with direct ingress. The global setup synthesizes it with cdk-nag and cfn-guard (a finding
 * throws) and the deployment limit check.
 */
/** Elastic Load Balancing's log-delivery account of eu-west-1 (regions opened before August 2022 deliver as an account):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html */
const EU_WEST_1_ELB_ACCOUNT = '156460612806';

describe('fleets users can reach', () => {
  let synth: FixtureAssembly;
  const fleet = (image: string): Template => synth.stageTemplate(`Fleet-${image}`);
  beforeAll(() => {
    synth = fixtureAssembly('reachable-fleets');
  });

  describe('behind an internet-facing load balancer (web)', () => {
    test('HTTPS on 443 with the certificate and a TLS 1.3/1.2 policy; HTTP on 80 only redirects', () => {
      const t = fleet('web');
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Protocol: 'HTTPS',
        Port: 443,
        SslPolicy: TLS_POLICY,
        Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' }],
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    });

    test('in the public subnets, dropping invalid headers, strictest desync mitigation, access logs under its own prefix', () => {
      const t = fleet('web');
      t.hasParameter('NetworkPublicSubnetIds', { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/golden-ami/golden-ami-reach/network/public-subnet-ids' });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        Subnets: { Ref: 'NetworkPublicSubnetIds' },
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: '{{resolve:ssm:/golden-ami/golden-ami-reach/logs/bucket-name}}' },
          { Key: 'access_logs.s3.prefix', Value: 'load-balancers/web' },
        ]),
      });
    });

    test("the target group's health check is the fleet's, and the group replaces instances the load balancer finds unhealthy", () => {
      const t = fleet('web');
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 8080,
        Protocol: 'HTTP',
        HealthCheckPath: '/health',
        HealthCheckPort: 'traffic-port',
        Matcher: { HttpCode: '200-299' },
        TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      });
      const [targetGroup] = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: [{ Ref: targetGroup }], HealthCheckType: 'ELB' });
    });

    test('the public reaches the load balancer only; the instances accept the app port from the load balancer only', () => {
      const t = fleet('web');
      const groups = t.findResources('AWS::EC2::SecurityGroup');
      const lbGroup = Object.keys(groups).find((id) => id.startsWith('LoadBalancerSecurityGroup'))!;
      const instanceGroup = Object.keys(groups).find((id) => id.startsWith('InstanceSecurityGroup'))!;
      expect(groups[lbGroup].Properties.SecurityGroupIngress.map((r: { CidrIp: string; FromPort: number }) => [r.CidrIp, r.FromPort]).sort()).toEqual([
        ['0.0.0.0/0', 443],
        ['0.0.0.0/0', 80],
      ]);
      expect(groups[instanceGroup].Properties.SecurityGroupIngress).toBeUndefined();
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [instanceGroup, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] }, FromPort: 8080, ToPort: 8080 });
      t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    });
  });

  describe('behind an internal load balancer (api)', () => {
    test('HTTP on 80 forwards, in the private subnets, from the prefix list and security group the file names', () => {
      const t = fleet('api');
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Subnets: { Ref: 'NetworkSubnetIds' } });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTP', Port: 80, DefaultActions: [Match.objectLike({ Type: 'forward' })] });
      expect(t.toJSON().Parameters.NetworkPublicSubnetIds).toBeUndefined();
      const lbGroup = Object.keys(t.findResources('AWS::EC2::SecurityGroup')).find((id) => id.startsWith('LoadBalancerSecurityGroup'))!;
      const toLb = { GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] }, FromPort: 80, ToPort: 80 };
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...toLb, SourcePrefixListId: 'pl-0123456789abcdef0' });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...toLb, SourceSecurityGroupId: 'sg-0123456789abcdef0' });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 9000, HealthCheckPath: '/ready' });
    });
  });

  describe('with direct ingress (worker)', () => {
    test('opens its port to the configured ranges, with no load balancer', () => {
      const t = fleet('worker');
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.20.0.0/16', FromPort: 7000, ToPort: 7000 }), Match.objectLike({ CidrIp: '192.168.10.0/24', FromPort: 7000, ToPort: 7000 })],
      });
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckType: 'EC2' });
    });
  });

  test("the pipeline's log bucket lets Elastic Load Balancing write each load-balanced fleet's prefix, nothing else", () => {
    const policies = synth.pipelineTemplate.findResources('AWS::S3::BucketPolicy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
    const delivery = statements.filter((s) => s.Sid === 'LoadBalancerAccessLogsOfThisPipelinesFleets');
    expect(delivery).toHaveLength(1);
    expect(JSON.stringify(delivery[0].Principal)).toContain(`:iam::${EU_WEST_1_ELB_ACCOUNT}:root`);
    expect(delivery[0].Action).toBe('s3:PutObject');
    const resources = JSON.stringify(delivery[0].Resource);
    expect(resources).toContain('/load-balancers/api/AWSLogs/123456789012/*');
    expect(resources).toContain('/load-balancers/web/AWSLogs/123456789012/*');
    expect(resources).not.toContain('worker');
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/golden-ami-reach/logs/bucket-name' });
    synth.pipelineTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/golden-ami/golden-ami-reach/network/public-subnet-ids', Type: 'StringList' });
  });

  test("the execution role changes only load balancer parts tagged with its stack, from a managed policy of its own", () => {
    const roles = rolePolicies(templatesIn(synth.outdir), { partition: 'aws', account: '123456789012', region: 'eu-west-1' });
    const role = roles.get('golden-ami-reach-fleet-web-cfn-exec')!;
    const lb = role.identity.find((p) => JSON.stringify(p.policy).includes('elasticloadbalancing:DeleteLoadBalancer'))!;
    expect(lb).toBeDefined();
    const statements = (lb.policy as { Statement: Array<Record<string, any>> }).Statement;
    const change = statements.find((s) => s.Sid === 'ChangeOnlyTheLoadBalancerPartsOfThisStack')!;
    expect(change.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/golden-ami:stack': 'golden-ami-reach-fleet-web' } });
    const create = statements.find((s) => s.Sid === 'CreateTheLoadBalancerPartsTaggedWithThisStack')!;
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/golden-ami:stack': 'golden-ami-reach-fleet-web' } });
    // The worker fleet, without a load balancer, gets none of it.
    expect(JSON.stringify(roles.get('golden-ami-reach-fleet-worker-cfn-exec')!.identity)).not.toContain('elasticloadbalancing');
  });

  (CFN_LINT_AVAILABLE ? test : test.skip)('cfn-lint finds nothing in any template', () => {
    const dir = synth.outdir;
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template.json')).map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(6);
    expect(cfnLintFindings(files)).toEqual([]);
  });
});
