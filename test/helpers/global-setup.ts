import { FIXTURE_ASSEMBLY_ENV } from './fixture-assembly';
import { synthApp } from './synth-app';

/** Synthesizes the test fixture once for the whole run (see fixture-assembly.ts). */
export default function globalSetup(): void {
  process.env[FIXTURE_ASSEMBLY_ENV] = synthApp().app.outdir;
}
