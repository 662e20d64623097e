import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** Where the global setup writes the fixture's cloud assembly: workers inherit it through this variable. */
export const FIXTURE_ASSEMBLY_ENV = 'GOLDEN_AMI_FIXTURE_ASSEMBLY';

/**
 * The test fixture (test/fixtures/two-images, account 123456789012, eu-west-1) synthesized once for the whole run by
 * test/helpers/global-setup.ts, with the same checks as every synth (a finding fails the setup). Suites that only read
 * templates use this instead of synthesizing the same app again in each jest worker.
 */
export interface FixtureAssembly {
  readonly outdir: string;
  readonly assembly: CloudAssembly;
  readonly pipelineTemplate: Template;
  /** Template of a stage stack, by its stage's id (e.g. `Fleet-app-linux`). */
  stageTemplate(stageId: string): Template;
  /** Template of the support nested stack of a stage stack, by the stage's id. */
  supportTemplate(stageId: string): Template;
}

/** Fixtures the global setup synthesizes, by directory under test/fixtures/ (two-images is the default one). */
export const PRESYNTHESIZED_FIXTURES = ['two-images', 'reachable-fleets', 'environments'] as const;
export type PresynthesizedFixture = (typeof PRESYNTHESIZED_FIXTURES)[number];

/** The variable naming a fixture's cloud assembly. */
export function fixtureAssemblyEnv(fixture: PresynthesizedFixture): string {
  return fixture === 'two-images' ? FIXTURE_ASSEMBLY_ENV : `${FIXTURE_ASSEMBLY_ENV}_${fixture.toUpperCase().replace(/-/g, '_')}`;
}

const cached = new Map<PresynthesizedFixture, FixtureAssembly>();

export function fixtureAssembly(fixture: PresynthesizedFixture = 'two-images'): FixtureAssembly {
  const hit = cached.get(fixture);
  if (hit) return hit;
  const variable = fixtureAssemblyEnv(fixture);
  const outdir = process.env[variable];
  if (!outdir || !fs.existsSync(path.join(outdir, 'manifest.json'))) {
    throw new Error(`${variable} names no cloud assembly (got ${outdir}); run the tests through jest, whose globalSetup writes it`);
  }
  const assembly = new CloudAssembly(outdir);
  const read = (file: string) => Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
  const pipeline = assembly.stacks.find((s) => s.stackName.endsWith('-pipeline'))!;
  const pipelineTemplate = read(pipeline.templateFullPath);
  const result: FixtureAssembly = {
    outdir,
    assembly,
    pipelineTemplate,
    stageTemplate(stageId: string) {
      const stack = assembly.stacksRecursively.find((s) => s.hierarchicalId.startsWith(`${pipeline.stackName}/${stageId}/`));
      if (!stack) throw new Error(`no stage ${stageId} in the fixture assembly`);
      return read(stack.templateFullPath);
    },
    supportTemplate(stageId: string) {
      const resource = Object.values<{ Type: string; Metadata?: Record<string, string> }>(pipelineTemplate.toJSON().Resources).find(
        (r) => r.Type === 'AWS::CloudFormation::Stack' && r.Metadata?.['aws:cdk:path']?.startsWith(`${pipeline.stackName}/Support-${stageId}.NestedStack/`),
      );
      if (!resource) throw new Error(`no support stack of ${stageId} in the fixture assembly`);
      return read(path.join(outdir, resource.Metadata!['aws:asset:path']));
    },
  };
  cached.set(fixture, result);
  return result;
}
