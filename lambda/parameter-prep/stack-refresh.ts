/**
 * Refreshing a stage stack: an UpdateStack with the stack's own template and parameters, so that CloudFormation resolves
 * its SSM-typed parameters afresh (it fetches their current values at every update, even with the previous template
 * and UsePreviousValue) and applies whatever they now say. `npm run fleet` refreshes the egress stack this way; the
 * release step refreshes its fleet's stack (fleet-rollout.ts).
 */
import type { Parameter, UpdateStackCommandInput } from '@aws-sdk/client-cloudformation';

/** CloudFormation accepts UpdateStack only in these settled states. */
export const UPDATABLE_STATUSES: ReadonlySet<string> = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/**
 * The UpdateStack request that re-applies a stack as it is deployed. No RoleARN: CloudFormation runs the update as the
 * role already associated with the stack, its own execution role, "even if the users don't have permission to pass it"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html, RoleARN); callers refuse a
 * stack without one. No Tags: CloudFormation keeps the stack's tags, which execution roles' conditions rely on.
 */
export function refreshRequest(stackName: string, parameters: readonly Parameter[] | undefined, capabilities?: UpdateStackCommandInput['Capabilities']): UpdateStackCommandInput {
  return {
    StackName: stackName,
    UsePreviousTemplate: true,
    // Previous values keep the parameters' defaults, the SSM parameter names; CloudFormation resolves them again.
    Parameters: (parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
    ...(capabilities && capabilities.length > 0 ? { Capabilities: capabilities } : {}),
  };
}

/** CloudFormation's answer to an update that would change nothing (a ValidationError). */
export function isNoUpdates(err: unknown): boolean {
  return (err as Error)?.name === 'ValidationError' && /No updates are to be performed/.test((err as Error).message ?? '');
}

/**
 * The SSM parameters CloudFormation could not resolve ("Unable to fetch parameters [a,b] from parameter store for this
 * account", quoted in public issue threads), or undefined when the error is something else.
 */
export function unfetchableParameters(err: unknown): string | undefined {
  return /Unable to fetch parameters \[([^\]]*)\]/.exec((err as Error)?.message ?? '')?.[1];
}

/** The state CloudFormation named when it refused an update ("… is in UPDATE_IN_PROGRESS state and can not be updated"). */
export function refusedInState(err: unknown): string | undefined {
  return /is in (\w+) state and can not be updated/.exec((err as Error)?.message ?? '')?.[1];
}
