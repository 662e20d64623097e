import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { RolePolicies } from './role-policies';

/** One request of an allow/deny matrix: what a role must (or must not) be able to do. */
export interface Case {
  /** What the case proves, read as a sentence after the role name. */
  readonly can: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly allowed: boolean;
}

export const allow = (can: string, action: string, resource: string, context?: Case['context']): Case => ({ can, action, resource, context, allowed: true });
export const deny = (can: string, action: string, resource: string, context?: Case['context']): Case => ({ can: `cannot ${can}`, action, resource, context, allowed: false });

/**
 * The simulator's verdict on a case for a role: its identity policies and boundary, in `accountId` (resource policies,
 * trust policies and SCPs are out of scope). "Allowed" or "ImplicitlyDenied" (or "ExplicitlyDenied").
 */
export async function decide(policies: Pick<RolePolicies, 'arn' | 'identity' | 'boundary'>, c: Case, accountId: string): Promise<string> {
  const response = await runSimulation(
    {
      request: { principal: policies.arn, action: c.action, resource: { resource: c.resource, accountId }, contextVariables: c.context ?? {} },
      identityPolicies: policies.identity,
      permissionBoundaryPolicies: policies.boundary ? [policies.boundary as { name: string; policy: unknown }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(`simulation of ${c.action} on ${c.resource} is invalid: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}
