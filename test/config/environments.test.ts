import * as path from 'path';
import { loadConfig } from '../../lib/config/load-config';
import type { FleetConfig } from '../../lib/config/model';
import { REPO_ROOT, SHIPPED_CONFIG_DIR } from '../helpers/synth-app';
import { MINIMAL_LINUX_IMAGE, problemLines, smallConfigDir } from './small-config';

/** pipeline.yaml's environments, one flow mapping a line. */
const TEST = '  - { name: test, account: "222222222222", region: us-east-1, network: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0123456789abcdef1] } }';
const PRODUCTION =
  '  - { name: production, account: "333333333333", region: eu-west-1, approval: true, network: { vpcId: vpc-0123456789abcdef1, subnetIds: [subnet-0123456789abcdef2, subnet-0123456789abcdef3], publicSubnetIds: [subnet-0123456789abcdef4, subnet-0123456789abcdef5] } }';

/** A pipeline.yaml with the pipeline's account and these environments. */
const pipeline = (...environments: string[]) => `account: "111111111111"\nenvironments:\n${environments.join('\n')}\n`;
/** The small configuration's image `web` with this fleet (a YAML flow mapping). */
const web = (fleet: string) => `${MINIMAL_LINUX_IMAGE}fleet: ${fleet}\n`;
/** Test and production, and `web` with this fleet. */
const twoEnvironments = (fleet: string) => ({ 'pipeline.yaml': pipeline(TEST, PRODUCTION), 'images/web.yaml': web(fleet) });

const US_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const EU_CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/** What `fleet: {}` resolves to on Linux. */
const DEFAULT_FLEET: FleetConfig = {
  instanceType: 't3.micro',
  minSize: 1,
  maxSize: 2,
  rollingUpdate: { maxBatchSize: 1, minInstancesInService: 1, pauseTime: 'PT10M' },
  healthCheck: { path: '/health', port: 8080, timeoutSeconds: 300 },
};

