import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error';
import { Duration } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { awsData, type Architecture } from './aws-data';
import { display, listYamlFiles, readConfigText } from './config-files';
import { MAX_IMAGES } from './limits';
import { checkComponentDocument } from './checks/component-document';
import { checkInstanceType, type ArchitectureNeed } from './checks/instance-types';
import { checkAmiName, checkImageDescription } from './checks/lengths';
import { checkManagedComponent, checkParentImage } from './checks/managed-resources';
import { checkIgnorePaths, DEFAULT_IGNORE_PATHS, filesThePipelineReads } from './checks/ignore-paths';
import { checkFleetEnvironmentNames, resolveEnvironments } from './checks/environments';
import { checkBranchName, checkSsmParameterName } from './checks/names';
import { checkVpcCidr } from './checks/network';
import { resolveScanning } from './checks/scanning';
import { checkScheduleExpression, checkTimeZone } from './checks/schedule';
import { SCHEDULED_REBUILD } from '../../lambda/parameter-prep/build-decision';
import { environmentFleet, IMAGE_FLEET, type FleetFields, type FleetSetting } from './fleet-fields';
import { checkCertificateRegion, checkEnvironmentReach, resolveFleetReach, withNetworkDefaults } from './fleet-reach';
import type {
  ComponentConfig,
  DistributionConfig,
  EgressMode,
  EnvironmentConfig,
  FleetConfig,
  GoldenAmiConfig,
  ImageConfig,
  ManagedComponentConfig,
  NetworkConfig,
  Platform,
  RebuildConfig,
  SourceConfig,
} from './model';

/** Layout of a configuration directory (pipeline-assets/ by default). */
export const CONFIG_LAYOUT = {
  pipelineFile: 'pipeline.yaml',
  imagesDir: 'images',
  componentsDir: 'components',
} as const;

/**
 * The JSON Schemas belong to the product, not to a configuration: the loader always reads them from here, so a
 * configuration directory elsewhere (-c configDir=…) needs no copy of them.
 */
export const SCHEMA_DIR = path.join(__dirname, '..', '..', 'pipeline-assets', 'schema');

const MAX_PAUSE_SECONDS = 3600;

/** What the rebuild variable means by itself (lambda/parameter-prep/build-decision.ts): no image may be named so. */
const REBUILD_WORDS = ['true', 'all', SCHEDULED_REBUILD];

/** What an image gets when its file does not say, by platform. */
export const PLATFORM_DEFAULTS: Record<Platform, { parentImage: string; buildInstanceTypes: string[]; rootVolumeGiB: number; rootDeviceName: string }> = {
  linux: { parentImage: 'amazon-linux-2023-x86/x.x.x', buildInstanceTypes: ['t3.small'], rootVolumeGiB: 10, rootDeviceName: '/dev/xvda' },
  windows: { parentImage: 'windows-server-2022-english-full-base-x86/x.x.x', buildInstanceTypes: ['t3.large'], rootVolumeGiB: 30, rootDeviceName: '/dev/sda1' },
};

/** Options for loadConfig. */
export interface LoadConfigOptions {
  /**
   * Region the app deploys to when pipeline.yaml names none (CDK_DEFAULT_REGION), for the checks that need it.
   * @default - those checks are skipped
   */
  readonly defaultRegion?: string;
  /**
   * Account the app deploys to when pipeline.yaml names none (CDK_DEFAULT_ACCOUNT), for the checks of environments,
   * which need the pipeline's account.
   * @default - environments need pipeline.yaml's account
   */
  readonly defaultAccount?: string;
}

/**
 * What a fleet gets when its image file does not say, by platform. A Windows first boot (Sysprep specialize, EC2Launch,
 * services starting) takes minutes longer than Linux, and Windows Server needs more memory than a t3.micro has.
 */
export const FLEET_PLATFORM_DEFAULTS: Record<Platform, { instanceType: string; healthTimeoutSeconds: number; pauseTime: string }> = {
  linux: { instanceType: 't3.micro', healthTimeoutSeconds: 300, pauseTime: 'PT10M' },
  windows: { instanceType: 't3.medium', healthTimeoutSeconds: 900, pauseTime: 'PT20M' },
};

const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));

