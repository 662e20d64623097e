import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config/load-config';
import type { ImageConfig } from '../../lib/config/model';
import { imageFingerprint } from '../../lib/stages/image-fingerprint';
import { ImageStage } from '../../lib/stages/image-stage';
import { configDirWith, FIXTURE_CONFIG_DIR, testArtifactDir } from '../helpers/synth-app';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The image stack's template text and fingerprint for an image configuration and application artifact. */
function imageStackOf(image: ImageConfig, artifactDir = testArtifactDir()): { template: string; fingerprint: string } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-fp-')) });
  const stage = new ImageStage(app, 'Image', { env: ENV, pipelineName: 'golden-ami', image, applicationArtifactDir: artifactDir });
  const fingerprint = imageFingerprint(stage.stack);
  const assembly = stage.synth();
  return { template: fs.readFileSync(assembly.getStackArtifact(stage.stack.artifactId).templateFullPath, 'utf8'), fingerprint };
}

const shipped = loadConfig(FIXTURE_CONFIG_DIR).images[0];
const imageFile = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'images', 'app-linux.yaml'), 'utf8');
const variant = (files: Record<string, string>) => loadConfig(configDirWith(files)).images[0];

describe('the image fingerprint', () => {
  const baseline = imageStackOf(shipped);

  test('is a stable sha256 of the image definition', () => {
    expect(baseline.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(imageStackOf(shipped).fingerprint).toBe(baseline.fingerprint);
  });

  test('changing only fleet settings leaves the image stack template byte-identical and the fingerprint unchanged', () => {
    const fleetOnly = variant({
      'images/app-linux.yaml': imageFile.replace('instanceType: t3.micro', 'instanceType: t3.large').replace('maxSize: 2', 'maxSize: 6').replace('pauseTime: PT5M', 'pauseTime: PT10M'),
    });
    expect(fleetOnly.fleet).toMatchObject({ instanceType: 't3.large', maxSize: 6 });
    const other = imageStackOf(fleetOnly);
    expect(other.template).toBe(baseline.template);
    expect(other.fingerprint).toBe(baseline.fingerprint);
  });

  test('changing the scan policy (threshold, ignore list) leaves the image alone: the same AMI is judged again', () => {
    const policyOnly = variant({ 'images/app-linux.yaml': `${imageFile}\nscanning:\n  failOn: HIGH\n  ignore:\n    - { id: CVE-2024-12345, reason: not loaded here, expires: 2027-01-31 }\n` });
    expect(policyOnly.scanning).toMatchObject({ enabled: true, failOn: 'HIGH' });
    const other = imageStackOf(policyOnly);
    expect(other.template).toBe(baseline.template);
    expect(other.fingerprint).toBe(baseline.fingerprint);
  });

  test('turning the scan off changes the image resource, so the next run builds a new version', () => {
    const unscanned = variant({ 'images/app-linux.yaml': `${imageFile}\nscanning: { enabled: false, reason: lab image scanned elsewhere }\n` });
    expect(imageStackOf(unscanned).fingerprint).not.toBe(baseline.fingerprint);
  });

  test('changes when a component document changes', () => {
    const component = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'components', 'app-service.yaml'), 'utf8');
    const changed = variant({ 'components/app-service.yaml': component.replace('seq 1 60', 'seq 1 90') });
    expect(imageStackOf(changed).fingerprint).not.toBe(baseline.fingerprint);
  });

  test('changes when the application changes', () => {
    const otherArtifact = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-app-changed-'));
    fs.cpSync(testArtifactDir(), otherArtifact, { recursive: true });
    fs.appendFileSync(path.join(otherArtifact, 'server.js'), '\n// a change to the application\n');
    expect(imageStackOf(shipped, otherArtifact).fingerprint).not.toBe(baseline.fingerprint);
  });

  test.each([
    ['the parent image', { parentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }],
    ['the build instance types', { buildInstanceTypes: ['t3.medium'] }],
    ['the root volume', { rootVolumeGiB: 20 }],
    ['the image tests switch', { tests: false }],
  ])('changes when %s changes', (_name, change) => {
    expect(imageStackOf({ ...shipped, ...change }).fingerprint).not.toBe(baseline.fingerprint);
  });
});
