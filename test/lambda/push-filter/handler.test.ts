import { CodeCommitClient, GetDifferencesCommand } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, type PushEvent, settings } from '../../../lambda/push-filter/index';

process.env.AWS_REGION = 'eu-west-1';
const codecommit = mockClient(CodeCommitClient);
const codepipeline = mockClient(CodePipelineClient);

const OLD = '1111111111111111111111111111111111111111';
const NEW = '2222222222222222222222222222222222222222';
const EVENT_ID = '01234567-89ab-cdef-0123-456789abcdef';
const context = { getRemainingTimeInMillis: () => 60_000 };

/**
 * A CodeCommit Repository State Change event as EventBridge delivers it: referenceUpdated carries commitId and
 * oldCommitId, referenceCreated only commitId (https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html).
 */
function push(detail: Partial<PushEvent['detail']> = {}): PushEvent {
  return { id: EVENT_ID, detail: { event: 'referenceUpdated', repositoryName: 'golden-ami-pipeline', referenceType: 'branch', referenceName: 'main', commitId: NEW, oldCommitId: OLD, ...detail } };
}

/** GetDifferences answers Difference objects with beforeBlob/afterBlob paths (https://docs.aws.amazon.com/codecommit/latest/APIReference/API_GetDifferences.html): an added file has no beforeBlob, a deleted one no afterBlob. */
const modified = (path: string) => ({ beforeBlob: { path, blobId: 'a', mode: '100644' }, afterBlob: { path, blobId: 'b', mode: '100644' }, changeType: 'M' as const });

beforeEach(() => {
  codecommit.reset();
  codepipeline.reset();
  codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
  Object.assign(process.env, { PIPELINE_NAME: 'golden-ami', SOURCE_ACTION_NAME: 'golden-ami-pipeline', BRANCH: 'main', IGNORE_PATHS: JSON.stringify(['*.md', 'docs/**']) });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('a push that changes only ignored files starts no run', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [modified('README.md'), modified('docs/roles.md')] });
  const decision = await handler(push(), context);
  expect(decision).toMatchObject({ start: false, reason: 'every one of the 2 changed files matches source.ignorePaths' });
  expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  expect(codecommit.commandCalls(GetDifferencesCommand)[0].args[0].input).toMatchObject({ repositoryName: 'golden-ami-pipeline', beforeCommitSpecifier: OLD, afterCommitSpecifier: NEW });
});

test('one file that matters starts a run of exactly the pushed commit, idempotent under Lambda retries', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [modified('README.md'), modified('pipeline-assets/images/app-linux.yaml')] });
  const decision = await handler(push(), context);
  expect(decision).toEqual({ start: true, reason: 'pipeline-assets/images/app-linux.yaml changed', commitId: NEW, executionId: 'exec-1' });
  expect(codepipeline.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toEqual({
    name: 'golden-ami',
    sourceRevisions: [{ actionName: 'golden-ami-pipeline', revisionType: 'COMMIT_ID', revisionValue: NEW }],
    clientRequestToken: EVENT_ID,
  });
});

test('a Markdown file below the root is not ignored by *.md (one directory level, as CodePipeline reads globs)', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [modified('pipeline-assets/app/public/help.md')] });
  expect(await handler(push(), context)).toMatchObject({ start: true, reason: 'pipeline-assets/app/public/help.md changed' });
});

test('a file moved out of an ignored directory starts a run (either path of a rename counts)', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [{ beforeBlob: { path: 'docs/setup.sh' }, afterBlob: { path: 'bin/setup.sh' }, changeType: 'M' }] });
  expect(await handler(push(), context)).toMatchObject({ start: true, reason: 'bin/setup.sh changed' });
});

test('deleted and added files count by the path they had or have', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [{ beforeBlob: { path: 'docs/old.md' }, changeType: 'D' }, { afterBlob: { path: 'CHANGELOG.md' }, changeType: 'A' }] });
  expect(await handler(push(), context)).toMatchObject({ start: false });
});

