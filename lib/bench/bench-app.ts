import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { applicationArtifactDir } from '../../bin/application-artifact';
import { loadConfig } from '../config/load-config';
import type { GoldenAmiConfig } from '../config/model';
import { scaledConfig } from './scaled-config';

const ROOT = path.join(__dirname, '..', '..');

/** What a bench script synthesizes: the shipped configuration (0 images) or `count` copies of its image with a fleet. */
export interface BenchApp {
  readonly config: GoldenAmiConfig;
  /** An app with cdk.json's feature flags, writing to a fresh temporary directory. */
  readonly app: App;
  /** The application artifact, built as `cdk synth` builds it. */
  readonly artifact: string;
}

export function benchApp(count: number, outdirPrefix: string): BenchApp {
  const shipped = loadConfig(path.join(ROOT, 'pipeline-assets'));
  const config = count > 0 ? scaledConfig(shipped, count) : shipped;
  const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
  const artifact = applicationArtifactDir(undefined);
  return { config, artifact, app: new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), outdirPrefix)) }) };
}
