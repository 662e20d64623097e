import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { COMMON_OPTIONS_USAGE, DEFAULT_CONFIG_DIR, describeFailure, operatorRegion, parseFrameArgs, runOperatorCommand, type OperatorCommand } from '../../bin/operator-command';
import { ConfigError } from '../../lib/config/config-error';
import type { GoldenAmiConfig } from '../../lib/config/model';
import { explainAwsError, OperatorError } from '../../lib/operations/operator-error';
import { smallConfigDir } from '../config/small-config';

const REPO_ROOT = path.join(__dirname, '..', '..');
const command: OperatorCommand = { invocation: 'npm run fleet --', usage: 'Usage: npm run fleet -- <command>\n  status', run: async () => 'ran' };
const awsError = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, $metadata: {} }, extra);
const nodeError = (code: string, extra: object = {}) => Object.assign(new Error(`${code} something`), { code, ...extra });

describe('options every operator command takes', () => {
  test.each([
    [['status'], DEFAULT_CONFIG_DIR, ['status']],
    [['status', '-c', 'configDir=/cfg'], '/cfg', ['status']],
    [['-c=configDir=/cfg', 'status'], '/cfg', ['status']],
    [['status', '--context', 'configDir=/cfg', 'app-linux'], '/cfg', ['status', 'app-linux']],
    [['scale', 'web', '0', '--config-dir', '/cfg'], '/cfg', ['scale', 'web', '0']],
    [['--config-dir=/cfg', '--dry-run'], '/cfg', ['--dry-run']],
  ])('%j', (argv, configDir, rest) => {
    expect(parseFrameArgs(argv, {})).toEqual({ configDir, help: false, rest });
  });

  test('a relative directory is taken from where npm was run (INIT_CWD), not the project root npm starts in', () => {
    expect(parseFrameArgs(['-c', 'configDir=../my-config'], { INIT_CWD: '/home/me/work' }).configDir).toBe('/home/me/my-config');
  });

  test.each([['-h'], ['--help'], ['rollback', 'x', '--help']])('%j asks for help', (...argv) => expect(parseFrameArgs(argv, {}).help).toBe(true));

  test.each([
    [['-c', 'region=eu-west-1'], /^-c region=eu-west-1 is not understood here\. Fix: the only context value the operator commands take is -c configDir=<dir>$/],
    [['--config-dir'], /^--config-dir needs a directory\. Fix: /],
    [['--config-dir', '--yes'], /^--config-dir needs a directory\. Fix: /],
  ])('%j is refused with a fix', (argv, message) => expect(() => parseFrameArgs(argv, {})).toThrow(message));
});

