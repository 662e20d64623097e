/**
 * An image's lane: the release step rolls its own fleet out right after the release, so the fleet does not wait for
 * the other images of the run. CodePipeline starts an action only when every action of a lower run order in its stage
 * is done, so a fleet left to the DeployImage stage waits for the slowest build of the run (README, "Lanes").
 *
 * The rollout refreshes the fleet stack as it is deployed (stack-refresh.ts): its ReleasedAmi parameter resolves the
 * AMI just released, and CloudFormation runs the fleet's health-gated rolling update with the stack's execution role.
 * That is exactly the change the DeployImage stage would make, but only when the fleet's template is the one this run
 * deploys: the stack's TemplateFingerprint output is compared with the fingerprint of the template in this run's cloud
 * assembly. Otherwise — a new fleet, a fleet whose settings change in this commit, a stack never deployed, or one
 * CloudFormation cannot update now — the lane leaves the fleet to the DeployImage stage, which does what it always did.
 *
 * A rolling update takes minutes, longer than one invocation: the step answers CodePipeline with a continuation token
 * (PutJobSuccessResult) and CodePipeline invokes the function again with it, until the action is done or fails (a Lambda
 * invoke action may run 24 hours this way: https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html).
 */
import type * as CloudFormationSdk from '@aws-sdk/client-cloudformation';
import { stackFailureReason } from '../alert-formatter/reasons';
import { isMissingStack } from '../cleanup/engine';
import { send } from './attempt';
import { isNoUpdates, refreshRequest, refusedInState, unfetchableParameters, UPDATABLE_STATUSES } from './stack-refresh';

/** The CloudFormation client and the SDK it came from (loaded on first use). */
export interface CloudFormation {
  readonly client: CloudFormationSdk.CloudFormationClient;
  readonly sdk: typeof CloudFormationSdk;
}

/** The fleet stack's output that carries the fingerprint of its template (lib/stages/fleet-fingerprint.ts). */
export const TEMPLATE_FINGERPRINT_OUTPUT = 'TemplateFingerprint';

/** What a lane's step came to: done (with the `fleet` output variable), or still rolling (with the token to come back with). */
export type RolloutStep = { readonly done: true; readonly fleet: string } | { readonly done: false; readonly token: string; readonly progress: string };

/** What the continuation token carries between invocations. */
interface RolloutToken {
  /** "waiting": the stack was busy, the update is not asked for yet; "rolling": the update was asked for at `since`. */
  readonly phase: 'waiting' | 'rolling';
  readonly stack: string;
  readonly since: string;
}

/** What a lane needs to know. */
export interface Lane {
  readonly image: string;
  /** The fleet stack's exact name. */
  readonly stack: string;
  /** The fingerprint of the fleet template this run deploys. */
  readonly fingerprint: string;
  /** The AMI just released (for the messages). */
  readonly amiId: string;
  readonly cloudformation: () => Promise<CloudFormation>;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
}

/** The first step of a lane (no continuation token yet), or one that comes back after waiting for a busy stack. */
export async function startRollout(lane: Lane): Promise<RolloutStep> {
  const now = lane.now ?? (() => new Date());
  const cfn = await lane.cloudformation();
  const stack = await describe(cfn, lane);
  const leave = (why: string): RolloutStep => ({ done: true, fleet: `left to the DeployImage stage: ${why}` });
  if (!stack) return leave(`fleet stack ${lane.stack} does not exist yet`);
  const status = stack.StackStatus ?? 'UNKNOWN';
  // Never deployed: its first change set waits to be executed, which is the DeployImage stage's to do.
  if (status === 'REVIEW_IN_PROGRESS') return leave(`fleet stack ${lane.stack} was never deployed (REVIEW_IN_PROGRESS)`);
  // Something else is changing it (npm run fleet, a stage of an earlier run): come back once it is settled.
  if (status.endsWith('_IN_PROGRESS')) return wait(lane, status, now());
  if (!UPDATABLE_STATUSES.has(status)) return leave(`fleet stack ${lane.stack} cannot be updated in state ${status}`);
  const deployed = stack.Outputs?.find((o) => o.OutputKey === TEMPLATE_FINGERPRINT_OUTPUT)?.OutputValue;
  if (deployed !== lane.fingerprint) return leave(`the fleet's template changes in this run (deployed fingerprint ${deployed ? deployed.slice(0, 12) : 'none'}, this run's ${lane.fingerprint.slice(0, 12)})`);
  // The update would run with this function's own credentials: never.
  if (!stack.RoleARN) return leave(`fleet stack ${lane.stack} has no execution role`);

  const since = now();
  try {
    await send(cfn.client, new cfn.sdk.UpdateStackCommand(refreshRequest(lane.stack, stack.Parameters, stack.Capabilities)), lane.signal);
  } catch (err) {
    if (isNoUpdates(err)) return { done: true, fleet: `nothing to roll out: fleet stack ${lane.stack} already runs the released AMI and capacity` };
    // A parameter the deployed template names is gone: the template changes in this run after all.
    const missing = unfetchableParameters(err);
    if (missing !== undefined) return leave(`fleet stack ${lane.stack} names SSM parameters that no longer exist (${missing})`);
    const refused = refusedInState(err);
    if (refused?.endsWith('_IN_PROGRESS')) return wait(lane, refused, since);
    if (refused) return leave(`fleet stack ${lane.stack} cannot be updated in state ${refused}`);
    throw new Error(`${lane.image}: ${lane.amiId} is released, but rolling out fleet stack ${lane.stack} failed to start (${(err as Error).name}: ${(err as Error).message}). Fix: remove the cause, then retry this action; it finds the release recorded and rolls the fleet out`);
  }
  return rolling(lane, since, 'UPDATE_IN_PROGRESS');
}

