#!/usr/bin/env node
/**
 * Regenerates the AWS facts the offline configuration checks use (lib/config/data/*.json).
 *
 *   npm run refresh-aws-data                 from AWS: needs credentials and network (see usage below)
 *   npm run refresh-aws-data -- --offline    instance types only, from what is installed here (no network)
 *
 * Each file records where its data came from and when; a check never guesses beyond it (an instance type without a
 * known architecture is not architecture-checked).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { DescribeRegionsCommand, EC2Client, paginateDescribeInstanceTypes, type InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { InstanceType } from 'aws-cdk-lib/aws-ec2';
import { GRAVITON_FAMILIES, type Architecture, type InstanceTypeData, type ManagedComponentData, type ManagedImageData } from '../lib/config/aws-data';

export const DATA_DIR = path.join(__dirname, '..', 'lib', 'config', 'data');

export const REFRESH_USAGE = `Usage: npm run refresh-aws-data [-- --offline] [-- --region <region>]
  Rewrites lib/config/data/ec2-instance-types.json, imagebuilder-managed-components.json and
  imagebuilder-managed-images.json from AWS:
    ec2:DescribeRegions, ec2:DescribeInstanceTypes (every region enabled for the account),
    imagebuilder:ListComponents and imagebuilder:ListImages (owner Amazon, in --region, default us-east-1).
  Needs AWS credentials allowed to call those (read-only), network access, and the Image Builder client:
    npm i --no-save @aws-sdk/client-imagebuilder
  --offline  rewrites only ec2-instance-types.json from the instance-type enum of the installed @aws-sdk/client-ec2
             and cfn-lint's bundled data (when cfn-lint is installed); needs neither credentials nor network.
  awstoe-actions.json has no API: update it from the AWSTOE action module reference by hand (its source says where).`;

/** Today as YYYY-MM-DD, the date each data file records. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function writeData(file: string, data: unknown): void {
  fs.writeFileSync(path.join(DATA_DIR, file), `${JSON.stringify(data, null, 2)}\n`);
  console.log(`wrote lib/config/data/${file}`);
}

/**
 * Architecture of an instance type offline: AWS's list of Graviton families first, then aws-cdk-lib's
 * InstanceType.architecture (its reading of the type name). Mac types (x86_64_mac / arm64_mac, never an Image
 * Builder Linux or Windows build) and names that rule cannot read get none: they are not architecture-checked.
 */
export function offlineArchitecture(instanceType: string): Architecture | null {
  const family = instanceType.split('.')[0];
  if (GRAVITON_FAMILIES.includes(family)) return 'arm64';
  if (family.startsWith('mac')) return null;
  try {
    return new InstanceType(instanceType).architecture as Architecture;
  } catch {
    return null;
  }
}