/** Reads, validates and resolves the configuration in `configDir`; throws ConfigError listing every problem. */
export function loadConfig(configDir: string, options: LoadConfigOptions = {}): GoldenAmiConfig {
  const problems: ConfigProblem[] = [];
  if (!fs.existsSync(configDir) || !fs.statSync(configDir).isDirectory()) {
    throw new ConfigError([
      { file: display(configDir), field: '', message: 'is not a configuration directory (it does not exist)', fix: `point configDir at a directory holding ${CONFIG_LAYOUT.pipelineFile} and ${CONFIG_LAYOUT.imagesDir}/, e.g. -c configDir=pipeline-assets` },
    ]);
  }
  const validators = compileSchemas();

  const pipelineFile = path.join(configDir, CONFIG_LAYOUT.pipelineFile);
  let pipelineRaw: Raw = {};
  if (!fs.existsSync(pipelineFile)) {
    problems.push({ file: display(pipelineFile), field: '', message: 'is missing', fix: `create it (an empty ${CONFIG_LAYOUT.pipelineFile} takes every default), or point configDir at the directory that has it` });
  } else {
    pipelineRaw = readYamlObject(pipelineFile, problems) ?? {};
  }
  const pipelineOk = validate(validators.pipeline, pipelineRaw, pipelineFile, problems);
  const pipelineName: string = pipelineOk ? pipelineRaw.name : 'golden-ami';

  const pipelineAccount = pipelineRaw.account ?? options.defaultAccount;
  // Unknown when pipeline.yaml is invalid: image files are then not checked against environments.
  const environments = pipelineOk
    ? resolveEnvironments(display(pipelineFile), pipelineRaw.environments, { id: pipelineAccount, from: pipelineRaw.account !== undefined ? 'account' : 'CDK_DEFAULT_ACCOUNT' }, (r) => KNOWN_REGIONS.has(r), problems)
    : undefined;

  const components = loadComponents(path.join(configDir, CONFIG_LAYOUT.componentsDir), problems);
  const imagesDir = path.join(configDir, CONFIG_LAYOUT.imagesDir);
  const imageFiles = listYamlFiles(imagesDir, problems, 'image');
  if (!fs.existsSync(imagesDir)) {
    problems.push({ file: display(imagesDir), field: '', message: 'is missing', fix: `create ${CONFIG_LAYOUT.imagesDir}/ with one <name>.yaml per image (see README, "Add an image")` });
  } else if (imageFiles.length === 0) {
    problems.push({
      file: display(imagesDir),
      field: '',
      message: 'holds no image definition',
      fix: 'add at least one <name>.yaml image file (see README, "Add an image")',
    });
  } else if (imageFiles.length > MAX_IMAGES) {
    problems.push({
      file: display(imagesDir),
      field: '',
      message: `holds ${imageFiles.length} images; one pipeline holds at most ${MAX_IMAGES} (the most tested against CloudFormation's 500 resources per stack and 1,000,000-byte templates)`,
      fix: `keep at most ${MAX_IMAGES} image files here, and put the others in the configuration of a second pipeline (another pipeline.yaml name)`,
    });
  }
  const images: ImageConfig[] = [];
  const seen = new Map<string, string>();
  for (const file of imageFiles) {
    const raw = readYamlObject(file, problems);
    if (raw === undefined || !validate(validators.image, raw, file, problems)) continue;
    const image = resolveImage(raw, file, components, pipelineName, { environments, pipelineFile }, problems);
    if (!image) continue;
    const twin = seen.get(image.name);
    if (twin) {
      problems.push({ file: display(file), field: 'name', message: `is already used by ${twin}`, value: image.name, fix: 'give each image its own name (and file); remove one of the two files' });
      continue;
    }
    seen.set(image.name, display(file));
    images.push(image);
  }
  const region = pipelineRaw.region ?? options.defaultRegion;
  if (pipelineOk && pipelineRaw.region !== undefined && !KNOWN_REGIONS.has(pipelineRaw.region)) {
    problems.push({ file: display(pipelineFile), field: 'region', message: 'is not a known AWS region', value: pipelineRaw.region, fix: 'use a region code such as eu-west-1' });
  }
  // With environments, an image's own fleet runs nowhere (each environment has it, with that environment's settings,
  // checked against it in resolveFleetIn): what it would need of the pipeline's region and network is not asked.
  const fleetsRunHere = (environments ?? []).length === 0;
  const pipelineFleetProblems: ConfigProblem[] = fleetsRunHere ? problems : [];
  for (const image of images) {
    checkFleetRegion(image, region, pipelineFleetProblems);
    checkCertificateRegion(image, region, pipelineFleetProblems);
    if (image.distribution.ssmParameter !== undefined) {
      const regions = [...new Set([...(region ? [region] : []), ...image.distribution.regions])];
      problems.push(...checkSsmParameterName(image.file, 'distribution.ssmParameter', image.distribution.ssmParameter, regions));
    }
  }
  if (pipelineOk) {
    const operations: Raw = pipelineRaw.operations;
    problems.push(...checkScheduleExpression(display(pipelineFile), 'operations.rebuildSchedule', operations.rebuildSchedule));
    problems.push(...checkTimeZone(display(pipelineFile), 'operations.scheduleTimezone', operations.scheduleTimezone));
  }

  const retention = pipelineRaw.operations?.amiRetention;
  if (pipelineOk && retention.deleteBeyond < retention.keep) {
    problems.push({ file: display(pipelineFile), field: 'operations.amiRetention.deleteBeyond', message: `must be at least operations.amiRetention.keep (${retention.keep})`, value: retention.deleteBeyond, fix: `use ${retention.keep} or more` });
  }
  const source = pipelineOk ? resolveSource(pipelineRaw, pipelineFile, filesThePipelineReads(configDir, imageFiles), problems) : undefined;
  const network = pipelineOk ? resolveNetwork(pipelineRaw, pipelineFile, problems) : undefined;
  const reachable = network ? images.map((image) => withNetworkDefaults(image, network, pipelineFile, pipelineFleetProblems)) : images;
  const rebuild = pipelineOk ? resolveRebuild(pipelineRaw.operations.rebuild, pipelineFile, problems) : undefined;
  if (problems.length > 0 || !source || !network || !rebuild || !environments) throw new ConfigError(problems);

  return {
    name: pipelineRaw.name as string,
    account: pipelineRaw.account as string | undefined,
    region: pipelineRaw.region as string | undefined,
    source,
    network,
    operations: {
      rebuildSchedule: pipelineRaw.operations.rebuildSchedule === 'none' ? undefined : pipelineRaw.operations.rebuildSchedule,
      rebuild,
      scheduleTimezone: pipelineRaw.operations.scheduleTimezone,
      alertEmails: pipelineRaw.operations.alertEmails,
      slack: pipelineRaw.operations.slack,
      amiRetention: pipelineRaw.operations.amiRetention,
      onDestroy: pipelineRaw.operations.onDestroy,
    },
    images: reachable.sort((a, b) => a.name.localeCompare(b.name)),
    environments,
  };
}

