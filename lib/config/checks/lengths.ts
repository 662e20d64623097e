import type { ConfigProblem } from '../config-error';
import { isToken, problem } from './problem';

/**
 * AmiDistributionConfiguration Description: 1 to 1024 characters (AWS::ImageBuilder::DistributionConfiguration
 * resource schema). lib/stages/image-stack.ts sets it to the image's description followed by this suffix.
 */
export const MAX_AMI_DESCRIPTION = 1024;
export const amiDescriptionSuffix = (pipelineName: string) => ` (golden-ami-pipeline ${pipelineName})`;

/**
 * AmiDistributionConfiguration Name: its pattern in the same resource schema. Image Builder replaces
 * {{ imagebuilder:buildDate }} at build time; the name as written must match.
 */
export const AMI_NAME_PATTERN = /^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}.]+[-_A-Za-z0-9}]$/;

/** The image description must leave room for the text the app appends to it on the AMI. */
export function checkImageDescription(file: string, field: string, description: string, pipelineName: string): ConfigProblem[] {
  if (isToken(description)) return [];
  const room = MAX_AMI_DESCRIPTION - amiDescriptionSuffix(pipelineName).length;
  if (description.length <= room) return [];
  return [
    problem(
      file,
      field,
      `is ${description.length} characters; the AMI description is this text followed by "${amiDescriptionSuffix(pipelineName)}", and Image Builder takes at most ${MAX_AMI_DESCRIPTION}`,
      undefined,
      `shorten it to at most ${room} characters`,
    ),
  ];
}

/** A custom AMI name must use only the characters Image Builder accepts in it. */
export function checkAmiName(file: string, field: string, amiName: string): ConfigProblem[] {
  if (isToken(amiName) || AMI_NAME_PATTERN.test(amiName)) return [];
  return [problem(file, field, 'has characters Image Builder does not accept in an AMI name (letters, digits, space, - _ . : and {{ }} only; no - or space first or last)', amiName, 'e.g. my-image-{{ imagebuilder:buildDate }}')];
}
