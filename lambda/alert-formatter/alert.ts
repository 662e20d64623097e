/**
 * What an alert says, decided from the event and what the handler read about it. Pure: every choice (title, which
 * reason, which links) is made here; render.ts only lays it out for e-mail and chat.
 */
import type { CommitFacts } from './commit';
import type { ActionEvent, ImageEvent, PipelineEvent, StageEvent } from './events';
import { imageUrl, isWebLink, pipelineExecutionUrl, stackEventsUrl, type Where } from './links';
import { type ActionResultFacts, actionFailureReason } from './reasons';

/** A titled block of text after the facts: an approval's message, how to answer it. */
export interface AlertSection {
  readonly heading: string;
  readonly text: string;
  /** Commands to copy: chat shows them in a code block. */
  readonly code?: boolean;
}

export interface Alert {
  /** Failures and successes read differently (and a chat client colours them); `waiting`: a person must act. */
  readonly outcome: 'failed' | 'succeeded' | 'waiting' | 'other';
  /** One line: what happened, where. */
  readonly title: string;
  /** Labelled facts, in order: Pipeline, Stage, Action, Commit, … */
  readonly facts: ReadonlyArray<readonly [label: string, value: string]>;
  /** Why it failed, as AWS recorded it (may span lines). */
  readonly reason?: string;
  /** For a failed execution or stage: each failed action and its reason. */
  readonly failedActions?: readonly string[];
  readonly sections?: readonly AlertSection[];
  readonly links: ReadonlyArray<readonly [label: string, url: string]>;
  /** The EventBridge event id: the chat message's id and a handle to find the event in logs. */
  readonly eventId: string;
  /** Alerts of one pipeline execution (or one image build) thread together in chat. */
  readonly threadId: string;
}

/** One action execution of the pipeline execution, as ListActionExecutions returned it. */
export interface ActionExecutionFacts {
  readonly stage: string;
  readonly action: string;
  readonly provider?: string;
  readonly status?: string;
  readonly startTime?: Date;
  /** configuration.StackName of a CloudFormation action. */
  readonly stackName?: string;
  /**
   * The message of a manual approval: its CustomData as resolved for this execution (`input.resolvedConfiguration`,
   * whose variable expressions CodePipeline replaced with their values).
   */
  readonly approvalMessage?: string;
  readonly result?: ActionResultFacts & { readonly externalExecutionUrl?: string };
}

/** What GetPipelineExecution and ListActionExecutions told about the execution. */
export interface ExecutionFacts {
  readonly commit?: CommitFacts;
  readonly startedBy?: string;
  readonly statusSummary?: string;
  /** Every action execution of the pipeline execution that failed. */
  readonly failedActions: readonly ActionExecutionFacts[];
}

/** What DescribeStackEvents told about the failed deploy of a stack. */
export interface StackFacts {
  readonly stackName: string;
  /** The stack's ARN (StackId), when the events carried it. */
  readonly stackId?: string;
  readonly reason?: string;
}

/** The image a Release-<image> action releases (CDK Pipelines prefixes the stage id: `Image-x.Release-x`). */
export function releasedImage(action: string, provider: string | undefined): string | undefined {
  if (provider !== undefined && provider !== 'Lambda') return undefined;
  return /(?:^|\.)Release-([A-Za-z0-9-]+)$/.exec(action)?.[1];
}

const where = (e: { partition: string; region: string }): Where => ({ partition: e.partition, region: e.region });

function commitFacts(execution: ExecutionFacts | undefined): Array<readonly [string, string]> {
  const facts: Array<readonly [string, string]> = [];
  const commit = execution?.commit;
  if (commit) {
    const message = commit.message ? ` "${commit.message}"` : '';
    facts.push(['Commit', `${commit.id.slice(0, 12)}${message}${commit.author ? ` by ${commit.author}` : ''}`]);
  }
  if (execution?.startedBy) facts.push(['Started by', execution.startedBy]);
  return facts;
}

