import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { EnvironmentConfig, GoldenAmiConfig } from '../config/model';
import { OperatorError } from './operator-error';

/** The environment an operator command acts in (from `--environment <name>`), and the rest of its arguments. */
export interface EnvironmentChoice {
  /** Undefined: the pipeline's own account and region. */
  readonly environment?: EnvironmentConfig;
  /** The arguments without `--environment <name>`, in their order. */
  readonly args: readonly string[];
}

/** How one command treats `--environment`. */
export interface EnvironmentOptionRules {
  /** e.g. `npm run fleet --`, for the examples in the messages. */
  readonly invocation: string;
  /** An example command line after the invocation, e.g. `status`. */
  readonly example: string;
  /**
   * Whether the command, given these other arguments, needs an environment when environments are configured (it
   * touches fleets or releases, which are then in the environments' accounts).
   */
  readonly required: (args: readonly string[]) => boolean;
}

/**
 * Takes `--environment <name>` (or `--environment=<name>`) out of the arguments and finds the environment. With
 * environments configured it is required where `rules.required` says so; without, it is refused: everything is then
 * in the pipeline's account. The other arguments are left as they were for the command to judge.
 */
export function takeEnvironmentOption(args: readonly string[], config: GoldenAmiConfig, rules: EnvironmentOptionRules): EnvironmentChoice {
  const { tokens } = parseArgs({ args: [...args], options: { environment: { type: 'string' } }, strict: false, allowPositionals: true, tokens: true });
  const given = tokens.filter((t) => t.kind === 'option' && t.name === 'environment');
  const taken = new Set(given.flatMap((t) => (t.kind === 'option' && t.inlineValue === false ? [t.index, t.index + 1] : [t.index])));
  const rest = args.filter((_, i) => !taken.has(i));
  const names = config.environments.map((e) => e.name);
  const example = `${rules.invocation} ${rules.example} --environment ${names[0] ?? '<name>'}`;
  if (given.length > 1) throw new OperatorError(`--environment is given ${given.length} times. Fix: name one environment, e.g. ${example}`);
  const option = given[0];
  if (option === undefined) {
    if (names.length > 0 && rules.required(rest)) {
      throw new OperatorError(
        `--environment is required: pipeline.yaml configures environments (${names.join(', ')}), whose accounts run the fleets and hold their releases. Fix: name one, e.g. ${example}`,
      );
    }
    return { args: rest };
  }
  const name = option.kind === 'option' ? option.value : undefined;
  if (name === undefined || name === '' || name.startsWith('-')) {
    throw new OperatorError(`--environment needs an environment name. Fix: ${names.length > 0 ? `use one of ${names.join(', ')}, e.g. ${example}` : 'leave it out: pipeline.yaml configures no environments'}`);
  }
  if (names.length === 0) {
    throw new OperatorError(`--environment ${name}: pipeline.yaml configures no environments, so the fleets and releases are in the pipeline's own account. Fix: leave out --environment`);
  }
  const environment = config.environments.find((e) => e.name === name);
  if (!environment) throw new OperatorError(`unknown environment ${name}. Fix: use one of ${names.join(', ')}`);
  return { environment, args: rest };
}

/** What a command acting in an environment needs besides its own clients. */
export interface EnvironmentTarget {
  readonly environment: EnvironmentConfig;
  /** STS with the credentials the command's other clients use. */
  readonly sts: STSClient;
  /** The command line to repeat with the environment's credentials, e.g. `npm run fleet -- status --environment test`. */
  readonly commandLine: string;
}

/**
 * Checks that the credentials are the environment's account before anything is read or written there: with another
 * account's credentials the command would find nothing (or, worse, act on a same-named resource elsewhere).
 */
export async function requireEnvironmentAccount({ environment, sts, commandLine }: EnvironmentTarget): Promise<void> {
  const { Account: account } = await sts.send(new GetCallerIdentityCommand({}));
  if (account !== environment.account) {
    throw new OperatorError(
      `these credentials are account ${account ?? '(unknown)'}; environment ${environment.name} is account ${environment.account}. ` +
        `Fix: use that account's profile, e.g. AWS_PROFILE=<a profile of account ${environment.account}> ${commandLine}`,
    );
  }
}

/** Quotes a command-line argument for a POSIX shell when it needs it. */
export function shellArgument(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
