import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/config/config-error';
import { loadConfig, type LoadConfigOptions } from '../../lib/config/load-config';

/** A Linux component document AWSTOE and the loader accept. */
export const LINUX_COMPONENT = `name: Hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecuteBash
        inputs:
          commands: [echo hello]
`;

/** A Windows one. */
export const WINDOWS_COMPONENT = LINUX_COMPONENT.replace('ExecuteBash', 'ExecutePowerShell').replace('echo hello', 'Write-Host hello');

export const MINIMAL_LINUX_IMAGE = 'name: web\nversion: "1.0"\ncomponents: [aws/update-linux/x.x.x, hello]\n';

/**
 * A small configuration directory written from scratch, independent of pipeline-assets/: an empty pipeline.yaml (every
 * default), one Linux image `web` and two component documents; `files` replaces (or with null removes) any of them.
 */
export function smallConfigDir(files: Record<string, string | Buffer | null> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-small-config-'));
  const all: Record<string, string | Buffer | null> = {
    'pipeline.yaml': '',
    'images/web.yaml': MINIMAL_LINUX_IMAGE,
    'components/hello.yaml': LINUX_COMPONENT,
    'components/hello-windows.yaml': WINDOWS_COMPONENT,
    ...files,
  };
  for (const [file, content] of Object.entries(all)) {
    if (content === null) continue;
    const target = path.join(dir, file);
    if (file.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true }); // an empty folder
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return dir;
}

/** The problem lines of loading `dir`, with the directory taken out of file names; [] when it loads. */
export function problemLines(dir: string, options: LoadConfigOptions = {}): string[] {
  try {
    loadConfig(dir, options);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n').slice(1).map((l) => l.trim().replace(/^- /, '').replaceAll(`${dir}/`, '').replaceAll(dir, '<dir>'));
    throw err;
  }
}
