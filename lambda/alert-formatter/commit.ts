/**
 * Which commit a pipeline execution ran and who or what started it, from GetPipelineExecution
 * (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineExecution.html): `artifactRevisions`
 * and, for V2 pipelines, `trigger`. Pure.
 */

/** The fields of an ArtifactRevision the formatter reads. */
export interface ArtifactRevisionFacts {
  readonly name?: string;
  readonly revisionId?: string;
  readonly revisionSummary?: string;
  readonly revisionUrl?: string;
}

export interface CommitFacts {
  readonly id: string;
  /** The commit message's first line. */
  readonly message?: string;
  readonly url?: string;
  /** "Name <email>", when the source can tell (CodeCommit's GetCommit). */
  readonly author?: string;
}

/**
 * The commit of the execution's source revision. CodeCommit puts the commit message in `revisionSummary`; a CodeStar
 * connection (GitHub) puts JSON there, `{"ProviderType":"GitHub","CommitMessage":"…"}`.
 */
export function sourceCommit(revisions: readonly ArtifactRevisionFacts[] | undefined): CommitFacts | undefined {
  const revision = revisions?.find((r) => r.revisionId);
  if (!revision?.revisionId) return undefined;
  return { id: revision.revisionId, message: commitMessage(revision.revisionSummary), url: revision.revisionUrl || undefined };
}

function commitMessage(summary: string | undefined): string | undefined {
  if (!summary) return undefined;
  let message = summary;
  if (summary.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(summary);
      const m = (parsed as { CommitMessage?: unknown }).CommitMessage;
      if (typeof m === 'string') message = m;
    } catch {
      // Not JSON after all: a commit message that starts with a brace.
    }
  }
  return message.split('\n').find((line) => line.trim())?.trim();
}

/** What GetPipelineExecution says started the execution (V2 pipelines). */
export interface TriggerFacts {
  readonly triggerType?: string;
  readonly triggerDetail?: string;
}

/**
 * Who or what started the run, in words: "a push (webhook)", "StartPipelineExecution by arn:aws:sts::…:assumed-role/…",
 * "an EventBridge rule (arn:…:rule/…)" — the CodeCommit push rule, or the rebuild schedule's target.
 * Trigger types: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html
 */
export function startedBy(trigger: TriggerFacts | undefined): string | undefined {
  if (!trigger?.triggerType) return undefined;
  const detail = trigger.triggerDetail ? ` (${trigger.triggerDetail})` : '';
  switch (trigger.triggerType) {
    case 'StartPipelineExecution': {
      // A Lambda function's role session carries the function's name (lib/pipeline/push-filter.ts: <pipeline>-push-filter);
      // a session of any other form is shown as it is.
      const pushFilter = /:assumed-role\/[^/]+\/([^/]+-push-filter)$/.exec(trigger.triggerDetail ?? '');
      if (pushFilter) return `a push (started by ${pushFilter[1]}: it changed more than source.ignorePaths)`;
      return trigger.triggerDetail ? `StartPipelineExecution by ${trigger.triggerDetail}` : 'StartPipelineExecution';
    }
    case 'Webhook':
    case 'WebhookV2':
      return `a push (webhook)${detail}`;
    case 'CloudWatchEvent':
      return `an EventBridge rule${detail}`;
    case 'PollForSourceChanges':
      return 'a change found by polling the source';
    case 'CreatePipeline':
      return 'the creation or update of the pipeline';
    default:
      return `${trigger.triggerType}${detail}`;
  }
}
