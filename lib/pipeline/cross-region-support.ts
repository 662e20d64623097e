import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { NagNames } from '../validation/nag-names';
import { grantsOnlyForAwsServices } from './pipeline-key';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The artifact buckets CodePipeline needs in every other region an action runs in (an environment elsewhere), which
 * CDK creates in support stacks of the pipeline's account (`<pipeline stack>-support-<region>`), brought to the
 * standard of the pipeline's own artifact bucket: versioned, expiring, its key rotated (crossAccountKeys and
 * enableKeyRotation) and handing out grants to AWS services only. Call after `buildPipeline()`.
 */
export function hardenCrossRegionSupport(pipeline: codepipeline.Pipeline, pipelineRole: iam.Role): void {
  const regions = Object.keys(pipeline.crossRegionSupport);
  if (regions.length > 0) narrowReplicationKeyGrant(pipelineRole, regions);
  for (const [region, support] of Object.entries(pipeline.crossRegionSupport)) {
    const bucket = support.replicationBucket as s3.Bucket;
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.versioningConfiguration = { status: 'Enabled' };
    // Artifacts are only read by the execution that copied them here (and its retries), as in the main bucket.
    bucket.addLifecycleRule({ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) });
    const key = support.stack.node.findAll().find((c): c is kms.Key => c instanceof kms.Key);
    key?.addToResourcePolicy(grantsOnlyForAwsServices());
    // Resolved in the pipeline's stack, as its policy names it: the name CDK generates for a cross-environment reference.
    const bucketName = Stack.of(pipelineRole).resolve(bucket.bucketName) as string;
    Validations.of(pipelineRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${NagNames.of(pipelineRole).partition}:s3:::${bucketName}/*]`,
      reason: `The objects of the one bucket CodePipeline copies this pipeline's artifacts to for its actions in ${region}; their keys are generated per execution.`,
    });
    const why = `CodePipeline's copies of this pipeline's artifacts for its actions in ${region}`;
    Validations.of(bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: `${why}; the pipeline's own artifact bucket, where every artifact is written first, is access-logged.` },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: `${why}; the pipeline's own artifact bucket, where every artifact is written first, is access-logged.` },
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: `${why}; the pipeline's own artifact bucket, where every artifact is written first, is access-logged.` },
      { id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', reason: `${why}: transient copies that expire after 90 days; object lock would block that and teardown.` },
      { id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check', reason: `${why}: CodePipeline reads and writes them itself; no consumer needs object events.` },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: `${why}: copies of artifacts rebuilt by re-running the pipeline; a replica would add cost without making anything recoverable.` },
    );
  }
}

/**
 * CDK grants the pipeline's role the replication buckets' keys on `*` (their ids live in the support stacks, which the
 * pipeline stack cannot reference). Narrowed to keys of the support regions used through S3 there, which is how
 * CodePipeline reads and writes artifacts. Same rewrite of CDK's L2 policy document as pipeline-role-scope.ts.
 */
function narrowReplicationKeyGrant(pipelineRole: iam.Role, regions: readonly string[]): void {
  const policy = pipelineRole.node.findChild('DefaultPolicy') as iam.Policy;
  const statements = (policy.document as unknown as { statements?: iam.PolicyStatement[] }).statements;
  if (!Array.isArray(statements)) throw new Error('hardenCrossRegionSupport: aws-cdk-lib changed PolicyDocument internals; revisit this rewrite');
  const onAnyKey = (st: iam.PolicyStatement) => st.resources.includes('*') && st.actions.length > 0 && st.actions.every((a) => a.startsWith('kms:'));
  const found = statements.filter(onAnyKey);
  if (found.length === 0) throw new Error(`hardenCrossRegionSupport: no kms statement on * found on ${pipelineRole.node.path}; CDK changed how it grants the replication keys`);
  const stack = Stack.of(pipelineRole);
  const kept = statements.flatMap((st) => {
    if (!onAnyKey(st)) return [st];
    // The statement's other keys (the artifact bucket's own) stay as CDK granted them.
    const others = st.resources.filter((r) => r !== '*');
    return others.length === 0 ? [] : [new iam.PolicyStatement({ effect: st.effect, actions: st.actions, resources: others })];
  });
  statements.splice(
    0,
    statements.length,
    ...kept,
    new iam.PolicyStatement({
      sid: 'ArtifactKeysOfTheOtherRegionsThroughS3',
      actions: [...new Set(found.flatMap((st) => st.actions))].sort(),
      resources: regions.map((region) => stack.formatArn({ service: 'kms', region, resource: 'key', resourceName: '*' })),
      conditions: { StringEquals: { 'kms:ViaService': regions.map((region) => `s3.${region}.amazonaws.com`) } },
    }),
  );
  Validations.of(pipelineRole).acknowledge(
    ...regions.map((region) => ({
      id: `AwsSolutions-IAM5[Resource::${NagNames.of(pipelineRole).arn('kms', 'key/*', true, region)}]`,
      reason: `The key of CodePipeline's artifact bucket in ${region}, created by CDK in a support stack this stack cannot reference; only through S3 in that region (condition).`,
    })),
  );
}
