import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import { fixtureAssemblyEnv, PRESYNTHESIZED_FIXTURES } from './fixture-assembly';
import { REPO_ROOT, synthApp } from './synth-app';

/** Synthesizes the test fixtures once for the whole run (see fixture-assembly.ts). */
export default function globalSetup(): void {
  for (const fixture of PRESYNTHESIZED_FIXTURES) {
    process.env[fixtureAssemblyEnv(fixture)] = synthApp(loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', fixture))).app.outdir;
  }
}
