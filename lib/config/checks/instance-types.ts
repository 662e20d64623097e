import type { ConfigProblem } from '../config-error';
import { awsData, closestNames, type Architecture } from '../aws-data';
import { didYouMean, isToken, problem } from './problem';

/** What an instance must run: the architecture of the image's parent, and where that fact comes from. */
export interface ArchitectureNeed {
  readonly architecture: Architecture;
  /** The parent image, for the message. */
  readonly parentImage: string;
}

/**
 * An instance type must exist (lib/config/data/ec2-instance-types.json) and, when both are known, have the
 * architecture of the parent image: Image Builder cannot launch an x86_64 AMI on a Graviton instance, or the reverse.
 */
export function checkInstanceType(file: string, field: string, instanceType: string, need?: ArchitectureNeed): ConfigProblem[] {
  if (isToken(instanceType)) return [];
  const known = awsData.instanceTypes().instanceTypes;
  if (!(instanceType in known)) {
    const near = closestNames(instanceType, Object.keys(known));
    const sameFamily = near.filter((candidate) => candidate.split('.')[0] === instanceType.split('.')[0]);
    const guess = didYouMean(sameFamily.length > 0 ? sameFamily : near);
    return [
      problem(file, field, 'is not an EC2 instance type', instanceType, `${guess ? `${guess} Otherwise use` : 'use'} a type from \`aws ec2 describe-instance-types\`, such as t3.small (a type newer than lib/config/data/ec2-instance-types.json needs \`npm run refresh-aws-data\`)`),
    ];
  }
  const architecture = known[instanceType];
  if (!need || !architecture || architecture === need.architecture) return [];
  const example = need.architecture === 'arm64' ? 't4g.small' : 't3.small';
  const otherParent = architecture === 'arm64' ? 'an arm64 parent image (e.g. amazon-linux-2023-arm64/x.x.x)' : 'an x86_64 parent image (e.g. amazon-linux-2023-x86/x.x.x)';
  return [
    problem(
      file,
      field,
      `is an ${architecture} type${architecture === 'arm64' ? ' (Graviton)' : ''}, but the parent image ${need.parentImage} is ${need.architecture}: Image Builder cannot launch it there`,
      instanceType,
      `use an ${need.architecture} type such as ${example}, or ${otherParent}`,
    ),
  ];
}
