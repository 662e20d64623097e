import { Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { arnIn } from '../iam/execution-grants';
import { ASSUMED_BY_TAG_KEY, type AssumedBy, PIPELINE_TAG_KEY } from '../naming';
import { NagNames } from '../validation/nag-names';

/** Tags a role so that the tag-scoped statements of `by` (the pipeline's service role, or the Cleanup function) find it. */
export function tagAssumable(role: IConstruct, pipelineName: string, by: AssumedBy): void {
  Tags.of(role).add(PIPELINE_TAG_KEY, pipelineName);
  Tags.of(role).add(ASSUMED_BY_TAG_KEY, by);
}

/**
 * The statement that lets `principal` assume exactly the roles tagged for it by this pipeline. Each of those roles
 * trusts that principal alone, so the tags choose among roles that already name it.
 */
export function assumeTaggedRolesStatement(scope: IConstruct, pipelineName: string, by: AssumedBy): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: by === 'codepipeline' ? 'AssumeTheActionRolesOfThisPipeline' : 'AssumeTheStackCleanupRolesOfThisPipeline',
    actions: ['sts:AssumeRole'],
    resources: [arnIn(scope, 'iam', 'role/*', { region: '' })],
    conditions: { StringEquals: { [`iam:ResourceTag/${PIPELINE_TAG_KEY}`]: pipelineName, [`iam:ResourceTag/${ASSUMED_BY_TAG_KEY}`]: by } },
  });
}

/**
 * CodePipeline's service role assumes the role of every action, and CDK lists each of those roles' ARNs in its policy:
 * four or more per image, past IAM's 10,240-character limit on a role's inline policies at a few dozen images. This
 * replaces that list with one statement on the roles tagged for this pipeline's actions, and tags the action roles CDK
 * created; the other action roles are tagged where they are made (tagAssumable). Call last, after `buildPipeline()`.
 */
export function scopePipelineRoleToTaggedActionRoles(pipelineScope: IConstruct, pipelineRole: iam.Role, pipelineName: string): void {
  for (const role of pipelineScope.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role && c.node.id.endsWith('ActionRole'))) {
    tagAssumable(role, pipelineName, 'codepipeline');
  }
  // On the L2 document, not on the rendered L1: CDK splits a role's policy at synth from the L2 document, and would
  // move the listed ARNs into an overflow managed policy (31 KB at 50 images, over IAM's 6,144 characters).
  const policy = pipelineRole.node.findChild('DefaultPolicy') as iam.Policy;
  // PolicyDocument has no public way to remove a statement; fail loudly if its internal list ever changes shape.
  const statements = (policy.document as unknown as { statements?: iam.PolicyStatement[] }).statements;
  if (!Array.isArray(statements) || !statements.every((st) => st instanceof iam.PolicyStatement)) {
    throw new Error('scopePipelineRoleToTaggedActionRoles: aws-cdk-lib changed PolicyDocument internals; revisit this rewrite');
  }
  const kept = statements.filter((st) => !(st.actions.length > 0 && st.actions.every((a) => a === 'sts:AssumeRole')));
  // Fail loudly if CDK stops listing the action roles here, rather than silently keep (or lose) a grant.
  if (kept.length === statements.length) throw new Error(`scopePipelineRoleToTaggedActionRoles: no sts:AssumeRole statement found on ${pipelineRole.node.path}; call it after buildPipeline()`);
  statements.splice(0, statements.length, ...kept, assumeTaggedRolesStatement(pipelineRole, pipelineName, 'codepipeline'));
  Validations.of(pipelineRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${NagNames.of(pipelineRole).arn('iam', 'role/*', true, '')}]`,
    reason: `Only roles tagged ${PIPELINE_TAG_KEY}=${pipelineName} and ${ASSUMED_BY_TAG_KEY}=codepipeline (condition), each of which trusts this role alone: the action roles of this pipeline, one or more per image.`,
  });
}
