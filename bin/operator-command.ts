import * as path from 'path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ConfigError } from '../lib/config/config-error';
import { loadConfig } from '../lib/config/load-config';
import type { GoldenAmiConfig } from '../lib/config/model';
import { explainAwsError, noRegionError, OperatorError } from '../lib/operations/operator-error';

// The AWS SDK prints a nine-line NodeVersionSupportWarning on Node < 22 as soon as a client is created: SDK releases
// after the first week of January 2027 will need Node 22. This project documents and tests Node 20 (package.json
// engines, CI on Node 20) and pins SDK releases that support it, so for these commands the warning says nothing the
// operator can act on and would push the one line that matters off the screen. The SDK honours this variable
// (@aws-sdk/core emitWarningIfUnsupportedVersion); an operator who sets it to something else still gets the warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Options every operator command takes, appended to its usage. */
export const COMMON_OPTIONS_USAGE = `Options of every operator command:
  -c configDir=<dir>, --config-dir <dir>
                   the configuration directory (default: pipeline-assets/), as \`cdk synth -c configDir=<dir>\`;
                   a relative path is taken from the directory you run npm in
  -h, --help       this text
The region is region in pipeline.yaml, else AWS_REGION or AWS_DEFAULT_REGION; credentials are found as by the AWS CLI.
A problem you can fix prints one line with its fix and exits with 2; --help exits with 0.`;

/** One operator command: its usage text and what it does once the configuration and region are known. */
export interface OperatorCommand {
  /** e.g. npm run fleet -- */
  readonly invocation: string;
  readonly usage: string;
  /**
   * @param pipelineRegion the pipeline's region, asked for only when the command needs it (a command in an
   * environment works in the environment's region, which its configuration names)
   */
  readonly run: (args: readonly string[], config: GoldenAmiConfig, pipelineRegion: () => string, frame: FrameContext) => Promise<string>;
}

/** What a command may need of the frame's options: to print a command line the operator can run as it is. */
export interface FrameContext {
  /** The configuration option to repeat in a printed command (`--config-dir <dir>`), empty for the default directory. */
  readonly configOption: readonly string[];
}

/** The frame's options as a command line repeats them. */
export function frameContext(configDir: string): FrameContext {
  return { configOption: configDir === DEFAULT_CONFIG_DIR ? [] : ['--config-dir', configDir] };
}

/** Where a command reads and writes; tests pass their own. */
export interface OperatorIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const DEFAULT_CONFIG_DIR = path.join(__dirname, '..', 'pipeline-assets');

/** The frame's own options, taken out of the command line; the rest goes to the command. */
export interface FrameArgs {
  readonly configDir: string;
  readonly help: boolean;
  readonly rest: readonly string[];
}

/**
 * Takes -c configDir=<dir> / --context configDir=<dir> / --config-dir <dir> / --config-dir=<dir> and -h / --help out of
 * the arguments. `npm run` starts the command in the project root, so a relative directory is resolved against the
 * directory npm was run in (INIT_CWD).
 */
export function parseFrameArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FrameArgs {
  const rest: string[] = [];
  let configDir: string | undefined;
  let help = false;
  const base = env.INIT_CWD ?? process.cwd();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '-c' || arg === '--context' || arg.startsWith('-c=') || arg.startsWith('--context=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const match = /^configDir=(.+)$/.exec(value ?? '');
      if (!match) throw new OperatorError(`-c ${value ?? ''} is not understood here. Fix: the only context value the operator commands take is -c configDir=<dir>`);
      configDir = match[1];
    } else if (arg === '--config-dir' || arg.startsWith('--config-dir=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value || value.startsWith('-')) throw new OperatorError('--config-dir needs a directory. Fix: e.g. --config-dir ../my-config');
      configDir = value;
    } else {
      rest.push(arg);
    }
  }
  return { configDir: configDir ? path.resolve(base, configDir) : DEFAULT_CONFIG_DIR, help, rest };
}

const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));

/** The region the command works in: pipeline.yaml, then AWS_REGION, then AWS_DEFAULT_REGION. */
export function operatorRegion(config: GoldenAmiConfig, env: NodeJS.ProcessEnv): string {
  if (config.region) return config.region;
  const [variable, region] = env.AWS_REGION ? ['AWS_REGION', env.AWS_REGION] : env.AWS_DEFAULT_REGION ? ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION] : [];
  if (!region) throw noRegionError();
  if (!KNOWN_REGIONS.has(region)) throw new OperatorError(`${variable}=${region} is not a known AWS region. Fix: set ${variable} to a region code such as eu-west-1`);
  return region;
}

/** What the operator sees for a failure, and the exit code: 2 for anything they can fix, 1 for a bug. */
export function describeFailure(err: unknown, command: Pick<OperatorCommand, 'invocation' | 'usage'>, env: NodeJS.ProcessEnv = process.env): { text: string; exitCode: 1 | 2 } {
  if (err instanceof ConfigError) return { text: `error: ${err.message}`, exitCode: 2 };
  const explained = explainAwsError(err);
  if (explained instanceof OperatorError) {
    const [first, ...more] = explained.message.split('\n');
    if (/Fix: /.test(first)) return { text: `error: ${[first, ...more].join('\n')}`, exitCode: 2 };
    // A usage mistake: say so in one line, then show the usage that lists what is valid.
    if (more.some((line) => line.startsWith('Usage:'))) return { text: `error: ${first.replace(/\.$/, '')}. Fix: use one of the forms below\n${more.join('\n')}\n${COMMON_OPTIONS_USAGE}`, exitCode: 2 };
    return { text: `error: ${first.replace(/\.$/, '')}. Fix: see \`${command.invocation} --help\``, exitCode: 2 };
  }
  const e = explained as Error;
  const debug = env.GOLDEN_AMI_DEBUG ? `\n${e.stack ?? ''}` : '';
  return { text: `error: unexpected ${e.name}: ${e.message.split('\n')[0]}. Fix: this is a bug; run again with GOLDEN_AMI_DEBUG=1 for the stack trace and report it${debug}`, exitCode: 1 };
}

/**
 * Shared frame of the operator commands: options, configuration, region, run, print. Returns the exit code; a problem
 * the operator can fix is one line on stderr (exit code 2), --help prints the usage (exit code 0).
 */
export async function runOperatorCommand(command: OperatorCommand, io: OperatorIo = { argv: process.argv.slice(2), env: process.env, out: console.log, err: console.error }): Promise<number> {
  try {
    const args = parseFrameArgs(io.argv, io.env);
    if (args.help) {
      io.out(`${command.usage}\n${COMMON_OPTIONS_USAGE}`);
      return 0;
    }
    const config = loadConfig(args.configDir);
    io.out(await command.run(args.rest, config, () => operatorRegion(config, io.env), frameContext(args.configDir)));
    return 0;
  } catch (err) {
    const { text, exitCode } = describeFailure(err, command, io.env);
    io.err(text);
    return exitCode;
  }
}

/** Runs a command as the process: sets the exit code, never throws. */
export function main(command: OperatorCommand): void {
  void runOperatorCommand(command).then((code) => {
    process.exitCode = code;
  });
}
