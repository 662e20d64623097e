import { createHash } from 'crypto';
import { CfnResource, type Stack } from 'aws-cdk-lib';

/**
 * Resource types whose properties define what image gets built. Component, recipe and image properties are
 * create-only: any change to them needs a new version or CloudFormation fails with "already exists". Infrastructure
 * and distribution settings are included because a user who changes them expects a new image.
 */
const IMAGE_DEFINING_TYPES = new Set([
  'AWS::ImageBuilder::Component',
  'AWS::ImageBuilder::ImageRecipe',
  'AWS::ImageBuilder::InfrastructureConfiguration',
  'AWS::ImageBuilder::DistributionConfiguration',
  'AWS::ImageBuilder::Image',
]);

/**
 * A hash of everything that defines an image: the image stack's Image Builder resources exactly as they will be
 * deployed (component documents, the application artifact's content-addressed S3 key, parent image, recipe,
 * infrastructure and distribution settings). Computed from the resolved template rather than from the configuration,
 * so no input can be forgotten; the version parameter appears only as a reference and does not feed back into it.
 */
export function imageFingerprint(stack: Stack): string {
  const resources = stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && IMAGE_DEFINING_TYPES.has(c.cfnResourceType))
    // _toCloudFormation is how CDK itself renders a resource for the template; resolve() turns tokens into JSON.
    .map((r) => stack.resolve((r as unknown as { _toCloudFormation(): object })._toCloudFormation()));
  return createHash('sha256').update(canonicalJson(resources)).digest('hex');
}

/** JSON with object keys sorted, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