test('every page is read until a file matters', async () => {
  codecommit
    .on(GetDifferencesCommand)
    .resolvesOnce({ differences: [modified('README.md')], NextToken: 'page-2' })
    .resolvesOnce({ differences: [modified('lib/naming.ts')] });
  expect(await handler(push(), context)).toMatchObject({ start: true, reason: 'lib/naming.ts changed' });
  const calls = codecommit.commandCalls(GetDifferencesCommand);
  expect(calls).toHaveLength(2);
  expect(calls[1].args[0].input).toMatchObject({ NextToken: 'page-2' });
});

test('an empty commit starts a run: pushing one is how a user asks for a run', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [] });
  expect(await handler(push(), context)).toMatchObject({ start: true, reason: 'the push changes no file (an empty commit starts a run on purpose)' });
});

test('a new branch starts a run without reading a difference (there is no old commit)', async () => {
  const { oldCommitId: _, ...created } = push({ event: 'referenceCreated' }).detail;
  expect(await handler({ id: EVENT_ID, detail: created }, context)).toMatchObject({ start: true, reason: 'the branch was created' });
  expect(codecommit.commandCalls(GetDifferencesCommand)).toHaveLength(0);
});

test('a difference it cannot read starts the run anyway, and says why', async () => {
  codecommit.on(GetDifferencesCommand).rejects(Object.assign(new Error('Could not find the commit'), { name: 'CommitDoesNotExistException' }));
  expect(await handler(push(), context)).toMatchObject({ start: true, reason: expect.stringContaining('CommitDoesNotExistException: Could not find the commit') });
  expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
});

test('running out of time while reading starts the run rather than hang or drop the push', async () => {
  codecommit.on(GetDifferencesCommand).callsFake((_input, getClient) => new Promise(() => getClient));
  const short = { getRemainingTimeInMillis: () => 11_000 };
  const decision = await handler(push(), short);
  expect(decision.start).toBe(true);
  expect(decision.reason).toMatch(/could not be read to its end/);
});

test('other references and deletions start nothing', async () => {
  for (const detail of [{ referenceName: 'feature/x' }, { referenceType: 'tag', referenceName: 'v1' }, { event: 'referenceDeleted', commitId: undefined }]) {
    expect(await handler(push(detail), context)).toMatchObject({ start: false });
  }
  expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
});

test('a failed StartPipelineExecution fails the invocation, so Lambda retries it and then dead-letters it', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [modified('lib/naming.ts')] });
  codepipeline.on(StartPipelineExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  await expect(handler(push(), context)).rejects.toThrow('Rate exceeded');
  expect(JSON.parse(errors.mock.calls[0][0] as string)).toEqual({ eventId: EVENT_ID, start: true, reason: 'lib/naming.ts changed', commitId: NEW, error: 'ThrottlingException: Rate exceeded' });
});

test('every decision is one JSON line in the log, with the event it is about', async () => {
  codecommit.on(GetDifferencesCommand).resolves({ differences: [modified('README.md')] });
  await handler(push(), context);
  expect(JSON.parse((console.log as jest.Mock).mock.calls[0][0] as string)).toEqual({ eventId: EVENT_ID, start: false, reason: 'every one of the 1 changed files matches source.ignorePaths', commitId: NEW });
});

test('its settings come from the environment and are checked', () => {
  expect(settings({ PIPELINE_NAME: 'p', SOURCE_ACTION_NAME: 's', BRANCH: 'main', IGNORE_PATHS: '["docs/**"]' })).toEqual({ pipelineName: 'p', sourceActionName: 's', branch: 'main', ignorePaths: ['docs/**'] });
  expect(() => settings({ PIPELINE_NAME: 'p', SOURCE_ACTION_NAME: 's', BRANCH: 'main' })).toThrow(/IGNORE_PATHS must be set/);
  expect(() => settings({ PIPELINE_NAME: 'p', SOURCE_ACTION_NAME: 's', BRANCH: 'main', IGNORE_PATHS: '{"a":1}' })).toThrow(/JSON array of strings/);
});
