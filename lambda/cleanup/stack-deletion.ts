/**
 * What to do next with one stack that a clean-up deletes. Pure: the engine feeds it what CloudFormation reports.
 *
 * A stack in DELETE_FAILED is tried again when it failed before this clean-up started (a second `cdk destroy`
 * resumes), and stops the clean-up with CloudFormation's reason when it failed during it (trying again would only
 * fail the same way until the custom resource timed out, hiding the reason).
 */

export type StackStep =
  | { readonly kind: 'gone' }
  | { readonly kind: 'delete' }
  | { readonly kind: 'wait'; readonly status: string }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'not-ours'; readonly owner: string };

/** What the engine knows of one stack. `undefined` means CloudFormation says it does not exist. */
export interface ObservedStack {
  readonly status: string;
  /** The pipeline its description names (see naming.pipelineOfStackDescription). */
  readonly owner: string | undefined;
  /** Set for DELETE_FAILED: when the last failed delete happened and why. */
  readonly lastDeleteFailure?: { readonly at: Date; readonly reason: string };
}

/**
 * CloudFormation accepts DeleteStack in any settled state, and in REVIEW_IN_PROGRESS (a stack created by a change
 * set that was never executed); during any other operation it has to finish first.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
 */
export function nextStackStep(stack: ObservedStack | undefined, pipelineName: string, startedAt: Date): StackStep {
  if (!stack || stack.status === 'DELETE_COMPLETE') return { kind: 'gone' };
  // A stack of this name that another pipeline (or nobody) described is never touched.
  if (stack.owner !== pipelineName) return { kind: 'not-ours', owner: stack.owner ?? 'no golden-ami pipeline' };
  if (stack.status === 'DELETE_FAILED') {
    const failure = stack.lastDeleteFailure;
    if (failure && failure.at.getTime() >= startedAt.getTime()) return { kind: 'fail', reason: failure.reason };
    return { kind: 'delete' };
  }
  if (stack.status === 'REVIEW_IN_PROGRESS') return { kind: 'delete' };
  if (stack.status.endsWith('_IN_PROGRESS')) return { kind: 'wait', status: stack.status };
  return { kind: 'delete' };
}
