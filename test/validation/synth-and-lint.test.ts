import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeSingleRolePolicies } from '../../lib/iam/single-role-policies';
import { addValidations } from '../../lib/validation/add-validations';
import { loadConfig } from '../../lib/config/load-config';
import { configDirWith, FIXTURE_CONFIG_DIR, REPO_ROOT, SHIPPED_CONFIG_DIR } from '../helpers/synth-app';

/**
 * cfn-lint checks we skip, each for a reason. W3005: CDK writes an explicit DependsOn next to a GetAtt of the same
 * resource (Lambda and pipeline service roles); redundant, harmless, and not ours to change.
 */
const IGNORED_CFN_LINT_CHECKS = ['W3005'];

function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function templatesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template.json')).map((f) => path.join(dir, f));
}

function describeSynthAndLint(title: string, extraArgs: () => string[], stageAssemblies: string[]): void {
describe(title, () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-cdk-out-'));
  let output = '';
  let status: number | null = null;

  beforeAll(() => {
    // Exactly what a user runs, with no credentials, no region and no network.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
    for (const key of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(key)) delete env[key];
    const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, ...extraArgs()], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    status = result.status;
    output = `${result.stdout}\n${result.stderr}`;
  });

  test('succeeds with no unacknowledged cdk-nag or cfn-guard finding', () => {
    expect({ status, findings: output.match(/^(ERROR|WARN).*$/gm) ?? [] }).toEqual({ status: 0, findings: [] });
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    for (const plugin of report.pluginReports) expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({ plugin: plugin.pluginName, violations: [] });
  });

  test('writes the pipeline stack and one assembly per stage', () => {
    const names = templatesUnder(outdir).map((f) => path.relative(outdir, f));
    expect(names.filter((n) => n.startsWith('assembly-')).map((n) => n.split('/')[0]).sort()).toEqual(stageAssemblies.map((a) => `assembly-${a}`));
    // Beside the pipeline stack, one support nested stack per stage stack (its roles: stage-stack-support.ts).
    const own = names.filter((n) => !n.startsWith('assembly-'));
    expect(own.filter((n) => !n.endsWith('.nested.template.json'))).toEqual([expect.stringMatching(/^[a-z-]+-pipeline\.template\.json$/)]);
    expect(own.filter((n) => /Support(Image|Fleet|Egress).*\.nested\.template\.json$/.test(n))).toHaveLength(stageAssemblies.length);
  });

  const version = cfnLintVersion();
  if (!version) {
    if (process.env.CI) {
      test('cfn-lint is installed (required in CI)', () => {
        throw new Error('cfn-lint was not found on PATH; CI must lint every template');
      });
    } else {
      // eslint-disable-next-line no-console
      console.warn('cfn-lint not found on PATH: skipping the template lint (CI runs it). Install with: pip install cfn-lint');
      test.skip('cfn-lint finds nothing in any template (skipped: cfn-lint not installed)', () => undefined);
    }
  } else {
    test(`cfn-lint (${version}) finds nothing in any template`, () => {
      const templates = templatesUnder(outdir);
      expect(templates.length).toBe(2 * stageAssemblies.length + 1);
      let findings = '';
      try {
        execFileSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', ...IGNORED_CFN_LINT_CHECKS, '--', ...templates], { encoding: 'utf8' });
      } catch (err) {
        findings = (err as { stdout?: string }).stdout ?? String(err);
      }
      expect(findings.split('\n').filter(Boolean)).toEqual([]);
    });
  }
});
}

/** The stage assemblies a configuration gives: one per image, one per fleet, and the Egress stack (fleets with egress on demand). */
function stageAssembliesOf(configDir: string): string[] {
  const config = loadConfig(configDir);
  const fleets = config.images.filter((i) => i.fleet);
  const egress = config.network.kind === 'create' && config.network.egress === 'on-demand' && fleets.length > 0 ? [`${config.name}-pipeline-Egress`] : [];
  return [...config.images.map((i) => `${config.name}-pipeline-Image-${i.name}`), ...fleets.map((i) => `${config.name}-pipeline-Fleet-${i.name}`), ...egress].sort();
}

// The user's own configuration, whatever images it holds: it must synthesize clean and lint clean.
describeSynthAndLint('the README\'s `npx cdk synth` on the configuration in pipeline-assets/', () => [], stageAssembliesOf(SHIPPED_CONFIG_DIR));

/** Every option at once: GitHub, an existing VPC, three images, sharing across accounts, organizations and regions. */
function kitchenSinkConfigDir(): string {
  const app = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'images', 'app-linux.yaml'), 'utf8');
  return configDirWith({
    'pipeline.yaml': [
      'name: kitchen-sink',
      'region: eu-west-1',
      'account: "123456789012"',
      'source: { provider: github, repository: my-org/images, branch: release, connectionArn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/abcd-1234" }',
      'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1] }',
    ].join('\n'),
    'images/api-linux.yaml': [
      app.replace('name: app-linux', 'name: api-linux'),
      'rootDeviceName: /dev/xvda',
      'testTimeoutMinutes: 90',
      'distribution:',
      '  regions: [us-east-1, eu-west-1]',
      '  accounts: ["111111111111", "222222222222"]',
      '  organizationArns: ["arn:aws:organizations::123456789012:organization/o-abcdefghij"]',
      '  organizationalUnitArns: ["arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34"]',
      '  amiName: "api-{{ imagebuilder:buildDate }}"',
      '  amiTags: { team: platform, cost-center: "42" }',
      '  ssmParameter: /golden-images/api-linux/latest',
    ].join('\n'),
  });
}

describeSynthAndLint('`cdk synth -c configDir=…` with every option used', () => ['-c', `configDir=${kitchenSinkConfigDir()}`], [
  'kitchen-sink-pipeline-Fleet-api-linux',
  'kitchen-sink-pipeline-Fleet-app-linux',
  'kitchen-sink-pipeline-Fleet-windows-iis',
  'kitchen-sink-pipeline-Image-api-linux',
  'kitchen-sink-pipeline-Image-app-linux',
  'kitchen-sink-pipeline-Image-windows-iis',
]);

describe('the policy gate', () => {
  test('fails synth on a finding nobody acknowledged, naming the rule and the resource', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-gate-')) });
    const stack = new Stack(app, 'Careless', { env: { account: '123456789012', region: 'eu-west-1' } });
    new s3.Bucket(stack, 'PlainBucket');
    addValidations(app);
    // cdk-nag's and cfn-guard's findings on the same bucket, each with the id that would acknowledge it.
    expect(() => app.synth()).toThrow(/Careless\/PlainBucket\/Resource[\s\S]*Acknowledge with 'AwsSolutions::AwsSolutions-S1'/);
    expect(() => app.synth()).toThrow(/Acknowledge with 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check'/);
    expect(() => app.synth()).toThrow(/Acknowledge with 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled'/);
  });

  test('acknowledges an inline policy only when it belongs to exactly one role', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-gate-')) });
    const stack = new Stack(app, 'Shared', { env: { account: '123456789012', region: 'eu-west-1' } });
    const roles = ['First', 'Second'].map((id) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    roles[0].addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['*'] }));
    const shared = new iam.Policy(stack, 'SharedPolicy', { statements: [new iam.PolicyStatement({ actions: ['ec2:DescribeInstances'], resources: ['*'] })] });
    roles.forEach((role) => shared.attachToRole(role));
    addValidations(app);
    expect(acknowledgeSingleRolePolicies(stack)).toBe(1);
    expect(() => app.synth()).toThrow(/Shared\/SharedPolicy\/Resource[\s\S]*Acknowledge with 'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy'/);
  });
});