describe('environments resolve', () => {
  test('in file order, with their defaults, and every fleet in each environment: the image\'s settings with the environment\'s over them', () => {
    const config = loadConfig(
      smallConfigDir({
        ...twoEnvironments('{ minSize: 1, maxSize: 3, environments: { production: { instanceType: t3.small, minSize: 2, maxSize: 4 } } }'),
        'images/batch.yaml': 'name: batch\nversion: "1.0"\ncomponents: [hello]\n',
      }),
    );
    expect(config.environments).toEqual([
      { name: 'test', account: '222222222222', region: 'us-east-1', approval: false, network: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], publicSubnetIds: [] } },
      {
        name: 'production',
        account: '333333333333',
        region: 'eu-west-1',
        approval: true,
        network: { vpcId: 'vpc-0123456789abcdef1', subnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'], publicSubnetIds: ['subnet-0123456789abcdef4', 'subnet-0123456789abcdef5'] },
      },
    ]);
    const [batch, image] = config.images;
    const fleet = { ...DEFAULT_FLEET, maxSize: 3 };
    expect(image.fleet).toEqual(fleet);
    // minInstancesInService is worked out again from the environment's sizes: min(2, 4 - 1).
    expect(image.fleetIn).toEqual({
      test: fleet,
      production: { ...fleet, instanceType: 't3.small', minSize: 2, maxSize: 4, rollingUpdate: { ...fleet.rollingUpdate, minInstancesInService: 2 } },
    });
    expect(Object.keys(image.fleetIn)).toEqual(['test', 'production']);
    expect(batch.fleetIn).toEqual({});
  });

  test('an environment\'s load balancer replaces the image\'s; an inherited one keeps its settings', () => {
    const config = loadConfig(
      smallConfigDir(
        twoEnvironments(`{ loadBalancer: { scheme: internal, allowFrom: { cidrs: [10.0.0.0/8] } }, environments: { production: { loadBalancer: { scheme: internet-facing, certificateArn: "${EU_CERTIFICATE}" } } } }`),
      ),
    );
    const { fleetIn } = config.images[0];
    expect(fleetIn.test.loadBalancer).toEqual({ scheme: 'internal', certificateArn: undefined, allowFrom: { cidrs: ['10.0.0.0/8'], prefixListIds: [], securityGroupIds: [] } });
    expect(fleetIn.production.loadBalancer).toEqual({ scheme: 'internet-facing', certificateArn: EU_CERTIFICATE, allowFrom: { cidrs: ['0.0.0.0/0'], prefixListIds: [], securityGroupIds: [] } });
  });

  test('the first environment may ask for approval', () => {
    const config = loadConfig(smallConfigDir({ 'pipeline.yaml': pipeline(TEST.replace('region: us-east-1,', 'region: us-east-1, approval: true,'), PRODUCTION) }));
    expect(config.environments.map((e) => e.approval)).toEqual([true, true]);
  });

  test('the pipeline\'s account may come from CDK_DEFAULT_ACCOUNT', () => {
    const dir = smallConfigDir({ 'pipeline.yaml': `environments:\n${TEST}\n` });
    expect(loadConfig(dir, { defaultAccount: '111111111111' }).environments.map((e) => e.name)).toEqual(['test']);
  });

  test('without environments, none, and no fleet in any', () => {
    const config = loadConfig(smallConfigDir({ 'images/web.yaml': web('{}') }));
    expect(config.environments).toEqual([]);
    expect(config.images[0].fleetIn).toEqual({});
  });

  test('the shipped pipeline-assets still load, with no environments', () => {
    const config = loadConfig(SHIPPED_CONFIG_DIR);
    expect(config.environments).toEqual([]);
    for (const image of config.images) expect(image.fleetIn).toEqual({});
  });

  test('the environments fixture: test and production, app-linux larger in production', () => {
    const config = loadConfig(path.join(REPO_ROOT, 'test', 'fixtures', 'environments'));
    expect(config).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    expect(config.environments.map((e) => [e.name, e.account, e.region, e.approval, e.network.subnetIds.length, e.network.publicSubnetIds.length])).toEqual([
      ['test', '222222222222', 'us-east-1', false, 2, 0],
      ['production', '333333333333', 'eu-west-1', true, 2, 2],
    ]);
    const [linux, windows] = config.images;
    expect(linux.fleetIn.test).toEqual(linux.fleet);
    expect(linux.fleetIn.production).toEqual({
      ...linux.fleet,
      minSize: 2,
      maxSize: 4,
      rollingUpdate: { ...linux.fleet!.rollingUpdate, minInstancesInService: 2 },
      // production only: an internal load balancer reachable from the given range.
      loadBalancer: { scheme: 'internal', allowFrom: { cidrs: ['10.0.0.0/8'], prefixListIds: [], securityGroupIds: [] } },
    });
    expect(windows.fleetIn).toEqual({ test: windows.fleet, production: windows.fleet });
  });
});

