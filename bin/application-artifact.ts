import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The sample application's folder, whose build.js makes the artifact. */
export const APPLICATION_DIR = path.join(__dirname, '..', 'pipeline-assets', 'app');

/**
 * The application artifact for this synth: the directory given (the pipeline passes the Build step's output), or a
 * fresh local build made by the application's own build.js — the same code the Build step runs.
 */
export function applicationArtifactDir(given: string | undefined): string {
  if (given) {
    const dir = path.resolve(given);
    if (!fs.existsSync(path.join(dir, 'server.js'))) {
      throw new Error(`applicationArtifactDir ${dir} holds no server.js. Fix: pass the Build step's output directory, or omit -c applicationArtifactDir to build locally`);
    }
    return dir;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require(path.join(APPLICATION_DIR, 'build.js')) as { buildApp: (outDir: string) => string };
  return buildApp(fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-app-')));
}
