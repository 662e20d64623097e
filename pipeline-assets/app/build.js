// Builds the artifact the image installs: one bundled server.js, the systemd unit and its start script.
// Used by the pipeline's Build step (`npm run build`) and by a local `cdk synth` (bin/app.ts requires buildApp),
// so the artifact is made the same way in both places. Output is deterministic, so the asset hash only changes
// when the application does.
const { buildSync } = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

/** Builds the artifact into outDir (replacing what was there) and returns outDir. */
function buildApp(outDir = path.join(__dirname, 'dist')) {
  const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, 'package.json'), 'utf8'));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [path.join(__dirname, 'src', 'main.ts')],
    outfile: path.join(outDir, 'server.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    legalComments: 'none',
    define: { __APP_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });
  for (const file of ['golden-ami-app.service', 'run.sh']) {
    fs.copyFileSync(path.join(__dirname, 'deploy', file), path.join(outDir, file));
  }
  fs.chmodSync(path.join(outDir, 'run.sh'), 0o755);
  fs.writeFileSync(path.join(outDir, 'VERSION'), `${version}\n`);
  return outDir;
}

module.exports = { buildApp };

if (require.main === module) {
  console.log(`built ${buildApp(process.argv[2])}`);
}
