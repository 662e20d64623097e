import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { loadConfig } from '../../lib/config/load-config';
import { defineGoldenAmiApp } from '../../lib/golden-ami-app';
import { addValidations } from '../../lib/validation/add-validations';
import { EXPECTED_RESOURCE_TYPES } from '../../lib/validation/expected-resource-types';
import { guardRulePaths } from '../../lib/validation/guard-rules';
import { RobustCfnGuardValidator } from '../../lib/validation/robust-cfn-guard';
import { fixtureAssembly, PRESYNTHESIZED_FIXTURES } from '../helpers/fixture-assembly';
import { CDK_CONTEXT, configDirWith, FIXTURE_CONFIG_DIR, SHIPPED_CONFIG_DIR, testArtifactDir } from '../helpers/synth-app';

/** The feature flag cdk.json sets: CloudFormation validation errors fail the synth. */
const CONTEXT = { '@aws-cdk/core:validateAgainstDefaultRules': true };

interface Violation {
  readonly ruleName: string;
  readonly violatingConstructs: ReadonlyArray<{ readonly constructPath: string }>;
  readonly reason?: string;
}
interface PluginReport {
  readonly pluginName: string;
  readonly violations: readonly Violation[];
  readonly suppressedViolations?: readonly Violation[];
}
interface Synthesized {
  readonly error: string;
  readonly report: { readonly pluginReports: readonly PluginReport[] };
}

/**
 * One app with findings of every check — cdk-nag, cfn-guard (in the stage too) and CloudFormation validation — and an
 * acknowledgement of a cfn-guard and of a CloudFormation validation finding, registered by `register`.
 */
function synthCarelessApp(register: (app: App) => void, appProps: { builtinCloudFormationValidation?: boolean } = {}): Synthesized {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-off-thread-')), context: CONTEXT, ...appProps });
  register(app);
  const env = { account: '123456789012', region: 'eu-west-1' };
  const stack = new Stack(app, 'Careless', { env });
  const bucket = new s3.Bucket(stack, 'PlainBucket');
  Validations.of(bucket).acknowledge({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'Access logs of this test bucket are not needed.' });
  new ec2.CfnSecurityGroup(stack, 'OpenSsh', { groupDescription: 'ssh', securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }] });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
  // A public permission whose SourceArn is a Ref to a resource no guard rule selects (CT.LAMBDA.PR.2 accepts a local
  // reference that exists): guard must still see that the referenced resource exists.
  const source = new ssm.StringParameter(stack, 'Source', { stringValue: 'a source' });
  new lambda.CfnPermission(stack, 'PublicWithSource', { action: 'lambda:InvokeFunction', functionName: 'f', principal: '*', sourceArn: (source.node.defaultChild as CfnResource).ref });
  new lambda.CfnPermission(stack, 'PublicWithoutSource', { action: 'lambda:InvokeFunction', functionName: 'f', principal: '*' });
  const bad = new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1, TopicName: 5 } });
  Validations.of(bad).acknowledge({ id: 'CloudFormation-Validate::W9003', reason: 'The number is what this test means to write.' });
  const stage = new Stage(app, 'Stage', { env });
  new s3.Bucket(new Stack(stage, 'Inner'), 'StageBucket', { enforceSSL: true });

  let error = '';
  try {
    app.synth();
  } catch (err) {
    error = (err as Error).message;
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
  return { error, report };
}

/** The report without what differs between two runs of the same app: stack traces (line numbers of this file). */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !/stackTrace/i.test(key)).map(([key, inner]) => [key, comparable(inner)]));
  }
  return value;
}

const plugin = (synth: Synthesized, name: string) => synth.report.pluginReports.filter((p) => p.pluginName === name);
const pathsOf = (violations: readonly Violation[] | undefined, rule: string) =>
  (violations ?? []).filter((v) => v.ruleName === rule).flatMap((v) => v.violatingConstructs.map((c) => c.constructPath)).sort();

