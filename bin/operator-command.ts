import { ConfigError } from '../lib/config/config-error';
import { loadConfig } from '../lib/config/load-config';
import type { GoldenAmiConfig } from '../lib/config/model';
import { noRegionError, OperatorError } from '../lib/operations/operator-error';

/**
 * Shared frame of the operator commands: load the configuration, pick the region (pipeline.yaml, then AWS_REGION,
 * then AWS_DEFAULT_REGION), run, print; a problem the operator can fix is one line on stderr and exit code 2.
 */
export async function runOperatorCommand(
  configDir: string,
  run: (config: GoldenAmiConfig, region: string) => Promise<string>,
): Promise<void> {
  try {
    const config = loadConfig(configDir);
    const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw noRegionError();
    console.log(await run(config, region));
  } catch (err) {
    if (err instanceof OperatorError || err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  }
}
