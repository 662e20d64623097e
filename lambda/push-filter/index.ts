/**
 * push-filter: starts the pipeline for a push to its CodeCommit branch unless every file the push changed matches
 * `source.ignorePaths` (documentation, by default). A GitHub source needs no function: its trigger carries the same
 * patterns as file path excludes.
 *
 * EventBridge sends it the repository's referenceCreated/referenceUpdated events for the branch
 * (https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html: `commitId`, and `oldCommitId` on an
 * update). It lists what changed between the two commits (GetDifferences, paginated) and stops at the first path that
 * is not ignored.
 *
 * It fails open: a new branch, a push that changes no file (an empty commit, pushed on purpose to start a run), a
 * difference it cannot read, or one it cannot finish reading in time all start the run: an unneeded run costs minutes,
 * a missed one ships stale images. A run it starts builds exactly the pushed commit (sourceRevisions). Only a failed
 * StartPipelineExecution fails the invocation, so that Lambda retries it and then hands the event to the dead-letter
 * queue, whose alarm tells the alert topic.
 */
import { CodeCommitClient, paginateGetDifferences } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { pages, withDeadline } from '../parameter-prep/attempt';
import { firstRelevantPath } from './ignored-paths';

const clientConfig = { maxAttempts: 3, retryMode: 'standard' as const };
const codecommit = new CodeCommitClient(clientConfig);
const codepipeline = new CodePipelineClient(clientConfig);

/** Files per GetDifferences page (its default is 100). */
const DIFFERENCES_PAGE_SIZE = 100;
/** Time kept from the invocation for StartPipelineExecution after reading the difference. */
export const START_RESERVE_MS = 10_000;

export interface Settings {
  readonly pipelineName: string;
  /** The pipeline's source action, whose revision a started run pins to the pushed commit. */
  readonly sourceActionName: string;
  readonly branch: string;
  readonly ignorePaths: readonly string[];
}

export function settings(env: NodeJS.ProcessEnv = process.env): Settings {
  const { PIPELINE_NAME: pipelineName, SOURCE_ACTION_NAME: sourceActionName, BRANCH: branch, IGNORE_PATHS: ignore } = env;
  if (!pipelineName || !sourceActionName || !branch || !ignore) {
    throw new Error(`PIPELINE_NAME, SOURCE_ACTION_NAME, BRANCH and IGNORE_PATHS must be set (got ${JSON.stringify({ pipelineName, sourceActionName, branch, ignore })})`);
  }
  const ignorePaths: unknown = JSON.parse(ignore);
  if (!Array.isArray(ignorePaths) || !ignorePaths.every((p) => typeof p === 'string')) throw new Error(`IGNORE_PATHS must be a JSON array of strings (got ${ignore})`);
  return { pipelineName, sourceActionName, branch, ignorePaths };
}

/** The fields of a CodeCommit Repository State Change event the function reads. */
export interface PushEvent {
  readonly id: string;
  readonly detail: {
    readonly event: string;
    readonly repositoryName: string;
    readonly referenceType: string;
    readonly referenceName: string;
    readonly commitId?: string;
    readonly oldCommitId?: string;
  };
}

/** What the function did with a push, and why: logged as one JSON line, returned for tests. */
export interface Decision {
  readonly start: boolean;
  readonly reason: string;
  readonly commitId?: string;
  readonly executionId?: string;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export async function handler(event: PushEvent, context: InvocationContext): Promise<Decision> {
  const s = settings();
  const decision = await decide(event, s, context);
  if (!decision.start) {
    console.log(JSON.stringify({ eventId: event.id, ...decision }));
    return decision;
  }
  try {
    const started = { ...decision, executionId: await start(event, s) };
    console.log(JSON.stringify({ eventId: event.id, ...started }));
    return started;
  } catch (err) {
    // The decision is logged even when the run cannot be started; Lambda retries, then dead-letters the event.
    console.error(JSON.stringify({ eventId: event.id, ...decision, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }));
    throw err;
  }
}

async function decide(event: PushEvent, s: Settings, context: InvocationContext): Promise<Decision> {
  const d = event.detail;
  // The rule selects these; anything else (a tag, another branch, a deletion) is not a push to build.
  if (d.referenceType !== 'branch' || d.referenceName !== s.branch || !d.commitId || (d.event !== 'referenceCreated' && d.event !== 'referenceUpdated')) {
    return { start: false, reason: `not a push to branch ${s.branch} (${d.event} of ${d.referenceType} ${d.referenceName})` };
  }
  const commitId = d.commitId;
  if (!d.oldCommitId) return { start: true, reason: 'the branch was created', commitId };
  if (s.ignorePaths.length === 0) return { start: true, reason: 'source.ignorePaths is empty: every push starts a run', commitId };

  const controller = new AbortController();
  const read = { files: 0 };
  let relevant: string | undefined;
  try {
    // Bounded by the invocation's time, even if a request ignores the abort.
    const deadline = Math.max(context.getRemainingTimeInMillis() - START_RESERVE_MS, 1000);
    relevant = await withDeadline(firstRelevantChange(d.repositoryName, d.oldCommitId, commitId, s.ignorePaths, controller.signal, read), deadline, controller, () =>
      Object.assign(new Error(`no answer within ${deadline} ms`), { name: 'TimeoutError' }),
    );
  } catch (err) {
    const cause = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { start: true, reason: `the difference could not be read to its end (${cause}; ${read.files} files read, all ignored)`, commitId };
  }
  if (relevant !== undefined) return { start: true, reason: `${relevant} changed`, commitId };
  if (read.files === 0) return { start: true, reason: 'the push changes no file (an empty commit starts a run on purpose)', commitId };
  return { start: false, reason: `every one of the ${read.files} changed files matches source.ignorePaths`, commitId };
}

/** The first changed path that is not ignored, reading the difference page by page; counts the files it read. */
async function firstRelevantChange(repositoryName: string, before: string, after: string, ignorePaths: readonly string[], signal: AbortSignal, read: { files: number }): Promise<string | undefined> {
  const input = { repositoryName, beforeCommitSpecifier: before, afterCommitSpecifier: after };
  for await (const page of pages(paginateGetDifferences, codecommit, input, signal, DIFFERENCES_PAGE_SIZE)) {
    // A rename or a move changes two paths; either one that matters starts the run.
    const paths = (page.differences ?? []).flatMap((diff) => [diff.beforeBlob?.path, diff.afterBlob?.path]).filter((p): p is string => typeof p === 'string');
    read.files += page.differences?.length ?? 0;
    const relevant = firstRelevantPath(paths, ignorePaths);
    if (relevant !== undefined) return relevant;
  }
  return undefined;
}

async function start(event: PushEvent, s: Settings): Promise<string | undefined> {
  const out = await codepipeline.send(
    new StartPipelineExecutionCommand({
      name: s.pipelineName,
      // The pushed commit, not whatever the branch points to when the run starts (a V2 pipeline's source revision
      // override; COMMIT_ID for CodeCommit: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_SourceRevisionOverride.html).
      sourceRevisions: [{ actionName: s.sourceActionName, revisionType: 'COMMIT_ID', revisionValue: event.detail.commitId! }],
      // Lambda's retries of this event start one run, not three.
      clientRequestToken: event.id,
    }),
  );
  return out.pipelineExecutionId;
}