/** One mistake per rule: the files to write over the small configuration, the options, and the line the user must see. */
const MISTAKES: Array<[string, Record<string, string>, { defaultAccount?: string }, string]> = [
  [
    'two environments of one name',
    { 'pipeline.yaml': pipeline(TEST, TEST.replace('222222222222', '444444444444')) },
    {},
    'pipeline.yaml: environments[1].name is already the name of environments[0] (got "test"). Fix: give each environment its own name, or remove one of the two',
  ],
  [
    'two environments in one account',
    { 'pipeline.yaml': pipeline(TEST, PRODUCTION.replace('333333333333', '222222222222')) },
    {},
    'pipeline.yaml: environments[1].account is already the account of environment test (environments[0]); each environment needs an account of its own: its stacks, roles and parameters use the pipeline\'s names there (got "222222222222"). Fix: give environment production an account no other environment uses',
  ],
  [
    'an environment in the pipeline\'s account (pipeline.yaml)',
    { 'pipeline.yaml': pipeline(TEST).replace('111111111111', '222222222222') },
    {},
    'pipeline.yaml: environments[0].account is the pipeline\'s own account (pipeline.yaml\'s account); each environment needs an account of its own: its stacks, roles and parameters use the pipeline\'s names there, where the pipeline\'s own already are (got "222222222222"). Fix: give environment test an account other than the pipeline\'s',
  ],
  [
    'an environment in the pipeline\'s account (CDK_DEFAULT_ACCOUNT)',
    { 'pipeline.yaml': `environments:\n${TEST}\n` },
    { defaultAccount: '222222222222' },
    'pipeline.yaml: environments[0].account is the pipeline\'s own account (CDK_DEFAULT_ACCOUNT, from your credentials); each environment needs an account of its own: its stacks, roles and parameters use the pipeline\'s names there, where the pipeline\'s own already are (got "222222222222"). Fix: give environment test an account other than the pipeline\'s',
  ],
  [
    'environments while the pipeline\'s account is unknown',
    { 'pipeline.yaml': `environments:\n${TEST}\n` },
    {},
    'pipeline.yaml: account is required with environments: each environment\'s roles trust the pipeline\'s account by its id, which synth must know, and neither pipeline.yaml nor CDK_DEFAULT_ACCOUNT (your credentials) names it. Fix: set account: "<12-digit id>" in pipeline.yaml to the account the pipeline deploys to',
  ],
  [
    'an environment in an unknown region',
    { 'pipeline.yaml': pipeline(TEST.replace('us-east-1', 'xx-east-9')) },
    {},
    'pipeline.yaml: environments[0].region is not a known AWS region (got "xx-east-9"). Fix: use a region code such as eu-west-1',
  ],
  [
    'an environment with a malformed region',
    { 'pipeline.yaml': pipeline(TEST.replace('us-east-1', 'Ireland')) },
    {},
    'pipeline.yaml: environments[0].region is not valid (got "Ireland"). Fix: use a region code such as eu-west-1',
  ],
  [
    'an environment with a name that cannot be part of stack names',
    { 'pipeline.yaml': pipeline(TEST.replace('name: test', 'name: Test_1')) },
    {},
    'pipeline.yaml: environments[0].name is not valid (got "Test_1"). Fix: use 1-16 lower-case letters, digits or hyphens, starting with a letter, e.g. test or production',
  ],
  [
    'an environment with a subnet in one zone only',
    { 'pipeline.yaml': pipeline(TEST.replace(', subnet-0123456789abcdef1', '')) },
    {},
    'pipeline.yaml: environments[0].network.subnetIds must NOT have fewer than 2 items (got ["subnet-0123456789abcdef0"]). Fix: list two or more distinct private subnet ids of vpcId, in different Availability Zones',
  ],
  [
    'an environment without a network',
    { 'pipeline.yaml': pipeline('  - { name: test, account: "222222222222", region: us-east-1 }') },
    {},
    'pipeline.yaml: environments[0].network is required. Fix: give vpcId and subnetIds (and publicSubnetIds for internet-facing load balancers)',
  ],
  [
    'an unknown environment field',
    { 'pipeline.yaml': pipeline(TEST.replace('region: us-east-1,', 'region: us-east-1, aproval: true,')) },
    {},
    'pipeline.yaml: environments[0].aproval is not a known field. Fix: remove it or correct its spelling; known fields here: name, account, region, approval, network',
  ],
  [
    'fleet.environments naming an environment that does not exist',
    twoEnvironments('{ environments: { staging: { minSize: 2 } } }'),
    {},
    'images/web.yaml: fleet.environments.staging names no environment of pipeline.yaml. Fix: use one of the environments configured there: test, production',
  ],
  [
    'fleet.environments naming a misspelled environment',
    twoEnvironments('{ environments: { productoin: { minSize: 2 } } }'),
    {},
    'images/web.yaml: fleet.environments.productoin names no environment of pipeline.yaml. Fix: did you mean production? Otherwise use one of the environments configured there: test, production',
  ],
  [
    'fleet.environments without environments',
    { 'images/web.yaml': web('{ environments: { production: { minSize: 2 } } }') },
    {},
    'images/web.yaml: fleet.environments is set, but pipeline.yaml configures no environments, so the fleet runs only in the pipeline\'s account, with the settings above (got ["production"]). Fix: remove fleet.environments, or configure the environments in pipeline.yaml',
  ],
  [
    'an environment setting a fleet may not change there',
    twoEnvironments('{ environments: { production: { healthCheck: { port: 80 } } } }'),
    {},
    'images/web.yaml: fleet.environments.production.healthCheck is not a known field. Fix: remove it or correct its spelling; known fields here: instanceType, minSize, maxSize, loadBalancer, ingress',
  ],
  // The rules of every fleet, for the environment's settings
  [
    'an environment\'s minSize above its maxSize',
    twoEnvironments('{ environments: { production: { minSize: 5, maxSize: 4 } } }'),
    {},
    'images/web.yaml: fleet.environments.production.minSize must not exceed fleet.environments.production.maxSize (4) (got 5). Fix: lower fleet.environments.production.minSize to at most 4 or raise fleet.environments.production.maxSize',
  ],
  [
    'an environment\'s minSize above the image\'s maxSize',
    twoEnvironments('{ maxSize: 2, environments: { test: { minSize: 3 } } }'),
    {},
    'images/web.yaml: fleet.environments.test.minSize must not exceed fleet.maxSize (2) (got 3). Fix: lower fleet.environments.test.minSize to at most 2 or raise fleet.maxSize',
  ],
  [
    'an environment\'s maxSize at the image\'s minInstancesInService',
    twoEnvironments('{ minSize: 1, maxSize: 3, rollingUpdate: { minInstancesInService: 1 }, environments: { test: { minSize: 1, maxSize: 1 } } }'),
    {},
    'images/web.yaml: fleet.rollingUpdate.minInstancesInService must be less than fleet.environments.test.maxSize (1), as CloudFormation requires (got 1). Fix: use at most 0 or raise fleet.environments.test.maxSize',
  ],
  [
    'an environment\'s maxSize below the image\'s maxBatchSize',
    twoEnvironments('{ minSize: 0, maxSize: 3, rollingUpdate: { maxBatchSize: 2 }, environments: { test: { maxSize: 1 } } }'),
    {},
    'images/web.yaml: fleet.rollingUpdate.maxBatchSize must not exceed fleet.environments.test.maxSize (1) (got 2). Fix: use at most 1',
  ],
  [
    'an environment\'s instance type that does not exist',
    twoEnvironments('{ environments: { production: { instanceType: t3.mirco } } }'),
    {},
    'images/web.yaml: fleet.environments.production.instanceType is not an EC2 instance type (got "t3.mirco"). Fix: did you mean t3.micro? Otherwise use a type from `aws ec2 describe-instance-types`, such as t3.small (a type newer than lib/config/data/ec2-instance-types.json needs `npm run refresh-aws-data`)',
  ],
  [
    'an environment\'s internet-facing load balancer without a certificate',
    twoEnvironments('{ environments: { production: { loadBalancer: { scheme: internet-facing } } } }'),
    {},
    'images/web.yaml: fleet.environments.production.loadBalancer.certificateArn is required for an internet-facing load balancer: plain HTTP from the internet is refused. Fix: give the ARN of an ACM certificate for the name users will reach, or use scheme: internal',
  ],
  [
    'an environment\'s load balancer beside the image\'s ingress',
    twoEnvironments('{ ingress: { cidrs: [10.0.0.0/8] }, environments: { test: { loadBalancer: { scheme: internal, allowFrom: { cidrs: [10.0.0.0/8] } } } } }'),
    {},
    'images/web.yaml: fleet.ingress cannot be combined with fleet.environments.test.loadBalancer: with a load balancer the instances accept traffic from it only. Fix: put who may reach the fleet in fleet.environments.test.loadBalancer.allowFrom and remove fleet.ingress',
  ],
  [
    'an environment\'s ingress from anywhere',
    twoEnvironments('{ environments: { test: { ingress: { cidrs: [0.0.0.0/0] } } } }'),
    {},
    'images/web.yaml: fleet.environments.test.ingress.cidrs includes 0.0.0.0/0; fleet instances run in private subnets, so the internet cannot reach them directly (got "0.0.0.0/0"). Fix: list the networks that should reach the instances, or serve the internet through fleet.loadBalancer (scheme: internet-facing)',
  ],
  // What an environment provides
  [
    'an inherited certificate of another region than the environment\'s',
    twoEnvironments(`{ loadBalancer: { scheme: internet-facing, certificateArn: "${US_CERTIFICATE}" }, environments: { test: {} } }`),
    {},
    `images/web.yaml: fleet.loadBalancer.certificateArn is in us-east-1, but the load balancer of the fleet in environment production is in eu-west-1; a load balancer can use only certificates of its own region (got "${US_CERTIFICATE}"). Fix: give the environment a load balancer of its own, fleet.environments.production.loadBalancer (scheme and all), with a certificate in ACM in eu-west-1`,
  ],
  [
    'an environment\'s own certificate of another region',
    twoEnvironments(`{ environments: { production: { loadBalancer: { scheme: internet-facing, certificateArn: "${US_CERTIFICATE}" } } } }`),
    {},
    `images/web.yaml: fleet.environments.production.loadBalancer.certificateArn is in us-east-1, but the load balancer of the fleet in environment production is in eu-west-1; a load balancer can use only certificates of its own region (got "${US_CERTIFICATE}"). Fix: request or import the certificate in ACM in eu-west-1 and use that ARN`,
  ],
  [
    'an internet-facing load balancer in an environment without public subnets',
    twoEnvironments(`{ loadBalancer: { scheme: internet-facing, certificateArn: "${US_CERTIFICATE}" }, environments: { production: { loadBalancer: { scheme: internet-facing, certificateArn: "${EU_CERTIFICATE}" } } } }`),
    {},
    'pipeline.yaml: environments[0].network.publicSubnetIds is required: images/web.yaml puts an internet-facing load balancer in front of fleet web in environment test, and the environment lists no public subnets. Fix: list the public subnets of environments[0].network.vpcId (they route to an internet gateway), or give images/web.yaml fleet.environments.test.loadBalancer with scheme: internal',
  ],
  [
    'an inherited internal load balancer without allowFrom',
    twoEnvironments('{ loadBalancer: { scheme: internal } }'),
    {},
    'images/web.yaml: fleet.loadBalancer.allowFrom is required for an internal load balancer in environment test: the CIDR of an environment\'s VPC is not known to the pipeline, so there is no default. Fix: list who may reach it, e.g. allowFrom: { cidrs: [10.0.0.0/8] }, in fleet.loadBalancer (every environment without a load balancer of its own inherits it) or in fleet.environments.test.loadBalancer',
  ],
  [
    'an environment\'s own internal load balancer without allowFrom',
    twoEnvironments('{ environments: { production: { loadBalancer: { scheme: internal } } } }'),
    {},
    'images/web.yaml: fleet.environments.production.loadBalancer.allowFrom is required for an internal load balancer in environment production: the CIDR of an environment\'s VPC is not known to the pipeline, so there is no default. Fix: list who may reach it, e.g. allowFrom: { cidrs: [10.0.0.0/8] } or the VPC\'s CIDR',
  ],
];