/** The directory of cfn-lint's bundled data, when the Python package is installed. */
function cfnLintDataDir(): string | undefined {
  try {
    const dir = execFileSync('python3', ['-c', 'import cfnlint, os; print(os.path.dirname(cfnlint.__file__))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const version = execFileSync('python3', ['-c', 'import importlib.metadata as m; print(m.version("cfn-lint"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return fs.existsSync(path.join(dir, 'data')) ? `${path.join(dir, 'data')}|${version}` : undefined;
  } catch {
    return undefined;
  }
}

/** Instance types from the installed SDK's enum and cfn-lint's per-region enum, with offline architectures. */
export function offlineInstanceTypes(): InstanceTypeData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ec2 = require('@aws-sdk/client-ec2') as { _InstanceType: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdkVersion = (require('@aws-sdk/client-ec2/package.json') as { version: string }).version;
  const names = new Set(Object.values(ec2._InstanceType));
  const sources = [`@aws-sdk/client-ec2 ${sdkVersion}: the _InstanceType enum of its models (${names.size} types)`];
  const cfnLint = cfnLintDataDir();
  if (cfnLint) {
    const [dir, version] = cfnLint.split('|');
    const file = path.join(dir, 'schemas', 'extensions', 'aws_ec2_instance', 'instancetype_enum.json');
    const perRegion = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { enum?: string[] }>;
    const all = perRegion.all?.enum ?? [];
    all.forEach((t) => names.add(t));
    sources.push(`cfn-lint ${version}: data/schemas/extensions/aws_ec2_instance/instancetype_enum.json, "all" (${all.length} types; cfn-lint builds it from the AWS Price List)`);
  } else {
    sources.push('cfn-lint: not installed here, so not used');
  }
  const instanceTypes: Record<string, Architecture | null> = {};
  for (const name of [...names].sort()) instanceTypes[name] = offlineArchitecture(name);
  return {
    source: {
      generatedBy: 'npm run refresh-aws-data -- --offline',
      date: today(),
      instanceTypes: `union of ${sources.join('; ')}`,
      architectures:
        'arm64 for the Graviton families AWS lists (github.com/aws/aws-graviton-getting-started README, "Building for Graviton", plus A1, Arm-based per aws-cdk-lib InstanceClass.A1); ' +
        'otherwise aws-cdk-lib InstanceType.architecture (a1 or a "g" after the generation: arm64, else x86_64); ' +
        'null (not architecture-checked) for mac types and names that rule cannot read',
    },
    instanceTypes,
  };
}

function architectureOf(info: InstanceTypeInfo): Architecture | null {
  const supported = info.ProcessorInfo?.SupportedArchitectures ?? [];
  if (supported.includes('arm64')) return 'arm64';
  if (supported.includes('x86_64')) return 'x86_64';
  return null; // i386 only, x86_64_mac, arm64_mac: never an Image Builder Linux or Windows build here
}

/** Instance types and their architectures from ec2:DescribeInstanceTypes in every enabled region. */
export async function awsInstanceTypes(ec2For: (region: string) => EC2Client, homeRegion: string): Promise<InstanceTypeData> {
  const regions = (await ec2For(homeRegion).send(new DescribeRegionsCommand({}))).Regions?.map((r) => r.RegionName!).filter(Boolean) ?? [homeRegion];
  const instanceTypes: Record<string, Architecture | null> = {};
  for (const region of regions.sort()) {
    for await (const page of paginateDescribeInstanceTypes({ client: ec2For(region) }, {})) {
      for (const info of page.InstanceTypes ?? []) if (info.InstanceType) instanceTypes[info.InstanceType] = architectureOf(info);
    }
  }
  return {
    source: {
      generatedBy: 'npm run refresh-aws-data',
      date: today(),
      instanceTypes: `ec2:DescribeInstanceTypes in ${regions.length} regions (${regions.join(', ')})`,
      architectures: 'ProcessorInfo.SupportedArchitectures of DescribeInstanceTypes (mac and i386-only types: null)',
    },
    instanceTypes: Object.fromEntries(Object.entries(instanceTypes).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The Image Builder calls, typed loosely: the client is installed only to refresh (see usage). */
interface ImageBuilderLike {
  send(command: unknown): Promise<{ componentVersionList?: Array<{ name?: string; platform?: string }>; imageVersionList?: Array<{ name?: string; platform?: string; type?: string; arn?: string }>; nextToken?: string }>;
}

async function listAll<T>(call: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    all.push(...page.items);
    token = page.nextToken;
  } while (token);
  return all;
}

/** AWS-managed components (name → platform) and images (name → platform, architecture) from Image Builder. */
export async function awsImageBuilderData(client: ImageBuilderLike, commands: { ListComponentsCommand: new (input: object) => unknown; ListImagesCommand: new (input: object) => unknown }, region: string): Promise<{ components: ManagedComponentData; images: ManagedImageData }> {
  const components = await listAll(async (nextToken) => {
    const out = await client.send(new commands.ListComponentsCommand({ owner: 'Amazon', nextToken }));
    return { items: out.componentVersionList ?? [], nextToken: out.nextToken };
  });
  const images = await listAll(async (nextToken) => {
    const out = await client.send(new commands.ListImagesCommand({ owner: 'Amazon', nextToken }));
    return { items: out.imageVersionList ?? [], nextToken: out.nextToken };
  });
  const platformOf = (p?: string) => (p === 'Linux' || p === 'Windows' || p === 'macOS' ? p : null);
  const componentMap: Record<string, 'Linux' | 'Windows' | null> = {};
  for (const c of components) if (c.name) componentMap[c.name] = platformOf(c.platform) === 'macOS' ? null : (platformOf(c.platform) as 'Linux' | 'Windows' | null);
  const imageMap: Record<string, ManagedImageData['images'][string]> = {};
  for (const i of images) {
    if (!i.name || (i.type && i.type !== 'AMI')) continue;
    // ListImages does not return the architecture; AWS names its managed images …-x86 or …-arm64.
    const architecture = /-arm64$/.test(i.name) ? 'arm64' : /-x86$/.test(i.name) ? 'x86_64' : null;
    imageMap[i.name] = { platform: platformOf(i.platform), architecture };
  }
  const sort = <V>(o: Record<string, V>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return {
    components: { source: { generatedBy: 'npm run refresh-aws-data', date: today(), components: `imagebuilder:ListComponents owner Amazon in ${region}`, platforms: 'the platform ListComponents returns (macOS: null)' }, components: sort(componentMap) },
    images: { source: { generatedBy: 'npm run refresh-aws-data', date: today(), images: `imagebuilder:ListImages owner Amazon in ${region} (AMI images)`, architectures: 'from the name: -x86 is x86_64, -arm64 is arm64, else null (ListImages returns no architecture)' }, images: sort(imageMap) },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { offline: { type: 'boolean' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(REFRESH_USAGE);
    return;
  }
  if (values.offline) {
    writeData('ec2-instance-types.json', offlineInstanceTypes());
    return;
  }
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const moduleName = '@aws-sdk/client-imagebuilder';
  let imagebuilder: { ImagebuilderClient: new (config: object) => ImageBuilderLike; ListComponentsCommand: new (input: object) => unknown; ListImagesCommand: new (input: object) => unknown };
  try {
    imagebuilder = await import(moduleName);
  } catch {
    throw new Error(`${moduleName} is not installed. Fix: npm i --no-save ${moduleName}, then run this again`);
  }
  const clients = new Map<string, EC2Client>();
  const ec2For = (r: string) => clients.get(r) ?? clients.set(r, new EC2Client({ region: r })).get(r)!;
  writeData('ec2-instance-types.json', await awsInstanceTypes(ec2For, region));
  const { components, images } = await awsImageBuilderData(new imagebuilder.ImagebuilderClient({ region }), imagebuilder, region);
  writeData('imagebuilder-managed-components.json', components);
  writeData('imagebuilder-managed-images.json', images);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`error: ${err.message}${/Fix:/.test(err.message) ? '' : '. Fix: see npm run refresh-aws-data -- --help'}`);
    process.exitCode = 2;
  });
}
