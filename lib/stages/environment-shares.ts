import type { EnvironmentConfig, ImageConfig } from '../config/model';

/** The environment accounts of one region: the AMI copy there is shared with them and encrypted with the region's AMI key. */
export interface RegionShare {
  readonly region: string;
  readonly accounts: readonly string[];
}

/** The environments grouped by region, in the order the regions first appear. */
export function environmentShares(environments: readonly EnvironmentConfig[]): RegionShare[] {
  const byRegion = new Map<string, string[]>();
  for (const env of environments) byRegion.set(env.region, [...(byRegion.get(env.region) ?? []), env.account]);
  return [...byRegion].map(([region, accounts]) => ({ region, accounts: [...new Set(accounts)] }));
}

/**
 * The image as the pipeline builds it when environments are configured: distributed to every environment's region
 * as well, so that the release step tags the copies' snapshots there and applies retention to them like any other
 * distribution region. Without environments, the image unchanged.
 */
export function withEnvironmentRegions(image: ImageConfig, environments: readonly EnvironmentConfig[]): ImageConfig {
  if (environments.length === 0) return image;
  const regions = [...new Set([...image.distribution.regions, ...environments.map((e) => e.region)])];
  return { ...image, distribution: { ...image.distribution, regions } };
}