describe('nested stacks are checked too', () => {
  // CDK hands plugins the templates of stack artifacts only; a nested stack's template is an asset of its parent.
  let synth: Synthesized;
  beforeAll(() => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-nested-')), context: { ...CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
    addValidations(app);
    const env = { account: '123456789012', region: 'eu-west-1' };
    const parent = new Stack(app, 'Parent', { env });
    const nested = new NestedStack(parent, 'Support');
    const bucket = new s3.Bucket(nested, 'NestedBucket', { enforceSSL: true, versioned: true });
    Validations.of(bucket).acknowledge({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'Access logs of this test bucket are not needed.' });
    new CfnResource(nested, 'NestedBad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    // A nested stack of a nested stack, and one in a stage.
    new s3.Bucket(new NestedStack(nested, 'Deeper'), 'DeeperBucket', { enforceSSL: true });
    // Two nested stacks of the same shape (the same logical ids and types, as the support stacks of two images).
    for (const twin of ['TwinA', 'TwinB']) {
      const stack = new NestedStack(parent, twin);
      const bucket = new s3.Bucket(stack, 'TwinBucket', { enforceSSL: true, versioned: true, bucketName: `twin-${twin.toLowerCase()}` });
      Validations.of(bucket).acknowledge({ id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: 'Access logs of this test bucket are not needed.' });
      new CfnResource(stack, 'TwinBad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    }
    new s3.Bucket(new NestedStack(new Stack(new Stage(app, 'Stage', { env }), 'Inner'), 'InnerSupport'), 'StageNestedBucket', { enforceSSL: true });
    let error = '';
    try {
      app.synth();
    } catch (err) {
      error = (err as Error).message;
    }
    synth = { error, report: JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) };
  });

  test('a cfn-guard finding in a nested stack, at any depth and in a stage, is reported on its construct', () => {
    const [guard] = plugin(synth, 'cdk-validator-cfnguard');
    expect(pathsOf(guard.violations, 's3_bucket_versioning_enabled_check')).toEqual(['Parent/Support/Deeper/DeeperBucket/Resource', 'Stage/Inner/InnerSupport/StageNestedBucket/Resource']);
    expect(synth.error).toMatch(/Acknowledge with 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check'/);
  });

  test('an acknowledgement next to a nested resource applies', () => {
    const [guard] = plugin(synth, 'cdk-validator-cfnguard');
    expect(pathsOf(guard.suppressedViolations, 's3_bucket_logging_enabled_check')).toEqual(['Parent/Support/NestedBucket/Resource', 'Parent/TwinA/TwinBucket/Resource']);
    expect(pathsOf(guard.violations, 's3_bucket_logging_enabled_check')).not.toContain('Parent/Support/NestedBucket/Resource');
  });

  test('a CloudFormation validation error in a nested stack fails the synth; the validator reads every nested template', () => {
    const [cloudFormation] = plugin(synth, 'CloudFormation Validate');
    expect(pathsOf(cloudFormation.violations, 'F3002')).toEqual(['Parent/Support/NestedBad', 'Parent/TwinA/TwinBad', 'Parent/TwinB/TwinBad']);
  });

  test('cfn-guard reads one nested template of each shape: of two twins, the first', () => {
    const [guard] = plugin(synth, 'cdk-validator-cfnguard');
    const twins = [...guard.violations, ...(guard.suppressedViolations ?? [])].flatMap((v) => v.violatingConstructs.map((c) => c.constructPath)).filter((p) => p.includes('/Twin'));
    expect([...new Set(twins)]).toEqual(['Parent/TwinA/TwinBucket/Resource']);
  });
});

describe('cfn-guard and CloudFormation validation in worker threads', () => {
  let offThread: Synthesized;
  let inThread: Synthesized;

  beforeAll(() => {
    offThread = synthCarelessApp(addValidations);
    // The checks as CDK runs them without this project's workers: one after the other, in this thread, with CDK adding
    // its own CloudFormation validation.
    inThread = synthCarelessApp((app) =>
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: guardRulePaths() })),
    );
  });

  test('report the same findings and acknowledgements as the same checks run one after the other in this thread', () => {
    // In the same order but one: CDK adds its own CloudFormation validation as it meets the stage, before the app's
    // plugins; registered by the app, the worker's comes after them.
    const byPlugin = (synth: Synthesized) => [...synth.report.pluginReports].sort((a, b) => a.pluginName.localeCompare(b.pluginName));
    expect(byPlugin(offThread).map((p) => p.pluginName)).toEqual(['AwsSolutions', 'cdk-validator-cfnguard', 'CloudFormation Validate', 'NIST.800.53.R5']);
    expect(comparable(byPlugin(offThread))).toEqual(comparable(byPlugin(inThread)));
    const acknowledge = (message: string) => [...message.matchAll(/Acknowledge with '([^']+)'/g)].map((m) => m[1]).sort();
    expect(acknowledge(offThread.error)).toEqual(acknowledge(inThread.error));
  });

  test('a cfn-guard finding fails the synth, named by its full id, on the resource in the stage too', () => {
    expect(offThread.error).toMatch(/Careless\/PlainBucket\/Resource[\s\S]*Acknowledge with 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check'/);
    const [guard] = plugin(offThread, 'cdk-validator-cfnguard');
    expect(pathsOf(guard.violations, 's3_bucket_versioning_enabled_check')).toEqual(['Careless/PlainBucket/Resource', 'Stage/Inner/StageBucket/Resource']);
  });

  test('a CloudFormation validation error fails the synth, named by its full id', () => {
    expect(offThread.error).toMatch(/NotAProperty[\s\S]*Careless\/Bad[\s\S]*Acknowledge with 'CloudFormation-Validate::F3002'/);
    const [cloudFormation] = plugin(offThread, 'CloudFormation Validate');
    expect(pathsOf(cloudFormation.violations, 'F3002')).toEqual(['Careless/Bad']);
  });

  test('an acknowledged finding stays acknowledged, with its reason, and only where it was acknowledged', () => {
    const [guard] = plugin(offThread, 'cdk-validator-cfnguard');
    expect(pathsOf(guard.violations, 's3_bucket_logging_enabled_check')).toEqual(['Stage/Inner/StageBucket/Resource']);
    expect(pathsOf(guard.suppressedViolations, 's3_bucket_logging_enabled_check')).toEqual(['Careless/PlainBucket/Resource']);
    expect(guard.suppressedViolations!.find((v) => v.ruleName === 's3_bucket_logging_enabled_check')!.reason).toBe('Access logs of this test bucket are not needed.');
    const [cloudFormation] = plugin(offThread, 'CloudFormation Validate');
    expect(pathsOf(cloudFormation.violations, 'W9003')).toEqual([]);
    expect(pathsOf(cloudFormation.suppressedViolations, 'W9003')).toEqual(['Careless/Bad']);
  });

  test('cfn-guard still sees the resource a Ref points to, though no rule selects its type', () => {
    const [guard] = plugin(offThread, 'cdk-validator-cfnguard');
    const lambdaFindings = guard.violations.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath)).filter((p) => p.startsWith('Careless/Public'));
    expect(lambdaFindings).toEqual(['Careless/PublicWithoutSource']);
  });

  test('CDK runs no CloudFormation validation of its own beside the worker\'s', () => {
    expect(plugin(offThread, 'CloudFormation Validate')).toHaveLength(1);
  });

  test('an app created with builtinCloudFormationValidation: false gets no CloudFormation validation, as with CDK alone', () => {
    const synth = synthCarelessApp(addValidations, { builtinCloudFormationValidation: false });
    expect(plugin(synth, 'CloudFormation Validate')).toEqual([]);
    expect(plugin(synth, 'cdk-validator-cfnguard')).toHaveLength(1);
  });
});

