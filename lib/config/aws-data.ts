import * as fs from 'fs';
import * as path from 'path';

/**
 * AWS facts the configuration checks need offline, read from the data files in lib/config/data/. Each file records its
 * source and date; `npm run refresh-aws-data` regenerates them (see bin/refresh-aws-data.ts). Nothing here guesses:
 * a fact a file does not hold (say, the architecture of an instance type) is simply not checked.
 */

export type Architecture = 'x86_64' | 'arm64';
export type ImagePlatform = 'Linux' | 'Windows' | 'macOS';

/** Where a data file's contents came from and when. */
export interface DataSource {
  readonly generatedBy: string;
  /** YYYY-MM-DD. */
  readonly date: string;
  readonly [what: string]: string;
}

export interface InstanceTypeData {
  readonly source: DataSource;
  /** Every known instance type → its architecture, or null where none is known (not architecture-checked). */
  readonly instanceTypes: Readonly<Record<string, Architecture | null>>;
}

export interface ManagedComponentData {
  readonly source: DataSource;
  /** AWS-managed component name → platform, or null where none is known (not platform-checked). */
  readonly components: Readonly<Record<string, 'Linux' | 'Windows' | null>>;
}

export interface ManagedImageData {
  readonly source: DataSource;
  /** AWS-managed image name (without version) → platform and architecture, null where not known. */
  readonly images: Readonly<Record<string, { readonly platform: ImagePlatform | null; readonly architecture: Architecture | null }>>;
}

export interface AwstoeActionData {
  readonly source: DataSource;
  /** AWSTOE action module → the platforms it runs on (empty: every platform). */
  readonly actions: Readonly<Record<string, ReadonlyArray<'linux' | 'windows'>>>;
}

/**
 * Instance families AWS lists as Graviton (arm64): github.com/aws/aws-graviton-getting-started README, table
 * "Building for Graviton" (Graviton2, Graviton3(E), Graviton4 columns), plus A1, the first Arm-based family
 * (aws-cdk-lib InstanceClass.A1: "Arm processor based instances, 1st generation").
 */
export const GRAVITON_FAMILIES: readonly string[] = [
  'a1',
  'm6g', 'm6gd', 'c6g', 'c6gd', 'c6gn', 'r6g', 'r6gd', 't4g', 'x2gd', 'g5g', 'i4g', 'im4gn', 'is4gen',
  'c7g', 'c7gd', 'c7gn', 'm7g', 'm7gd', 'r7g', 'r7gd', 'hpc7g',
  'c8g', 'm8g', 'r8g', 'x8g', 'i8g',
];

const cache = new Map<string, unknown>();

function readData<T>(file: string): T {
  if (!cache.has(file)) cache.set(file, JSON.parse(fs.readFileSync(path.join(__dirname, 'data', file), 'utf8')));
  return cache.get(file) as T;
}

export const awsData = {
  instanceTypes: () => readData<InstanceTypeData>('ec2-instance-types.json'),
  managedComponents: () => readData<ManagedComponentData>('imagebuilder-managed-components.json'),
  managedImages: () => readData<ManagedImageData>('imagebuilder-managed-images.json'),
  awstoeActions: () => readData<AwstoeActionData>('awstoe-actions.json'),
};

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known names closest to `name` (at most `maxDistance` edits), nearest first. */
export function closestNames(name: string, known: Iterable<string>, maxDistance = 2): string[] {
  return [...known]
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .filter((c) => c.distance <= maxDistance)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .map((c) => c.candidate);
}
