import { actionFailureReason, imageFailureReason, stackFailureReason, type StackEventFacts } from '../../../lambda/alert-formatter/reasons';

const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s));

/**
 * A failed image stack update as DescribeStackEvents returns it, newest first
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html): the image resource
 * fails, the resources after it are cancelled, the stack rolls back. Before the deploy: an older, unrelated failure.
 */
const ROLLED_BACK: StackEventFacts[] = [
  { Timestamp: at(59), LogicalResourceId: 'golden-ami-image-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE' },
  { Timestamp: at(50), LogicalResourceId: 'golden-ami-image-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', ResourceStatusReason: 'The following resource(s) failed to create: [Image]. ' },
  { Timestamp: at(49), LogicalResourceId: 'AmiIdParameter', ResourceType: 'AWS::SSM::Parameter', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'Resource creation cancelled' },
  {
    Timestamp: at(48),
    LogicalResourceId: 'Image',
    ResourceType: 'AWS::ImageBuilder::Image',
    ResourceStatus: 'CREATE_FAILED',
    ResourceStatusReason: 'Resource handler returned message: "Image status: FAILED. Reason: Workflow Step ExecuteComponents failed"',
  },
  { Timestamp: at(10), LogicalResourceId: 'Image', ResourceType: 'AWS::ImageBuilder::Image', ResourceStatus: 'CREATE_IN_PROGRESS' },
  { Timestamp: at(5), LogicalResourceId: 'golden-ami-image-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' },
  { Timestamp: new Date(Date.UTC(2026, 10, 13)), LogicalResourceId: 'Recipe', ResourceType: 'AWS::ImageBuilder::ImageRecipe', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'last week: already exists' },
];

describe('stackFailureReason: the resource that failed, not what it cancelled', () => {
  test.each([
    ['the failed resource since the deploy started', ROLLED_BACK, at(4), 'Image (AWS::ImageBuilder::Image) CREATE_FAILED: Resource handler returned message: "Image status: FAILED. Reason: Workflow Step ExecuteComponents failed"'],
    ['an older failure is ignored once the window excludes the new one', ROLLED_BACK.slice(5), at(4), undefined],
    ['without a start time, the oldest real failure (last week) wins', ROLLED_BACK, undefined, 'Recipe (AWS::ImageBuilder::ImageRecipe) CREATE_FAILED: last week: already exists'],
    ['only cancellations: the first of them', [ROLLED_BACK[2]], at(4), 'AmiIdParameter (AWS::SSM::Parameter) CREATE_FAILED: Resource creation cancelled'],
    ['only the stack itself failed', [{ Timestamp: at(30), LogicalResourceId: 'golden-ami-fleet-app-linux', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Role golden-ami-fleet-app-linux-cfn-exec is invalid or cannot be assumed' }], at(4), 'golden-ami-fleet-app-linux (AWS::CloudFormation::Stack) UPDATE_FAILED: Role golden-ami-fleet-app-linux-cfn-exec is invalid or cannot be assumed'],
    ['no failure at all', ROLLED_BACK.filter((e) => !e.ResourceStatus?.endsWith('_FAILED')), at(4), undefined],
    // Stamped a second before the action's own start (clocks of two services): still inside the window.
    ['within the clock margin', [{ ...ROLLED_BACK[3], Timestamp: at(3) }], at(4), expect.stringMatching(/^Image \(AWS::ImageBuilder::Image\) CREATE_FAILED/)],
  ])('%s', (_, events, since, expected) => {
    expect(stackFailureReason(events, since)).toEqual(expected);
  });
});

describe("actionFailureReason: the action's recorded error first", () => {
  test.each([
    ['errorDetails.message over the summary', { errorDetails: { code: 'JobFailed', message: 'app-linux: AMI ami-1 is pending, not available' }, externalExecutionSummary: 'summary' }, 'event', 'app-linux: AMI ami-1 is pending, not available'],
    ['the summary when there is no error message', { externalExecutionSummary: 'Build terminated with state: FAILED' }, undefined, 'Build terminated with state: FAILED'],
    ["the event's summary when the action execution is unknown", undefined, 'from the event', 'from the event'],
    ['blank strings count as nothing', { errorDetails: { message: '  ' }, externalExecutionSummary: '' }, undefined, undefined],
  ])('%s', (_, result, eventSummary, expected) => {
    expect(actionFailureReason(result, eventSummary)).toBe(expected);
  });
});

describe('imageFailureReason: the workflow step that failed', () => {
  const build = (steps: Array<{ name?: string; action?: string; status?: string; message?: string }>, status = 'FAILED', message?: string) => ({ type: 'BUILD', status, message, steps });
  test.each([
    [
      'the failed step, then the image state reason',
      'Image Builder could not build the image',
      [build([{ name: 'LaunchBuildInstance', action: 'LaunchInstance', status: 'COMPLETED' }, { name: 'ExecuteComponents', action: 'ExecuteComponents', status: 'FAILED', message: 'Component app-service failed: exit 1' }])],
      'step ExecuteComponents (ExecuteComponents) of the build workflow failed: Component app-service failed: exit 1\nImage Builder could not build the image',
    ],
    ['the state reason is not repeated when the step says it', 'exit 1', [build([{ name: 'ExecuteComponents', status: 'FAILED', message: 'Component failed: exit 1' }])], 'step ExecuteComponents of the build workflow failed: Component failed: exit 1'],
    ['a failed workflow without a failed step: its message', 'reason', [build([], 'FAILED', 'Test instance timed out')], 'the build workflow failed: Test instance timed out\nreason'],
    ['no workflow failed: the state reason', 'Image build cancelled', [build([{ name: 'x', status: 'COMPLETED' }], 'COMPLETED')], 'Image build cancelled'],
    ['no workflows (an image built before workflows): the state reason', 'Reason from GetImage', [], 'Reason from GetImage'],
    ['nothing known', undefined, [], undefined],
  ])('%s', (_, stateReason, workflows, expected) => {
    expect(imageFailureReason(stateReason, workflows)).toBe(expected);
  });
});
