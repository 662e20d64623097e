/**
 * Choosing the one line that says why something failed, from what AWS recorded about it. Pure: the handler fetches the
 * records (CodePipeline action executions, CloudFormation stack events, Image Builder workflow steps) and passes them in.
 */

/** The fields of a CloudFormation stack event the choice reads (DescribeStackEvents, newest first). */
export interface StackEventFacts {
  readonly Timestamp?: Date;
  readonly LogicalResourceId?: string;
  readonly ResourceType?: string;
  readonly ResourceStatus?: string;
  readonly ResourceStatusReason?: string;
}

/**
 * What CloudFormation writes for resources it stopped because another one failed, and on the stack's own line: never
 * the cause. ("Resource creation cancelled" is the common one: tools such as eksctl filter it out the same way.)
 */
const CONSEQUENCE = /^Resource (creation|update|deletion) cancelled$|^The following resource\(s\) failed to/;

/** Clock margin: stack events of the deploy may be stamped a little before the action's own start time. */
const CLOCK_MARGIN_MS = 5000;

/**
 * The first failure of a resource since `since` (the failed action's start), e.g.
 * `Image (AWS::ImageBuilder::Image) CREATE_FAILED: Resource handler returned message: "…"`. A failure that only cancelled
 * others is skipped; the stack's own failure line is used only when no resource says more.
 */
export function stackFailureReason(events: readonly StackEventFacts[], since?: Date): string | undefined {
  const window = events.filter((e) => !since || !e.Timestamp || e.Timestamp.getTime() >= since.getTime() - CLOCK_MARGIN_MS);
  const failed = window.filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceStatusReason);
  const oldestFirst = [...failed].sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
  const cause =
    oldestFirst.find((e) => e.ResourceType !== 'AWS::CloudFormation::Stack' && !CONSEQUENCE.test(e.ResourceStatusReason!)) ??
    oldestFirst.find((e) => !CONSEQUENCE.test(e.ResourceStatusReason!)) ??
    oldestFirst[0];
  if (!cause) return undefined;
  return `${cause.LogicalResourceId ?? 'a resource'} (${cause.ResourceType ?? 'unknown type'}) ${cause.ResourceStatus}: ${cause.ResourceStatusReason}`;
}

/** What CodePipeline recorded of an action's outcome (ListActionExecutions output.executionResult). */
export interface ActionResultFacts {
  readonly externalExecutionSummary?: string;
  readonly errorDetails?: { readonly code?: string; readonly message?: string };
}

/**
 * The action's own account of its failure: the error message CodePipeline keeps (for a Lambda action, what the function
 * passed to PutJobFailureResult), else the provider's summary, else the summary in the event.
 */
export function actionFailureReason(result: ActionResultFacts | undefined, eventSummary?: string): string | undefined {
  const candidates = [result?.errorDetails?.message, result?.externalExecutionSummary, eventSummary].map((s) => s?.trim()).filter((s): s is string => !!s);
  return candidates[0];
}

/** An Image Builder workflow execution and its steps (ListWorkflowExecutions, ListWorkflowStepExecutions). */
export interface WorkflowFacts {
  readonly type?: string;
  readonly status?: string;
  readonly message?: string;
  readonly steps: ReadonlyArray<{ readonly name?: string; readonly action?: string; readonly status?: string; readonly message?: string }>;
}

/**
 * Why an image build failed: the workflow step that failed (its name, action and message), else the failed workflow's
 * message, else the image's state reason (GetImage). The state reason follows a step when it adds something.
 */
export function imageFailureReason(stateReason: string | undefined, workflows: readonly WorkflowFacts[]): string | undefined {
  const reason = stateReason?.trim() || undefined;
  for (const workflow of workflows.filter((w) => w.status === 'FAILED')) {
    const step = workflow.steps.find((s) => s.status === 'FAILED');
    const what = workflow.type ? `${workflow.type.toLowerCase()} workflow` : 'workflow';
    if (step) {
      const line = `step ${step.name ?? '(unnamed)'}${step.action ? ` (${step.action})` : ''} of the ${what} failed${step.message ? `: ${step.message.trim()}` : ''}`;
      return reason && !line.includes(reason) ? `${line}\n${reason}` : line;
    }
    if (workflow.message) return `the ${what} failed: ${workflow.message.trim()}${reason && reason !== workflow.message.trim() ? `\n${reason}` : ''}`;
  }
  return reason;
}
