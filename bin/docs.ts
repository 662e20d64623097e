#!/usr/bin/env node
/**
 * Regenerates the documents derived from the app (`npm run docs`): docs/acknowledged-findings.md,
 * docs/roles.md and docs/architecture.svg from the shipped configuration, used environment-agnostic, so the output does
 * not depend on who runs it; and docs/environments.svg from the environments example (test/fixtures/environments),
 * which names its own accounts and regions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { applicationArtifactDir } from './application-artifact';
import { loadConfig } from '../lib/config/load-config';
import { acknowledgedFindingsMarkdown } from '../lib/docs/acknowledged-findings';
import { pipelineDot, renderSvg } from '../lib/docs/pipeline-diagram';
import { roleInventoryMarkdown, templatesIn } from '../lib/docs/role-inventory';
import { defineGoldenAmiApp } from '../lib/golden-ami-app';

/** The configuration docs/environments.svg is drawn from. */
const ENVIRONMENTS_EXAMPLE = 'test/fixtures/environments';

const root = path.join(__dirname, '..');
// As the CLI synthesizes: cdk.json's flags, and asset metadata (a nested stack's resource names its template file in it).
const context = { ...JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true };
const app = new App({ context });
const stack = defineGoldenAmiApp(app, { config: loadConfig(path.join(root, 'pipeline-assets')), applicationArtifactDir: applicationArtifactDir(undefined) });
const template = app.synth().getStackArtifact(stack.artifactId).template;

function write(file: string, content: string): void {
  fs.writeFileSync(path.join(root, 'docs', file), content);
  console.log(`wrote docs/${file}`);
}

write('acknowledged-findings.md', acknowledgedFindingsMarkdown(app));
write('roles.md', roleInventoryMarkdown(templatesIn(app.outdir)));
void renderSvg(pipelineDot(template)).then((svg) => write('architecture.svg', svg));

const environmentsConfig = loadConfig(path.join(root, ENVIRONMENTS_EXAMPLE));
const environmentsApp = new App({ context });
const environmentsStack = defineGoldenAmiApp(environmentsApp, {
  config: environmentsConfig,
  applicationArtifactDir: applicationArtifactDir(undefined),
  env: { account: environmentsConfig.account, region: environmentsConfig.region },
});
const environmentsTemplate = environmentsApp.synth().getStackArtifact(environmentsStack.artifactId).template;
void renderSvg(pipelineDot(environmentsTemplate)).then((svg) => write('environments.svg', svg));
