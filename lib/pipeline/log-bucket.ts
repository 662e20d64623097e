import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * A bucket that receives logs AWS services deliver (S3 server access logs, load balancer access logs): S3-managed
 * encryption, the only one both deliveries support; versioned; kept a year. Retained by CloudFormation: log delivery
 * can refill it after it was emptied, which CloudFormation's own delete would not survive, so the clean-up or the
 * teardown deletes it, found by its pipeline tag.
 * @param holds what the bucket holds, for the acknowledgements' reasons, e.g. "access logs of the artifact bucket"
 */
export function logBucket(scope: Construct, id: string, holds: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const sseS3 = 'S3 server access logging and load balancer access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3).';
  Validations.of(bucket).acknowledge(
    { id: 'AwsSolutions-S1', reason: `This bucket holds ${holds}; logging it into itself would loop.` },
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: `This bucket holds ${holds}; logging it into itself would loop.` },
    { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: `This bucket holds ${holds}; logging it into itself would loop.` },
    { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason: sseS3 },
    { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3 },
    { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: 'Logs expire after a year by lifecycle rule; object lock would keep them past it and block teardown.' },
    { id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', reason: 'Nothing consumes log delivery events; CloudTrail data events are the audit path if one is wanted.' },
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: `The bucket holds ${holds}, kept a year in this region; a replica would double their cost without serving any recovery the pipeline needs.` },
  );
  return bucket;
}
