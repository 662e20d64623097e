#!/usr/bin/env node
/**
 * Regenerates the documents derived from the app (`npm run docs`): docs/acknowledged-findings.md. The shipped
 * configuration is used environment-agnostic, so the output does not depend on who runs it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { applicationArtifactDir } from './application-artifact';
import { loadConfig } from '../lib/config/load-config';
import { acknowledgedFindingsMarkdown } from '../lib/docs/acknowledged-findings';
import { defineGoldenAmiApp } from '../lib/golden-ami-app';

const root = path.join(__dirname, '..');
const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context;
const app = new App({ context });
defineGoldenAmiApp(app, { config: loadConfig(path.join(root, 'pipeline-assets')), applicationArtifactDir: applicationArtifactDir(undefined) });
const target = path.join(root, 'docs', 'acknowledged-findings.md');
fs.writeFileSync(target, acknowledgedFindingsMarkdown(app));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
