#!/usr/bin/env node
/**
 * npm run bench [-- --pairs N] [-- --skip-jest]: measures, never gates. Prints a table and writes .bench/results.json.
 *  - synth wall time of the full app (`cdk synth`) against a bare CDK Pipelines app, alternating, median ratio;
 *  - the jest suite's wall time;
 *  - each Lambda bundle's size and cold import time (fresh process, against a bare `node` start in the same run);
 *  - a modelled pipeline run per kind of change, against the seed pipeline that rebuilds on every push;
 *  - synth time and the largest template for 1, 10, 25 and 50 images (each with a fleet), each in a fresh process,
 *    against a synth of the shipped configuration measured the same way just before it (`-- --skip-scale` leaves it out).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../lib/config/load-config';
import { ACTION_SECONDS, modelRun, modelSeedRun, standardChanges, type ModelImage } from '../lib/bench/pipeline-timeline';
import { isIgnored } from '../lambda/push-filter/ignored-paths';
import { idleMonthlyCost, networkChoices, PRICES, PRICES_AS_OF, runCost } from '../lib/bench/cost-model';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.bench');
const args = process.argv.slice(2);
const pairs = Number(args[args.indexOf('--pairs') + 1] ?? 3) || 3;
const skipJest = args.includes('--skip-jest');
const skipScale = args.includes('--skip-scale');
const SCALE_IMAGES = [1, 10, 25, 50];
const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
for (const key of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(key)) delete env[key];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function timeCommand(command: string, commandArgs: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function synthPairs(): { full: number[]; bare: number[]; ratios: number[]; outdir: string } {
  const full: number[] = [];
  const bare: number[] = [];
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-full-'));
  for (let i = 0; i < pairs; i++) {
    // Alternate, so drift in the machine's load hits both sides alike.
    full.push(timeCommand('npx', ['cdk', 'synth', '-q', '--no-notices', '-o', outdir]));
    bare.push(timeCommand('npx', ['cdk', 'synth', '-q', '--no-notices', '-o', fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bare-')), '--app', 'npx tsx bench/bare-pipeline-app.ts']));
  }
  return { full, bare, ratios: full.map((f, i) => f / bare[i]), outdir };
}

/** Cold import of a bundle: a fresh node process that requires it, minus a fresh node process that does nothing. */
function coldImportMs(bundle: string, runs = 11): number {
  // Inside the repository, so the bundle's externals (the AWS SDK the Lambda runtime provides) resolve.
  const copy = path.join(OUT, `cold-${path.basename(path.dirname(bundle))}.js`);
  fs.copyFileSync(bundle, copy);
  const once = (code: string) => {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', code], { cwd: ROOT, stdio: 'ignore' });
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const bare: number[] = [];
  const loaded: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(once('0'));
    loaded.push(once(`require(${JSON.stringify(copy)})`));
  }
  return median(loaded) - median(bare);
}

function lambdaBundles(outdir: string): Array<{ function: string; bytes: number; coldImportMs: number }> {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'golden-ami-pipeline.template.json'), 'utf8'));
  const functions = Object.entries<{ Type: string; Properties: { Code?: { S3Key?: string } } }>(template.Resources).filter(
    ([, r]) => (r.Type === 'AWS::Lambda::Function' || r.Type === 'AWS::CloudFormation::CustomResource') && r.Properties.Code?.S3Key,
  );
  // CDK's own custom resource providers are AWS::Lambda::Function too; every bundled function is reported.
  return functions.map(([id, r]) => {
    const bundle = path.join(outdir, `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`, 'index.js');
    return { function: id.replace(/[0-9A-F]{8}$/, ''), bytes: fs.statSync(bundle).size, coldImportMs: round(coldImportMs(bundle)) };
  });
}

function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join('\n');
}

