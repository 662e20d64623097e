import { actionAlert, approvalAlert, approvalInstructions, type ExecutionFacts, imageAlert, isApprovalWaiting, pipelineAlert, releasedImage, stageAlert } from '../../../lambda/alert-formatter/alert';
import { type ActionEvent, type ImageEvent, parseEvent, type PipelineEvent, type StageEvent } from '../../../lambda/alert-formatter/events';
import { APPROVAL_MESSAGE, APPROVAL_WAITING, BUILD_FAILED, DEPLOY_FAILED, EXECUTION_ID, IMAGE_ARN, IMAGE_FAILED, PIPELINE_FAILED, PIPELINE_SUCCEEDED, RELEASE_REFUSED, REFUSAL, STAGE_FAILED } from './samples';

const EXECUTION: ExecutionFacts = {
  commit: { id: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', message: 'Bump nginx to 1.27', author: 'Jane Doe <jane@example.com>', url: 'https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/golden-ami/commit/9f8e7d6c' },
  startedBy: 'an EventBridge rule (arn:aws:events:eu-west-1:123456789012:rule/push)',
  statusSummary: undefined,
  failedActions: [
    { stage: 'BuildImage', action: 'Image-app-linux.golden-ami-image-app-linux.Deploy', provider: 'CloudFormation', status: 'Failed', result: { externalExecutionSummary: 'Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state' } },
    { stage: 'BuildImage', action: 'Image-windows-iis.Release-windows-iis', provider: 'Lambda', status: 'Failed', result: { errorDetails: { code: 'JobFailed', message: 'windows-iis: AMI ami-2 is pending, not available' } } },
    { stage: 'Build', action: 'Synth', provider: 'CodeBuild', status: 'Failed', result: {} },
  ],
};
const PIPELINE_URL = `https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/golden-ami/executions/${EXECUTION_ID}/timeline?region=eu-west-1`;

describe('releasedImage: which actions are release steps', () => {
  test.each([
    ['Image-app-linux.Release-app-linux', 'Lambda', 'app-linux'],
    ['Release-windows-iis', undefined, 'windows-iis'],
    ['Image-app-linux.Prepare-app-linux', 'Lambda', undefined],
    ['Release-app-linux', 'CodeBuild', undefined],
  ])('%s (%s) → %s', (action, provider, image) => {
    expect(releasedImage(action, provider)).toBe(image);
  });
});

describe('one alert per kind of event', () => {
  test('a failed deploy: the failed resource from the stack events, the stack, commit and links', () => {
    const alert = actionAlert(parseEvent(DEPLOY_FAILED) as ActionEvent, EXECUTION, EXECUTION.failedActions[0], {
      stackName: 'golden-ami-image-app-linux',
      stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-image-app-linux/0d2d9f30',
      reason: 'Image (AWS::ImageBuilder::Image) CREATE_FAILED: Image status: FAILED',
    });
    expect(alert).toEqual({
      outcome: 'failed',
      title: 'golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed',
      facts: [
        ['Pipeline', 'golden-ami'],
        ['Stage', 'BuildImage'],
        ['Action', 'Image-app-linux.golden-ami-image-app-linux.Deploy (CloudFormation)'],
        ['Stack', 'golden-ami-image-app-linux'],
        ['Execution', EXECUTION_ID],
        ['Commit', '9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>'],
        ['Started by', 'an EventBridge rule (arn:aws:events:eu-west-1:123456789012:rule/push)'],
      ],
      reason: 'Image (AWS::ImageBuilder::Image) CREATE_FAILED: Image status: FAILED',
      links: [
        ['Pipeline execution', PIPELINE_URL],
        ['Commit', EXECUTION.commit!.url],
        ['Stack events', 'https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/events?stackId=arn%3Aaws%3Acloudformation%3Aeu-west-1%3A123456789012%3Astack%2Fgolden-ami-image-app-linux%2F0d2d9f30'],
      ],
      eventId: DEPLOY_FAILED.id,
      threadId: EXECUTION_ID,
    });
  });

  test('a failed deploy whose stack events name no failure: the action summary', () => {
    const alert = actionAlert(parseEvent(DEPLOY_FAILED) as ActionEvent, EXECUTION, EXECUTION.failedActions[0], { stackName: 'golden-ami-image-app-linux' });
    expect(alert.reason).toBe('Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state');
  });

  test("a refused release: the image, and parameter-prep's message as the reason", () => {
    const alert = actionAlert(parseEvent(RELEASE_REFUSED) as ActionEvent, EXECUTION, undefined, undefined);
    expect(alert.title).toBe('golden-ami: release of image app-linux failed');
    expect(alert.facts).toContainEqual(['Image', 'app-linux']);
    expect(alert.reason).toBe(REFUSAL);
    expect(alert.links.map(([label]) => label)).toEqual(['Pipeline execution', 'Commit']);
  });

  test("a failed build: the summary and the build's own page", () => {
    const alert = actionAlert(parseEvent(BUILD_FAILED) as ActionEvent, { failedActions: [] }, undefined, undefined);
    expect(alert.title).toBe('golden-ami: Build / Synth failed');
    expect(alert.reason).toBe('Build terminated with state: FAILED');
    expect(alert.links).toContainEqual(['Action details', BUILD_FAILED.detail['execution-result']['external-execution-url']]);
    expect(alert.facts.map(([label]) => label)).toEqual(['Pipeline', 'Stage', 'Action', 'Execution']);
  });

  test('a failed execution: every failed action with its reason', () => {
    const alert = pipelineAlert(parseEvent(PIPELINE_FAILED) as PipelineEvent, { ...EXECUTION, statusSummary: 'Pipeline execution failed' });
    expect(alert.title).toBe('golden-ami: pipeline execution failed');
    expect(alert.reason).toBe('Pipeline execution failed');
    expect(alert.failedActions).toEqual([
      'BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy: Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state',
      'BuildImage / Image-windows-iis.Release-windows-iis: windows-iis: AMI ami-2 is pending, not available',
      'Build / Synth',
    ]);
  });

  test('a successful execution: the commit, no reason', () => {
    const alert = pipelineAlert(parseEvent(PIPELINE_SUCCEEDED) as PipelineEvent, { ...EXECUTION, failedActions: [] });
    expect(alert).toMatchObject({ outcome: 'succeeded', title: 'golden-ami: pipeline execution succeeded', reason: undefined, failedActions: undefined });
    expect(alert.facts).toContainEqual(['Commit', '9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>']);
  });

  test("a failed stage: the failed actions of that stage only", () => {
    const alert = stageAlert(parseEvent(STAGE_FAILED) as StageEvent, EXECUTION);
    expect(alert.failedActions).toHaveLength(2);
    expect(alert.failedActions!.every((a) => a.startsWith('BuildImage / '))).toBe(true);
  });

  test("a failed image build: this pipeline's image name, the state it failed in, the reason, the image's page", () => {
    const alert = imageAlert(parseEvent(IMAGE_FAILED) as ImageEvent, 'golden-ami', { reason: 'step ExecuteComponents of the build workflow failed: exit 1' });
    expect(alert).toEqual({
      outcome: 'failed',
      title: 'golden-ami: image build golden-ami-app-linux 1.0.3/1 failed',
      facts: [
        ['Pipeline', 'golden-ami'],
        ['Image', 'app-linux'],
        ['Image Builder image', 'golden-ami-app-linux 1.0.3 (build 1)'],
        ['Failed while', 'TESTING'],
      ],
      reason: 'step ExecuteComponents of the build workflow failed: exit 1',
      links: [['Image', `https://eu-west-1.console.aws.amazon.com/imagebuilder/home?region=eu-west-1#/images/${encodeURIComponent(IMAGE_ARN)}/details`]],
      eventId: IMAGE_FAILED.id,
      threadId: IMAGE_ARN,
    });
  });

  test('a link that is not https is left out', () => {
    const odd = { ...BUILD_FAILED, detail: { ...BUILD_FAILED.detail, 'execution-result': { ...BUILD_FAILED.detail['execution-result'], 'external-execution-url': 'javascript:alert(1)' } } };
    expect(actionAlert(parseEvent(odd) as ActionEvent, { failedActions: [] }, undefined, undefined).links.map(([label]) => label)).toEqual(['Pipeline execution']);
  });
});

describe('an approval that waits', () => {
  const waiting = () => parseEvent(APPROVAL_WAITING) as ActionEvent;

  test('only a started approval is one (a failed one is a rejection, told as a failed action)', () => {
    expect(isApprovalWaiting(waiting())).toBe(true);
    expect(isApprovalWaiting({ ...waiting(), state: 'FAILED' })).toBe(false);
    expect(isApprovalWaiting(parseEvent(BUILD_FAILED) as ActionEvent)).toBe(false);
  });

  test('with its resolved message and token: where it waits, what it releases, the commit, and the command that answers it', () => {
    const alert = approvalAlert(waiting(), EXECUTION, { message: APPROVAL_MESSAGE, token: 'a1b2c3d4-0000-4000-8000-123456789abc', unread: [] });
    expect(alert).toEqual({
      outcome: 'waiting',
      title: 'golden-ami: approval waiting — Approve-production (stage Deploy-production)',
      facts: [
        ['Pipeline', 'golden-ami'],
        ['Stage', 'Deploy-production'],
        ['Approval', 'Approve-production'],
        ['Execution', EXECUTION_ID],
        ['Waiting since', '2026-11-20T11:02:13Z'],
        ['Commit', '9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>'],
        ['Started by', 'an EventBridge rule (arn:aws:events:eu-west-1:123456789012:rule/push)'],
      ],
      sections: [
        { heading: 'Message', text: APPROVAL_MESSAGE },
        {
          heading: 'To approve or reject',
          code: true,
          text: [
            '# in the console: open the pipeline execution (link below) and choose Review on Approve-production',
            '# with the AWS CLI:',
            'aws codepipeline put-approval-result --region eu-west-1 --pipeline-name golden-ami --stage-name Deploy-production --action-name Approve-production --token a1b2c3d4-0000-4000-8000-123456789abc --result summary=Reviewed,status=Approved',
            '# (status=Rejected to stop the release)',
          ].join('\n'),
        },
      ],
      links: [
        ['Pipeline execution', PIPELINE_URL],
        ['Commit', EXECUTION.commit!.url],
      ],
      eventId: APPROVAL_WAITING.id,
      threadId: EXECUTION_ID,
    });
  });

  test('without the message or the token: it still says that it waits and where, what was not read, and how to get the token', () => {
    const unread = ['the message (ListActionExecutions): AccessDeniedException: not authorized', 'the token (GetPipelineState): ThrottlingException: Rate exceeded'];
    const alert = approvalAlert(waiting(), undefined, { unread });
    expect(alert.title).toBe('golden-ami: approval waiting — Approve-production (stage Deploy-production)');
    expect(alert.facts.map(([label]) => label)).toEqual(['Pipeline', 'Stage', 'Approval', 'Execution', 'Waiting since']);
    expect(alert.sections).toEqual([
      { heading: 'Message', text: 'Not read. The console shows it: open the pipeline execution and choose Review on Approve-production.' },
      { heading: 'To approve or reject', code: true, text: approvalInstructions(waiting(), undefined) },
      { heading: 'Could not be read', text: unread.join('\n') },
    ]);
    expect(alert.links).toEqual([['Pipeline execution', PIPELINE_URL]]);
  });

  test('the token, when not known, from get-pipeline-state: a query that picks this stage and action', () => {
    const text = approvalInstructions(waiting(), undefined);
    expect(text.split('\n')).toEqual([
      '# in the console: open the pipeline execution (link below) and choose Review on Approve-production',
      '# with the AWS CLI:',
      `TOKEN=$(aws codepipeline get-pipeline-state --region eu-west-1 --name golden-ami --output text --query "stageStates[?stageName=='Deploy-production'].actionStates[] | [?actionName=='Approve-production'].latestExecution.token | [0]")`,
      'aws codepipeline put-approval-result --region eu-west-1 --pipeline-name golden-ami --stage-name Deploy-production --action-name Approve-production --token "$TOKEN" --result summary=Reviewed,status=Approved',
      '# (status=Rejected to stop the release)',
    ]);
  });
});
