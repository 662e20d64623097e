import type { ConfigProblem } from '../config-error';
import type { Platform } from '../model';
import { awsData, closestNames, type Architecture, type ImagePlatform } from '../aws-data';
import { didYouMean, isToken, problem } from './problem';

/** Largest value Image Builder accepts in a version node: 2^30 - 1. */
export const MAX_VERSION_NODE = 1073741823;

/**
 * Why Image Builder rejects a version selector such as x.1.x, or undefined when it accepts it. Semantic versioning
 * (awsdocs/ec2-image-builder-user-guide, ibhow-semantic-versioning.md): each of the three nodes is a whole number up to
 * 2^30-1, or the wildcard x; "when you use a wildcard in any node, all nodes to the right of the first wildcard must
 * also be wildcards" (x.2.x and 1.x.8 produce an error).
 */
export function versionSelectorError(version: string): string | undefined {
  const nodes = version.split('.');
  if (nodes.length !== 3 || nodes.some((n) => !/^(x|0|[1-9][0-9]*)$/.test(n))) return 'must be MAJOR.MINOR.PATCH, each a whole number or x';
  const firstWildcard = nodes.indexOf('x');
  if (firstWildcard >= 0 && nodes.slice(firstWildcard).some((n) => n !== 'x')) return 'has a number after an x: every part after the first x must be x too';
  const tooLarge = nodes.find((n) => n !== 'x' && Number(n) > MAX_VERSION_NODE);
  if (tooLarge) return `has a part above ${MAX_VERSION_NODE} (2^30-1), the largest Image Builder accepts`;
  return undefined;
}

/** A version selector the message can suggest instead of a rejected one. */
function fixedSelector(version: string): string {
  const nodes = version.split('.');
  const firstWildcard = nodes.indexOf('x');
  return firstWildcard < 0 ? version : nodes.map((n, i) => (i >= firstWildcard ? 'x' : n)).join('.');
}

/**
 * A name missing from a snapshot of AWS-managed names is only a problem when it is a near miss of a known one:
 * an unknown name may be newer than the data file. Names that differ only in their digits (amazon-corretto-25-jdk
 * beside amazon-corretto-21-jdk) count as a version the data does not know yet, not as a misspelling.
 */
function nearMisses(name: string, known: readonly string[]): string[] {
  const digitsOut = (s: string) => s.toLowerCase().replace(/[0-9]+/g, '#');
  return closestNames(name, known).filter((candidate) => digitsOut(candidate) !== digitsOut(name));
}

/** An AWS-managed component aws/<name>/<version>: its version selector, its name, and its platform. */
export function checkManagedComponent(file: string, field: string, reference: string, name: string, version: string, platform: Platform): ConfigProblem[] {
  if (isToken(reference)) return [];
  const problems: ConfigProblem[] = [];
  const versionError = versionSelectorError(version);
  if (versionError) {
    problems.push(problem(file, field, `version ${version} ${versionError}`, reference, `use e.g. aws/${name}/${fixedSelector(version)} (x.x.x takes the latest version)`));
  }
  const known = awsData.managedComponents().components;
  const other: Platform = platform === 'linux' ? 'windows' : 'linux';
  if (!(name in known)) {
    const misses = nearMisses(name, Object.keys(known));
    if (misses.length > 0) {
      problems.push(problem(file, field, `names no AWS-managed component "${name}"`, reference, `${didYouMean(misses.map((m) => `aws/${m}/${version}`))} (list them with \`aws imagebuilder list-components --owner Amazon\`)`));
    }
  }
  // The platform the data records, else the "linux"/"windows" word AWS puts in its component names.
  const recorded = known[name];
  const words = name.toLowerCase().split('-');
  const componentPlatform = recorded ? (recorded.toLowerCase() as Platform) : words.includes(other) ? other : undefined;
  if (componentPlatform === other) {
    problems.push(problem(file, field, `is a ${other} component, but the image is ${platform}`, reference, `use the ${platform} counterpart (e.g. aws/update-${platform}/x.x.x) or set platform: ${other}`));
  }
  return problems;
}

/** What is known about a parent image once it has been checked. */
export interface ParentImageFacts {
  readonly platform?: ImagePlatform;
  readonly architecture?: Architecture;
}

/** Platform and architecture words in an SSM parameter path or image name (AWS names them so). */
function factsFromWords(text: string): ParentImageFacts {
  const words = text.toLowerCase().split(/[^a-z0-9_]+/).flatMap((w) => [w, ...w.split('_')]);
  const has = (...candidates: string[]) => candidates.some((c) => words.includes(c));
  return {
    platform: has('windows') ? 'Windows' : has('linux') ? 'Linux' : has('macos') ? 'macOS' : undefined,
    architecture: has('arm64', 'aarch64') ? 'arm64' : has('x86', 'x86_64', 'amd64') ? 'x86_64' : undefined,
  };
}

/**
 * The parent image: an AWS-managed image name/version (version selector, misspelled name), an SSM parameter or an
 * AMI id. Returns what is known of its platform and architecture, and a problem when its platform is not the image's.
 */
export function checkParentImage(file: string, field: string, parentImage: string, platform: Platform): { problems: ConfigProblem[]; facts: ParentImageFacts } {
  if (isToken(parentImage) || parentImage.startsWith('ami-')) return { problems: [], facts: {} };
  const problems: ConfigProblem[] = [];
  let facts: ParentImageFacts;
  if (parentImage.startsWith('ssm:')) {
    facts = factsFromWords(parentImage);
  } else {
    const [name, version] = parentImage.split('/');
    const versionError = versionSelectorError(version);
    if (versionError) problems.push(problem(file, field, `version ${version} ${versionError}`, parentImage, `use e.g. ${name}/${fixedSelector(version)} (x.x.x takes the latest version)`));
    const known = awsData.managedImages().images;
    const recorded = known[name];
    if (!recorded) {
      const misses = nearMisses(name, Object.keys(known));
      if (misses.length > 0) {
        problems.push(problem(file, field, `names no AWS-managed image "${name}"`, parentImage, `${didYouMean(misses.map((m) => `${m}/${version}`))} (list them with \`aws imagebuilder list-images --owner Amazon\`)`));
      }
    }
    const fromName = factsFromWords(name);
    facts = { platform: recorded?.platform ?? fromName.platform, architecture: recorded?.architecture ?? fromName.architecture };
  }
  const wanted: ImagePlatform = platform === 'windows' ? 'Windows' : 'Linux';
  if (facts.platform === 'macOS') {
    problems.push(problem(file, field, 'is a macOS image; this pipeline builds linux and windows images', parentImage, 'use a Linux or Windows parent image'));
  } else if (facts.platform && facts.platform !== wanted) {
    const example = platform === 'windows' ? 'windows-server-2022-english-full-base-x86/x.x.x' : 'amazon-linux-2023-x86/x.x.x';
    problems.push(problem(file, field, `is a ${facts.platform} image, but platform is ${platform}`, parentImage, `use a ${wanted} parent such as ${example}, or set platform: ${facts.platform.toLowerCase()}`));
  }
  return { problems, facts };
}
