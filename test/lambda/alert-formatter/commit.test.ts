import { sourceCommit, startedBy } from '../../../lambda/alert-formatter/commit';

// ArtifactRevision and ExecutionTrigger: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ArtifactRevision.html,
// https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html
describe('sourceCommit', () => {
  test.each([
    [
      'CodeCommit: the summary is the commit message (first line kept)',
      [{ name: 'Source', revisionId: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', revisionSummary: 'Bump nginx to 1.27\n\nThe old one has CVE-2026-1234.', revisionUrl: 'https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/golden-ami/commit/9f8e7d6c?region=eu-west-1' }],
      { id: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', message: 'Bump nginx to 1.27', url: 'https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/golden-ami/commit/9f8e7d6c?region=eu-west-1' },
    ],
    [
      // The JSON a CodeStar connection puts in the summary, as recorded in action events' external-execution-summary.
      'GitHub through a CodeStar connection: the summary is JSON',
      [{ revisionId: '1a104adf6a84de18fa3e3c4cb42b5024fe450ed5', revisionSummary: '{"ProviderType":"GitHub","CommitMessage":"Try to break a deployment.\\n"}' }],
      { id: '1a104adf6a84de18fa3e3c4cb42b5024fe450ed5', message: 'Try to break a deployment.', url: undefined },
    ],
    ['a message that only starts with a brace', [{ revisionId: 'abc', revisionSummary: '{WIP} fix it' }], { id: 'abc', message: '{WIP} fix it', url: undefined }],
    ['no revision (an execution started before its source ran)', [], undefined],
    ['no revisions field', undefined, undefined],
  ])('%s', (_, revisions, expected) => {
    expect(sourceCommit(revisions)).toEqual(expected);
  });
});

describe('startedBy', () => {
  test.each([
    ['a person or a role', { triggerType: 'StartPipelineExecution', triggerDetail: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' }, 'StartPipelineExecution by arn:aws:sts::123456789012:assumed-role/Admin/alice'],
    // A Lambda function's role session carries the function's name, as CloudTrail shows it (not found in the Lambda
    // docs; unverified offline): any other form falls back to the generic text of the case above.
    ['the push filter', { triggerType: 'StartPipelineExecution', triggerDetail: 'arn:aws:sts::123456789012:assumed-role/golden-ami-pipeline-SourcePushFilterFunctionServi-AbC123/golden-ami-push-filter' }, 'a push (started by golden-ami-push-filter: it changed more than source.ignorePaths)'],
    ['the CodeCommit push rule', { triggerType: 'CloudWatchEvent', triggerDetail: 'arn:aws:events:eu-west-1:123456789012:rule/golden-ami-pipeline-SourceRepositoryGoldenAmiPipelineEvent' }, 'an EventBridge rule (arn:aws:events:eu-west-1:123456789012:rule/golden-ami-pipeline-SourceRepositoryGoldenAmiPipelineEvent)'],
    ['a GitHub push', { triggerType: 'WebhookV2', triggerDetail: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abc' }, 'a push (webhook) (arn:aws:codeconnections:eu-west-1:123456789012:connection/abc)'],
    ['the pipeline update', { triggerType: 'CreatePipeline' }, 'the creation or update of the pipeline'],
    ['a type this code does not know', { triggerType: 'AutomatedRollback', triggerDetail: 'exec-1' }, 'AutomatedRollback (exec-1)'],
    ['no trigger (a V1 pipeline)', undefined, undefined],
  ])('%s', (_, trigger, expected) => {
    expect(startedBy(trigger)).toBe(expected);
  });
});
