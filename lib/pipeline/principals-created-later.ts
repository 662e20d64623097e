import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** A role that a resource policy must name although it does not exist yet when the policy is created. */
export interface RoleCreatedLater {
  readonly account: string;
  readonly roleName: string;
}

/**
 * CDK Pipelines grants each deploy role read of the artifacts in the artifact bucket's and key's resource policies.
 * The environments' fleet deploy roles are created by the Environments wave, after the pipeline stack (and the
 * artifact buckets of other regions) was updated: S3 and KMS reject a policy whose principal does not exist ("Invalid
 * principal in policy", MalformedPolicyDocumentException). Such a principal is named instead as its account, with
 * the role's exact ARN as a condition (aws:PrincipalArn): the same one role, whether it exists yet or not. Call after
 * `buildPipeline()`.
 */
export function nameRolesCreatedLaterByCondition(resources: ReadonlyArray<s3.IBucket | kms.IKey>, roles: readonly RoleCreatedLater[]): void {
  for (const resource of resources) {
    const document = 'bucketArn' in resource ? (resource as s3.Bucket).policy?.document : (resource as unknown as { policy?: iam.PolicyDocument }).policy;
    if (!document) continue;
    rewrite(Stack.of(resource), document, roles);
  }
}

function rewrite(stack: Stack, document: iam.PolicyDocument, roles: readonly RoleCreatedLater[]): void {
  const statements = (document as unknown as { statements?: iam.PolicyStatement[] }).statements;
  if (!Array.isArray(statements)) throw new Error('nameRolesCreatedLaterByCondition: aws-cdk-lib changed PolicyDocument internals; revisit this rewrite');
  const later = (principal: iam.IPrincipal) => {
    const json = JSON.stringify(stack.resolve(principal.policyFragment.principalJson));
    return roles.find((r) => json.includes(`:iam::${r.account}:role/${r.roleName}"`));
  };
  const rewritten = statements.flatMap((st) => {
    const named = st.principals.map((p) => ({ principal: p, role: later(p) }));
    if (!named.some((n) => n.role)) return [st];
    const kept = named.filter((n) => !n.role).map((n) => n.principal);
    const byAccount = new Map<string, string[]>();
    for (const { role } of named) {
      if (!role) continue;
      const arn = `arn:${stack.partition}:iam::${role.account}:role/${role.roleName}`;
      byAccount.set(role.account, [...(byAccount.get(role.account) ?? []), arn]);
    }
    const json = st.toStatementJson();
    const base = { effect: st.effect, actions: st.actions, notActions: st.notActions, resources: st.resources, notResources: st.notResources, conditions: json.Condition ?? {} };
    return [
      ...(kept.length > 0 ? [new iam.PolicyStatement({ ...base, sid: st.sid, principals: kept })] : []),
      ...[...byAccount].map(
        ([account, arns]) => new iam.PolicyStatement({ ...base, principals: [new iam.AccountPrincipal(account)], conditions: { ...base.conditions, ArnEquals: { 'aws:PrincipalArn': arns } } }),
      ),
    ];
  });
  statements.splice(0, statements.length, ...rewritten);
}