function executionLinks(e: PipelineEvent | StageEvent | ActionEvent, execution: ExecutionFacts | undefined): Array<readonly [string, string]> {
  const links: Array<readonly [string, string]> = [['Pipeline execution', pipelineExecutionUrl(where(e), e.pipeline, e.executionId)]];
  if (isWebLink(execution?.commit?.url)) links.push(['Commit', execution!.commit!.url!]);
  return links;
}

function failedActionLine(a: ActionExecutionFacts): string {
  const reason = actionFailureReason(a.result);
  return `${a.stage} / ${a.action}${reason ? `: ${reason}` : ''}`;
}

/** A pipeline execution that failed, succeeded, or changed state otherwise. */
export function pipelineAlert(e: PipelineEvent, execution: ExecutionFacts | undefined): Alert {
  const outcome = e.state === 'FAILED' ? 'failed' : e.state === 'SUCCEEDED' ? 'succeeded' : 'other';
  const failed = execution?.failedActions ?? [];
  return {
    outcome,
    title: `${e.pipeline}: pipeline execution ${e.state.toLowerCase()}`,
    facts: [['Pipeline', e.pipeline], ['Execution', e.executionId], ...commitFacts(execution)],
    reason: outcome === 'failed' ? execution?.statusSummary : undefined,
    failedActions: outcome === 'failed' ? failed.map(failedActionLine) : undefined,
    links: executionLinks(e, execution),
    eventId: e.id,
    threadId: e.executionId,
  };
}

export function stageAlert(e: StageEvent, execution: ExecutionFacts | undefined): Alert {
  const failed = (execution?.failedActions ?? []).filter((a) => a.stage === e.stage);
  return {
    outcome: e.state === 'FAILED' ? 'failed' : e.state === 'SUCCEEDED' ? 'succeeded' : 'other',
    title: `${e.pipeline}: stage ${e.stage} ${e.state.toLowerCase()}`,
    facts: [['Pipeline', e.pipeline], ['Stage', e.stage], ['Execution', e.executionId], ...commitFacts(execution)],
    failedActions: e.state === 'FAILED' ? failed.map(failedActionLine) : undefined,
    links: executionLinks(e, execution),
    eventId: e.id,
    threadId: e.executionId,
  };
}

/**
 * A failed action. The reason: for a CloudFormation deploy, the resource that failed (its stack events); otherwise the
 * action's recorded error — for Release-<image>, what parameter-prep reported with PutJobFailureResult.
 */
export function actionAlert(e: ActionEvent, execution: ExecutionFacts | undefined, action: ActionExecutionFacts | undefined, stack: StackFacts | undefined): Alert {
  const provider = e.provider ?? action?.provider;
  const image = releasedImage(e.action, provider);
  const state = e.state.toLowerCase();
  const title = image ? `${e.pipeline}: release of image ${image} ${state}` : `${e.pipeline}: ${e.stage} / ${e.action} ${state}`;
  const reason = stack?.reason ?? actionFailureReason(action?.result, e.summary);
  const links = executionLinks(e, execution);
  if (stack) links.push(['Stack events', stackEventsUrl(where(e), stack.stackId ?? stack.stackName)]);
  const external = action?.result?.externalExecutionUrl ?? e.externalUrl;
  // A CloudFormation action's external URL is the stack page, already linked.
  if (isWebLink(external) && !stack) links.push(['Action details', external]);
  return {
    outcome: e.state === 'FAILED' ? 'failed' : e.state === 'SUCCEEDED' ? 'succeeded' : 'other',
    title,
    facts: [
      ['Pipeline', e.pipeline],
      ['Stage', e.stage],
      ['Action', provider ? `${e.action} (${provider})` : e.action],
      ...(image ? [['Image', image] as const] : []),
      ...(stack ? [['Stack', stack.stackName] as const] : []),
      ['Execution', e.executionId],
      ...commitFacts(execution),
    ],
    reason: e.state === 'FAILED' ? reason : undefined,
    links,
    eventId: e.id,
    threadId: e.executionId,
  };
}

/** What GetImage and the workflow listings told about an image build. */
export interface ImageFacts {
  readonly reason?: string;
}

