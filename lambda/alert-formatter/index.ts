/**
 * alert-formatter: turns the pipeline's failure events into readable alerts and publishes them to the alert topic.
 *
 * EventBridge sends it this pipeline's execution and action state changes, its Image Builder builds that failed, and
 * its manual approvals that started (they wait for a person). It reads what AWS recorded about the failure (action
 * executions, stack events, workflow steps, the commit) or the approval (its resolved message, its token), decides the
 * text (alert.ts, pure) and publishes it: plain text for e-mail, an AWS Chatbot custom notification for chat
 * (render.ts).
 *
 * An alert is never lost: an event it does not know, a describe call that fails, or the time budget running out all
 * end in the event being published as it came; if publishing the formatted alert fails, the raw event is tried, then
 * the event alone; only when all three fail does the invocation fail, so that Lambda retries it and, after its
 * retries, sends the event to the dead-letter queue. An approval's alert is sent even when a describe call fails: it
 * says what it could not read. Neither the event nor any action configuration is ever logged.
 */
import { CloudFormationClient, paginateDescribeStackEvents } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, GetCommitCommand } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand, paginateListActionExecutions } from '@aws-sdk/client-codepipeline';
import { GetImageCommand, ImagebuilderClient, paginateListWorkflowExecutions, paginateListWorkflowStepExecutions } from '@aws-sdk/client-imagebuilder';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type ActionExecutionFacts, actionAlert, type Alert, approvalAlert, type ApprovalFacts, type ExecutionFacts, imageAlert, isApprovalWaiting, pipelineAlert, type StackFacts, stageAlert } from './alert';
import { describeError, withinBudget } from './budget';
import { type CommitFacts, sourceCommit, startedBy } from './commit';
import { type ActionEvent, type AlertEvent, type ImageEvent, parseEvent } from './events';
import { alertMessage, plainEventMessage, rawEventMessage, type SnsMessage } from './render';
import { imageFailureReason, type StackEventFacts, stackFailureReason, type WorkflowFacts } from './reasons';

// Created once per container. Standard retry mode backs off on throttling; the budget bounds the whole.
const clientConfig = { maxAttempts: 3, retryMode: 'standard' as const };
const codepipeline = new CodePipelineClient(clientConfig);
const cloudformation = new CloudFormationClient(clientConfig);
const imagebuilder = new ImagebuilderClient(clientConfig);
const codecommit = new CodeCommitClient(clientConfig);
const sns = new SNSClient(clientConfig);

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept from the invocation for publishing: the formatted alert, and the raw event if that fails. */
export const PUBLISH_RESERVE_MS = 10_000;
/** Stack events read at most, newest first: a deploy's own events are the first few dozen. */
const STACK_EVENT_PAGES = 3;

export interface Settings {
  readonly topicArn: string;
  readonly pipelineName: string;
  /** The CodeCommit repository of the pipeline's source, whose commits name their author. */
  readonly repositoryName?: string;
}

function settings(): Settings {
  const topicArn = process.env.TOPIC_ARN;
  const pipelineName = process.env.PIPELINE_NAME;
  if (!topicArn || !pipelineName) throw new Error(`TOPIC_ARN and PIPELINE_NAME must be set (got ${JSON.stringify({ topicArn, pipelineName })})`);
  return { topicArn, pipelineName, repositoryName: process.env.REPOSITORY_NAME || undefined };
}

export async function handler(event: unknown, context: InvocationContext): Promise<void> {
  const s = settings();
  const eventId = (event as { id?: unknown } | null)?.id;
  const log = (level: 'info' | 'warn' | 'error', message: string, extra: object = {}) =>
    console[level === 'info' ? 'log' : level](JSON.stringify({ eventId: typeof eventId === 'string' ? eventId : undefined, message, ...extra }));

  let message: SnsMessage;
  let formatted = false;
  try {
    const parsed = parseEvent(event);
    const alert = await withinBudget(context.getRemainingTimeInMillis() - PUBLISH_RESERVE_MS, (signal) => buildAlert(parsed, s, signal));
    message = alertMessage(alert);
    formatted = true;
    log('info', 'formatted', { title: alert.title });
  } catch (err) {
    log('warn', 'publishing the event as it came: it could not be formatted', { error: describeError(err) });
    message = rawEventMessage(event, describeError(err));
  }

  const publish = (m: SnsMessage) =>
    sns.send(new PublishCommand({ TopicArn: s.topicArn, ...m }), { abortSignal: AbortSignal.timeout(Math.max(context.getRemainingTimeInMillis() - 1000, 1000)) });
  const attempts: Array<() => SnsMessage> = [() => message, ...(formatted ? [() => rawEventMessage(event, 'publishing the formatted alert failed')] : []), () => plainEventMessage(event)];
  let lastError: unknown;
  for (const next of attempts) {
    try {
      await publish(next());
      return;
    } catch (err) {
      lastError = err;
      log('warn', 'publishing failed; trying the next form of the alert', { error: describeError(err) });
    }
  }
  log('error', 'the alert could not be published in any form; failing the invocation so that Lambda retries it', { error: describeError(lastError) });
  throw lastError;
}

