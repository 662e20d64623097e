#!/usr/bin/env node
/**
 * One synth of the app for the scale bench, in a fresh process: `tsx bench/scale-synth.ts <images>` synthesizes the
 * shipped configuration (0) or <images> copies of its image with a fleet, and prints one JSON line: seconds, the
 * largest template's bytes and resources, and the pipeline's stages with their action counts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { benchApp } from '../lib/bench/bench-app';
import { defineGoldenAmiApp, synthGoldenAmiApp } from '../lib/golden-ami-app';

const start = process.hrtime.bigint();
const { app, config, artifact } = benchApp(Number(process.argv[2] ?? 0), 'golden-ami-scale-');
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
