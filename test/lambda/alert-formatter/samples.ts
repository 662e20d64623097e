/**
 * Events as AWS sends them, for the formatter's tests. Each keeps the documented shape; names, ids and times are this
 * project's (pipeline golden-ami, images app-linux and windows-iis, eu-west-1), as in the shipped configuration.
 *
 * CodePipeline: https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html
 *   (envelope; detail.pipeline, version, execution-id, stage, action, state, type {owner, category, provider, version};
 *   `resources` holds the pipeline ARN). A failed action's `execution-result` (external-execution-url, -summary, -id,
 *   error-code "JobFailed") and the numbers sent as floats (`"version": 11.0`) are as in a recorded event that a
 *   CodeStar notification delivered (its payload is the EventBridge event, renamed: same page, "detail-type is
 *   converted to detailType").
 * Image Builder: https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html
 *   ("EC2 Image Builder Image State Change": detail.previous-state.status, detail.state.status, the image build
 *   version ARN in `resources`).
 */

const ENVELOPE = { version: '0', account: '123456789012', region: 'eu-west-1', resources: ['arn:aws:codepipeline:eu-west-1:123456789012:golden-ami'] };
export const EXECUTION_ID = '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

export const PIPELINE_FAILED = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000001',
  'detail-type': 'CodePipeline Pipeline Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:42:07Z',
  detail: { pipeline: 'golden-ami', 'execution-id': EXECUTION_ID, 'start-time': '2026-11-20T10:02:11.120Z', state: 'FAILED', version: 7.0, 'pipeline-execution-attempt': 1.0 },
};

export const PIPELINE_SUCCEEDED = {
  ...PIPELINE_FAILED,
  id: '01234567-0000-4000-8000-000000000002',
  detail: { ...PIPELINE_FAILED.detail, state: 'SUCCEEDED' },
};

export const STAGE_FAILED = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000003',
  'detail-type': 'CodePipeline Stage Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:42:06Z',
  detail: { pipeline: 'golden-ami', version: 7.0, 'execution-id': EXECUTION_ID, stage: 'BuildImage', state: 'FAILED' },
};

/** The image stack's change set execution failed: CloudFormation rolled the stack back. */
export const DEPLOY_FAILED = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000004',
  'detail-type': 'CodePipeline Action Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:41:58Z',
  detail: {
    pipeline: 'golden-ami',
    'execution-id': EXECUTION_ID,
    stage: 'BuildImage',
    'execution-result': {
      'external-execution-url': 'https://console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/golden-ami-image-app-linux/events',
      'external-execution-summary': 'Stack golden-ami-image-app-linux in UPDATE_ROLLBACK_COMPLETE state',
      'external-execution-id': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-image-app-linux/0d2d9f30-0000-11f0-a000-0a1b2c3d4e5f',
      'error-code': 'JobFailed',
    },
    'input-artifacts': [{ name: 'Synth_Output', s3location: { bucket: 'artifactbucket7410c9ef', key: 'golden-ami/Synth_Outp/Qx81nA2' } }],
    action: 'Image-app-linux.golden-ami-image-app-linux.Deploy',
    state: 'FAILED',
    region: 'eu-west-1',
    type: { owner: 'AWS', provider: 'CloudFormation', category: 'Deploy', version: '1' },
    version: 7.0,
    'pipeline-execution-attempt': 1.0,
  },
};

/** The message parameter-prep's release gate reports with PutJobFailureResult (verify-ami.ts). */
export const REFUSAL = 'app-linux: AMI ami-0123456789abcdef0 was built by arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/1.0.2/1, not by recipe golden-ami-app-linux version 1.0.3; refusing to release an image this pipeline run did not build';

/** The release step refused the AMI (Lambda action; the summary is the PutJobFailureResult message). */
export const RELEASE_REFUSED = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000005',
  'detail-type': 'CodePipeline Action Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:45:02Z',
  detail: {
    pipeline: 'golden-ami',
    'execution-id': EXECUTION_ID,
    stage: 'BuildImage',
    'execution-result': { 'external-execution-summary': REFUSAL, 'external-execution-id': 'b3c4d5e6-1111-2222-3333-444455556666', 'error-code': 'JobFailed' },
    action: 'Image-app-linux.Release-app-linux',
    state: 'FAILED',
    region: 'eu-west-1',
    type: { owner: 'AWS', provider: 'Lambda', category: 'Invoke', version: '1' },
    version: 7.0,
  },
};

