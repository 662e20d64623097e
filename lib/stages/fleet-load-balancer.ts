import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { HealthCheckConfig, LoadBalancerConfig } from '../config/model';
import { loadBalancerLogPrefix, logBucketParameterName } from '../naming';
import type { ImportedNetwork } from './imported-network';
import { allowFromSources } from './traffic-sources';

/**
 * TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward-secret ciphers only (AWS's recommended policy for
 * Application Load Balancers).
 */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Props for FleetLoadBalancer. */
export interface FleetLoadBalancerProps {
  readonly pipelineName: string;
  readonly imageName: string;
  readonly config: LoadBalancerConfig;
  readonly healthCheck: HealthCheckConfig;
  readonly network: ImportedNetwork;
}

/**
 * An Application Load Balancer in front of one fleet: HTTPS on 443 with the configured certificate and HTTP on 80
 * redirecting to it (or, for an internal load balancer without a certificate, HTTP on 80), forwarding to a target
 * group whose health check is the fleet's own. Access logs go to the pipeline's log bucket under the fleet's prefix;
 * headers that are not valid HTTP are dropped; desync mitigation is strictest.
 *
 * L1 resources: the subnets are an SSM list resolved at deploy time, which the L2 load balancer cannot select from.
 */
export class FleetLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.CfnLoadBalancer;
  public readonly targetGroup: elbv2.CfnTargetGroup;
  /** The load balancer's security group: the instances accept traffic from it only. */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly listeners: elbv2.CfnListener[] = [];

  constructor(scope: Construct, id: string, props: FleetLoadBalancerProps) {
    super(scope, id);
    const { config, healthCheck, network } = props;
    const https = config.certificateArn !== undefined;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: network.vpc,
      description: `${props.imageName} load balancer: ${https ? 'HTTPS and HTTP (redirect)' : 'HTTP'} from the configured sources`,
      allowAllOutbound: false,
    });
    allowFromSources(this, this.securityGroup, config.allowFrom, ec2.Port.tcp(80), https ? 'HTTP (redirected to HTTPS)' : 'HTTP');
    if (https) allowFromSources(this, this.securityGroup, config.allowFrom, ec2.Port.tcp(443), 'HTTPS');
    if (config.allowFrom.cidrs.includes('0.0.0.0/0')) {
      Validations.of(this.securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: `The internet-facing load balancer of ${props.imageName} serves the public (fleet.loadBalancer.allowFrom defaults to anywhere); only its listener ports are open, and the instances behind it accept traffic from this group only.`,
      });
    }

    // A dynamic reference, not an SSM-typed parameter: the access-log rules want the bucket as a string in the template.
    const logBucket = `{{resolve:ssm:${logBucketParameterName(props.pipelineName)}}}`;

    this.targetGroup = new elbv2.CfnTargetGroup(this, 'TargetGroup', {
      vpcId: network.vpc.vpcId,
      targetType: 'instance',
      protocol: 'HTTP',
      port: healthCheck.port,
      healthCheckEnabled: true,
      healthCheckProtocol: 'HTTP',
      healthCheckPath: healthCheck.path,
      healthCheckPort: 'traffic-port',
      healthCheckIntervalSeconds: 15,
      healthCheckTimeoutSeconds: 5,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
      matcher: { httpCode: '200-299' },
      // Rollouts replace instances in batches: a replaced instance drains for 30 s, not the default 300 s.
      targetGroupAttributes: [{ key: 'deregistration_delay.timeout_seconds', value: String(Duration.seconds(30).toSeconds()) }],
    });

    this.loadBalancer = new elbv2.CfnLoadBalancer(this, 'LoadBalancer', {
      type: 'application',
      scheme: config.scheme,
      ipAddressType: 'ipv4',
      subnets: config.scheme === 'internet-facing' ? network.publicSubnetIds : network.subnetIds,
      securityGroups: [this.securityGroup.securityGroupId],
      loadBalancerAttributes: [
        { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        { key: 'routing.http.desync_mitigation_mode', value: 'strictest' },
        { key: 'access_logs.s3.enabled', value: 'true' },
        { key: 'access_logs.s3.bucket', value: logBucket },
        { key: 'access_logs.s3.prefix', value: loadBalancerLogPrefix(props.imageName) },
        // Off: cdk destroy and pruning delete the fleet stack, and a scheme change replaces the load balancer.
        { key: 'deletion_protection.enabled', value: 'false' },
      ],
    });

    const teardown = 'The fleet stack and its load balancer are removed by cdk destroy and by pruning the fleet from the configuration; deletion protection would make both fail. Only the pipeline deploys this stack.';
    Validations.of(this.loadBalancer).acknowledge(
      { id: 'NIST.800.53.R5-ELBDeletionProtectionEnabled', reason: teardown },
      { id: 'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check', reason: teardown },
      {
        id: 'NIST.800.53.R5-ALBWAFEnabled',
        reason: "The load balancer serves the image's own application; whether it needs a web ACL (about $5/month plus rules) is the application owner's choice, which this pipeline does not manage.",
      },
    );

    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.ref }];
    if (https) {
      this.listeners.push(
        new elbv2.CfnListener(this, 'Https', {
          loadBalancerArn: this.loadBalancer.ref,
          protocol: 'HTTPS',
          port: 443,
          certificates: [{ certificateArn: config.certificateArn }],
          sslPolicy: TLS_POLICY,
          defaultActions: forward,
        }),
        new elbv2.CfnListener(this, 'HttpRedirect', {
          loadBalancerArn: this.loadBalancer.ref,
          protocol: 'HTTP',
          port: 80,
          defaultActions: [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
        }),
      );
      Validations.of(this.listeners[1]).acknowledge({
        id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired',
        reason: 'This HTTP listener only answers 301 to the HTTPS listener on 443, which uses the ACM certificate; it serves no content.',
      });
    } else {
      const http = new elbv2.CfnListener(this, 'Http', { loadBalancerArn: this.loadBalancer.ref, protocol: 'HTTP', port: 80, defaultActions: forward });
      this.listeners.push(http);
      const reason = 'An internal load balancer without fleet.loadBalancer.certificateArn: HTTP inside the VPC, as the image file chose (an internet-facing one must have a certificate, which the configuration enforces).';
      Validations.of(http).acknowledge(
        { id: 'NIST.800.53.R5-ALBHttpToHttpsRedirection', reason },
        { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason },
        { id: 'cdk-validator-cfnguard::alb_http_to_https_redirection_check', reason },
      );
    }
  }
}
