import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
  UpdateStackCommand,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { stackFailureReason } from '../../lambda/alert-formatter/reasons';
import { isMissingStack } from '../../lambda/cleanup/engine';
import { isNoUpdates, refreshRequest, refusedInState, unfetchableParameters, UPDATABLE_STATUSES } from '../../lambda/parameter-prep/stack-refresh';
import type { GoldenAmiConfig } from '../config/model';
import { egressStackName, networkParameterNames, pipelineOfStackDescription } from '../naming';
import { OperatorError } from './operator-error';

/** The AWS clients bringing egress in line uses. */
export interface EgressClients {
  readonly cloudformation: CloudFormationClient;
  readonly ssm: SSMClient;
}

/** How the update of the egress stack is followed (seconds, as the SDK waiters take them). */
export interface EgressWait {
  readonly minDelay: number;
  readonly maxDelay: number;
  /** Creating a NAT gateway can take up to about ten minutes; twice that before giving up. */
  readonly maxWaitTime: number;
}

/** The SDK waiter's own delays, and 20 minutes. */
export const DEFAULT_EGRESS_WAIT: EgressWait = { minDelay: 30, maxDelay: 120, maxWaitTime: 20 * 60 };

/** What an update of the egress stack came to. */
export interface EgressOutcome {
  /** What the stack's state parameter says afterwards ("on" or "off"); undefined when it is missing. */
  readonly state: string | undefined;
  /** CloudFormation found nothing to change: the NAT gateways already matched the recorded capacities. */
  readonly unchanged: boolean;
}

/** True when this pipeline's NAT gateways come and go with its fleets (a created VPC with network.egress on-demand). */
export function egressOnDemand(config: GoldenAmiConfig): boolean {
  return config.network.kind === 'create' && config.network.egress === 'on-demand';
}

/**
 * Updates the egress stack with its own template and parameters so that it reads every fleet's desired capacity
 * afresh (its parameters are SSM-typed, resolved at every stack update), and waits for it: the NAT gateways are
 * created while some fleet wants an instance and deleted once all are at zero. CloudFormation runs the update with the
 * stack's execution role, never with the operator's own permissions.
 *
 * Returns undefined when there is no egress stack and nothing needs it (`required` false). Throws OperatorError, with
 * the fix, for anything that keeps the stack from matching the recorded capacities.
 */
export async function updateEgressStack(
  pipelineName: string,
  clients: EgressClients,
  { required, wait = DEFAULT_EGRESS_WAIT }: { readonly required: boolean; readonly wait?: EgressWait },
): Promise<EgressOutcome | undefined> {
  const name = egressStackName(pipelineName);
  const stack = await describeStack(name, clients.cloudformation);
  if (!stack) {
    if (!required) return undefined;
    throw new OperatorError(`egress stack ${name} does not exist; it appears after the pipeline's Egress stage has run. Fix: let the pipeline run once (push, or release it in the CodePipeline console)`);
  }
  const owner = pipelineOfStackDescription(stack.Description);
  if (owner !== pipelineName) {
    throw new OperatorError(`stack ${name} is described as ${owner ? `pipeline ${owner}` : 'no golden-ami pipeline'}, not pipeline ${pipelineName}; left alone. Fix: rename one of the pipelines`);
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status === 'REVIEW_IN_PROGRESS') {
    // The pipeline's first Prepare made the stack's change set but its Deploy never ran: waiting changes nothing.
    throw new OperatorError(`egress stack ${name} was never deployed (REVIEW_IN_PROGRESS: a change set waits to be executed). Fix: let the pipeline run its Egress stage to the end (release the pipeline in the CodePipeline console), then run this command again`);
  }
  if (status.endsWith('_IN_PROGRESS')) throw busy(name, status);
  if (!UPDATABLE_STATUSES.has(status)) throw notUpdatable(name, status, stack.StackStatusReason);
  if (!stack.RoleARN) {
    throw new OperatorError(`egress stack ${name} has no execution role, so the update would run with your own credentials; refused. Fix: let the pipeline's Egress stage deploy it`);
  }

  const startedAt = new Date();
  try {
    // No Capabilities: the template creates no IAM resource.
    await clients.cloudformation.send(new UpdateStackCommand(refreshRequest(name, stack.Parameters)));
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (isNoUpdates(err)) {
      return { state: await readEgressState(pipelineName, clients.ssm), unchanged: true };
    }
    // CloudFormation resolves the SSM-typed parameters when the update is asked for, with the caller's credentials.
    const missing = unfetchableParameters(err);
    if (missing !== undefined) {
      throw new OperatorError(
        `egress stack ${name} names SSM parameters that do not exist (${missing}): a fleet was removed from the configuration since the stack was last deployed. Fix: let the pipeline's Egress stage run (push, or release the pipeline in the CodePipeline console), then run this command again`,
      );
    }
    if (/not authorized to perform: ssm:GetParameters|permission to call ssm:GetParameters/.test(message)) {
      throw new OperatorError(
        `your credentials may not read the SSM parameters stack ${name} resolves (CloudFormation reads them as the caller). Fix: allow ssm:GetParameters on /golden-ami/${pipelineName}/network/*, /golden-ami/${pipelineName}/fleets/*/desired-capacity and /cdk-bootstrap/*/version`,
      );
    }
    // The pipeline may have started deploying the stack since it was described.
    const state = refusedInState(err);
    if (state) throw state.endsWith('_IN_PROGRESS') ? busy(name, state) : notUpdatable(name, state, undefined);
    throw err;
  }

  try {
    await waitUntilStackUpdateComplete({ client: clients.cloudformation, ...wait }, { StackName: name });
  } catch {
    throw await updateFailure(name, clients.cloudformation, startedAt, wait);
  }
  return { state: await readEgressState(pipelineName, clients.ssm), unchanged: false };
}

