#!/usr/bin/env node
/**
 * The CDK app: loads and validates the configuration, builds (or takes) the application artifact, and defines the
 * pipeline stack. Context:
 *   -c configDir=<dir>              configuration directory (default: pipeline-assets/)
 *   -c applicationArtifactDir=<dir> a built application artifact (the pipeline passes its Build step's output)
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/config-error';
import { loadConfig } from '../lib/config/load-config';
import { defineGoldenAmiApp, synthGoldenAmiApp } from '../lib/golden-ami-app';
import { addValidations } from '../lib/validation/add-validations';
import { DeploymentLimitError } from '../lib/validation/deployment-limits';
import { applicationArtifactDir } from './application-artifact';

function main(): void {
  const app = new App();
  // First: the policy checks' worker threads get ready while the configuration loads and the stacks are constructed
  // (defineGoldenAmiApp adds them again, which changes nothing).
  addValidations(app);
  const configDir = path.resolve(app.node.tryGetContext('configDir') ?? path.join(__dirname, '..', 'pipeline-assets'));
  const config = loadConfig(configDir, { defaultRegion: process.env.CDK_DEFAULT_REGION, defaultAccount: process.env.CDK_DEFAULT_ACCOUNT });
  defineGoldenAmiApp(app, {
    config,
    applicationArtifactDir: applicationArtifactDir(app.node.tryGetContext('applicationArtifactDir')),
    env: {
      account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: config.region ?? process.env.CDK_DEFAULT_REGION,
    },
  });
  synthGoldenAmiApp(app, config);
}

try {
  main();
} catch (err) {
  // A configuration error, or one that AWS would refuse, is the user's to fix: print just the list, not a stack trace.
  if (err instanceof ConfigError || err instanceof DeploymentLimitError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