/** Reads what the alert needs and decides it. Every AWS call passes `signal`: the budget cancels what is pending. */
export async function buildAlert(e: AlertEvent, s: Settings, signal: AbortSignal): Promise<Alert> {
  if (e.kind === 'image') return imageAlert(e, s.pipelineName, await imageFacts(e, signal));
  if (e.kind === 'action' && isApprovalWaiting(e)) return waitingApproval(e, s, signal);
  const needActions = e.state === 'FAILED';
  const execution = await executionFacts(e.pipeline, e.executionId, needActions, s, signal);
  if (e.kind === 'pipeline') return pipelineAlert(e, execution);
  if (e.kind === 'stage') return stageAlert(e, execution);
  // The attempt the event is about: its stage, action and outcome (FAILED in the event, Failed in the API).
  const action = latest(execution.all.filter((a) => a.stage === e.stage && a.action === e.action && a.status?.toUpperCase() === e.state));
  const stack = needActions ? await stackFacts(action, signal) : undefined;
  return actionAlert(e, execution, action, stack);
}

/**
 * A manual approval that waits. Its message is read from ListActionExecutions (`input.resolvedConfiguration.CustomData`:
 * GetPipeline would give the variable expressions unresolved, GetPipelineState no configuration at all), its token from
 * GetPipelineState (the action's latestExecution, while this execution's approval is in progress). Each read that fails
 * is named in the alert, which is sent all the same: the approvers learn that it waits, and where.
 */
async function waitingApproval(e: ActionEvent, s: Settings, signal: AbortSignal): Promise<Alert> {
  const [execution, actions, state] = await Promise.allSettled([
    executionFacts(e.pipeline, e.executionId, false, s, signal),
    actionExecutions(e.pipeline, e.executionId, signal),
    codepipeline.send(new GetPipelineStateCommand({ name: e.pipeline }), { abortSignal: signal }),
  ]);
  const unread: string[] = [];
  if (execution.status === 'rejected') unread.push(`the commit (GetPipelineExecution): ${describeError(execution.reason)}`);
  let message: string | undefined;
  if (actions.status === 'fulfilled') {
    message = latest(actions.value.filter((a) => a.stage === e.stage && a.action === e.action))?.approvalMessage;
    if (!message) unread.push(`the message: ListActionExecutions shows no resolved CustomData of ${e.stage} / ${e.action} in execution ${e.executionId}`);
  } else {
    unread.push(`the message (ListActionExecutions): ${describeError(actions.reason)}`);
  }
  let token: string | undefined;
  if (state.status === 'fulfilled') {
    const stage = state.value.stageStates?.find((st) => st.stageName === e.stage);
    const action = stage?.actionStates?.find((a) => a.actionName === e.action);
    // Only the token of this execution's approval, while it waits: another execution's would answer the wrong release.
    if (stage?.latestExecution?.pipelineExecutionId === e.executionId && action?.latestExecution?.status === 'InProgress') token = action.latestExecution.token || undefined;
    if (!token) unread.push(`the token: GetPipelineState shows no approval of execution ${e.executionId} in progress at ${e.stage} / ${e.action} (answered already, or superseded)`);
  } else {
    unread.push(`the token (GetPipelineState): ${describeError(state.reason)}`);
  }
  const facts: ApprovalFacts = { message, token, unread };
  return approvalAlert(e, execution.status === 'fulfilled' ? execution.value : undefined, facts);
}

/** The latest attempt: an action retried in the same execution has one execution per attempt. */
function latest(actions: readonly ActionExecutionFacts[]): ActionExecutionFacts | undefined {
  return [...actions].sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))[0];
}

