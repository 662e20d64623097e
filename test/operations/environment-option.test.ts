import * as path from 'path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load-config';
import { requireEnvironmentAccount, shellArgument, takeEnvironmentOption } from '../../lib/operations/environment-option';
import { OperatorError } from '../../lib/operations/operator-error';
import { releaseNeedsEnvironment } from '../../lib/operations/release-commands';
import { FIXTURE_CONFIG_DIR, REPO_ROOT } from '../helpers/synth-app';

const withEnvironments = loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', 'environments'));
const withoutEnvironments = loadConfig(FIXTURE_CONFIG_DIR);
const fleet = { invocation: 'npm run fleet --', example: 'status', required: () => true };
const release = { invocation: 'npm run release --', example: 'rollback <image>', required: releaseNeedsEnvironment };
const sts = mockClient(STSClient);

beforeEach(() => sts.reset());

describe('--environment', () => {
  test.each<[string[], string | undefined, string[]]>([
    [['status', '--environment', 'test'], 'test', ['status']],
    [['--environment=production', 'scale', 'app-linux', '0'], 'production', ['scale', 'app-linux', '0']],
    [['scale', 'app-linux', '-1', '--environment', 'test'], 'test', ['scale', 'app-linux', '-1']],
  ])('%j names the environment; the rest is left for the command', (args, name, rest) => {
    const chosen = takeEnvironmentOption(args, withEnvironments, fleet);
    expect(chosen.environment?.name).toBe(name);
    expect(chosen.args).toEqual(rest);
  });

  test('the environment carries its account and region', () => {
    expect(takeEnvironmentOption(['status', '--environment', 'production'], withEnvironments, fleet).environment).toMatchObject({ account: '333333333333', region: 'eu-west-1', approval: true });
  });

  test('missing with environments configured: required, and the names are listed', () => {
    expect(() => takeEnvironmentOption(['status'], withEnvironments, fleet)).toThrow(
      new OperatorError(
        '--environment is required: pipeline.yaml configures environments (test, production), whose accounts run the fleets and hold their releases. Fix: name one, e.g. npm run fleet -- status --environment test',
      ),
    );
  });

  test('an unknown environment is refused with the names', () => {
    expect(() => takeEnvironmentOption(['status', '--environment', 'prod'], withEnvironments, fleet)).toThrow(/^unknown environment prod\. Fix: use one of test, production$/);
  });

  test.each([[['status', '--environment']], [['rollback', 'app-linux', '--environment', '--no-start']], [['status', '--environment=']]])('%j: a name is needed', (args) => {
    expect(() => takeEnvironmentOption(args, withEnvironments, release)).toThrow(/^--environment needs an environment name\. Fix: use one of test, production/);
  });

  test('given twice is refused', () => {
    expect(() => takeEnvironmentOption(['status', '--environment', 'test', '--environment=production'], withEnvironments, fleet)).toThrow(/^--environment is given 2 times\./);
  });

  test('without environments it is refused, and not needed', () => {
    expect(() => takeEnvironmentOption(['status', '--environment', 'test'], withoutEnvironments, fleet)).toThrow(
      /^--environment test: pipeline\.yaml configures no environments, so the fleets and releases are in the pipeline's own account\. Fix: leave out --environment$/,
    );
    expect(takeEnvironmentOption(['status'], withoutEnvironments, fleet)).toEqual({ args: ['status'] });
  });

  test('release status may leave it out (the pipeline account\'s releases); rollback may not', () => {
    expect(takeEnvironmentOption(['status'], withEnvironments, release)).toEqual({ args: ['status'] });
    expect(() => takeEnvironmentOption(['rollback', 'app-linux'], withEnvironments, release)).toThrow(/^--environment is required: .* e\.g\. npm run release -- rollback <image> --environment test$/);
  });
});

describe('the environment account check', () => {
  const environment = withEnvironments.environments[1];
  const target = { environment, sts: new STSClient({ region: 'eu-west-1' }), commandLine: 'npm run fleet -- status --environment production' };

  test('credentials of another account: one line naming both accounts and the command to repeat', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111111111111' });
    await expect(requireEnvironmentAccount(target)).rejects.toThrow(
      new OperatorError(
        'these credentials are account 111111111111; environment production is account 333333333333. Fix: use that account\'s profile, e.g. AWS_PROFILE=<a profile of account 333333333333> npm run fleet -- status --environment production',
      ),
    );
  });

  test("the environment's account passes", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
    await expect(requireEnvironmentAccount(target)).resolves.toBeUndefined();
  });
});

test('a printed command quotes what the shell would split', () => {
  expect(shellArgument('/home/me/my config')).toBe("'/home/me/my config'");
  expect(shellArgument('--config-dir')).toBe('--config-dir');
});