type Raw = Record<string, any>;

let compiled: { pipeline: ValidateFunction; image: ValidateFunction } | undefined;

/** The product's schemas, compiled once per process. */
function compileSchemas(): { pipeline: ValidateFunction; image: ValidateFunction } {
  if (compiled) return compiled;
  // useDefaults fills in the schema's defaults, so the schema is the one place a default is written.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: 'x-fix', schemaType: 'string' });
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, name), 'utf8'));
  compiled = { pipeline: ajv.compile(read('pipeline.schema.json')), image: ajv.compile(read('image.schema.json')) };
  return compiled;
}

function readYamlObject(file: string, problems: ConfigProblem[], text = readConfigText(file, problems)): Raw | undefined {
  if (text === undefined) return undefined;
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({ file: display(file), field: '', message: `is not valid YAML: ${e.message.split('\n')[0]}`, fix: 'correct the YAML syntax at that line' });
    }
    return undefined;
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file: display(file), field: '', message: 'must hold a mapping of fields', value, fix: 'write `field: value` lines as in the shipped examples' });
    return undefined;
  }
  return value as Raw;
}

function validate(validator: ValidateFunction, data: Raw, file: string, problems: ConfigProblem[]): boolean {
  if (validator(data)) return true;
  for (const error of validator.errors ?? []) problems.push(toProblem(error, file));
  return false;
}

function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^[0-9]+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

function join(field: string, child: string): string {
  return field ? `${field}.${child}` : child;
}

