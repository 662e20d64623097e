import { ConfigError } from '../../lib/config/config-error';
import { durationSeconds, loadConfig } from '../../lib/config/load-config';
import { configDirWith, FIXTURE_CONFIG_DIR } from '../helpers/synth-app';

const MINIMAL_IMAGE = 'name: app-linux\nversion: "1.0"\n';

/** The fleet an image file gets from `fleet: {}` — and the one the shipped app-linux spells out. */
const DEFAULT_FLEET = {
  instanceType: 't3.micro',
  minSize: 1,
  maxSize: 2,
  rollingUpdate: { maxBatchSize: 1, minInstancesInService: 1, pauseTime: 'PT10M' },
  healthCheck: { path: '/health', port: 8080, timeoutSeconds: 300 },
};

/** The problem lines, with the temporary directory taken out of the file names. */
function problemsFor(files: Record<string, string | null>): string[] {
  const dir = configDirWith(files);
  try {
    loadConfig(dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n').slice(1).map((l) => l.trim().replace(/^- /, '').replaceAll(`${dir}/`, ''));
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('the shipped configuration', () => {
  const config = loadConfig(FIXTURE_CONFIG_DIR);

  test('resolves to the Linux application image and the Windows IIS image, each with a fleet', () => {
    expect(config.name).toBe('golden-ami');
    expect(config.source).toEqual({ provider: 'codecommit', repository: 'golden-ami-pipeline', branch: 'main', createRepository: true, onDestroy: 'keep', ignorePaths: ['*.md', 'docs/**'] });
    expect(config.network).toEqual({ kind: 'create', vpcCidr: '10.40.0.0/16', maxAzs: 2, natGateways: 1, egress: 'on-demand' });
    expect(config.images.map((i) => [i.name, i.platform, i.fleet !== undefined])).toEqual([
      ['app-linux', 'linux', true],
      ['windows-iis', 'windows', true],
    ]);
    const image = config.images[0];
    expect(image.version).toBe('1.0');
    expect(image.components).toEqual([
      { kind: 'managed', name: 'update-linux', version: 'x.x.x' },
      expect.objectContaining({ kind: 'document', name: 'app-service', parameterNames: ['ApplicationArtifactS3Uri'], platforms: ['linux'] }),
    ]);
    expect(config.images[1]).toMatchObject({
      parentImage: 'windows-server-2022-english-full-base-x86/x.x.x',
      buildInstanceTypes: ['t3.large'],
      rootVolumeGiB: 30,
      rootDeviceName: '/dev/sda1',
      components: [{ kind: 'managed', name: 'update-windows', version: 'x.x.x' }, expect.objectContaining({ name: 'iis-web-server', platforms: ['windows'] })],
    });
    expect(image.fleet).toEqual(DEFAULT_FLEET);
  });
});

describe('defaults', () => {
  test('a minimal Windows image file gets the Windows defaults', () => {
    const config = loadConfig(configDirWith({ 'images/windows-iis.yaml': 'name: windows-iis\nversion: "2.0"\nplatform: windows\ncomponents: [iis-web-server]\n' }));
    expect(config.images[1]).toMatchObject({ parentImage: 'windows-server-2022-english-full-base-x86/x.x.x', buildInstanceTypes: ['t3.large'], rootVolumeGiB: 30, rootDeviceName: '/dev/sda1', testTimeoutMinutes: 60 });
  });

  test('a fleet in the pipeline region is fine when the image goes there among others', () => {
    const config = loadConfig(configDirWith({ 'pipeline.yaml': 'region: eu-west-1', 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [us-east-1, eu-west-1] }\nfleet: {}` }));
    expect(config.images[0].distribution.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  test('the fleet region check uses CDK_DEFAULT_REGION when pipeline.yaml names no region', () => {
    const dir = configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [us-east-1] }\nfleet: {}` });
    expect(() => loadConfig(dir)).not.toThrow();
    expect(() => loadConfig(dir, { defaultRegion: 'eu-central-1' })).toThrow(/distribution\.regions must include eu-central-1/);
  });

  test('a minimal image file gets every default from the schema', () => {
    const config = loadConfig(configDirWith({ 'images/app-linux.yaml': MINIMAL_IMAGE }));
    const image = config.images[0];
    expect(image).toMatchObject({
      platform: 'linux',
      parentImage: 'amazon-linux-2023-x86/x.x.x',
      buildInstanceTypes: ['t3.small'],
      rootVolumeGiB: 10,
      rootDeviceName: '/dev/xvda',
      tests: true,
      testTimeoutMinutes: 60,
      scanning: { enabled: true, file: expect.stringMatching(/images\/app-linux\.yaml$/), failOn: 'CRITICAL', ignore: [] },
      distribution: { regions: [], accounts: [], organizationArns: [], organizationalUnitArns: [], amiTags: {} },
      fleet: undefined,
    });
    expect(image.components.map((c) => c.name)).toEqual(['app-service']);
  });

  test('a scanning section resolves to the policy the release step applies; an unquoted date stays a date string', () => {
    const scanned = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning:\n  failOn: HIGH\n  ignore:\n    - { id: CVE-2024-12345, reason: kernel module not loaded, expires: 2027-01-31 }\n` })).images[0];
    expect(scanned.scanning).toEqual({ enabled: true, file: expect.any(String), failOn: 'HIGH', ignore: [{ id: 'CVE-2024-12345', reason: 'kernel module not loaded', expires: '2027-01-31' }] });
    const off = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}tests: false\nscanning: { enabled: false, reason: lab image scanned elsewhere }\n` })).images[0];
    expect(off.scanning).toEqual({ enabled: false, file: expect.any(String), reason: 'lab image scanned elsewhere' });
    // An image file from before scanning existed, with tests off, stays valid: not scanned, and its releases say why.
    const untested = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}tests: false\n` })).images[0];
    expect(untested.scanning).toEqual({ enabled: false, file: expect.any(String), reason: 'tests is false, and Inspector scans the test instance; set tests: true to scan this image' });
  });

  test('an empty pipeline.yaml means every pipeline default', () => {
    const config = loadConfig(configDirWith({ 'pipeline.yaml': '' }));
    expect(config.operations).toEqual({ rebuildSchedule: 'cron(0 3 ? * SUN *)', rebuild: { maxAge: 'P30D', maxAgeSeconds: 2_592_000 }, scheduleTimezone: 'UTC', alertEmails: [], slack: undefined, amiRetention: { keep: 5, deleteBeyond: 10 }, onDestroy: { sharedAmis: 'keep' } });
    expect(config.name).toBe('golden-ami');
    expect(config.source).toEqual({ provider: 'codecommit', repository: 'golden-ami-pipeline', branch: 'main', createRepository: true, onDestroy: 'keep', ignorePaths: ['*.md', 'docs/**'] });
    expect(config.network).toEqual({ kind: 'create', vpcCidr: '10.40.0.0/16', maxAzs: 2, natGateways: 1, egress: 'on-demand' });
  });

  test.each([
    ['P14D', 14 * 86_400],
    ['PT12H', 12 * 3_600],
    ['P1DT12H', 36 * 3_600],
    // Every scheduled run rebuilds every image, as before upstream checks.
    ['P0D', 0],
  ])('operations.rebuild.maxAge %s is %d seconds', (maxAge, seconds) => {
    const config = loadConfig(configDirWith({ 'pipeline.yaml': `operations: { rebuild: { maxAge: ${maxAge} } }` }));
    expect(config.operations.rebuild).toEqual({ maxAge, maxAgeSeconds: seconds });
  });

  test('a fleet gets the health check and rollout defaults', () => {
    const config = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: {}\n` }));
    expect(config.images[0].fleet).toEqual(DEFAULT_FLEET);
  });

  test('a Windows fleet gets a larger instance and the time a Windows first boot takes', () => {
    const config = loadConfig(configDirWith({ 'images/windows-iis.yaml': 'name: windows-iis\nversion: "1.0"\nplatform: windows\ncomponents: [iis-web-server]\nfleet: {}\n' }));
    expect(config.images[1].fleet).toMatchObject({ instanceType: 't3.medium', rollingUpdate: { pauseTime: 'PT20M' }, healthCheck: { timeoutSeconds: 900 } });
  });

  test('an internet-facing load balancer is open to anywhere, an internal one to the pipeline VPC', () => {
    const cert = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const open = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internet-facing, certificateArn: ${cert} } }\n` }));
    expect(open.images[0].fleet?.loadBalancer).toEqual({ scheme: 'internet-facing', certificateArn: cert, allowFrom: { cidrs: ['0.0.0.0/0'], prefixListIds: [], securityGroupIds: [] } });
    const internal = loadConfig(configDirWith({ 'pipeline.yaml': 'network: { vpcCidr: 10.77.0.0/16 }', 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal } }\n` }));
    expect(internal.images[0].fleet?.loadBalancer).toEqual({ scheme: 'internal', certificateArn: undefined, allowFrom: { cidrs: ['10.77.0.0/16'], prefixListIds: [], securityGroupIds: [] } });
  });

  test('ingress opens the health check port unless it names one', () => {
    const config = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { healthCheck: { port: 9000 }, ingress: { securityGroupIds: [sg-0123456789abcdef0] } }\n` }));
    expect(config.images[0].fleet?.ingress).toEqual({ port: 9000, from: { cidrs: [], prefixListIds: [], securityGroupIds: ['sg-0123456789abcdef0'] } });
  });

  test('an existing VPC may name its public subnets', () => {
    const config = loadConfig(configDirWith({ 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0], publicSubnetIds: [subnet-0123456789abcdef1] }' }));
    expect(config.network).toEqual({ kind: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], publicSubnetIds: ['subnet-0123456789abcdef1'] });
  });

  test('minInstancesInService defaults to the minimum fleet, kept below maxSize', () => {
    const config = loadConfig(configDirWith({ 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { minSize: 3, maxSize: 3 }\n` }));
    expect(config.images[0].fleet?.rollingUpdate.minInstancesInService).toBe(2);
  });

  test('an empty ignorePaths starts a run on every push', () => {
    expect(loadConfig(configDirWith({ 'pipeline.yaml': 'source: { ignorePaths: [] }' })).source.ignorePaths).toEqual([]);
    expect(loadConfig(configDirWith({ 'pipeline.yaml': 'source: { ignorePaths: ["**/*.md", "docs/**", "pipeline-assets/app/README.txt"] }' })).source.ignorePaths).toEqual(['**/*.md', 'docs/**', 'pipeline-assets/app/README.txt']);
  });

  test('GitHub source and an existing network resolve', () => {
    const config = loadConfig(
      configDirWith({
        'pipeline.yaml': [
          'source: { provider: github, repository: my-org/images, branch: release, connectionArn: "arn:aws:codeconnections:eu-west-1:123456789012:connection/abcd-1234" }',
          'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1] }',
        ].join('\n'),
      }),
    );
    expect(config.source).toEqual({ provider: 'github', repository: 'my-org/images', branch: 'release', connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abcd-1234', ignorePaths: ['*.md', 'docs/**'] });
    expect(config.network).toEqual({ kind: 'existing', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], publicSubnetIds: [] });
  });
});

/** One bad configuration per rule: the files to change, and the one line the user must see. */
const BAD_CONFIGURATIONS: Array<[string, Record<string, string | null>, RegExp]> = [
  ['YAML syntax error', { 'pipeline.yaml': 'name: [unclosed' }, /^pipeline\.yaml is not valid YAML: .*Fix: correct the YAML syntax/],
  ['a list where a mapping belongs', { 'pipeline.yaml': '- a\n- b' }, /^pipeline\.yaml must hold a mapping of fields \(got \["a","b"\]\)/],
  ['unknown pipeline field', { 'pipeline.yaml': 'nmae: x' }, /^pipeline\.yaml: nmae is not a known field\. Fix: remove it or correct its spelling; known fields here: name, account, region, source, network, environments, operations$/],
  ['bad pipeline name', { 'pipeline.yaml': 'name: 9lives' }, /^pipeline\.yaml: name is not valid \(got "9lives"\)\. Fix: use 1-30 letters/],
  ['unquoted account id (a number)', { 'pipeline.yaml': 'account: 123456789012' }, /^pipeline\.yaml: account must be a string \(got 123456789012\)\. Fix: quote a 12-digit account id/],
  ['malformed account id', { 'pipeline.yaml': 'account: "12345"' }, /^pipeline\.yaml: account is not valid \(got "12345"\)/],
  ['malformed region', { 'pipeline.yaml': 'region: Europe' }, /^pipeline\.yaml: region is not valid \(got "Europe"\)\. Fix: use a region code such as eu-west-1/],
  ['unknown source provider', { 'pipeline.yaml': 'source: { provider: gitlab }' }, /^pipeline\.yaml: source\.provider must be one of codecommit, github \(got "gitlab"\)/],
  ['github without a connection', { 'pipeline.yaml': 'source: { provider: github, repository: a/b }' }, /^pipeline\.yaml: source\.connectionArn is required when source\.provider is github/],
  ['github repository not owner/name', { 'pipeline.yaml': 'source: { provider: github, repository: justname, connectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x1" }' }, /^pipeline\.yaml: source\.repository must be owner\/repository for GitHub \(got "justname"\)/],
  ['onDestroy with github', { 'pipeline.yaml': 'source: { provider: github, repository: a/b, onDestroy: keep, connectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x1" }' }, /^pipeline\.yaml: source\.onDestroy applies to codecommit only \(got "keep"\)\. Fix: remove it/],
  ['onDestroy delete of a repository the pipeline did not create', { 'pipeline.yaml': 'source: { createRepository: false, onDestroy: delete }' }, /^pipeline\.yaml: source\.onDestroy can delete only a repository the pipeline created .*\(got "delete"\)\. Fix: remove source\.onDestroy/],
  ['onDestroy neither keep nor delete', { 'pipeline.yaml': 'source: { onDestroy: retain }' }, /^pipeline\.yaml: source\.onDestroy .*\(got "retain"\)\. Fix: use keep or delete/],
  ['sharedAmis neither keep nor delete', { 'pipeline.yaml': 'operations: { onDestroy: { sharedAmis: yes } }' }, /^pipeline\.yaml: operations\.onDestroy\.sharedAmis .*\(got "yes"\)\. Fix: use keep or delete/],
  ['createRepository with github', { 'pipeline.yaml': 'source: { provider: github, repository: a/b, createRepository: true, connectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x1" }' }, /^pipeline\.yaml: source\.createRepository applies to codecommit only/],
  ['connectionArn with codecommit', { 'pipeline.yaml': 'source: { connectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x1" }' }, /^pipeline\.yaml: source\.connectionArn applies to github only/],
  ['bad CodeCommit repository name', { 'pipeline.yaml': 'source: { repository: "my repo" }' }, /^pipeline\.yaml: source\.repository is not a valid CodeCommit repository name \(got "my repo"\)/],
  ['an ignore pattern written from /', { 'pipeline.yaml': 'source: { ignorePaths: ["/docs/**"] }' }, /^pipeline\.yaml: source\.ignorePaths\[0\] is a path from the repository root and never starts with \/ or \.\/ \(got "\/docs\/\*\*"\)\. Fix: write it as docs\/\*\*/],
  ['a negated ignore pattern', { 'pipeline.yaml': 'source: { ignorePaths: ["!lib/**"] }' }, /^pipeline\.yaml: source\.ignorePaths\[0\] negates, which CodePipeline's glob syntax does not/],
  ['an ignore pattern that matches the configuration', { 'pipeline.yaml': 'source: { ignorePaths: ["pipeline-assets/**"] }' }, /^pipeline\.yaml: source\.ignorePaths\[0\] would ignore pipeline-assets\/pipeline\.yaml, which every run reads: a change to it must start a run \(got "pipeline-assets\/\*\*"\)\. Fix: narrow the pattern/],
  ['an ignore pattern that matches an image file', { 'pipeline.yaml': 'source: { ignorePaths: ["**/*.yaml"] }' }, /^pipeline\.yaml: source\.ignorePaths\[0\] would ignore pipeline-assets\/pipeline\.yaml/],
  ['an ignore pattern that matches the lockfile', { 'pipeline.yaml': 'source: { ignorePaths: ["*.json"] }' }, /^pipeline\.yaml: source\.ignorePaths\[0\] would ignore package\.json, which every run reads/],
  ['more ignore patterns than CodePipeline takes', { 'pipeline.yaml': `source: { ignorePaths: [${Array.from({ length: 9 }, (_, i) => `"d${i}/**"`).join(', ')}] }` }, /^pipeline\.yaml: source\.ignorePaths must NOT have more than 8 items .*Fix: list up to 8 glob patterns/],
  ['subnets without a VPC', { 'pipeline.yaml': 'network: { subnetIds: [subnet-0123456789abcdef0] }' }, /^pipeline\.yaml: network\.vpcId is required with network\.subnetIds/],
  ['VPC settings mixed with an existing VPC', { 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0], natGateways: 2 }' }, /^pipeline\.yaml: network\.natGateways applies only to a VPC the pipeline creates \(got 2\)/],
  ['malformed subnet id', { 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-xyz] }' }, /^pipeline\.yaml: network\.subnetIds\[0\] is not valid \(got "subnet-xyz"\)\. Fix: give subnet ids/],
  ['egress neither on-demand nor always', { 'pipeline.yaml': 'network: { egress: never }' }, /^pipeline\.yaml: network\.egress .*\(got "never"\)\. Fix: use on-demand \(no NAT gateway billed while every fleet is at zero\) or always/],
  ['egress with an existing VPC', { 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0], egress: always }' }, /^pipeline\.yaml: network\.egress applies only to a VPC the pipeline creates \(got "always"\)/],
  ['more NAT gateways than zones', { 'pipeline.yaml': 'network: { maxAzs: 1, natGateways: 2 }' }, /^pipeline\.yaml: network\.natGateways must not exceed network\.maxAzs \(1\) \(got 2\)/],
  ['no image files', { 'images/app-linux.yaml': null, 'images/windows-iis.yaml': null }, /^images holds no image definition\. Fix: add at least one <name>\.yaml image file/],
  ['image name differs from file name', { 'images/app-linux.yaml': 'name: web\nversion: "1.0"' }, /^images\/app-linux\.yaml: name must equal the file name "app-linux" \(got "web"\)\. Fix: rename the file to web\.yaml or set name: app-linux/],
  ['missing version', { 'images/app-linux.yaml': 'name: app-linux' }, /^images\/app-linux\.yaml: version is required\. Fix: quote a MAJOR\.MINOR version/],
  ['version with a patch', { 'images/app-linux.yaml': 'name: app-linux\nversion: "1.0.3"' }, /^images\/app-linux\.yaml: version is not valid \(got "1\.0\.3"\)\. Fix: quote a MAJOR\.MINOR version such as "1\.0" \(PATCH is counted by the pipeline\)/],
  ['unquoted version (a number)', { 'images/app-linux.yaml': 'name: app-linux\nversion: 1.0' }, /^images\/app-linux\.yaml: version must be a string \(got 1\)/],
  ['unknown component file', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}components: [app-service, hardening]` }, /^images\/app-linux\.yaml: components\[1\] names no file in components\/ \(got "hardening"\)\. Fix: add components\/hardening\.yaml or use one of: app-service/],
  ['bad parent image', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}parentImage: ubuntu-latest` }, /^images\/app-linux\.yaml: parentImage is not valid \(got "ubuntu-latest"\)/],
  ['root volume too small', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}rootVolumeGiB: 4` }, /^images\/app-linux\.yaml: rootVolumeGiB must be >= 8 \(got 4\)\. Fix: use a whole number of GiB from 8 to 16384/],
  ['fractional fleet size', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { maxSize: 1.5 }` }, /^images\/app-linux\.yaml: fleet\.maxSize must be a whole number \(got 1\.5\)/],
  ['negative minimum', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { minSize: -1 }` }, /^images\/app-linux\.yaml: fleet\.minSize must be >= 0 \(got -1\)/],
  ['minSize above maxSize', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { minSize: 3, maxSize: 2 }` }, /^images\/app-linux\.yaml: fleet\.minSize must not exceed fleet\.maxSize \(2\) \(got 3\)/],
  ['minInstancesInService not below maxSize', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { maxSize: 2, rollingUpdate: { minInstancesInService: 2 } }` }, /^images\/app-linux\.yaml: fleet\.rollingUpdate\.minInstancesInService must be less than fleet\.maxSize \(2\), as CloudFormation requires \(got 2\)\. Fix: use at most 1 or raise fleet\.maxSize/],
  ['batch larger than the fleet', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { maxSize: 2, rollingUpdate: { maxBatchSize: 3 } }` }, /^images\/app-linux\.yaml: fleet\.rollingUpdate\.maxBatchSize must not exceed fleet\.maxSize \(2\) \(got 3\)/],
  ['pause longer than an hour', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { rollingUpdate: { pauseTime: PT61M } }` }, /^images\/app-linux\.yaml: fleet\.rollingUpdate\.pauseTime must be at most PT1H, as CloudFormation requires \(got "PT61M"\)/],
  ['pause no longer than the health check', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { rollingUpdate: { pauseTime: PT5M }, healthCheck: { timeoutSeconds: 300 } }` }, /^images\/app-linux\.yaml: fleet\.rollingUpdate\.pauseTime must be longer than fleet\.healthCheck\.timeoutSeconds \(300 s\), or healthy instances are given up on before they can signal \(got "PT5M"\)\. Fix: use at least PT6M or lower fleet\.healthCheck\.timeoutSeconds/],
  ['health check on a port out of range', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { healthCheck: { port: 70000 } }` }, /^images\/app-linux\.yaml: fleet\.healthCheck\.port must be <= 65535 \(got 70000\)\. Fix: use a port from 1 to 65535/],
  ['health check path not absolute', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { healthCheck: { path: health } }` }, /^images\/app-linux\.yaml: fleet\.healthCheck\.path is not valid \(got "health"\)\. Fix: use an absolute path such as \/health/],
  ['pause not ISO 8601', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { rollingUpdate: { pauseTime: 5m } }` }, /^images\/app-linux\.yaml: fleet\.rollingUpdate\.pauseTime is not valid \(got "5m"\)\. Fix: use an ISO 8601 duration such as PT10M \(at most PT1H, more than healthCheck\.timeoutSeconds\)/],
  ['unknown fleet field', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { desired: 2 }` }, /^images\/app-linux\.yaml: fleet\.desired is not a known field\. Fix: remove it or correct its spelling; known fields here: instanceType, minSize, maxSize, rollingUpdate, healthCheck/],
  ['two files with the same image name', { 'images/app-linux.yml': MINIMAL_IMAGE }, /^images\/app-linux\.yml: name is already used by images\/app-linux\.yaml \(got "app-linux"\)\. Fix: give each image its own name/],
  ['a Windows component on a Linux image', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}components: [iis-web-server]` }, /^images\/app-linux\.yaml: components\[0\] runs windows steps \(ExecutePowerShell\), but the image is linux \(got "iis-web-server"\)\. Fix: use a linux component, or set platform: windows/],
  ['a Linux component on a Windows image', { 'images/windows-iis.yaml': 'name: windows-iis\nversion: "1.0"\nplatform: windows\ncomponents: [app-service]' }, /^images\/windows-iis\.yaml: components\[0\] runs linux steps \(ExecuteBash\), but the image is windows \(got "app-service"\)/],
  ['an AWS-managed Windows component on a Linux image', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}components: [aws/update-windows/x.x.x, app-service]` }, /^images\/app-linux\.yaml: components\[0\] is a windows component, but the image is linux \(got "aws\/update-windows\/x\.x\.x"\)\. Fix: use the linux counterpart \(e\.g\. aws\/update-linux\/x\.x\.x\)/],
  ['an AWS-managed component without a version', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}components: [aws/update-linux]` }, /^images\/app-linux\.yaml: components\[0\] is not valid \(got "aws\/update-linux"\)\. Fix: name a file in pipeline-assets\/components\/ .* or an AWS-managed component as aws\/<name>\/<version>/],
  ['an unknown platform', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}platform: macos` }, /^images\/app-linux\.yaml: platform must be one of linux, windows \(got "macos"\)/],
  ['an unknown distribution region', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [eu-west-9] }` }, /^images\/app-linux\.yaml: distribution\.regions\[0\] is not a known AWS region \(got "eu-west-9"\)\. Fix: use a region code such as eu-west-1/],
  ['a malformed distribution region', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [Ireland] }` }, /^images\/app-linux\.yaml: distribution\.regions\[0\] is not valid \(got "Ireland"\)/],
  ['an unknown pipeline region', { 'pipeline.yaml': 'region: xx-east-9' }, /^pipeline\.yaml: region is not a known AWS region \(got "xx-east-9"\)/],
  ['a malformed account to share with', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { accounts: ["12345678901"] }` }, /^images\/app-linux\.yaml: distribution\.accounts\[0\] is not valid \(got "12345678901"\)\. Fix: quote 12-digit account ids/],
  ['a malformed organization ARN', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { organizationArns: ["arn:aws:organizations::123456789012:organization/x"] }` }, /^images\/app-linux\.yaml: distribution\.organizationArns\[0\] is not valid .*Fix: use an organization ARN such as/],
  ['a malformed OU ARN', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { organizationalUnitArns: ["ou-ab12-cdefgh34"] }` }, /^images\/app-linux\.yaml: distribution\.organizationalUnitArns\[0\] is not valid \(got "ou-ab12-cdefgh34"\)\. Fix: use an OU ARN such as/],
  ['an AMI name without the build date', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { amiName: my-image }` }, /^images\/app-linux\.yaml: distribution\.amiName must contain \{\{ imagebuilder:buildDate \}\}, or the second build fails on a duplicate AMI name \(got "my-image"\)\. Fix: append it, e\.g\. my-image-\{\{ imagebuilder:buildDate \}\}/],
  ['an SSM output that is not a path', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { ssmParameter: latest-ami }` }, /^images\/app-linux\.yaml: distribution\.ssmParameter is not valid \(got "latest-ami"\)\. Fix: use a parameter path/],
  ['a fleet whose region the image is not distributed to', { 'pipeline.yaml': 'region: eu-west-1', 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [us-east-1] }\nfleet: {}` }, /^images\/app-linux\.yaml: distribution\.regions must include eu-west-1, where the image's fleet runs \(got \["us-east-1"\]\)\. Fix: add eu-west-1 to distribution\.regions, or remove the fleet/],
  ['an image named like a rebuild word', { 'images/app-linux.yaml': null, 'images/scheduled.yaml': 'name: scheduled\nversion: "1.0"' }, /^images\/scheduled\.yaml: name is a word of the pipeline's rebuild variable \(true, all, scheduled\), so rebuild=scheduled could never name just this image \(got "scheduled"\)\. Fix: choose another name/],
  ['an internet-facing load balancer without a certificate', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internet-facing } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.certificateArn is required for an internet-facing load balancer: plain HTTP from the internet is refused\. Fix: give the ARN of an ACM certificate/],
  ['a load balancer without a scheme', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.scheme is required\. Fix: use internet-facing or internal/],
  ['a certificate that is not an ACM ARN', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal, certificateArn: arn:aws:iam::123456789012:server-certificate/web } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.certificateArn is not valid \(got "arn:aws:iam::123456789012:server-certificate\/web"\)\. Fix: give an ACM certificate ARN/],
  ['a certificate of another region', { 'pipeline.yaml': 'region: us-east-1', 'images/app-linux.yaml': `${MINIMAL_IMAGE}distribution: { regions: [us-east-1] }\nfleet: { loadBalancer: { scheme: internet-facing, certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.certificateArn is in eu-west-1, but the fleet's load balancer is in us-east-1; a load balancer can use only certificates of its own region \(got "arn:aws:acm:eu-west-1:.*"\)\. Fix: request or import the certificate in ACM in us-east-1/],
  ['a load balancer nobody may reach', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal, allowFrom: {} } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.allowFrom names no source, so nobody could reach the load balancer/],
  ['an internal load balancer open to the internet', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal, allowFrom: { cidrs: [0.0.0.0/0] } } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.allowFrom\.cidrs includes 0\.0\.0\.0\/0, but an internal load balancer is reachable only from inside the VPC/],
  ['ingress beside a load balancer', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal }, ingress: { cidrs: [10.0.0.0/8] } }` }, /^images\/app-linux\.yaml: fleet\.ingress cannot be combined with fleet\.loadBalancer: with a load balancer the instances accept traffic from it only\. Fix: put who may reach the fleet in fleet\.loadBalancer\.allowFrom/],
  ['ingress without a source', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { ingress: { port: 7000 } }` }, /^images\/app-linux\.yaml: fleet\.ingress names no source, so it would open nothing/],
  ['ingress from anywhere', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { ingress: { cidrs: [0.0.0.0/0] } }` }, /^images\/app-linux\.yaml: fleet\.ingress\.cidrs includes 0\.0\.0\.0\/0; fleet instances run in private subnets.*Fix: list the networks that should reach the instances, or serve the internet through fleet\.loadBalancer/],
  ['a malformed ingress CIDR', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { ingress: { cidrs: [10.0.0.0/33] } }` }, /^images\/app-linux\.yaml: fleet\.ingress\.cidrs\[0\] is not valid \(got "10\.0\.0\.0\/33"\)\. Fix: use an IPv4 CIDR/],
  ['an internet-facing load balancer in an existing VPC without public subnets', { 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0] }', 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internet-facing, certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 } }` }, /^pipeline\.yaml: network\.publicSubnetIds is required: images\/app-linux\.yaml puts an internet-facing load balancer in front of fleet app-linux/],
  ['an internal load balancer in an existing VPC without allowFrom', { 'pipeline.yaml': 'network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0] }', 'images/app-linux.yaml': `${MINIMAL_IMAGE}fleet: { loadBalancer: { scheme: internal } }` }, /^images\/app-linux\.yaml: fleet\.loadBalancer\.allowFrom is required for an internal load balancer in an existing VPC/],
  ['public subnets for a VPC the pipeline creates', { 'pipeline.yaml': 'network: { publicSubnetIds: [subnet-0123456789abcdef0] }' }, /^pipeline\.yaml: network\.publicSubnetIds applies only to an existing VPC/],
  ['a Windows root volume under 30 GiB', { 'images/windows-iis.yaml': 'name: windows-iis\nversion: "1.0"\nplatform: windows\ncomponents: [iis-web-server]\nrootVolumeGiB: 20' }, /^images\/windows-iis\.yaml: rootVolumeGiB must be at least 30 for Windows Server \(got 20\)/],
  ['a test timeout below Image Builder\'s minimum', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}testTimeoutMinutes: 30` }, /^images\/app-linux\.yaml: testTimeoutMinutes must be >= 60 \(got 30\)\. Fix: use 60 to 1440 minutes/],
  ['a schedule that is neither cron nor rate', { 'pipeline.yaml': 'operations: { rebuildSchedule: weekly }' }, /^pipeline\.yaml: operations\.rebuildSchedule is not valid \(got "weekly"\)\. Fix: use e\.g\. cron\(0 3 \? \* SUN \*\) \(weekly\), rate\(7 days\), or none/],
  ['a maximum age in weeks', { 'pipeline.yaml': 'operations: { rebuild: { maxAge: P4W } }' }, /^pipeline\.yaml: operations\.rebuild\.maxAge is not valid \(got "P4W"\)\. Fix: use an ISO 8601 duration of days, hours, minutes or seconds, e\.g\. P30D/],
  ['a maximum age with no amount', { 'pipeline.yaml': 'operations: { rebuild: { maxAge: PT } }' }, /^pipeline\.yaml: operations\.rebuild\.maxAge is not an ISO 8601 duration of days, hours, minutes and seconds \(got "PT"\)\. Fix: use e\.g\. P30D, P14D or PT12H/],
  ['a maximum age of decades', { 'pipeline.yaml': 'operations: { rebuild: { maxAge: P36500D } }' }, /^pipeline\.yaml: operations\.rebuild\.maxAge must be at most P3650D \(got "P36500D"\)\. Fix: use a shorter duration such as P30D/],
  ['an unknown rebuild setting', { 'pipeline.yaml': 'operations: { rebuild: { always: true } }' }, /^pipeline\.yaml: operations\.rebuild\.always is not a known field\. Fix: remove it or correct its spelling; known fields here: maxAge/],
  ['a malformed alert e-mail', { 'pipeline.yaml': 'operations: { alertEmails: [ops-at-example] }' }, /^pipeline\.yaml: operations\.alertEmails\[0\] is not valid \(got "ops-at-example"\)\. Fix: use an e-mail address/],
  ['Slack without a channel', { 'pipeline.yaml': 'operations: { slack: { workspaceId: T0123456789 } }' }, /^pipeline\.yaml: operations\.slack\.channelId is required\. Fix: use the channel id/],
  ['deleting AMIs sooner than keeping them', { 'pipeline.yaml': 'operations: { amiRetention: { keep: 5, deleteBeyond: 3 } }' }, /^pipeline\.yaml: operations\.amiRetention\.deleteBeyond must be at least operations\.amiRetention\.keep \(5\) \(got 3\)\. Fix: use 5 or more/],
  ['scanning asked for without tests', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}tests: false\nscanning: { enabled: true }` }, /^images\/app-linux\.yaml: scanning\.enabled is true, but tests is false: Amazon Inspector scans the instance Image Builder launches for the tests \(got true\)\. Fix: set tests: true, or turn scanning off/],
  ['scanning off without a reason', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { enabled: false }` }, /^images\/app-linux\.yaml: scanning\.reason is required when scanning\.enabled is false: every release of an unscanned image shows it\. Fix: say why/],
  ['an ignore list while scanning is off', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { enabled: false, reason: lab image, ignore: [{ id: CVE-2024-1, reason: x y z, expires: 2027-01-01 }] }` }, /^images\/app-linux\.yaml: scanning\.ignore has entries, but scanning is off, so nothing would be ignored \(got \["CVE-2024-1"\]\)/],
  ['a reason while scanning is on', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { reason: because }` }, /^images\/app-linux\.yaml: scanning\.reason is only for turning scanning off \(got "because"\)\. Fix: remove it/],
  ['an unknown severity', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { failOn: LOW }` }, /^images\/app-linux\.yaml: scanning\.failOn must be one of CRITICAL, HIGH, MEDIUM, none \(got "LOW"\)\. Fix: use CRITICAL, HIGH, MEDIUM or none/],
  ['an ignore entry without an expiry', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { ignore: [{ id: CVE-2024-1, reason: not loaded }] }` }, /^images\/app-linux\.yaml: scanning\.ignore\[0\]\.expires is required\. Fix: write a date as YYYY-MM-DD/],
  ['an ignore entry without a reason', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { ignore: [{ id: CVE-2024-1, expires: 2027-01-31 }] }` }, /^images\/app-linux\.yaml: scanning\.ignore\[0\]\.reason is required/],
  ['an impossible expiry date', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { ignore: [{ id: CVE-2024-1, reason: not loaded, expires: 2027-02-30 }] }` }, /^images\/app-linux\.yaml: scanning\.ignore\[0\]\.expires is not a calendar date \(got "2027-02-30"\)\. Fix: write a real date/],
  ['an expiry that is not a date', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { ignore: [{ id: CVE-2024-1, reason: not loaded, expires: next year }] }` }, /^images\/app-linux\.yaml: scanning\.ignore\[0\]\.expires is not valid \(got "next year"\)\. Fix: write a date as YYYY-MM-DD/],
  ['a CVE ignored twice', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning: { ignore: [{ id: CVE-2024-1, reason: a b c, expires: 2027-01-01 }, { id: CVE-2024-1, reason: d e f, expires: 2027-02-01 }] }` }, /^images\/app-linux\.yaml: scanning\.ignore\[1\]\.id is listed twice \(got "CVE-2024-1"\)\. Fix: keep one entry per id/],
  ['an ignore list too large to store', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning:\n  ignore:\n${Array.from({ length: 20 }, (_, i) => `    - { id: CVE-2024-${1000 + i}, reason: "${'r'.repeat(250)}", expires: 2027-01-01 }`).join('\n')}` }, /^images\/app-linux\.yaml: scanning\.ignore makes a scan policy of \d+ bytes with 20 entries; the pipeline stores it in one standard SSM parameter, at most 4096\. Fix: shorten the reasons/],
  // 14 reasons of 150 accented letters: about 2,700 characters, but about 4,900 bytes of UTF-8, as SSM counts.
  ['an ignore list whose reasons fit in characters but not in bytes', { 'images/app-linux.yaml': `${MINIMAL_IMAGE}scanning:\n  ignore:\n${Array.from({ length: 14 }, (_, i) => `    - { id: CVE-2024-${1000 + i}, reason: "${'é'.repeat(150)}", expires: 2027-01-01 }`).join('\n')}` }, /^images\/app-linux\.yaml: scanning\.ignore makes a scan policy of \d+ bytes with 14 entries/],
  ['component document without phases', { 'components/app-service.yaml': 'name: x\nschemaVersion: 1.0' }, /^components\/app-service\.yaml: phases must list at least one phase/],
];

describe('a bad configuration fails with file, field, value and fix', () => {
  test.each(BAD_CONFIGURATIONS)('%s', (_name, files, expected) => {
    const problems = problemsFor(files);
    expect(problems.some((p) => expected.test(p))).toBe(true);
    // Every message tells the user what to do.
    for (const p of problems) expect(p).toMatch(/\. Fix: \S/);
  });

  test('every problem is reported at once, not just the first', () => {
    const problems = problemsFor({ 'pipeline.yaml': 'name: "bad name"\nregion: nowhere', 'images/app-linux.yaml': 'name: app-linux\nversion: "x"' });
    expect(problems).toHaveLength(3);
  });
});

describe('durationSeconds', () => {
  test.each([
    ['PT5M', 300],
    ['PT1H', 3600],
    ['PT1H30S', 3630],
    ['PT90S', 90],
  ])('%s is %d s', (duration, seconds) => expect(durationSeconds(duration)).toBe(seconds));

  test('rejects anything else', () => expect(() => durationSeconds('5 minutes')).toThrow(/not an ISO 8601 duration/));
});
