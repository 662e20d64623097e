import * as fs from 'fs';
import * as path from 'path';

/**
 * The CDK CLI and cdk-assets versions the pipeline installs in its self-mutation and asset-publishing steps: those this
 * repository's lockfile pins (package.json devDependencies), so the pipeline runs the tools `npm test` ran with, and an
 * upgrade is one reviewed change of package.json. (CDK Pipelines would otherwise install the latest 2.x CLI and the
 * latest cdk-assets at every run.)
 */
export interface ToolchainVersions {
  readonly cdkCli: string;
  readonly cdkAssets: string;
}

const PACKAGE_JSON = path.join(__dirname, '..', '..', 'package.json');

/** Reads the pinned versions; throws with the fix when either is missing or not an exact version. */
export function toolchainVersions(packageJson = PACKAGE_JSON): ToolchainVersions {
  const devDependencies: Record<string, string> = JSON.parse(fs.readFileSync(packageJson, 'utf8')).devDependencies ?? {};
  const exact = (name: string): string => {
    const version = devDependencies[name];
    if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new Error(`${packageJson}: devDependencies.${name} must be an exact version such as 1.2.3 (got ${JSON.stringify(version)}); the pipeline installs that version. Fix: npm install -D --save-exact ${name}@<version>`);
    }
    return version;
  };
  return { cdkCli: exact('aws-cdk'), cdkAssets: exact('cdk-assets') };
}