/** An Image Builder image build that failed (the rule sends FAILED only). */
export function imageAlert(e: ImageEvent, pipelineName: string, image: ImageFacts | undefined): Alert {
  const ours = e.imageName.startsWith(`${pipelineName.toLowerCase()}-`) ? e.imageName.slice(pipelineName.length + 1) : undefined;
  return {
    outcome: e.state === 'FAILED' ? 'failed' : e.state === 'AVAILABLE' ? 'succeeded' : 'other',
    title: `${pipelineName}: image build ${e.imageName} ${e.version}/${e.build} ${e.state.toLowerCase()}`,
    facts: [
      ['Pipeline', pipelineName],
      ...(ours ? [['Image', ours] as const] : []),
      ['Image Builder image', `${e.imageName} ${e.version} (build ${e.build})`],
      ...(e.previousState ? [['Failed while', e.previousState] as const] : []),
    ],
    reason: image?.reason,
    links: [['Image', imageUrl(where(e), e.imageArn)]],
    eventId: e.id,
    threadId: e.imageArn,
  };
}

/** A manual approval that started: it waits for a person (the approval rule sends these only). */
export function isApprovalWaiting(e: ActionEvent): boolean {
  return e.category === 'Approval' && e.state === 'STARTED';
}

/** What ListActionExecutions and GetPipelineState told about a waiting approval; `unread` says what could not be read. */
export interface ApprovalFacts {
  /** The approval's resolved message (CustomData). */
  readonly message?: string;
  /** The token PutApprovalResult needs, when GetPipelineState shows this execution's approval still in progress. */
  readonly token?: string;
  /** Why a part could not be read, one line each: the alert says so instead of leaving it out silently. */
  readonly unread: readonly string[];
}

/**
 * How to answer an approval: in the console, or with the AWS CLI (the token from GetPipelineState). Pipeline, stage and
 * action names are of CodePipeline's `[A-Za-z0-9.@_-]+`: nothing a shell would read differently.
 */
export function approvalInstructions(e: ActionEvent, token: string | undefined): string {
  const lines = [`# in the console: open the pipeline execution (link below) and choose Review on ${e.action}`, '# with the AWS CLI:'];
  if (!token) {
    const query = `stageStates[?stageName=='${e.stage}'].actionStates[] | [?actionName=='${e.action}'].latestExecution.token | [0]`;
    lines.push(`TOKEN=$(aws codepipeline get-pipeline-state --region ${e.region} --name ${e.pipeline} --output text --query "${query}")`);
  }
  lines.push(
    `aws codepipeline put-approval-result --region ${e.region} --pipeline-name ${e.pipeline} --stage-name ${e.stage} --action-name ${e.action} --token ${token ?? '"$TOKEN"'} --result summary=Reviewed,status=Approved`,
    '# (status=Rejected to stop the release)',
  );
  return lines.join('\n');
}

/**
 * A manual approval that waits: where (stage and action), its message with what this execution released, and how to
 * answer it. Whatever could not be read is said, and the alert is still sent.
 */
export function approvalAlert(e: ActionEvent, execution: ExecutionFacts | undefined, approval: ApprovalFacts): Alert {
  const message = approval.message ?? `Not read. The console shows it: open the pipeline execution and choose Review on ${e.action}.`;
  return {
    outcome: 'waiting',
    title: `${e.pipeline}: approval waiting — ${e.action} (stage ${e.stage})`,
    facts: [['Pipeline', e.pipeline], ['Stage', e.stage], ['Approval', e.action], ['Execution', e.executionId], ['Waiting since', e.time], ...commitFacts(execution)],
    sections: [
      { heading: 'Message', text: message },
      { heading: 'To approve or reject', text: approvalInstructions(e, approval.token), code: true },
      ...(approval.unread.length ? [{ heading: 'Could not be read', text: approval.unread.join('\n') }] : []),
    ],
    links: executionLinks(e, execution),
    eventId: e.id,
    threadId: e.executionId,
  };
}
