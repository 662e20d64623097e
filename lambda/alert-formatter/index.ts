/**
 * alert-formatter: turns the pipeline's failure events into readable alerts and publishes them to the alert topic.
 *
 * EventBridge sends it this pipeline's execution and action state changes and its Image Builder builds that failed.
 * It reads what AWS recorded about the failure (action executions, stack events, workflow steps, the commit), decides
 * the text (alert.ts, pure) and publishes it: plain text for e-mail, an AWS Chatbot custom notification for chat
 * (render.ts).
 *
 * An alert is never lost: an event it does not know, a describe call that fails, or the time budget running out all
 * end in the event being published as it came; if publishing the formatted alert fails, the raw event is tried, then
 * the event alone; only when all three fail does the invocation fail, so that Lambda retries it and, after its
 * retries, sends the event to the dead-letter queue. Neither the event nor any action configuration is ever logged.
 */
import { CloudFormationClient, paginateDescribeStackEvents } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, GetCommitCommand } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, GetPipelineExecutionCommand, paginateListActionExecutions } from '@aws-sdk/client-codepipeline';
import { GetImageCommand, ImagebuilderClient, paginateListWorkflowExecutions, paginateListWorkflowStepExecutions } from '@aws-sdk/client-imagebuilder';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type ActionExecutionFacts, actionAlert, type Alert, type ExecutionFacts, imageAlert, pipelineAlert, type StackFacts, stageAlert } from './alert';
import { describeError, withinBudget } from './budget';
import { type CommitFacts, sourceCommit, startedBy } from './commit';
import { type AlertEvent, type ImageEvent, parseEvent } from './events';
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
  const needActions = e.state === 'FAILED';
  const execution = await executionFacts(e.pipeline, e.executionId, needActions, s, signal);
  if (e.kind === 'pipeline') return pipelineAlert(e, execution);
  if (e.kind === 'stage') return stageAlert(e, execution);
  // The attempt the event is about: its stage, action and outcome (FAILED in the event, Failed in the API).
  const action = latest(execution.all.filter((a) => a.stage === e.stage && a.action === e.action && a.status?.toUpperCase() === e.state));
  const stack = needActions ? await stackFacts(action, signal) : undefined;
  return actionAlert(e, execution, action, stack);
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
        // Of the configuration only the stack name is kept: other values (a build's environment) stay out of alerts.
        stackName: d.input?.actionTypeId?.provider === 'CloudFormation' ? d.input?.configuration?.StackName : undefined,
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
