#!/usr/bin/env node
/**
 * One synth of the app for the scale bench, in a fresh process: `tsx bench/scale-synth.ts <images>` synthesizes the
 * shipped configuration (0) or <images> copies of its image with a fleet, and prints one JSON line: seconds, the
 * largest template's bytes and resources, and the pipeline's stages with their action counts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { applicationArtifactDir } from '../bin/application-artifact';
import { scaledConfig } from '../lib/bench/scaled-config';
import { loadConfig } from '../lib/config/load-config';
import { defineGoldenAmiApp, synthGoldenAmiApp } from '../lib/golden-ami-app';

const ROOT = path.join(__dirname, '..');
const count = Number(process.argv[2] ?? 0);
const shipped = loadConfig(path.join(ROOT, 'pipeline-assets'));
const config = count > 0 ? scaledConfig(shipped, count) : shipped;
const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
const artifact = applicationArtifactDir(undefined);

const start = process.hrtime.bigint();
const app = new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-scale-')) });
defineGoldenAmiApp(app, { config, applicationArtifactDir: artifact });
const assembly = synthGoldenAmiApp(app, config);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

const templates = fs
  .readdirSync(assembly.directory, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.template.json'))
  .map((f) => ({ file: f, bytes: fs.statSync(path.join(assembly.directory, f)).size, template: JSON.parse(fs.readFileSync(path.join(assembly.directory, f), 'utf8')) }));
const largest = templates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
const pipeline = Object.values<{ Type: string; Properties: { Stages: Array<{ Name: string; Actions: unknown[] }> } }>(largest.template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
console.log(
  JSON.stringify({
    images: config.images.length,
    seconds,
    largestTemplate: { file: largest.file, bytes: largest.bytes, resources: Object.keys(largest.template.Resources).length },
    stages: pipeline?.Properties.Stages.map((s) => `${s.Name}:${s.Actions.length}`) ?? [],
  }),
);