describe('a bad environment configuration fails with file, field, value and fix', () => {
  test.each(MISTAKES)('%s', (_name, files, options, expected) => {
    const problems = problemLines(smallConfigDir(files), options);
    expect(problems).toContain(expected);
    for (const p of problems) expect(p).toMatch(/\. Fix: \S/);
  });

  test('a problem of the image\'s fleet alone is reported once, not again for each environment that inherits it', () => {
    expect(problemLines(smallConfigDir(twoEnvironments('{ minSize: 3, maxSize: 2 }')))).toEqual([
      'images/web.yaml: fleet.minSize must not exceed fleet.maxSize (2) (got 3). Fix: lower fleet.minSize to at most 2 or raise fleet.maxSize',
    ]);
  });

  test('with environments, the image\'s own fleet is not held to the pipeline\'s region and network, where it does not run', () => {
    // Without environments each of these fails (load-config.test.ts): an existing VPC without public subnets, a
    // certificate of another region than the pipeline's, the image not distributed to the pipeline's region.
    const files = {
      'pipeline.yaml': `region: us-east-1\nnetwork: { vpcId: vpc-0123456789abcdef9, subnetIds: [subnet-0123456789abcdef9] }\n${pipeline(PRODUCTION)}`,
      'images/web.yaml': web(`{ loadBalancer: { scheme: internet-facing, certificateArn: "${EU_CERTIFICATE}" } }`).replace('fleet:', 'distribution: { regions: [eu-west-1] }\nfleet:'),
    };
    expect(problemLines(smallConfigDir(files))).toEqual([]);
    expect(problemLines(smallConfigDir({ ...files, 'pipeline.yaml': files['pipeline.yaml'].replace(/\naccount[^]*$/, '\n') }))).toHaveLength(3);
  });
});
