import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { toolchainVersions } from '../../lib/pipeline/toolchain-versions';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { REPO_ROOT } from '../helpers/synth-app';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

describe('the tools the pipeline installs', () => {
  test('are the versions package.json pins (and npm ci installed here)', () => {
    expect(toolchainVersions()).toEqual({ cdkCli: pkg.devDependencies['aws-cdk'], cdkAssets: pkg.devDependencies['cdk-assets'] });
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'cdk-assets', 'package.json'), 'utf8')).version).toBe(pkg.devDependencies['cdk-assets']);
  });

  test('self-mutation installs the pinned CDK CLI, asset publishing the pinned cdk-assets', () => {
    const { outdir, pipelineTemplate } = fixtureAssembly();
    expect(JSON.stringify(pipelineTemplate.toJSON())).toContain(`npm install -g aws-cdk@${pkg.devDependencies['aws-cdk']}`);
    const buildspecs = fs.readdirSync(outdir).filter((f) => f.startsWith('buildspec-') && f.endsWith('FileAsset.yaml'));
    expect(buildspecs.length).toBeGreaterThan(0);
    for (const file of buildspecs) expect(fs.readFileSync(path.join(outdir, file), 'utf8')).toContain(`npm install -g cdk-assets@${pkg.devDependencies['cdk-assets']}`);
  });

  test('a range instead of an exact version is refused with the fix', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'toolchain-')), 'package.json');
    fs.writeFileSync(file, JSON.stringify({ devDependencies: { 'aws-cdk': '^2.1148.1', 'cdk-assets': '4.7.3' } }));
    expect(() => toolchainVersions(file)).toThrow(/devDependencies\.aws-cdk must be an exact version such as 1\.2\.3 \(got "\^2\.1148\.1"\).*Fix: npm install -D --save-exact aws-cdk@<version>/);
  });
});

describe("npm's download cache", () => {
  test('BuildApplication and Synth keep it in the artifact bucket, keyed by their lockfile', () => {
    const projects = fixtureAssembly().pipelineTemplate.findResources('AWS::CodeBuild::Project');
    const cached = Object.entries(projects).filter(([, p]) => p.Properties.Cache?.Type === 'S3');
    expect(cached.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['PipelineBuildBuildApplication', 'PipelineBuildSynthCdkBuildProject']);
    for (const [id, project] of cached) {
      expect(JSON.stringify(project.Properties.Cache.Location)).toContain('"codebuild-cache"');
      const lockfile = id.startsWith('PipelineBuildBuildApplication') ? 'pipeline-assets/app/package-lock.json' : 'package-lock.json';
      expect(JSON.parse(project.Properties.Source.BuildSpec).cache).toEqual({ key: `npm-$(codebuild-hash-files ${lockfile})`, paths: ['/root/.npm/**/*'] });
    }
  });
});
