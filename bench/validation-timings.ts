#!/usr/bin/env node
/**
 * Where a synth's time goes, per phase and per validator: `npx tsx bench/validation-timings.ts [images]` synthesizes
 * the shipped configuration (0, the default) or <images> copies of its image with a fleet, then runs each validator
 * again on the same templates, alone and one after the other, for its own cost. Prints a table; measures, never gates.
 *  - construct: the app's constructs (Lambda bundling included);
 *  - synth to checks: from app.synth() until CDK calls the first validation plugin (prepare, resolve, write);
 *  - checks, wall: until the last plugin returned — cdk-nag in this thread, cfn-guard and CloudFormation validation
 *    in workers meanwhile; then how long each plugin's call took in this thread (cdk-nag's own work; for the others,
 *    the wait for their worker);
 *  - the off-thread validators alone, in this thread, on the same templates: cfn-guard on the whole and on the reduced
 *    templates, CDK's CloudFormation validator (first in a thread, as a synth pays it, then again).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type IPolicyValidationPlugin } from 'aws-cdk-lib';
import { benchApp } from '../lib/bench/bench-app';
import { defineGoldenAmiApp } from '../lib/golden-ami-app';
import { GuardRuleSet } from '../lib/validation/guard-input';
import { guardRulePaths } from '../lib/validation/guard-rules';
import { RobustCfnGuardValidator } from '../lib/validation/robust-cfn-guard';

const count = Number(process.argv[2] ?? 0);

const now = () => Number(process.hrtime.bigint()) / 1e6;
const timed = <T>(f: () => T): [T, number] => {
  const start = now();
  const result = f();
  return [result, now() - start];
};

// The synth, as bench/scale-synth.ts does it, with the plugins' calls timed from outside.
const { app, config, artifact } = benchApp(count, 'golden-ami-timings-');
const [, constructMs] = timed(() => defineGoldenAmiApp(app, { config, applicationArtifactDir: artifact }));
const plugins = (app as unknown as { _validationPlugins: IPolicyValidationPlugin[] })._validationPlugins;
let firstCall: number | undefined;
let lastReturn = 0;
let checksContext: IPolicyValidationContext | undefined;
const inThreadMs: Record<string, number> = {};
for (const plugin of plugins) {
  const validate = plugin.validate.bind(plugin);
  plugin.validate = (ctx) => {
    firstCall ??= now();
    checksContext = ctx;
    const [report, ms] = timed(() => validate(ctx));
    inThreadMs[plugin.name] = ms;
    lastReturn = now();
    return report;
  };
}
const synthStart = now();
app.synth();
const synthMs = now() - synthStart;

// The off-thread validators alone, in this thread, on the same templates.
const ctx = checksContext!;
const templates = ctx.templatePaths;
const alone: Array<[string, number]> = [];
const guard = new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: guardRulePaths() });
alone.push(['cfn-guard, whole templates', timed(() => guard.validate(ctx))[1]]);
const reducedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-timings-guard-'));
const rules = GuardRuleSet.fromPaths(guardRulePaths());
const [reducedPaths, reduceMs] = timed(() =>
  templates.map((file, i) => {
    const target = path.join(reducedDir, `${i}-${path.basename(file)}`);
    fs.writeFileSync(target, JSON.stringify(rules.reduce(JSON.parse(fs.readFileSync(file, 'utf8')))));
    return target;
  }),
);
alone.push(['cfn-guard, reduced templates (reduction included)', reduceMs + timed(() => guard.validate({ ...ctx, templatePaths: reducedPaths }))[1]]);
// The first validation in a thread is what every synth pays: the engine is built for the templates' types, and the
// WebAssembly code is not yet optimized. Again, in the same thread, shows the templates' share.
const cloudFormation = new CloudFormationValidatePlugin();
alone.push(['CloudFormation validation, first in a thread (engine build included)', timed(() => cloudFormation.validate(ctx))[1]]);
alone.push(['CloudFormation validation, again (engine kept)', timed(() => cloudFormation.validate(ctx))[1]]);

const round = (ms: number) => (ms / 1000).toFixed(2);
const rows: Array<[string, string]> = [
  [`images`, String(config.images.length)],
  [`templates validated`, String(templates.length)],
  ['construct (s)', round(constructMs)],
  ['synth to checks (s)', round(firstCall! - synthStart)],
  ['checks, wall (s)', round(lastReturn - firstCall!)],
  ['synth after checks (s)', round(synthStart + synthMs - lastReturn)],
  ...Object.entries(inThreadMs).map(([name, ms]): [string, string] => [`  in this thread: ${name} (s)`, round(ms)]),
  ...alone.map(([name, ms]): [string, string] => [`alone: ${name} (s)`, round(ms)]),
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