describe('the region', () => {
  const config = (region?: string) => ({ region }) as GoldenAmiConfig;
  test('pipeline.yaml first, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(operatorRegion(config('eu-central-1'), { AWS_REGION: 'us-east-1' })).toBe('eu-central-1');
    expect(operatorRegion(config(), { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('us-east-1');
    expect(operatorRegion(config(), { AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
  });
  test('none is one line with the fix', () => expect(() => operatorRegion(config(), {})).toThrow(/^no AWS region set\. Fix: set AWS_REGION/));
  test('an unknown one is named with the variable it came from', () => expect(() => operatorRegion(config(), { AWS_DEFAULT_REGION: 'eu-west-9' })).toThrow(/^AWS_DEFAULT_REGION=eu-west-9 is not a known AWS region\. Fix: set AWS_DEFAULT_REGION to a region code/));
});

/** What the SDK or Node throws, and the one line the operator reads. */
const FAILURES: Array<[string, unknown, RegExp]> = [
  ['DNS fails (no network, or a region without the service)', awsError('Error', 'getaddrinfo ENOTFOUND ssm.eu-west-1.amazonaws.com', { code: 'ENOTFOUND', hostname: 'ssm.eu-west-1.amazonaws.com' }), /^error: cannot reach ssm\.eu-west-1\.amazonaws\.com \(ENOTFOUND\)\. Fix: check the network connection, DNS and proxy \(HTTPS_PROXY\)/],
  ['DNS answers later', nodeError('EAI_AGAIN', { hostname: 'ec2.eu-west-1.amazonaws.com' }), /^error: cannot reach ec2\.eu-west-1\.amazonaws\.com \(EAI_AGAIN\)\. Fix: /],
  ['a refused connection (AWS_ENDPOINT_URL to nothing)', nodeError('ECONNREFUSED', { address: '127.0.0.1', port: 9 }), /^error: cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\)\. Fix: .*AWS_ENDPOINT_URL if you set one$/],
  ['a reset connection wrapped by the SDK', awsError('Error', 'request failed', { cause: nodeError('ECONNRESET') }), /^error: cannot reach the AWS endpoint \(ECONNRESET\)\. Fix: /],
  ['an unreachable network', nodeError('ENETUNREACH', { address: '52.95.1.1', port: 443 }), /^error: cannot reach 52\.95\.1\.1:443 \(ENETUNREACH\)/],
  ['a timeout', awsError('TimeoutError', 'Connection timed out after 1000 ms'), /^error: the AWS endpoint did not answer in time \(Connection timed out after 1000 ms\)\. Fix: check the network connection/],
  ['a proxy that re-signs TLS', nodeError('SELF_SIGNED_CERT_IN_CHAIN'), /^error: the TLS certificate of the AWS endpoint is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)\. Fix: .*NODE_EXTRA_CA_CERTS/],
  ['a malformed region', awsError('Error', 'Invalid region in client config'), /^error: the AWS endpoint cannot be formed \(Invalid region in client config\)\. Fix: set AWS_REGION to a region code/],
  ['no credentials', awsError('CredentialsProviderError', 'Could not load credentials from any providers'), /^error: no AWS credentials found\. Fix: run `aws configure` or `aws sso login`/],
  ['expired credentials', awsError('ExpiredTokenException', 'The security token included in the request is expired'), /^error: AWS refused the credentials \(ExpiredTokenException: The security token included in the request is expired\)\. Fix: refresh them/],
  ['unknown keys', awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'), /^error: AWS refused the credentials \(UnrecognizedClientException/],
  ['a role without the permission', awsError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: ssm:GetParameter'), /^error: not allowed \(AccessDeniedException: .*ssm:GetParameter\)\. Fix: use credentials whose role may do this/],
  ['throttling', awsError('ThrottlingException', 'Rate exceeded'), /^error: AWS is throttling the calls \(ThrottlingException\)\. Fix: wait a minute/],
  ['a configuration problem', new ConfigError([{ file: 'images/web.yaml', field: 'version', message: 'is required', fix: 'quote a MAJOR.MINOR version' }]), /^error: Invalid golden-ami-pipeline configuration \(1 problem\):\n {2}- images\/web\.yaml: version is required\. Fix: quote/],
  ['an operator mistake that names its fix', new OperatorError('unknown fleet x. Fix: use one of web'), /^error: unknown fleet x\. Fix: use one of web$/],
  ['an operator mistake without a fix of its own', new OperatorError('fleet web is not deployed (no Auto Scaling group from stack golden-ami-fleet-web)'), /^error: fleet web is not deployed \(no Auto Scaling group from stack golden-ami-fleet-web\)\. Fix: see `npm run fleet -- --help`$/],
  ['a usage mistake', new OperatorError('unknown command stats.\nUsage: npm run fleet -- <command>\n  status'), /^error: unknown command stats\. Fix: use one of the forms below\nUsage: npm run fleet -- <command>\n {2}status\nOptions of every operator command:/],
];

describe('every failure is one line with a fix', () => {
  test.each(FAILURES)('%s', (_name, err, expected) => {
    const { text, exitCode } = describeFailure(err, command, {});
    expect(text).toMatch(expected);
    // A configuration error lists its problems below a header, each with its own fix.
    const lines = err instanceof ConfigError ? text.split('\n').slice(1) : [text.split('\n')[0]];
    for (const line of lines) expect(line).toMatch(/\. Fix: \S/);
    expect(exitCode).toBe(2);
  });

  test('a bug is one line too (exit code 1), with the stack trace only when asked for', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(describeFailure(bug, command, {})).toEqual({ text: "error: unexpected TypeError: Cannot read properties of undefined (reading 'x'). Fix: this is a bug; run again with GOLDEN_AMI_DEBUG=1 for the stack trace and report it", exitCode: 1 });
    expect(describeFailure(bug, command, { GOLDEN_AMI_DEBUG: '1' }).text).toContain('at ');
  });

  test('explainAwsError leaves other service errors to the command', () => {
    const other = awsError('ParameterNotFound', 'not found');
    expect(explainAwsError(other)).toBe(other);
  });
});

describe('runOperatorCommand', () => {
  const io = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { argv, env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  };

  test('--help prints the usage and the common options, exit code 0, without configuration or region', async () => {
    const { io: i, out, err } = io(['--help', '--config-dir', '/nonexistent']);
    expect(await runOperatorCommand(command, i)).toBe(0);
    expect(out).toEqual([`${command.usage}\n${COMMON_OPTIONS_USAGE}`]);
    expect(err).toEqual([]);
  });

  test('reads the configuration from -c configDir=<dir>, which needs no schema/ of its own', async () => {
    const dir = smallConfigDir({ 'pipeline.yaml': 'name: other\nregion: eu-west-1' });
    let seen: GoldenAmiConfig | undefined;
    const { io: i, out } = io(['status', '-c', `configDir=${dir}`]);
    expect(await runOperatorCommand({ ...command, run: async (args, config, region) => ((seen = config), `${args.join(' ')} in ${region()}`) }, i)).toBe(0);
    expect(seen?.name).toBe('other');
    expect(out).toEqual(['status in eu-west-1']);
  });

  test('a command that does not ask for the pipeline region needs none (an environment names its own)', async () => {
    const { io: i, out, err } = io(['status', '--config-dir', smallConfigDir()]);
    expect(await runOperatorCommand({ ...command, run: async () => 'in the environment' }, i)).toBe(0);
    expect(out).toEqual(['in the environment']);
    expect(err).toEqual([]);
  });

  test('a configuration problem is exit code 2', async () => {
    const { io: i, err } = io(['status', '--config-dir', '/nonexistent'], { AWS_REGION: 'eu-west-1' });
    expect(await runOperatorCommand(command, i)).toBe(2);
    expect(err[0]).toMatch(/is not a configuration directory/);
  });
});

/** The commands as an operator runs them (tsx, Node 20 here): what reaches the terminal. */
describe('the commands as processes', () => {
  const run = promisify(execFile);
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  // No real AWS: the endpoint is a closed port on this machine, the credentials are placeholders.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_EC2_METADATA_DISABLED: 'true' };
  const exec = async (file: string, args: string[]) => {
    try {
      const { stdout, stderr } = await run(tsx, [path.join(REPO_ROOT, 'bin', file), ...args], { env, cwd: REPO_ROOT, timeout: 60000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  test.each([['fleet.ts'], ['release.ts'], ['teardown.ts']])('%s --help: usage, exit code 0', async (file) => {
    const { code, stdout, stderr } = await exec(file, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run \w+ --/);
    expect(stdout).toContain('-c configDir=<dir>, --config-dir <dir>');
    expect(stderr).toBe('');
  }, 60000);

  test.each([
    ['fleet.ts', ['status']],
    ['release.ts', ['status']],
    ['teardown.ts', ['--dry-run']],
  ])('%s %j with an endpoint it cannot reach: one line with the fix, exit code 2, no Node-version warning', async (file, args) => {
    const { code, stderr } = await exec(file, args);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^error: cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\)\. Fix: /)]);
  }, 60000);
});