function toProblem(error: ErrorObject, file: string): ConfigProblem {
  const field = fieldOf(error.instancePath);
  const fix: string = error.parentSchema?.['x-fix'] ?? error.parentSchema?.description ?? 'see the schema in pipeline-assets/schema/';
  switch (error.keyword) {
    case 'required':
      return { file: display(file), field: join(field, error.params.missingProperty), message: 'is required', fix: error.parentSchema?.properties?.[error.params.missingProperty]?.['x-fix'] ?? fix };
    case 'additionalProperties': {
      const known = Object.keys(error.parentSchema?.properties ?? {}).join(', ');
      return { file: display(file), field: join(field, error.params.additionalProperty), message: 'is not a known field', fix: `remove it or correct its spelling; known fields here: ${known}` };
    }
    case 'enum':
      return { file: display(file), field, message: `must be one of ${error.params.allowedValues.join(', ')}`, value: error.data, fix };
    case 'type':
      return { file: display(file), field, message: `must be ${error.params.type === 'integer' ? 'a whole number' : `a${/^[aeiou]/.test(error.params.type) ? 'n' : ''} ${error.params.type}`}`, value: error.data, fix };
    case 'pattern':
    case 'format':
      return { file: display(file), field, message: 'is not valid', value: error.data, fix };
    default:
      return { file: display(file), field, message: error.message ?? 'is not valid', value: error.data, fix };
  }
}

function loadComponents(dir: string, problems: ConfigProblem[]): Map<string, ComponentConfig> {
  const components = new Map<string, ComponentConfig>();
  for (const file of listYamlFiles(dir, problems, 'component')) {
    const text = readConfigText(file, problems);
    if (text === undefined) continue;
    const doc = readYamlObject(file, problems, text);
    if (!doc) continue;
    if (!Array.isArray(doc.phases) || doc.phases.length === 0) {
      problems.push({ file: display(file), field: 'phases', message: 'must list at least one phase', value: doc.phases, fix: 'write an Image Builder component document with build/validate/test phases' });
    }
    problems.push(...checkComponentDocument(display(file), doc, text));
    // Registered even with document problems, so an image naming it is not also told the file is missing.
    if (!Array.isArray(doc.phases) || doc.phases.length === 0) continue;
    const parameterNames = (Array.isArray(doc.parameters) ? doc.parameters : []).flatMap((p: unknown) =>
      p && typeof p === 'object' ? Object.keys(p as object) : [],
    );
    const name = path.basename(file).replace(/\.ya?ml$/, '');
    components.set(name, { kind: 'document', name, path: file, document: text, parameterNames, platforms: platformsOf(doc) });
  }
  return components;
}

/** The AWSTOE actions of a document that run on one platform only, by platform (lib/config/data/awstoe-actions.json). */
function platformActionsOf(doc: Raw): Map<Platform, string[]> {
  const limited = awsData.awstoeActions().actions;
  const byPlatform = new Map<Platform, string[]>();
  for (const phase of doc.phases as Raw[]) {
    for (const step of Array.isArray(phase?.steps) ? phase.steps : []) {
      const action = String(step?.action);
      const platforms = limited[action] ?? [];
      if (platforms.length !== 1) continue;
      const list = byPlatform.get(platforms[0]) ?? [];
      if (!list.includes(action)) list.push(action);
      byPlatform.set(platforms[0], list);
    }
  }
  return byPlatform;
}

/** Platforms a component document's steps need, from their actions. */
function platformsOf(doc: Raw): Platform[] {
  return (['linux', 'windows'] as const).filter((p) => platformActionsOf(doc).has(p));
}

const MANAGED_COMPONENT = /^aws\/([A-Za-z0-9_-]+)\/([^/]+)$/;

/** What an image file is checked against besides itself. */
interface ImageContext {
  /** pipeline.yaml's environments; undefined when pipeline.yaml is invalid. */
  readonly environments: readonly EnvironmentConfig[] | undefined;
  readonly pipelineFile: string;
}