async function executionFacts(pipeline: string, executionId: string, withActions: boolean, s: Settings, signal: AbortSignal): Promise<ExecutionFacts & { all: ActionExecutionFacts[] }> {
  const [execution, all] = await Promise.all([
    codepipeline.send(new GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId: executionId }), { abortSignal: signal }),
    withActions ? actionExecutions(pipeline, executionId, signal) : Promise.resolve([]),
  ]);
  const p = execution.pipelineExecution;
  let commit = sourceCommit(p?.artifactRevisions);
  if (commit && s.repositoryName) commit = { ...commit, author: await commitAuthor(s.repositoryName, commit, signal) };
  return { commit, startedBy: startedBy(p?.trigger), statusSummary: p?.statusSummary || undefined, failedActions: all.filter((a) => a.status === 'Failed'), all };
}

async function actionExecutions(pipeline: string, executionId: string, signal: AbortSignal): Promise<ActionExecutionFacts[]> {
  const found: ActionExecutionFacts[] = [];
  for await (const page of paginateListActionExecutions({ client: codepipeline, pageSize: 100 }, { pipelineName: pipeline, filter: { pipelineExecutionId: executionId } }, { abortSignal: signal })) {
    for (const d of page.actionExecutionDetails ?? []) {
      if (!d.stageName || !d.actionName) continue;
      found.push({
        stage: d.stageName,
        action: d.actionName,
        provider: d.input?.actionTypeId?.provider,
        status: d.status,
        startTime: d.startTime,
        // Of the configuration only the stack name and an approval's message are kept: other values (a build's
        // environment) stay out of alerts.
        stackName: d.input?.actionTypeId?.provider === 'CloudFormation' ? d.input?.configuration?.StackName : undefined,
        approvalMessage: d.input?.actionTypeId?.category === 'Approval' ? d.input?.resolvedConfiguration?.CustomData || undefined : undefined,
        result: d.output?.executionResult,
      });
    }
  }
  return found;
}

/** The author of a CodeCommit commit ("Name <email>"); the other sources' revisions do not name one. */
async function commitAuthor(repositoryName: string, commit: CommitFacts, signal: AbortSignal): Promise<string | undefined> {
  const out = await codecommit.send(new GetCommitCommand({ repositoryName, commitId: commit.id }), { abortSignal: signal });
  const author = out.commit?.author;
  if (!author?.name) return undefined;
  return author.email ? `${author.name} <${author.email}>` : author.name;
}

/** The failed resource of a CloudFormation action's stack, from the events since the action started. */
async function stackFacts(action: ActionExecutionFacts | undefined, signal: AbortSignal): Promise<StackFacts | undefined> {
  if (!action?.stackName) return undefined;
  const stackName = action.stackName;
  const events: StackEventFacts[] = [];
  let stackId: string | undefined;
  let pages = 0;
  for await (const page of paginateDescribeStackEvents({ client: cloudformation }, { StackName: stackName }, { abortSignal: signal })) {
    for (const ev of page.StackEvents ?? []) {
      stackId ??= ev.StackId;
      events.push(ev);
    }
    const oldest = page.StackEvents?.at(-1)?.Timestamp;
    // Newest first: once a page reaches back before the action started, the rest is older.
    if (++pages >= STACK_EVENT_PAGES || (oldest && action.startTime && oldest < action.startTime)) break;
  }
  return { stackName, stackId, reason: stackFailureReason(events, action.startTime) };
}

/** Why an image build failed: the image's state reason and its failed workflow steps. */
async function imageFacts(e: ImageEvent, signal: AbortSignal): Promise<{ reason?: string }> {
  const [image, executions] = await Promise.all([
    imagebuilder.send(new GetImageCommand({ imageBuildVersionArn: e.imageArn }), { abortSignal: signal }),
    (async () => {
      const found = [];
      for await (const page of paginateListWorkflowExecutions({ client: imagebuilder }, { imageBuildVersionArn: e.imageArn }, { abortSignal: signal })) found.push(...(page.workflowExecutions ?? []));
      return found;
    })(),
  ]);
  const workflows: WorkflowFacts[] = await Promise.all(
    executions
      .filter((w) => w.status === 'FAILED' && w.workflowExecutionId)
      .map(async (w) => {
        const steps = [];
        for await (const page of paginateListWorkflowStepExecutions({ client: imagebuilder }, { workflowExecutionId: w.workflowExecutionId! }, { abortSignal: signal })) steps.push(...(page.steps ?? []));
        return { type: w.type, status: w.status, message: w.message, steps };
      }),
  );
  return { reason: imageFailureReason(image.image?.state?.reason, workflows) };
}