test('addValidations twice on one app adds the checks once', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-off-thread-')), context: CONTEXT });
  addValidations(app);
  addValidations(app);
  new s3.Bucket(new Stack(app, 'Twice'), 'PlainBucket');
  expect(() => app.synth()).toThrow(/Acknowledge with 'AwsSolutions::AwsSolutions-S1'/);
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as Synthesized['report'];
  expect(report.pluginReports.map((p) => p.pluginName).sort()).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'cdk-validator-cfnguard']);
});

describe('the resource types the CloudFormation validator is built for ahead of synth', () => {
  // A type missing here makes every synth build the validator's engine a second time: add it to EXPECTED_RESOURCE_TYPES.
  /** The test fixture with the options that add resources of their own: e-mail and Slack alerts. */
  const withAlerts = () =>
    configDirWith({
      'pipeline.yaml': fs
        .readFileSync(path.join(FIXTURE_CONFIG_DIR, 'pipeline.yaml'), 'utf8')
        .replace('alertEmails: []', 'alertEmails: [ops@example.com]\n  slack: { workspaceId: T0123456789, channelId: C0123456789 }'),
    });
  test.each([
    ['the shipped configuration', () => SHIPPED_CONFIG_DIR],
    ['a configuration with e-mail and Slack alerts', withAlerts],
  ])('include every type of the resources %s declares', (_title, configDir) => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-types-')) });
    const config = loadConfig(configDir());
    defineGoldenAmiApp(app, { config, applicationArtifactDir: testArtifactDir(), env: { account: '123456789012', region: 'eu-west-1' } });
    if (configDir === withAlerts) expect(config.operations).toMatchObject({ alertEmails: ['ops@example.com'], slack: { channelId: 'C0123456789' } });
    const types = new Set(app.node.findAll().filter(CfnResource.isCfnResource).map((r) => r.cfnResourceType));
    expect([...types].filter((t) => !EXPECTED_RESOURCE_TYPES.includes(t)).sort()).toEqual([]);
  });

  test.each(PRESYNTHESIZED_FIXTURES)('include every type of the %s fixture\'s templates, nested stacks included', (fixture) => {
    const { outdir } = fixtureAssembly(fixture);
    const types = new Set<string>();
    for (const file of fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template.json'))) {
      for (const resource of Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')).Resources)) types.add(resource.Type);
    }
    expect([...types].filter((t) => !EXPECTED_RESOURCE_TYPES.includes(t)).sort()).toEqual([]);
  });
});
