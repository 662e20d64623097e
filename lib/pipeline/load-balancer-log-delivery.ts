import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { ConfigError } from '../config/config-error';
import { loadBalancerLogPrefix, logBucketParameterName } from '../naming';

/** Service principal that delivers load balancer access logs in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** Props for LoadBalancerLogDelivery. */
export interface LoadBalancerLogDeliveryProps {
  readonly pipelineName: string;
  /** The pipeline's log bucket (SSE-S3: the only encryption load balancer access logs support). */
  readonly bucket: s3.Bucket;
  /** Images whose fleets have a load balancer: each may write under its own prefix only. */
  readonly imageNames: readonly string[];
}

/**
 * Lets the fleets' load balancers deliver access logs into the pipeline's log bucket, each under its own prefix, and
 * publishes the bucket's name for the fleet stacks (they cannot reference this stack). Elastic Load Balancing writes
 * as a per-region AWS account in regions opened before August 2022 and as a service principal in later ones
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html): the region must
 * be known at synth to choose.
 */
export class LoadBalancerLogDelivery extends Construct {
  constructor(scope: Construct, id: string, props: LoadBalancerLogDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new ConfigError([
        {
          file: 'pipeline.yaml',
          field: 'region',
          message: `is required when a fleet has a load balancer (${props.imageNames.join(', ')}): its access logs are delivered by the region's Elastic Load Balancing account, which the bucket policy must name`,
          fix: 'set region in pipeline.yaml, or run through the CDK CLI, which sets CDK_DEFAULT_REGION from your profile',
        },
      ]);
    }
    const elbAccount = RegionInfo.get(stack.region).elbv2Account;
    const principal = elbAccount ? new iam.AccountPrincipal(elbAccount) : new iam.ServicePrincipal(ELB_LOG_DELIVERY_PRINCIPAL);
    props.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LoadBalancerAccessLogsOfThisPipelinesFleets',
        principals: [principal],
        actions: ['s3:PutObject'],
        resources: props.imageNames.map((name) => props.bucket.arnForObjects(`${loadBalancerLogPrefix(name)}/AWSLogs/${stack.account}/*`)),
      }),
    );
    new ssm.CfnParameter(this, 'BucketNameParameter', {
      name: logBucketParameterName(props.pipelineName),
      type: 'String',
      value: props.bucket.bucketName,
      description: 'Bucket the fleets\' load balancers deliver access logs to',
    });
  }
}