/** A later step of a lane: where the update, or the wait for a busy stack, has got to. */
export async function followRollout(lane: Lane, token: string): Promise<RolloutStep> {
  const t = parseToken(token, lane.stack);
  if (t.phase === 'waiting') return startRollout(lane);
  const cfn = await lane.cloudformation();
  const stack = await describe(cfn, lane);
  if (!stack) throw new Error(`${lane.image}: fleet stack ${lane.stack} was deleted while the release step rolled it out. Fix: retry the action, or let the DeployImage stage create it`);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status === 'UPDATE_COMPLETE') return { done: true, fleet: `rolled out: fleet stack ${lane.stack} runs ${lane.amiId}` };
  // A rollback in progress too: its cause is read once the stack has settled.
  if (status.endsWith('_IN_PROGRESS')) return rolling(lane, new Date(t.since), status);
  const events = (await send(cfn.client, new cfn.sdk.DescribeStackEventsCommand({ StackName: lane.stack }), lane.signal)).StackEvents ?? [];
  const reason = stackFailureReason(events, new Date(t.since)) ?? stack.StackStatusReason ?? 'no reason recorded';
  const fix =
    status === 'UPDATE_ROLLBACK_FAILED'
      ? `finish the rollback (aws cloudformation continue-update-rollback --stack-name ${lane.stack}), remove the cause, then retry this action`
      : `remove the cause (the stack's events in the CloudFormation console say more; a failed health check means the new image does not serve), then retry this action, or roll back the release (npm run release -- rollback ${lane.image})`;
  throw new Error(`${lane.image}: ${lane.amiId} is released, but its fleet did not roll out: fleet stack ${lane.stack} ${status}: ${reason.replace(/\.$/, '')}. The fleet runs what it ran before. Fix: ${fix}`);
}

async function describe(cfn: CloudFormation, lane: Lane): Promise<CloudFormationSdk.Stack | undefined> {
  try {
    return (await send(cfn.client, new cfn.sdk.DescribeStacksCommand({ StackName: lane.stack }), lane.signal)).Stacks?.[0];
  } catch (err) {
    // DescribeStacks answers a stack that does not exist with a ValidationError (cleanup/engine.ts).
    if (isMissingStack(err)) return undefined;
    throw err;
  }
}

function wait(lane: Lane, status: string, since: Date): RolloutStep {
  const token: RolloutToken = { phase: 'waiting', stack: lane.stack, since: since.toISOString() };
  return { done: false, token: JSON.stringify(token), progress: `waiting for fleet stack ${lane.stack} (${status}) before rolling out ${lane.amiId}` };
}

function rolling(lane: Lane, since: Date, status: string): RolloutStep {
  const token: RolloutToken = { phase: 'rolling', stack: lane.stack, since: since.toISOString() };
  return { done: false, token: JSON.stringify(token), progress: `rolling out ${lane.amiId} to fleet stack ${lane.stack} (${status})` };
}

/** The token this function gave CodePipeline; anything else is refused rather than guessed at. */
function parseToken(text: string, stack: string): RolloutToken {
  let value: Partial<RolloutToken> | undefined;
  try {
    value = JSON.parse(text) as Partial<RolloutToken>;
  } catch {
    value = undefined;
  }
  if (!value || (value.phase !== 'waiting' && value.phase !== 'rolling') || value.stack !== stack || typeof value.since !== 'string' || Number.isNaN(Date.parse(value.since))) {
    throw new Error(`the continuation token is not one this release step gave for fleet stack ${stack} (got ${JSON.stringify(text.slice(0, 200))}). Fix: retry the action`);
  }
  return value as RolloutToken;
}
