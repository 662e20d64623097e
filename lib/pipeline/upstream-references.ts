import type { ImageConfig } from '../config/model';

/**
 * What an image is built from upstream, as the parameter-prep function references it: its AWS-managed parent image
 * (`image/<name>/<version selector>`) and AWS-managed components (`component/<name>/<version selector>`), each the
 * resource part of the ARN in the account "aws" that the image stack's recipe names. A parent given as an SSM
 * parameter or an AMI id has no Image Builder version to compare; only the maximum age rebuilds such an image.
 */
export function upstreamReferences(image: ImageConfig): string[] {
  const parent = image.parentImage.startsWith('ssm:') || image.parentImage.startsWith('ami-') ? [] : [`image/${image.parentImage}`];
  const components = image.components.flatMap((c) => (c.kind === 'managed' ? [`component/${c.name}/${c.version}`] : []));
  return [...new Set([...parent, ...components])];
}