function resolveImage(raw: Raw, file: string, components: Map<string, ComponentConfig>, pipelineName: string, context: ImageContext, problems: ConfigProblem[]): ImageConfig | undefined {
  const before = problems.length;
  const f = display(file);
  const fileName = path.basename(file).replace(/\.ya?ml$/, '');
  if (raw.name !== fileName) {
    problems.push({ file: f, field: 'name', message: `must equal the file name "${fileName}"`, value: raw.name, fix: `rename the file to ${raw.name}.yaml or set name: ${fileName}` });
  }
  if (REBUILD_WORDS.includes(String(raw.name).toLowerCase())) {
    problems.push({
      file: f,
      field: 'name',
      message: `is a word of the pipeline's rebuild variable (${REBUILD_WORDS.join(', ')}), so rebuild=${raw.name} could never name just this image`,
      value: raw.name,
      fix: `choose another name, e.g. ${raw.name}-image (and rename the file)`,
    });
  }
  const platform: Platform = raw.platform;
  const defaults = PLATFORM_DEFAULTS[platform];
  const componentsDir = `${display(path.join(path.dirname(path.dirname(file)), CONFIG_LAYOUT.componentsDir))}/`;
  const resolvedComponents: Array<ComponentConfig | ManagedComponentConfig> = [];
  (raw.components as string[]).forEach((name, index) => {
    const field = `components[${index}]`;
    const managed = MANAGED_COMPONENT.exec(name);
    if (managed) {
      problems.push(...checkManagedComponent(f, field, name, managed[1], managed[2], platform));
      resolvedComponents.push({ kind: 'managed', name: managed[1], version: managed[2] });
      return;
    }
    const component = components.get(name);
    if (!component) {
      const known = [...components.keys()].join(', ') || 'none';
      problems.push({ file: f, field, message: `names no file in ${componentsDir}`, value: name, fix: `add ${componentsDir}${name}.yaml or use one of: ${known}` });
    } else if (component.platforms.length > 0 && !component.platforms.includes(platform)) {
      const actions = platformActionsOf(YAML.parse(component.document)).get(component.platforms.find((p) => p !== platform)!) ?? [];
      problems.push({
        file: f,
        field,
        message: `runs ${component.platforms.join(' and ')} steps (${actions.join(', ')}), but the image is ${platform}`,
        value: name,
        fix: `use a ${platform} component, or set platform: ${component.platforms[0]}`,
      });
    } else resolvedComponents.push(component);
  });
  const parentImage: string = raw.parentImage ?? defaults.parentImage;
  const parent = checkParentImage(f, 'parentImage', parentImage, platform);
  problems.push(...parent.problems);
  const need: ArchitectureNeed | undefined = parent.facts.architecture ? { architecture: parent.facts.architecture as Architecture, parentImage } : undefined;
  const buildInstanceTypes: string[] = raw.buildInstanceTypes ?? defaults.buildInstanceTypes;
  buildInstanceTypes.forEach((type, i) => problems.push(...checkInstanceType(f, raw.buildInstanceTypes ? `buildInstanceTypes[${i}]` : 'buildInstanceTypes (default)', type, need)));
  if (raw.fleet) {
    const fleetType: string = raw.fleet.instanceType ?? FLEET_PLATFORM_DEFAULTS[platform].instanceType;
    problems.push(...checkInstanceType(f, raw.fleet.instanceType === undefined ? 'fleet.instanceType (default)' : 'fleet.instanceType', fleetType, need));
  }
  const description: string = raw.description ?? `Golden image ${raw.name}`;
  problems.push(...checkImageDescription(f, raw.description === undefined ? 'name' : 'description', description, pipelineName));
  if (raw.distribution?.amiName !== undefined) problems.push(...checkAmiName(f, 'distribution.amiName', raw.distribution.amiName));
  const distribution = resolveDistribution(raw.distribution, file, problems);
  const fleet = raw.fleet ? resolveFleet(raw.fleet, platform, file, problems) : undefined;
  const fleetIn = raw.fleet && context.environments ? resolveFleetIn(raw, platform, file, need, context.environments, context.pipelineFile, problems) : {};
  const scanning = resolveScanning(f, raw.scanning ?? {}, raw.tests, problems);
  const rootVolumeGiB = raw.rootVolumeGiB ?? defaults.rootVolumeGiB;
  if (platform === 'windows' && rootVolumeGiB < 30) {
    problems.push({ file: display(file), field: 'rootVolumeGiB', message: 'must be at least 30 for Windows Server', value: rootVolumeGiB, fix: 'use 30 or more, or remove the field for the default (30)' });
  }
  if (problems.length > before) return undefined;
  return {
    name: raw.name,
    file: f,
    description,
    version: raw.version,
    platform,
    parentImage,
    components: resolvedComponents,
    buildInstanceTypes,
    rootVolumeGiB,
    rootDeviceName: raw.rootDeviceName ?? defaults.rootDeviceName,
    tests: raw.tests,
    testTimeoutMinutes: raw.testTimeoutMinutes,
    scanning,
    distribution,
    fleet,
    fleetIn,
  };
}