/** A CodeBuild action that failed: the summary says only that the build failed; the URL opens the build. */
export const BUILD_FAILED = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000006',
  'detail-type': 'CodePipeline Action Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:05:44Z',
  detail: {
    pipeline: 'golden-ami',
    'execution-id': EXECUTION_ID,
    stage: 'Build',
    'execution-result': {
      'external-execution-url': 'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/PipelineBuildSynthCdkBuildProject:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc/view/new',
      'external-execution-summary': 'Build terminated with state: FAILED',
      'external-execution-id': 'PipelineBuildSynthCdkBuildProject:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc',
      'error-code': 'JobFailed',
    },
    action: 'Synth',
    state: 'FAILED',
    region: 'eu-west-1',
    type: { owner: 'AWS', provider: 'CodeBuild', category: 'Build', version: '1' },
    version: 11.0,
  },
};

export const IMAGE_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/1.0.3/1';

export const IMAGE_FAILED = {
  version: '0',
  id: '01234567-0000-4000-8000-000000000007',
  'detail-type': 'EC2 Image Builder Image State Change',
  source: 'aws.imagebuilder',
  account: '123456789012',
  time: '2026-11-20T10:40:31Z',
  region: 'eu-west-1',
  resources: [IMAGE_ARN],
  detail: { 'previous-state': { status: 'TESTING' }, state: { status: 'FAILED' } },
};

/**
 * The same action failure as a CodeStar notification delivers it (`detailType`, `additionalAttributes`): not an
 * EventBridge event, so the formatter does not read it and publishes it as it came.
 */
export const NOTIFICATION_PAYLOAD = {
  account: '123456789012',
  detailType: 'CodePipeline Action Execution State Change',
  region: 'eu-west-1',
  source: 'aws.codepipeline',
  time: '2026-11-20T10:05:44Z',
  notificationRuleArn: 'arn:aws:codestar-notifications:eu-west-1:123456789012:notificationrule/c36fb6d6784c2d31705a84702f249513ab5bbec1',
  detail: BUILD_FAILED.detail,
  resources: ENVELOPE.resources,
  additionalAttributes: { additionalInformation: 'Build terminated with state: FAILED' },
};

/**
 * The production approval of the environments example began to wait. The shape is the user guide's action execution
 * state change (https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html:
 * "When an action execution starts": detail.pipeline, version, execution-id, stage, action, state STARTED, type
 * {owner, category, provider, version}); a manual approval's type is {owner AWS, category Approval, provider Manual}
 * (the same page's pattern for approval actions matches `"type": {"category": ["Approval"]}`).
 */
export const APPROVAL_WAITING = {
  ...ENVELOPE,
  id: '01234567-0000-4000-8000-000000000008',
  'detail-type': 'CodePipeline Action Execution State Change',
  source: 'aws.codepipeline',
  time: '2026-11-20T11:02:13Z',
  detail: {
    pipeline: 'golden-ami',
    version: 7.0,
    'execution-id': EXECUTION_ID,
    stage: 'Deploy-production',
    action: 'Approve-production',
    state: 'STARTED',
    region: 'eu-west-1',
    type: { owner: 'AWS', category: 'Approval', provider: 'Manual', version: '1' },
    'pipeline-execution-attempt': 1.0,
  },
};

/** The approval's message (CustomData) as CodePipeline resolves it for the execution (promotion-approval-step.ts). */
export const APPROVAL_MESSAGE =
  'Promote to production (running in test since this execution): app-linux 1.0.3 (ami-0123456789abcdef0; scan: passed (failOn CRITICAL)); windows-iis 2.4.1 (ami-0fedcba9876543210; scan: passed (failOn HIGH)). Commit 9f8e7d6c5b4a39281706f5e4d3c2b1a098765432.';
