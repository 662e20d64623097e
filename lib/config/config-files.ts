import * as fs from 'fs';
import * as path from 'path';
import type { ConfigProblem } from './config-error';

/** Turns an absolute path into what a message shows: relative to the working directory where that is shorter. */
export function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

/**
 * Reads a configuration file as text, or reports why it cannot be used: UTF-16 (what Windows PowerShell 5 writes with
 * `>` or Out-File), a byte-order mark, or bytes that are not UTF-8. YAML parsers and Image Builder would otherwise
 * see garbage or a stray U+FEFF, and the message would not say why.
 */
export function readConfigText(file: string, problems: ConfigProblem[]): string | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    problems.push({ file: display(file), field: '', message: `cannot be read (${(err as Error).message})`, fix: 'create the file or check its permissions' });
    return undefined;
  }
  const saveAs = 'save it as UTF-8 without a byte-order mark (VS Code: "Save with Encoding" > UTF-8; PowerShell: Set-Content -Encoding utf8NoBOM, or Out-File -Encoding utf8 in PowerShell 7)';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksLikeUtf16(bytes)) {
    problems.push({ file: display(file), field: '', message: 'is saved as UTF-16; the configuration must be UTF-8', fix: saveAs });
    return undefined;
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    problems.push({ file: display(file), field: '', message: 'starts with a UTF-8 byte-order mark, which Image Builder and some YAML tools take as text', fix: saveAs });
    return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    problems.push({ file: display(file), field: '', message: 'is not valid UTF-8 (saved in another encoding, such as Windows-1252)', fix: saveAs });
    return undefined;
  }
}

/** UTF-16 without a byte-order mark: ASCII text has a zero byte in every other position. */
function looksLikeUtf16(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 200);
  if (sample.length < 4) return false;
  let zeros = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) zeros++;
  return zeros >= sample.length / 4;
}

/** Files a configuration folder may hold beside its YAML files without being read: hidden files and notes. */
function isIgnorable(name: string): boolean {
  return name.startsWith('.') || /\.md$/i.test(name) || /^readme/i.test(name);
}

/**
 * The YAML files directly in `dir` (`.yaml` or `.yml`), sorted, and a problem for everything else there that would
 * silently be skipped: another extension, or a subfolder. Hidden files and README/*.md notes are left alone.
 */
export function listYamlFiles(dir: string, problems: ConfigProblem[], what: 'image' | 'component'): string[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (isIgnorable(entry.name)) continue;
    if (entry.isDirectory()) {
      problems.push({
        file: display(full),
        field: '',
        message: `is a folder; only ${what} files directly in ${display(dir)} are read, so nothing in it is ${what === 'image' ? 'built' : 'available'}`,
        fix: `move its .yaml files up into ${display(dir)}`,
      });
    } else if (/\.ya?ml$/.test(entry.name)) {
      files.push(full);
    } else {
      const base = entry.name.replace(/\.[^.]*$/, '');
      const hint = /\.(yaml|yml)$/i.test(entry.name) ? `rename it to ${base}.yaml (lower case)` : /\.json$/i.test(entry.name) ? `write it as YAML in ${base}.yaml` : `rename it to ${base}.yaml if it is one, or move it out of ${display(dir)}`;
      problems.push({ file: display(full), field: '', message: `is not read: only .yaml files are ${what} ${what === 'image' ? 'definitions' : 'documents'}, so it is ${what === 'image' ? 'never built' : 'never available'}`, fix: hint });
    }
  }
  return files;
}