function resolveDistribution(raw: Raw, file: string, problems: ConfigProblem[]): DistributionConfig {
  const f = display(file);
  const regions: string[] = raw.regions ?? [];
  regions.forEach((region, i) => {
    if (!KNOWN_REGIONS.has(region)) problems.push({ file: f, field: `distribution.regions[${i}]`, message: 'is not a known AWS region', value: region, fix: 'use a region code such as eu-west-1' });
  });
  if (raw.amiName !== undefined && !String(raw.amiName).includes('{{ imagebuilder:buildDate }}')) {
    problems.push({ file: f, field: 'distribution.amiName', message: 'must contain {{ imagebuilder:buildDate }}, or the second build fails on a duplicate AMI name', value: raw.amiName, fix: `append it, e.g. ${raw.amiName}-{{ imagebuilder:buildDate }}` });
  }
  return {
    regions,
    accounts: raw.accounts ?? [],
    organizationArns: raw.organizationArns ?? [],
    organizationalUnitArns: raw.organizationalUnitArns ?? [],
    amiName: raw.amiName,
    amiTags: raw.amiTags ?? {},
    ssmParameter: raw.ssmParameter,
  };
}

/** A fleet runs in the pipeline's region: the image must be there. */
function checkFleetRegion(image: ImageConfig, region: string | undefined, problems: ConfigProblem[]): void {
  if (!image.fleet || !region || image.distribution.regions.length === 0 || image.distribution.regions.includes(region)) return;
  problems.push({
    file: image.file,
    field: 'distribution.regions',
    message: `must include ${region}, where the image's fleet runs`,
    value: image.distribution.regions,
    fix: `add ${region} to distribution.regions, or remove the fleet`,
  });
}

