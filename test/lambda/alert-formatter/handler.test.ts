import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, GetCommitCommand } from '@aws-sdk/client-codecommit';
import { CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { GetImageCommand, ImagebuilderClient, ListWorkflowExecutionsCommand, ListWorkflowStepExecutionsCommand } from '@aws-sdk/client-imagebuilder';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/alert-formatter/index';
import { APPROVAL_MESSAGE, APPROVAL_WAITING, BUILD_FAILED, DEPLOY_FAILED, EXECUTION_ID, IMAGE_ARN, IMAGE_FAILED, NOTIFICATION_PAYLOAD, PIPELINE_FAILED, PIPELINE_SUCCEEDED, RELEASE_REFUSED, REFUSAL, STAGE_FAILED } from './samples';

process.env.AWS_REGION = 'eu-west-1';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:golden-ami-pipeline-AlertsTopicCF7C81C9-x1';

const codepipeline = mockClient(CodePipelineClient);
const cloudformation = mockClient(CloudFormationClient);
const imagebuilder = mockClient(ImagebuilderClient);
const codecommit = mockClient(CodeCommitClient);
const sns = mockClient(SNSClient);

const COMMIT = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
/** A value an action's configuration may hold (a build's environment) that must reach neither logs nor alerts. */
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-image-app-linux/0d2d9f30-0000-11f0-a000-0a1b2c3d4e5f';
const DEPLOY_START = new Date('2026-11-20T10:20:00Z');
const IMAGE_REASON = 'Image Builder reported a failure of the build workflow';

// Response shapes: GetPipelineExecution https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineExecution.html,
// ListActionExecutions https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ListActionExecutions.html,
// DescribeStackEvents https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html,
// GetImage https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImage.html,
// ListWorkflowExecutions / ListWorkflowStepExecutions https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ListWorkflowStepExecutions.html,
// GetCommit https://docs.aws.amazon.com/codecommit/latest/APIReference/API_GetCommit.html,
// GetPipelineState https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineState.html (StageState,
// ActionState.latestExecution: status, token); ActionExecutionInput.resolvedConfiguration ("configuration data for an
// action execution with all variable references replaced with their real values for the execution")
// https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionExecutionInput.html.
function awsWorks(): void {
  codepipeline.on(GetPipelineExecutionCommand).resolves({
    pipelineExecution: {
      pipelineName: 'golden-ami',
      pipelineExecutionId: EXECUTION_ID,
      status: 'Failed',
      statusSummary: 'Pipeline execution failed',
      artifactRevisions: [{ name: 'Source', revisionId: COMMIT, revisionSummary: 'Bump nginx to 1.27\n\nCVE-2026-1234', revisionUrl: 'https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/golden-ami/commit/9f8e7d6c' }],
      trigger: { triggerType: 'CloudWatchEvent', triggerDetail: 'arn:aws:events:eu-west-1:123456789012:rule/golden-ami-push' },
    },
  });
  codepipeline.on(ListActionExecutionsCommand).resolves({
    actionExecutionDetails: [
      {
        stageName: 'BuildImage',
        actionName: 'Image-app-linux.golden-ami-image-app-linux.Deploy',
        status: 'Failed',
        startTime: DEPLOY_START,
        input: { actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' }, configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'golden-ami-image-app-linux', ChangeSetName: 'PipelineChange' } },
        output: { executionResult: { externalExecutionSummary: 'Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state' } },
      },
      {
        stageName: 'BuildImage',
        actionName: 'Image-app-linux.Release-app-linux',
        status: 'Failed',
        startTime: new Date('2026-11-20T10:44:00Z'),
        input: { actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' }, configuration: { FunctionName: 'golden-ami-parameter-prep', UserParameters: '{"mode":"release"}' } },
        output: { executionResult: { externalExecutionSummary: REFUSAL, errorDetails: { code: 'JobFailed', message: REFUSAL } } },
      },
      {
        stageName: 'Build',
        actionName: 'Synth',
        status: 'Succeeded',
        startTime: new Date('2026-11-20T10:03:00Z'),
        input: { actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: 'Synth', EnvironmentVariables: `[{"name":"TOKEN","type":"PLAINTEXT","value":"${SECRET}"}]` } },
        output: { executionResult: { externalExecutionSummary: 'Build succeeded' } },
      },
    ],
  });
  cloudformation.on(DescribeStackEventsCommand).resolves({
    StackEvents: [
      { StackId: STACK_ID, StackName: 'golden-ami-image-app-linux', EventId: 'e3', Timestamp: new Date('2026-11-20T10:41:50Z'), LogicalResourceId: 'golden-ami-image-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE' },
      { StackId: STACK_ID, StackName: 'golden-ami-image-app-linux', EventId: 'e2', Timestamp: new Date('2026-11-20T10:40:40Z'), LogicalResourceId: 'Image', ResourceType: 'AWS::ImageBuilder::Image', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource handler returned message: "Image status FAILED"' },
      { StackId: STACK_ID, StackName: 'golden-ami-image-app-linux', EventId: 'e1', Timestamp: new Date('2026-11-20T10:20:02Z'), LogicalResourceId: 'golden-ami-image-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' },
    ],
  });
  codecommit.on(GetCommitCommand).resolves({ commit: { commitId: COMMIT, message: 'Bump nginx to 1.27', author: { name: 'Jane Doe', email: 'jane@example.com', date: '1763632800 +0000' } } });
  imagebuilder.on(GetImageCommand).resolves({ image: { arn: IMAGE_ARN, name: 'golden-ami-app-linux', version: '1.0.3/1', state: { status: 'FAILED', reason: IMAGE_REASON } } });
  imagebuilder.on(ListWorkflowExecutionsCommand).resolves({
    workflowExecutions: [
      { workflowExecutionId: 'wf-11111111-2222-3333-4444-555555555555', type: 'BUILD', status: 'COMPLETED' },
      { workflowExecutionId: 'wf-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', type: 'TEST', status: 'FAILED', message: 'Workflow execution failed' },
    ],
  });
  imagebuilder.on(ListWorkflowStepExecutionsCommand, { workflowExecutionId: 'wf-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }).resolves({
    steps: [
      { stepExecutionId: 'step-1', name: 'LaunchTestInstance', action: 'LaunchInstance', status: 'COMPLETED' },
      { stepExecutionId: 'step-2', name: 'RunTestSuite', action: 'RunCommand', status: 'FAILED', message: 'Test component nginx-responds failed: curl: (7) Failed to connect to localhost port 80' },
    ],
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
}

const context = (remainingMs = 29_000) => ({ getRemainingTimeInMillis: () => remainingMs });
let logs: string[];

beforeEach(() => {
  for (const m of [codepipeline, cloudformation, imagebuilder, codecommit, sns]) m.reset();
  process.env.TOPIC_ARN = TOPIC_ARN;
  process.env.PIPELINE_NAME = 'golden-ami';
  process.env.REPOSITORY_NAME = 'golden-ami';
  awsWorks();
  logs = [];
  const capture = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  jest.spyOn(console, 'log').mockImplementation(capture);
  jest.spyOn(console, 'warn').mockImplementation(capture);
  jest.spyOn(console, 'error').mockImplementation(capture);
});
afterEach(() => jest.restoreAllMocks());

/** What went to the topic, one entry per Publish: its subject, the e-mail text and the chat notification. */
function published() {
  return sns.commandCalls(PublishCommand).map((c) => {
    const input = c.args[0].input;
    const body = input.MessageStructure === 'json' ? JSON.parse(input.Message!) : { default: input.Message, email: input.Message };
    let chat: any;
    try {
      chat = JSON.parse(body.default);
    } catch {
      chat = undefined;
    }
    return { topic: input.TopicArn, subject: input.Subject, email: body.email as string, chat };
  });
}

describe('each kind of event becomes a readable alert', () => {
  test.each([
    [
      'a failed deploy: the failed resource from the stack events',
      DEPLOY_FAILED,
      'FAILED: golden-ami: BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy failed',
      [
        'Action:     Image-app-linux.golden-ami-image-app-linux.Deploy (CloudFormation)',
        'Stack:      golden-ami-image-app-linux',
        'Commit:     9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>',
        '  Image (AWS::ImageBuilder::Image) CREATE_FAILED: Resource handler returned message: "Image status FAILED"',
        `stackId=${encodeURIComponent(STACK_ID)}`,
      ],
    ],
    ["a refused release: parameter-prep's message", RELEASE_REFUSED, 'FAILED: golden-ami: release of image app-linux failed', ['Image:      app-linux', `  ${REFUSAL}`]],
    ['a failed build: its summary and its page', BUILD_FAILED, 'FAILED: golden-ami: Build / Synth failed', ['  Build terminated with state: FAILED', 'Action details:', '/codebuild/home?region=eu-west-1#/builds/']],
    [
      'a failed execution: each failed action',
      PIPELINE_FAILED,
      'FAILED: golden-ami: pipeline execution failed',
      ['Failed actions:', '  - BuildImage / Image-app-linux.golden-ami-image-app-linux.Deploy: Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state', `  - BuildImage / Image-app-linux.Release-app-linux: ${REFUSAL}`],
    ],
    ['a failed stage', STAGE_FAILED, 'FAILED: golden-ami: stage BuildImage failed', ['Stage:      BuildImage', 'Failed actions:']],
    ['a successful execution', PIPELINE_SUCCEEDED, 'OK: golden-ami: pipeline execution succeeded', ['Started by: an EventBridge rule (arn:aws:events:eu-west-1:123456789012:rule/golden-ami-push)']],
    [
      'a failed image build: the workflow step that failed',
      IMAGE_FAILED,
      'FAILED: golden-ami: image build golden-ami-app-linux 1.0.3/1 failed',
      ['Image:               app-linux', '  step RunTestSuite (RunCommand) of the test workflow failed: Test component nginx-responds failed: curl: (7) Failed to connect to localhost port 80', `  ${IMAGE_REASON}`, '/imagebuilder/home?region=eu-west-1#/images/'],
    ],
  ])('%s', async (_, event, subject, lines) => {
    await handler(event, context());
    const [message, ...more] = published();
    expect(more).toEqual([]);
    expect(message.topic).toBe(TOPIC_ARN);
    expect(message.subject).toBe(subject);
    for (const line of lines) expect(message.email).toContain(line);
    expect(message.chat).toMatchObject({ version: '1.0', source: 'custom', id: event.id, content: { textType: 'client-markdown', title: expect.stringContaining(subject.replace(/^\w+: /, '')) } });
    // No action configuration reaches an alert or a log, nor does the event itself.
    expect(JSON.stringify(message)).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain('"detail"');
    expect(logs.map((l) => JSON.parse(l).message)).toEqual(['formatted']);
  });

  test('a release refused on its vulnerability scan: e-mail gets the whole summary, chat at least the counts and the fix', async () => {
    // The message the release step reports (test/lambda/parameter-prep/handler.test.ts pins its exact form); CodePipeline
    // shows it as the action's summary and error message.
    // The longest a refusal gets: the worst three, and ignore and expired lists at their cap (about 900 characters each).
    const longList = Array.from({ length: 6 }, (_, i) => `CVE-2026-${1000 + i} until 2027-01-31 (a reason long enough to fill the list up to its cap of characters here)`).join('; ');
    const scanRefusal = [
      'app-linux: AMI ami-0123456789abcdef0 (version 1.0.3) is not released: Amazon Inspector found 1 finding at or above scanning.failOn CRITICAL (pipeline-assets/images/app-linux.yaml).',
      'Findings: CRITICAL 1, HIGH 1, MEDIUM 0, LOW 1, other 0.',
      'The fleet keeps its current release (ami-00000000000000001).',
      'Fix: update the affected packages and rebuild (start the pipeline with the variable rebuild=app-linux); or, for a finding that does not apply, add its id to scanning.ignore in pipeline-assets/images/app-linux.yaml with a reason and an expiry date, push, and the release is judged again.',
      'Worst: CVE-2026-0001 CRITICAL 9.8: openssl 3.0.8 (fixed in 3.0.9); CVE-2026-0002 HIGH 7.5: curl 8.11.0 (fixed in 8.11.1); CVE-2026-0003 LOW 2.1: zlib 1.3 (no fix yet).',
      `Ignored: ${longList}; and 3 more.`,
      `Expired ignores, counted again: ${longList}.`,
    ].join(' ');
    const event = { ...RELEASE_REFUSED, detail: { ...RELEASE_REFUSED.detail, 'execution-result': { ...RELEASE_REFUSED.detail['execution-result'], 'external-execution-summary': scanRefusal } } };
    // What the mocked CodePipeline answers now (any client instance is the mock), with the release action's result replaced.
    const listed = await new CodePipelineClient({ region: 'eu-west-1' }).send(new ListActionExecutionsCommand({ pipelineName: 'golden-ami' }));
    codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: listed.actionExecutionDetails!.map((a) =>
        a.actionName === 'Image-app-linux.Release-app-linux' ? { ...a, output: { executionResult: { externalExecutionSummary: scanRefusal, errorDetails: { code: 'JobFailed', message: scanRefusal } } } } : a,
      ),
    });
    await handler(event, context());
    const [message] = published();
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    expect(message.subject).toBe('FAILED: golden-ami: release of image app-linux failed');
    // E-mail carries it whole; chat keeps the start, where the counts, what the fleet keeps and the fix are.
    for (const part of ['Findings: CRITICAL 1, HIGH 1', 'The fleet keeps its current release (ami-00000000000000001).', 'add its id to scanning.ignore', 'and the release is judged again.']) {
      expect(flat(message.chat.content.description)).toContain(part);
    }
    expect(flat(message.email)).toContain(flat(scanRefusal));
  });

  test('the calls: the execution by its id, the stack by the name in the action configuration, the commit in the repository', async () => {
    await handler(DEPLOY_FAILED, context());
    expect(codepipeline.commandCalls(GetPipelineExecutionCommand)[0].args[0].input).toEqual({ pipelineName: 'golden-ami', pipelineExecutionId: EXECUTION_ID });
    expect(codepipeline.commandCalls(ListActionExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: 'golden-ami', filter: { pipelineExecutionId: EXECUTION_ID }, maxResults: 100 });
    expect(cloudformation.commandCalls(DescribeStackEventsCommand)[0].args[0].input).toEqual({ StackName: 'golden-ami-image-app-linux' });
    expect(codecommit.commandCalls(GetCommitCommand)[0].args[0].input).toEqual({ repositoryName: 'golden-ami', commitId: COMMIT });
  });

  test('a success needs no action executions and no stack events', async () => {
    await handler(PIPELINE_SUCCEEDED, context());
    expect(codepipeline.commandCalls(ListActionExecutionsCommand)).toHaveLength(0);
    expect(cloudformation.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });

  test('a GitHub source (no repository): the commit without an author, and no CodeCommit call', async () => {
    delete process.env.REPOSITORY_NAME;
    await handler(DEPLOY_FAILED, context());
    expect(published()[0].email).toContain('Commit:     9f8e7d6c5b4a "Bump nginx to 1.27"\n');
    expect(codecommit.commandCalls(GetCommitCommand)).toHaveLength(0);
  });

  test('an action retried in the same execution: the reason of its latest failed attempt', async () => {
    const attempt = (minute: number, message: string) => ({
      stageName: 'BuildImage',
      actionName: 'Image-app-linux.Release-app-linux',
      status: 'Failed' as const,
      startTime: new Date(`2026-11-20T10:${minute}:00Z`),
      input: { actionTypeId: { category: 'Invoke' as const, owner: 'AWS' as const, provider: 'Lambda', version: '1' } },
      output: { executionResult: { errorDetails: { code: 'JobFailed', message } } },
    });
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [attempt(44, 'first attempt'), attempt(52, 'second attempt'), attempt(47, 'between')] });
    await handler(RELEASE_REFUSED, context());
    expect(published()[0].email).toContain('Reason:\n  second attempt\n');
  });

  test('stack events are read only back to the start of the deploy', async () => {
    cloudformation.reset();
    const page = (n: number, minutesBeforeStart: number) => ({
      StackEvents: [{ StackId: STACK_ID, StackName: 'golden-ami-image-app-linux', EventId: `p${n}`, Timestamp: new Date(DEPLOY_START.getTime() - minutesBeforeStart * 60_000), LogicalResourceId: 'x', ResourceType: 'AWS::SSM::Parameter', ResourceStatus: 'UPDATE_COMPLETE' as const }],
      NextToken: `t${n}`,
    });
    cloudformation.on(DescribeStackEventsCommand).resolvesOnce(page(1, -5)).resolvesOnce(page(2, 10)).resolves(page(3, 20));
    await handler(DEPLOY_FAILED, context());
    expect(cloudformation.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);
    expect(published()[0].email).toContain('  Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state');
  });
});

describe('an approval that waits: its message as resolved for the execution, its token, how to answer it', () => {
  const TOKEN = 'a1b2c3d4-0000-4000-8000-123456789abc';
  /** The approval's CustomData as the pipeline declares it (promotion-approval-step.ts), and as the execution resolved it. */
  const DECLARED = 'Promote to production (running in test since this execution): app-linux #{Release-app-linux.version} (#{Release-app-linux.amiId}; scan: #{Release-app-linux.scan}). Commit #{Source_golden-ami.CommitId}.';
  const approvalExecution = (resolved: Record<string, string> | undefined) => ({
    stageName: 'Deploy-production',
    actionName: 'Approve-production',
    status: 'InProgress' as const,
    startTime: new Date('2026-11-20T11:02:12Z'),
    input: { actionTypeId: { category: 'Approval' as const, owner: 'AWS' as const, provider: 'Manual', version: '1' }, configuration: { CustomData: DECLARED }, ...(resolved ? { resolvedConfiguration: resolved } : {}) },
  });
  const pipelineState = (executionId: string, status: 'InProgress' | 'Succeeded') => ({
    pipelineName: 'golden-ami',
    stageStates: [
      { stageName: 'Build', latestExecution: { pipelineExecutionId: executionId, status: 'Succeeded' as const }, actionStates: [{ actionName: 'Synth', latestExecution: { status: 'Succeeded' as const } }] },
      {
        stageName: 'Deploy-production',
        latestExecution: { pipelineExecutionId: executionId, status: 'InProgress' as const },
        actionStates: [{ actionName: 'Approve-production', latestExecution: { actionExecutionId: 'ae-1', status, token: TOKEN } }],
      },
    ],
  });

  beforeEach(() => {
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [approvalExecution({ CustomData: APPROVAL_MESSAGE })] });
    codepipeline.on(GetPipelineStateCommand).resolves(pipelineState(EXECUTION_ID, 'InProgress'));
  });

  test('the alert: where it waits, the resolved message (not the declared expressions), the commit, the command with the token', async () => {
    await handler(APPROVAL_WAITING, context());
    const [message, ...more] = published();
    expect(more).toEqual([]);
    expect(message.subject).toBe('ACTION NEEDED: golden-ami: approval waiting - Approve-production (stage Deploy-production)');
    expect(message.email).toContain(`Message:\n  ${APPROVAL_MESSAGE}\n`);
    expect(message.email).not.toContain('#{');
    expect(message.email).toContain('Commit:        9f8e7d6c5b4a "Bump nginx to 1.27" by Jane Doe <jane@example.com>');
    expect(message.email).toContain(`--action-name Approve-production --token ${TOKEN} --result summary=Reviewed,status=Approved`);
    expect(message.email).toContain(`/codesuite/codepipeline/pipelines/golden-ami/executions/${EXECUTION_ID}/timeline?region=eu-west-1`);
    expect(message.email).not.toContain('Could not be read');
    expect(message.chat.content.title).toBe(':raised_hand: golden-ami: approval waiting — Approve-production (stage Deploy-production)');
    // The calls: the pipeline's state by its name, the action executions of this execution.
    expect(codepipeline.commandCalls(GetPipelineStateCommand)[0].args[0].input).toEqual({ name: 'golden-ami' });
    expect(codepipeline.commandCalls(ListActionExecutionsCommand)[0].args[0].input).toEqual({ pipelineName: 'golden-ami', filter: { pipelineExecutionId: EXECUTION_ID }, maxResults: 100 });
    // Neither the message nor the token is logged: only that it was formatted, and the title.
    expect(logs.map((l) => JSON.parse(l).message)).toEqual(['formatted']);
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain('ami-0123456789abcdef0');
  });

  test("another execution's approval (this one was superseded or answered): its token is not offered, the command reads the current one", async () => {
    codepipeline.on(GetPipelineStateCommand).resolves(pipelineState('99999999-0000-4000-8000-000000000000', 'InProgress'));
    await handler(APPROVAL_WAITING, context());
    const { email } = published()[0];
    expect(email).not.toContain(TOKEN);
    expect(email).toContain('--token "$TOKEN"');
    expect(email).toContain(`the token: GetPipelineState shows no approval of execution ${EXECUTION_ID} in progress at Deploy-production / Approve-production`);
  });

  test('what cannot be read is named, and the alert still says that an approval waits and where', async () => {
    const denied = Object.assign(new Error('not authorized to perform: codepipeline:GetPipelineState'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    codepipeline.on(GetPipelineStateCommand).rejects(denied);
    codepipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [approvalExecution(undefined)] });
    await handler(APPROVAL_WAITING, context());
    const { subject, email } = published()[0];
    expect(subject).toBe('ACTION NEEDED: golden-ami: approval waiting - Approve-production (stage Deploy-production)');
    expect(email).toContain('Message:\n  Not read. The console shows it');
    // The declared (unresolved) message is not shown in its place.
    expect(email).not.toContain('#{');
    expect(email).toContain('  the message: ListActionExecutions shows no resolved CustomData of Deploy-production / Approve-production');
    expect(email).toContain('  the token (GetPipelineState): AccessDeniedException: not authorized to perform: codepipeline:GetPipelineState');
  });

  test('even GetPipelineExecution failing leaves an approval alert, without the commit', async () => {
    codepipeline.on(GetPipelineExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await handler(APPROVAL_WAITING, context());
    const { email } = published()[0];
    expect(email).toContain(`Message:\n  ${APPROVAL_MESSAGE}`);
    expect(email).not.toContain('Commit:');
    expect(email).toContain('  the commit (GetPipelineExecution): ThrottlingException: Rate exceeded');
  });
});

describe('an alert is never lost: what cannot be formatted goes out as it came', () => {
  const raw = (event: unknown) => JSON.stringify(event, null, 2);
  const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

  test.each<[string, object, () => unknown, RegExp]>([
    ['an event no formatter knows (a CodeStar notification payload)', NOTIFICATION_PAYLOAD, () => undefined, /UnrecognizedEvent: event\.id is not a non-empty string/],
    [
      'a describe call that is denied',
      DEPLOY_FAILED,
      () => codepipeline.on(GetPipelineExecutionCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: codepipeline:GetPipelineExecution')),
      /AccessDeniedException: not authorized/,
    ],
    ['stack events of a stack that is gone', DEPLOY_FAILED, () => cloudformation.on(DescribeStackEventsCommand).rejects(awsError('ValidationError', 'Stack with id golden-ami-image-app-linux does not exist')), /ValidationError: Stack with id/],
    ['Image Builder throttling (after the SDK gave up retrying)', IMAGE_FAILED, () => imagebuilder.on(GetImageCommand).rejects(awsError('ThrottlingException', 'Rate exceeded')), /ThrottlingException: Rate exceeded/],
    ['a commit the repository does not have', PIPELINE_FAILED, () => codecommit.on(GetCommitCommand).rejects(awsError('CommitIdDoesNotExistException', 'commit does not exist')), /CommitIdDoesNotExistException/],
  ])('%s', async (_, event, breakIt, why) => {
    breakIt();
    await handler(event, context());
    const [message, ...more] = published();
    expect(more).toEqual([]);
    expect(message.email).toBe(raw(event));
    expect(message.subject).toMatch(/^ALERT \(unformatted\): aws\.(codepipeline|imagebuilder)/);
    expect(message.chat.content.description).toMatch(why);
    const warning = logs.map((l) => JSON.parse(l)).find((l) => l.message.startsWith('publishing the event as it came'));
    expect(warning.error).toMatch(why);
  });

  test('a describe call that hangs: the budget ends it, cancels the call, and the raw event goes out in time', async () => {
    imagebuilder.on(GetImageCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    // 10.3 s left: 300 ms for describe calls, the rest kept for publishing.
    await handler(IMAGE_FAILED, context(10_300));
    expect(Date.now() - started).toBeLessThan(3000);
    // The handler passes its budget's signal with every call (send's second argument).
    const signal = (imagebuilder.commandCalls(GetImageCommand)[0].args as unknown[])[1] as { abortSignal?: AbortSignal };
    expect(signal.abortSignal?.aborted).toBe(true);
    expect(published()[0].email).toBe(raw(IMAGE_FAILED));
    expect(published()[0].chat.content.description).toMatch(/BudgetExceeded: the describe calls took longer than their budget of 300 ms/);
  });

  test('publishing the formatted alert fails: the raw event is published instead', async () => {
    sns.on(PublishCommand).rejectsOnce(awsError('InvalidParameterException', 'Invalid parameter: Message too long')).resolves({ MessageId: 'm-2' });
    await handler(RELEASE_REFUSED, context());
    const [formatted, fallback] = published();
    expect(formatted.subject).toBe('FAILED: golden-ami: release of image app-linux failed');
    expect(fallback.email).toBe(raw(RELEASE_REFUSED));
    expect(fallback.chat.content.description).toContain('publishing the formatted alert failed');
  });

  test('the structured forms fail: the event alone, one message for every protocol', async () => {
    sns.on(PublishCommand).rejectsOnce(awsError('InvalidParameterException', 'x')).rejectsOnce(awsError('InvalidParameterException', 'y')).resolves({ MessageId: 'm-3' });
    await handler(BUILD_FAILED, context());
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(3);
    expect(calls[2].args[0].input).toEqual({ TopicArn: TOPIC_ARN, Subject: 'ALERT (unformatted)', Message: JSON.stringify(BUILD_FAILED) });
  });

  test('nothing can be published: the invocation fails, so Lambda retries and then dead-letters the event', async () => {
    sns.on(PublishCommand).rejects(awsError('KMSDisabledException', 'key is disabled'));
    await expect(handler(DEPLOY_FAILED, context())).rejects.toThrow('key is disabled');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(logs.map((l) => JSON.parse(l)).at(-1)).toMatchObject({ eventId: DEPLOY_FAILED.id, message: expect.stringContaining('could not be published in any form'), error: 'KMSDisabledException: key is disabled' });
  });

  test('without its settings the function fails loudly instead of guessing a topic', async () => {
    delete process.env.TOPIC_ARN;
    await expect(handler(DEPLOY_FAILED, context())).rejects.toThrow('TOPIC_ARN and PIPELINE_NAME must be set');
  });
});
