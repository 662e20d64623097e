import { parseEvent, UnrecognizedEvent } from '../../../lambda/alert-formatter/events';
import { APPROVAL_WAITING, BUILD_FAILED, DEPLOY_FAILED, EXECUTION_ID, IMAGE_ARN, IMAGE_FAILED, NOTIFICATION_PAYLOAD, PIPELINE_FAILED, RELEASE_REFUSED, REFUSAL, STAGE_FAILED } from './samples';

// Sample sources are cited in samples.ts (AWS docs pages for CodePipeline and Image Builder events).
describe('parseEvent reads each kind of event the rules send', () => {
  test.each([
    ['a pipeline execution', PIPELINE_FAILED, { kind: 'pipeline', pipeline: 'golden-ami', executionId: EXECUTION_ID, state: 'FAILED', partition: 'aws', region: 'eu-west-1' }],
    ['a stage execution', STAGE_FAILED, { kind: 'stage', pipeline: 'golden-ami', stage: 'BuildImage', state: 'FAILED' }],
    [
      'a failed CloudFormation deploy',
      DEPLOY_FAILED,
      { kind: 'action', stage: 'BuildImage', action: 'Image-app-linux.golden-ami-image-app-linux.Deploy', provider: 'CloudFormation', category: 'Deploy', errorCode: 'JobFailed' },
    ],
    ['a refused release', RELEASE_REFUSED, { kind: 'action', action: 'Image-app-linux.Release-app-linux', provider: 'Lambda', summary: REFUSAL, externalUrl: undefined }],
    ['a failed build', BUILD_FAILED, { kind: 'action', stage: 'Build', action: 'Synth', provider: 'CodeBuild', summary: 'Build terminated with state: FAILED' }],
    [
      'a manual approval that waits (the documented action event, STARTED, type.category Approval)',
      APPROVAL_WAITING,
      { kind: 'action', pipeline: 'golden-ami', executionId: EXECUTION_ID, stage: 'Deploy-production', action: 'Approve-production', state: 'STARTED', provider: 'Manual', category: 'Approval', summary: undefined, partition: 'aws', region: 'eu-west-1' },
    ],
    ['a failed image build', IMAGE_FAILED, { kind: 'image', imageArn: IMAGE_ARN, imageName: 'golden-ami-app-linux', version: '1.0.3', build: '1', state: 'FAILED', previousState: 'TESTING' }],
  ])('%s', (_, raw, expected) => {
    expect(parseEvent(raw)).toMatchObject({ id: raw.id, detailType: raw['detail-type'], ...expected });
  });

  test('the partition comes from the resource ARN, for console links in China and GovCloud', () => {
    const cn = { ...PIPELINE_FAILED, region: 'cn-north-1', resources: ['arn:aws-cn:codepipeline:cn-north-1:123456789012:golden-ami'] };
    expect(parseEvent(cn).partition).toBe('aws-cn');
  });
});

describe('anything else is refused with the reason, so the handler publishes it as it came', () => {
  test.each([
    ['a CodeStar notification payload (detailType, no id)', NOTIFICATION_PAYLOAD, /event\.id is not a non-empty string/],
    ['another service', { ...IMAGE_FAILED, source: 'aws.ec2', 'detail-type': 'EC2 AMI State Change' }, /no formatter for aws\.ec2 "EC2 AMI State Change"/],
    ['an action event without its action', { ...DEPLOY_FAILED, detail: { ...DEPLOY_FAILED.detail, action: undefined } }, /detail\.action is not a non-empty string \(got undefined\)/],
    ['an image event without an image ARN', { ...IMAGE_FAILED, resources: ['arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/x'] }, /no Image Builder image ARN/],
    ['an image event without a state', { ...IMAGE_FAILED, detail: {} }, /detail\.state is not an object/],
    ['not an object', 'FAILED', /not a JSON object \(got string\)/],
    ['null', null, /got null/],
  ])('%s', (_, raw, message) => {
    expect(() => parseEvent(raw)).toThrow(UnrecognizedEvent);
    expect(() => parseEvent(raw)).toThrow(message);
  });
});
