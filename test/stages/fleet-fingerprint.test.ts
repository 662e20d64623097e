import { App, Stack } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config/load-config';
import type { FleetConfig, ImageConfig } from '../../lib/config/model';
import { collapseImageLevels } from '../../lib/pipeline/stage-stack-support';
import { fleetTemplateFingerprint } from '../../lib/stages/fleet-fingerprint';
import { FleetStage } from '../../lib/stages/fleet-stage';
import { CDK_CONTEXT, FIXTURE_CONFIG_DIR } from '../helpers/synth-app';

type FleetImage = ImageConfig & { readonly fleet: FleetConfig };
const appLinux = loadConfig(FIXTURE_CONFIG_DIR).images.find((i) => i.name === 'app-linux') as FleetImage;

/** The fingerprint of a fleet stack built on its own, and the TemplateFingerprint output of its synthesized template. */
function fingerprintOf(image: FleetImage): { computed: string; output: string } {
  const app = new App({ context: CDK_CONTEXT });
  const stage = new FleetStage(new Stack(app, 'golden-ami-pipeline'), `Fleet-${image.name}`, { env: { account: '123456789012', region: 'eu-west-1' }, pipelineName: 'golden-ami', image });
  const template = stage.synth().getStackArtifact(stage.stack.artifactId).template;
  return { computed: fleetTemplateFingerprint(stage.stack), output: template.Outputs.TemplateFingerprint.Value };
}

describe('the fleet template fingerprint', () => {
  const shipped = fingerprintOf(appLinux);

  test('the output carries the fingerprint of the final template (bootstrap-version parameter and rule included)', () => {
    expect(shipped.output).toMatch(/^[0-9a-f]{64}$/);
    expect(shipped.output).toBe(shipped.computed);
  });

  test('is the same for the same configuration: a new image alone lets the release step roll the fleet out', () => {
    // A new image changes the release-ami parameter's value, never the template.
    expect(fingerprintOf({ ...appLinux, version: '9.9' }).output).toBe(shipped.output);
  });

  test.each<[string, Partial<FleetConfig>]>([
    ['instance type', { instanceType: 't3.small' }],
    ['maximum size', { maxSize: appLinux.fleet.maxSize + 1 }],
  ])('changes with the fleet\'s %s: the DeployImage stage rolls that change out instead', (_name, change) => {
    expect(fingerprintOf({ ...appLinux, fleet: { ...appLinux.fleet, ...change } }).output).not.toBe(shipped.output);
  });
});

describe('collapseImageLevels', () => {
  const root = '/golden-ami/p';
  test('one image keeps exact names; a leaf shared by two or more images becomes one pattern', () => {
    expect(collapseImageLevels([`${root}/fleets/a/min-size`, `${root}/network/vpc-id`], 'p')).toEqual([`${root}/fleets/a/min-size`, `${root}/network/vpc-id`]);
    expect(
      collapseImageLevels([`${root}/fleets/a/min-size`, `${root}/fleets/b/min-size`, `${root}/images/a/release-ami`, `${root}/images/b/release-ami`, `${root}/fleets/a/desired-capacity`, '/cdk-bootstrap/x/version'], 'p'),
    ).toEqual([`${root}/fleets/a/desired-capacity`, '/cdk-bootstrap/x/version', `${root}/fleets/*/min-size`, `${root}/images/*/release-ami`]);
  });

  test('another pipeline whose name starts the same is not collapsed into this one\'s pattern', () => {
    const names = ['/golden-ami/p-2/fleets/a/min-size', '/golden-ami/p-2/fleets/b/min-size'];
    expect(collapseImageLevels(names, 'p')).toEqual(names);
  });
});