/** What the egress stack last decided ("on" or "off"), from the parameter it writes; undefined when it is missing. */
export async function readEgressState(pipelineName: string, ssm: SSMClient): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: networkParameterNames(pipelineName).egressState }))).Parameter?.Value;
  } catch (err) {
    if (err instanceof ParameterNotFound || (err as Error).name === 'ParameterNotFound') return undefined;
    throw err;
  }
}

async function describeStack(name: string, cloudformation: CloudFormationClient): Promise<Stack | undefined> {
  try {
    return (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (err) {
    if (isMissingStack(err)) return undefined;
    throw err;
  }
}

function busy(name: string, status: string): OperatorError {
  return new OperatorError(
    `egress stack ${name} is busy (${status}), most likely a pipeline run deploying it. Fix: wait for that run to finish (it applies the recorded numbers too), then run this command again to be sure`,
  );
}

function notUpdatable(name: string, status: string, reason: string | undefined): OperatorError {
  const fix =
    status === 'UPDATE_ROLLBACK_FAILED'
      ? `finish the rollback (aws cloudformation continue-update-rollback --stack-name ${name}), then run this command again`
      : `delete the stack (aws cloudformation delete-stack --stack-name ${name}); the pipeline's next run creates it again`;
  return new OperatorError(`egress stack ${name} cannot be updated in state ${status}${reason ? ` (${reason})` : ''}. Fix: ${fix}`);
}

/** Why the update did not complete: the first resource that failed since it started, or that it is still going. */
async function updateFailure(name: string, cloudformation: CloudFormationClient, startedAt: Date, wait: EgressWait): Promise<OperatorError> {
  const stack = await describeStack(name, cloudformation);
  const status = stack?.StackStatus ?? 'gone';
  if (status.endsWith('_IN_PROGRESS')) {
    return new OperatorError(
      `egress stack ${name} is still ${status} after ${Math.round(wait.maxWaitTime / 60)} minutes. Fix: follow it in the CloudFormation console; once it is UPDATE_COMPLETE, run this command again`,
    );
  }
  const events = stack ? ((await cloudformation.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? []) : [];
  const reason = stackFailureReason(events, startedAt) ?? stack?.StackStatusReason ?? 'no reason recorded';
  return new OperatorError(
    `egress stack ${name} did not update: ${status}: ${reason.replace(/\.$/, '')}. Fix: remove the cause (the stack's events in the CloudFormation console say more), then run this command again`,
  );
}