/** Parses an ISO 8601 duration of hours/minutes/seconds (already checked by the schema) to seconds. */
export function durationSeconds(duration: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * The image's fleet in each environment: the image file's fleet settings with `fleet.environments.<name>` over them,
 * under the rules of every fleet, then checked against the environment (its region, its subnets).
 */
function resolveFleetIn(raw: Raw, platform: Platform, file: string, need: ArchitectureNeed | undefined, environments: readonly EnvironmentConfig[], pipelineFile: string, problems: ConfigProblem[]): Record<string, FleetConfig> {
  const f = display(file);
  const { environments: overrides, ...settings } = raw.fleet as Raw;
  problems.push(...checkFleetEnvironmentNames(f, overrides, environments, display(pipelineFile)));
  const fleetIn: Record<string, FleetConfig> = {};
  environments.forEach((environment, index) => {
    const own: Raw = overrides?.[environment.name] ?? {};
    const fields = environmentFleet(environment.name, Object.keys(own));
    if (own.instanceType !== undefined) problems.push(...checkInstanceType(f, fields.at('instanceType'), own.instanceType, need));
    const fleet = resolveFleet({ ...settings, ...own }, platform, file, problems, fields);
    checkEnvironmentReach({ name: raw.name, file: f }, fleet, environment, index, fields, pipelineFile, problems);
    fleetIn[environment.name] = fleet;
  });
  return fleetIn;
}

/**
 * A fleet from its settings in the image file (for an environment's fleet: the image's with the environment's over
 * them), with the rules every fleet must meet; `fields` says where each setting was written and which problems are
 * this fleet's to report.
 */
function resolveFleet(raw: Raw, platform: Platform, file: string, problems: ConfigProblem[], fields: FleetFields = IMAGE_FLEET): FleetConfig {
  const rolling: Raw = raw.rollingUpdate;
  const defaults = FLEET_PLATFORM_DEFAULTS[platform];
  const fleet: FleetConfig = {
    instanceType: raw.instanceType ?? defaults.instanceType,
    minSize: raw.minSize,
    maxSize: raw.maxSize,
    rollingUpdate: {
      maxBatchSize: rolling.maxBatchSize,
      // CloudFormation requires fewer in service than maxSize; keep one fewer than the minimum fleet by default.
      minInstancesInService: rolling.minInstancesInService ?? Math.max(0, Math.min(raw.minSize, raw.maxSize - 1)),
      pauseTime: rolling.pauseTime ?? defaults.pauseTime,
    },
    healthCheck: { path: raw.healthCheck.path, port: raw.healthCheck.port, timeoutSeconds: raw.healthCheck.timeoutSeconds ?? defaults.healthTimeoutSeconds },
    ...resolveFleetReach(raw, raw.healthCheck.port, file, problems, fields),
  };
  const f = display(file);
  const report = (settings: FleetSetting[], p: ConfigProblem) => {
    if (fields.reports(...settings)) problems.push(p);
  };
  const [minSize, maxSize] = [fields.at('minSize'), fields.at('maxSize')];
  if (fleet.minSize > fleet.maxSize) {
    report(['minSize', 'maxSize'], { file: f, field: minSize, message: `must not exceed ${maxSize} (${fleet.maxSize})`, value: fleet.minSize, fix: `lower ${minSize} to at most ${fleet.maxSize} or raise ${maxSize}` });
  }
  if (fleet.rollingUpdate.minInstancesInService >= fleet.maxSize) {
    report(['rollingUpdate', 'maxSize'], { file: f, field: fields.at('rollingUpdate', 'minInstancesInService'), message: `must be less than ${maxSize} (${fleet.maxSize}), as CloudFormation requires`, value: fleet.rollingUpdate.minInstancesInService, fix: `use at most ${fleet.maxSize - 1} or raise ${maxSize}` });
  }
  if (fleet.rollingUpdate.maxBatchSize > fleet.maxSize) {
    report(['rollingUpdate', 'maxSize'], { file: f, field: fields.at('rollingUpdate', 'maxBatchSize'), message: `must not exceed ${maxSize} (${fleet.maxSize})`, value: fleet.rollingUpdate.maxBatchSize, fix: `use at most ${fleet.maxSize}` });
  }
  const pauseSeconds = durationSeconds(fleet.rollingUpdate.pauseTime);
  if (pauseSeconds > MAX_PAUSE_SECONDS) {
    report(['rollingUpdate'], { file: f, field: 'fleet.rollingUpdate.pauseTime', message: 'must be at most PT1H, as CloudFormation requires', value: fleet.rollingUpdate.pauseTime, fix: 'use a duration of an hour or less, e.g. PT15M' });
  } else if (pauseSeconds <= fleet.healthCheck.timeoutSeconds) {
    // The pause is how long CloudFormation waits for signals: an instance must be able to signal within it.
    report(['rollingUpdate', 'healthCheck'], {
      file: f,
      field: 'fleet.rollingUpdate.pauseTime',
      message: `must be longer than fleet.healthCheck.timeoutSeconds (${fleet.healthCheck.timeoutSeconds} s), or healthy instances are given up on before they can signal`,
      value: fleet.rollingUpdate.pauseTime,
      fix: `use at least PT${Math.ceil((fleet.healthCheck.timeoutSeconds + 60) / 60)}M or lower fleet.healthCheck.timeoutSeconds`,
    });
  }
  return fleet;
}

/** Longest maximum age accepted: beyond it the age never triggers a rebuild in practice, and a typo is likelier. */
const MAX_REBUILD_AGE_DAYS = 3650;

/** operations.rebuild, its maxAge parsed (the schema filled in the default and checked the form). */
function resolveRebuild(raw: Raw, file: string, problems: ConfigProblem[]): RebuildConfig | undefined {
  const maxAge: string = raw.maxAge;
  const field = 'operations.rebuild.maxAge';
  let maxAgeSeconds: number;
  try {
    maxAgeSeconds = Duration.parse(maxAge).toSeconds();
  } catch {
    // Duration.parse takes P<days>DT<hours>H<minutes>M<seconds>S; its own message names neither file nor field.
    problems.push({ file: display(file), field, message: 'is not an ISO 8601 duration of days, hours, minutes and seconds', value: maxAge, fix: 'use e.g. P30D, P14D or PT12H (weeks, months and years are not accepted; write P28D, not P4W)' });
    return undefined;
  }
  if (maxAgeSeconds > MAX_REBUILD_AGE_DAYS * 86_400) {
    problems.push({ file: display(file), field, message: `must be at most P${MAX_REBUILD_AGE_DAYS}D`, value: maxAge, fix: 'use a shorter duration such as P30D; a scheduled run rebuilds images with upstream updates whatever the age' });
    return undefined;
  }
  return { maxAge, maxAgeSeconds };
}

function resolveSource(raw: Raw, file: string, readFiles: readonly string[], problems: ConfigProblem[]): SourceConfig | undefined {
  // The schema filled in provider, repository and branch.
  const s: Raw = raw.source;
  const { provider, repository, branch } = s as { provider: string; repository: string; branch: string };
  const f = display(file);
  const before = problems.length;
  problems.push(...checkBranchName(f, 'source.branch', branch));
  const ignorePaths: readonly string[] = s.ignorePaths ?? DEFAULT_IGNORE_PATHS;
  problems.push(...checkIgnorePaths(f, ignorePaths, readFiles));
  if (provider === 'github') {
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) {
      problems.push({ file: f, field: 'source.repository', message: 'must be owner/repository for GitHub', value: repository, fix: 'write it as in the GitHub URL, e.g. my-org/golden-ami-pipeline' });
    }
    if (!s.connectionArn) {
      problems.push({ file: f, field: 'source.connectionArn', message: 'is required when source.provider is github', fix: 'create a connection to GitHub in the Developer Tools console and copy its ARN here' });
    }
    if (s.createRepository !== undefined) {
      problems.push({ file: f, field: 'source.createRepository', message: 'applies to codecommit only', value: s.createRepository, fix: 'remove it; a GitHub repository is never created by the pipeline' });
    }
    if (s.onDestroy !== undefined) {
      problems.push({ file: f, field: 'source.onDestroy', message: 'applies to codecommit only', value: s.onDestroy, fix: 'remove it; the pipeline never deletes a GitHub repository' });
    }
    return problems.length > before ? undefined : { provider, repository, branch, connectionArn: s.connectionArn, ignorePaths };
  }
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(repository)) {
    problems.push({ file: f, field: 'source.repository', message: 'is not a valid CodeCommit repository name', value: repository, fix: 'use 1-100 letters, digits, ".", "_" or "-"' });
  }
  if (s.connectionArn !== undefined) {
    problems.push({ file: f, field: 'source.connectionArn', message: 'applies to github only', value: s.connectionArn, fix: 'remove it, or set source.provider: github' });
  }
  const createRepository: boolean = s.createRepository ?? true;
  if (!createRepository && s.onDestroy === 'delete') {
    problems.push({ file: f, field: 'source.onDestroy', message: 'can delete only a repository the pipeline created (source.createRepository is false)', value: s.onDestroy, fix: 'remove source.onDestroy, or delete the existing repository yourself' });
  }
  return problems.length > before ? undefined : { provider: 'codecommit', repository, branch, createRepository, onDestroy: s.onDestroy ?? 'keep', ignorePaths };
}

