import * as fs from 'fs';
import * as path from 'path';
import { scaledConfig } from '../../lib/bench/scaled-config';
import { MAX_IMAGES } from '../../lib/config/limits';
import { loadConfig } from '../../lib/config/load-config';
import { CFN_MAX_RESOURCES, CFN_MAX_TEMPLATE_BYTES, CODEPIPELINE_MAX_ACTIONS_PER_STAGE } from '../../lib/validation/deployment-limits';
import { CFN_LINT_AVAILABLE, cfnLintFindings } from '../helpers/cfn-lint';
import { FIXTURE_CONFIG_DIR, type SynthesizedApp, synthApp } from '../helpers/synth-app';

/**
 * The most images a pipeline holds, each with a fleet (copies of the shipped app-linux, generated here, not committed
 * as files): the app synthesizes with no unacknowledged cdk-nag or cfn-guard finding (synthApp throws on one), passes
 * the deployment limit check, and every template stays within CloudFormation's limits.
 */
describe(`${MAX_IMAGES} images, each with a fleet`, () => {
  let synth: SynthesizedApp;
  let templates: Array<{ file: string; bytes: number; resources: number }>;
  beforeAll(() => {
    // Environment-agnostic, as the README's `npx cdk synth` without AWS settings.
    synth = synthApp(scaledConfig(loadConfig(FIXTURE_CONFIG_DIR), MAX_IMAGES), { account: undefined, region: undefined } as never);
    const dir = synth.app.outdir;
    templates = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => ({ file: f, bytes: fs.statSync(path.join(dir, f)).size, resources: Object.keys(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).Resources).length }));
  }, 600_000);

  test('every template is under 1,000,000 bytes and 500 resources', () => {
    // The pipeline stack, the Egress stack and its support stack, and per image an image stack, a fleet stack and
    // their two support stacks.
    expect(templates).toHaveLength(3 + 4 * MAX_IMAGES);
    const pipeline = templates.find((t) => t.file === 'golden-ami-pipeline.template.json')!;
    expect(pipeline.bytes).toBeLessThan(CFN_MAX_TEMPLATE_BYTES);
    expect(pipeline.resources).toBeLessThan(CFN_MAX_RESOURCES);
    expect(templates.filter((t) => t.bytes >= CFN_MAX_TEMPLATE_BYTES || t.resources >= CFN_MAX_RESOURCES)).toEqual([]);
  });

  test('the images build side by side in stages of at most 50 actions, then the fleets', () => {
    const pipeline = Object.values(synth.pipelineTemplate.findResources('AWS::CodePipeline::Pipeline'))[0];
    const stages: Array<{ Name: string; Actions: unknown[] }> = pipeline.Properties.Stages;
    expect(stages.every((s) => s.Actions.length <= CODEPIPELINE_MAX_ACTIONS_PER_STAGE)).toBe(true);
    // 4 actions per image (prepare, change set, execute, release) and 2 per fleet, split by CDK Pipelines into
    // consecutive stages of at most 50 actions.
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Egress', 'BuildImage.1', 'BuildImage.2', 'BuildImage.3', 'BuildImage.4', 'DeployImage.1', 'DeployImage.2']);
    expect(stages.filter((s) => s.Name.startsWith('BuildImage')).flatMap((s) => s.Actions)).toHaveLength(4 * MAX_IMAGES);
    expect(stages.filter((s) => s.Name.startsWith('DeployImage')).flatMap((s) => s.Actions)).toHaveLength(2 * MAX_IMAGES);
  });

  (CFN_LINT_AVAILABLE ? test : test.skip)('cfn-lint finds nothing in the pipeline stack and in one stack of each kind (the others are the same shape)', () => {
    const dir = synth.app.outdir;
    const pick = (re: RegExp) => templates.find((t) => re.test(t.file))!.file;
    const files = [pick(/^golden-ami-pipeline\.template\.json$/), pick(/SupportImage.*\.nested\.template\.json$/), pick(/SupportFleet.*\.nested\.template\.json$/), pick(/Image-.*\.template\.json$/), pick(/Fleet-.*\.template\.json$/), pick(/SupportEgress.*\.nested\.template\.json$/), pick(/Egress\/.*\.template\.json$/)];
    expect(cfnLintFindings(files.map((f) => path.join(dir, f)))).toEqual([]);
  });
});
