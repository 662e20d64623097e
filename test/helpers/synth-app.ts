import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type NestedStack, Stage, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load-config';
import type { GoldenAmiConfig } from '../../lib/config/model';
import { defineGoldenAmiApp, synthGoldenAmiApp } from '../../lib/golden-ami-app';
import type { GoldenAmiPipelineStack } from '../../lib/pipeline/golden-ami-pipeline-stack';

export const REPO_ROOT = path.join(__dirname, '..', '..');
/** The user's configuration: only the README's synth and the docs' staleness checks read it. */
export const SHIPPED_CONFIG_DIR = path.join(REPO_ROOT, 'pipeline-assets');
/** The configuration product tests synthesize: like the shipped one, but the tests' own (test/fixtures/README.md). */
export const FIXTURE_CONFIG_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'two-images');
/** A stand-in for the built application, so that product tests never build the user's. */
export const FIXTURE_ARTIFACT_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'app-artifact');

/**
 * The feature flags `cdk synth` applies from cdk.json, and the asset metadata the CLI always asks for (a nested
 * stack's resource names its template file in it), so tests synthesize what the CLI does.
 */
export const CDK_CONTEXT = { ...JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')).context, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true };

/** The application artifact of product tests. */
export function testArtifactDir(): string {
  return FIXTURE_ARTIFACT_DIR;
}

export interface SynthesizedApp {
  readonly app: App;
  readonly stack: GoldenAmiPipelineStack;
  readonly config: GoldenAmiConfig;
  /** Template of the pipeline stack. */
  readonly pipelineTemplate: Template;
  /** Template of any stack of the app (stage stacks included). */
  templateOf(stack: Stack): Template;
  /** Template of the support nested stack of a stage stack, by the stage's id (e.g. `Image-app-linux`). */
  supportTemplate(stageId: string): Template;
}

/**
 * Synthesizes the whole app in-process, with the same policy checks as `cdk synth` (a finding throws), once per
 * call: suites call it in beforeAll.
 */
export function synthApp(
  config: GoldenAmiConfig = loadConfig(FIXTURE_CONFIG_DIR),
  // A configuration that names its account and region (environments need both) is synthesized there.
  env = { account: config.account ?? '123456789012', region: config.region ?? 'eu-west-1' },
  artifactDir = testArtifactDir(),
): SynthesizedApp {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-test-')) });
  const stack = defineGoldenAmiApp(app, { config, applicationArtifactDir: artifactDir, env });
  const assembly = synthGoldenAmiApp(app, config);
  const templates = new Map<Stack, Template>();
  return {
    app,
    stack,
    config,
    pipelineTemplate: Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template),
    supportTemplate(stageId: string) {
      const support = stack.node.findChild(`Support-${stageId}`) as NestedStack;
      return Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assembly.directory, support.templateFile), 'utf8')));
    },
    templateOf(target: Stack) {
      if (!templates.has(target)) {
        const stageAssembly = Stage.of(target)!.synth();
        templates.set(target, Template.fromJSON(stageAssembly.getStackArtifact(target.artifactId).template));
      }
      return templates.get(target)!;
    },
  };
}

/** Writes a configuration directory: the test fixture with files replaced or removed (null). */
export function configDirWith(files: Record<string, string | null>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-config-'));
  fs.cpSync(FIXTURE_CONFIG_DIR, dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    if (content === null) fs.rmSync(target, { force: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  return dir;
}
