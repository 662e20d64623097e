import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges NIST 800-53 R5 IAMNoInlinePolicy on each policy that CDK's grants write for exactly one role (the
 * role's DefaultPolicy). The rule wants permissions managed centrally and reused; these are sized to their one role and
 * live and die with it, so a customer-managed policy would be a second object to keep in step without narrowing
 * anything. A policy attached to several roles, a user or a group is not acknowledged, and fails synth.
 */
export function acknowledgeSingleRolePolicies(scope: IConstruct): number {
  const policies = scope.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy);
  let acknowledged = 0;
  for (const policy of policies) {
    // CDK renders the attachments lazily; resolved, empty ones are undefined.
    const resolve = (value: unknown) => (Stack.of(policy).resolve(value) as unknown[] | undefined) ?? [];
    const oneRole = resolve(policy.roles).length === 1 && resolve(policy.users).length === 0 && resolve(policy.groups).length === 0;
    const role = policy.node.scope?.node.scope;
    if (!oneRole || !(role instanceof iam.Role)) continue;
    Validations.of(policy).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `The permissions of role ${role.node.path} alone, as CDK's grants write them; created, changed and deleted with that role.`,
    });
    acknowledged++;
  }
  return acknowledged;
}