/** One synth of the shipped configuration (0) or of `count` images, in a fresh process, so no run warms another. */
function scaleSynth(count: number): { images: number; seconds: number; largestTemplate: { file: string; bytes: number; resources: number }; stages: string[] } {
  const out = execFileSync('npx', ['tsx', 'bench/scale-synth.ts', String(count)], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
}

/**
 * Each scale right after a synth of the shipped configuration, which it is compared with: as with the synth pairs,
 * drift in the machine's load hits both sides alike. The first row is the shipped configuration (the median of its
 * synths).
 */
function scaleSynths(): Array<ReturnType<typeof scaleSynth> & { label: string; shippedSeconds: number }> {
  const rows = SCALE_IMAGES.map((count) => {
    const shipped = scaleSynth(0);
    return { label: String(count), ...scaleSynth(count), shippedSeconds: shipped.seconds, shipped };
  });
  const shipped = rows.map((r) => r.shipped).sort((a, b) => a.seconds - b.seconds)[Math.floor(rows.length / 2)];
  return [{ label: 'shipped (2)', ...shipped, shippedSeconds: shipped.seconds }, ...rows.map(({ shipped: _, ...row }) => row)];
}

function main(): void {
  fs.mkdirSync(OUT, { recursive: true });
  console.log(`synth: full app vs bare CDK Pipelines app, ${pairs} alternating pairs …`);
  const synth = synthPairs();
  const lambdas = lambdaBundles(synth.outdir);
  let jestSeconds: number | undefined;
  if (!skipJest) {
    console.log('jest suite …');
    jestSeconds = timeCommand('npx', ['jest', '--silent']);
  }

  let scale: ReturnType<typeof scaleSynths> | undefined;
  if (!skipScale) {
    console.log(`scale: synth of the shipped configuration and of ${SCALE_IMAGES.join(', ')} images …`);
    scale = scaleSynths();
  }

  const config = loadConfig(path.join(ROOT, 'pipeline-assets'));
  const images: ModelImage[] = config.images.map((i) => ({
    name: i.name,
    platform: i.platform,
    fleetBatches: i.fleet ? Math.ceil(Math.max(i.fleet.minSize, 1) / i.fleet.rollingUpdate.maxBatchSize) : 0,
  }));
  const seedMinutes = modelSeedRun(images) / 60;
  // network.egress on-demand: an Egress stage in the pipeline, builds in the public subnets (each with a public IPv4).
  const egressOnDemand = config.network.kind === 'create' && config.network.egress === 'on-demand';
  // source.ignorePaths: a push of README.md or docs/ alone starts no run (push filter, or the GitHub trigger's excludes).
  const documentationIgnored = ['README.md', 'docs/roles.md'].every((file) => isIgnored(file, config.source.ignorePaths));
  const runs = standardChanges(images, { egressOnDemand }, { documentationIgnored }).map((change) => modelRun(images, change, { egressOnDemand }));
  const appTemplates = fs
    .readdirSync(synth.outdir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(synth.outdir, f), 'utf8')));
  const fleets = config.images.flatMap((i) => (i.fleet ? [{ image: i.name, instanceType: i.fleet.instanceType, platform: i.platform, minSize: i.fleet.minSize }] : []));
  // At rest as configured, and with every fleet scaled to zero (npm run fleet -- scale <image> 0).
  const idle = idleMonthlyCost(appTemplates, fleets);
  const idleAtZero = idleMonthlyCost(appTemplates, fleets.map((f) => ({ ...f, minSize: 0 })));
  const runCosts = runs.map((r) => ({ change: r.change, ...runCost(r, images, { buildsInPublicSubnets: egressOnDemand }) }));
  // With an existing VPC the configuration names no zones or NAT gateways: the created-VPC rows are priced for one gateway.
  const choices = networkChoices(
    idleAtZero,
    config.network.kind === 'create'
      ? { zones: config.network.maxAzs, natGateways: config.network.natGateways, configured: config.network.egress }
      : { zones: 0, natGateways: 1, configured: 'existing' },
  );

  const results = {
    machine: { cpus: os.cpus().length, node: process.version },
    synth: {
      fullSeconds: synth.full.map((s) => round(s, 2)),
      bareSeconds: synth.bare.map((s) => round(s, 2)),
      medianRatio: round(median(synth.ratios), 2),
      goalRatio: 1.3,
    },
    jestSeconds: jestSeconds === undefined ? null : round(jestSeconds),
    scale: scale ?? null,
    lambdas,
    pipelineModel: {
      actionSeconds: ACTION_SECONDS,
      runs: runs.map((r) => ({
        change: r.change,
        minutes: round(r.seconds / 60),
        imagesBuilt: r.imagesBuilt,
        fleetsRolled: r.fleetsRolled,
        noOpActions: r.actions.filter((a) => !a.work).map((a) => a.action),
        lanes: r.lanes.map((l) => ({ image: l.image, ownReleaseMinutes: round(l.ownReleaseSeconds / 60), fleetStartMinutes: l.fleetStartSeconds === undefined ? null : round(l.fleetStartSeconds / 60), waitMinutes: round(l.waitSeconds / 60) })),
      })),
      seedMinutesEveryPush: round(seedMinutes),
      egressOnDemand,
    },
    cost: {
      pricesAsOf: PRICES_AS_OF,
      prices: PRICES,
      idleMonthlyUsd: round(idle.usd, 2),
      idleMonthlyUsdFleetsAtZero: round(idleAtZero.usd, 2),
      idleLines: idle.lines.map((l) => ({ ...l, usd: round(l.usd, 2) })),
      idleLinesFleetsAtZero: idleAtZero.lines.map((l) => ({ ...l, usd: round(l.usd, 2) })),
      unpriced: idle.unpriced,
      networkChoices: choices.map((c) => ({ ...c, idleUsd: round(c.idleUsd, 2), runningHourUsd: round(c.runningHourUsd, 3) })),
      goalIdleMonthlyUsdFleetsAtZero: 5,
      runs: runCosts.map((r) => ({ change: r.change, usd: round(r.usd, 3), lines: r.lines.map((l) => ({ ...l, usd: round(l.usd, 3) })) })),
    },
  };
  fs.writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  console.log('\nSynth wall time (s)');
  console.log(table(synth.full.map((f, i) => ({ pair: i + 1, 'full app': round(f, 2), 'bare pipeline': round(synth.bare[i], 2), ratio: round(synth.ratios[i], 2) }))));
  console.log(`median ratio ${results.synth.medianRatio}x (goal <= ${results.synth.goalRatio}x)`);
  if (jestSeconds !== undefined) console.log(`\njest suite: ${round(jestSeconds)} s`);
  if (scale) {
    console.log('\nScale: one synth each, fresh process (in-process app, no CLI), each right after a synth of the shipped configuration');
    console.log(
      table(
        scale.map((r) => ({
          images: r.label,
          'synth (s)': round(r.seconds, 1),
          'shipped just before (s)': round(r.shippedSeconds, 1),
          'vs shipped': `${round(r.seconds / r.shippedSeconds, 2)}x`,
          'largest template': r.largestTemplate.file,
          'KB': round(r.largestTemplate.bytes / 1000),
          resources: r.largestTemplate.resources,
          stages: r.stages.filter((s) => /^(BuildImage|DeployImage|Image-|Fleet-)/.test(s)).join(' '),
        })),
      ),
    );
  }
  console.log('\nLambda bundles');
  console.log(table(lambdas.map((l) => ({ function: l.function, 'bytes': l.bytes, 'cold import (ms)': l.coldImportMs }))));
  console.log(`\nModelled pipeline run per kind of change (minutes; the seed, one pipeline per image, takes ${round(seedMinutes)} min on every push)`);
  console.log(
    table(
      runs.map((r) => ({
        change: r.change,
        'images built': r.imagesBuilt.join(', ') || 'none',
        'fleets rolled': r.fleetsRolled.join(', ') || 'none',
        minutes: round(r.seconds / 60),
        'vs seed': `${round(r.seconds / 60 / seedMinutes, 2)}x`,
      })),
    ),
  );
  console.log(`\nCost (us-east-1 list prices of ${PRICES_AS_OF}, lib/bench/cost-model.ts): at rest $${round(idle.usd, 2)}/month as configured, $${round(idleAtZero.usd, 2)}/month with every fleet at zero (goal <= $5)`);
  console.log(table(idle.lines.map((l) => ({ item: l.item, count: l.count, 'USD/month': round(l.usd, 2) }))));
  if (idle.unpriced.length > 0) console.log(`not priced (add their price to the model): ${idle.unpriced.join('; ')}`);
  console.log('\nWith every fleet at zero (npm run fleet -- scale <image> 0)');
  console.log(table(idleAtZero.lines.map((l) => ({ item: l.item, count: l.count, 'USD/month': round(l.usd, 2) }))));
  console.log('\nThe network choices, at rest with every fleet at zero (goal <= $5), and while a fleet runs (on top of its instances):');
  console.log(table(choices.map((c) => ({ choice: c.choice, 'USD/month at rest': round(c.idleUsd, 2), 'USD/hour running': round(c.runningHourUsd, 3), available: c.available, 'gives up': c.tradeOff }))));
  console.log(`\nPer modelled run${egressOnDemand ? ' (builds in the public subnets: each build instance holds a public IPv4 address while it runs)' : ''}:`);
  console.log(table(runCosts.map((r) => ({ change: r.change, 'USD per run': round(r.usd, 3), of: r.lines.map((l) => `${l.item} ${round(l.usd, 3)}`).join(', ') }))));
  console.log('\nLanes per run: when each image would be released on its own, when its fleet starts, how long it waits for the others (minutes)');
  console.log(
    table(
      runs.flatMap((r) =>
        r.lanes.map((l) => ({
          change: r.change,
          image: l.image,
          'own release': round(l.ownReleaseSeconds / 60),
          'fleet starts': l.fleetStartSeconds === undefined ? 'no fleet' : round(l.fleetStartSeconds / 60),
          'waits': round(l.waitSeconds / 60),
        })),
      ),
    ),
  );
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(OUT, 'results.json'))}`);
}

main();