function resolveNetwork(raw: Raw, file: string, problems: ConfigProblem[]): NetworkConfig | undefined {
  const n: Raw = raw.network;
  const f = display(file);
  const before = problems.length;
  if (n.vpcId !== undefined || n.subnetIds !== undefined) {
    if (n.vpcId === undefined) problems.push({ file: f, field: 'network.vpcId', message: 'is required with network.subnetIds', fix: 'give the id of the VPC the subnets belong to' });
    if (n.subnetIds === undefined) problems.push({ file: f, field: 'network.subnetIds', message: 'is required with network.vpcId', fix: 'list the private subnets (with outbound internet access) to use' });
    for (const key of ['vpcCidr', 'maxAzs', 'natGateways', 'egress']) {
      if (n[key] !== undefined) problems.push({ file: f, field: `network.${key}`, message: 'applies only to a VPC the pipeline creates', value: n[key], fix: 'remove it, or remove vpcId and subnetIds to let the pipeline create a VPC' });
    }
    return problems.length > before ? undefined : { kind: 'existing', vpcId: n.vpcId, subnetIds: n.subnetIds, publicSubnetIds: n.publicSubnetIds ?? [] };
  }
  if (n.publicSubnetIds !== undefined) {
    problems.push({ file: f, field: 'network.publicSubnetIds', message: 'applies only to an existing VPC (network.vpcId); a VPC the pipeline creates has its own public subnets', value: n.publicSubnetIds, fix: 'remove it, or give network.vpcId and network.subnetIds too' });
  }
  const network = { kind: 'create' as const, vpcCidr: n.vpcCidr ?? '10.40.0.0/16', maxAzs: n.maxAzs ?? 2, natGateways: n.natGateways ?? 1, egress: (n.egress ?? 'on-demand') as EgressMode };
  problems.push(...checkVpcCidr(f, n.vpcCidr === undefined ? 'network.vpcCidr (default)' : 'network.vpcCidr', network.vpcCidr, network.maxAzs));
  if (network.natGateways > network.maxAzs) {
    problems.push({ file: f, field: 'network.natGateways', message: `must not exceed network.maxAzs (${network.maxAzs})`, value: network.natGateways, fix: `use at most ${network.maxAzs}` });
  }
  return problems.length > before ? undefined : network;
}
