/** The release gate: is this AMI the available product of this pipeline's build of this version? */

/** The fields of an EC2 DescribeImages result that the gate reads. */
export interface AmiFacts {
  readonly ImageId?: string;
  readonly State?: string;
  readonly Tags?: ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;
}

export interface ExpectedAmi {
  readonly amiId: string;
  readonly version: string;
  readonly recipeName: string;
}

/** Tag Image Builder puts on every AMI it distributes: the ARN of the image build version. */
export const IMAGE_BUILDER_ARN_TAG = 'Ec2ImageBuilderArn';

/** Returns why the AMI must not be released, or undefined when it may be. */
export function amiRejection(ami: AmiFacts | undefined, expected: ExpectedAmi): string | undefined {
  if (!ami) {
    return `AMI ${expected.amiId} does not exist in this account and region. Fix: check the image stack's AmiId output and the Image Builder console; then retry the stage`;
  }
  if (ami.State !== 'available') {
    return `AMI ${expected.amiId} is ${ami.State ?? 'in an unknown state'}, not available. Fix: wait for it to become available (or inspect the failed build in Image Builder), then retry the stage`;
  }
  const arn = builtBy(ami);
  if (!arn) {
    return `AMI ${expected.amiId} has no ${IMAGE_BUILDER_ARN_TAG} tag, so it was not produced by Image Builder; refusing to release it`;
  }
  // arn:<partition>:imagebuilder:<region>:<account>:image/<recipe name, lower case>/<version>/<build>
  const m = /:image\/([^/]+)\/([^/]+)\/\d+$/.exec(arn);
  if (!m || m[1] !== expected.recipeName.toLowerCase() || m[2] !== expected.version) {
    return `AMI ${expected.amiId} was built by ${arn}, not by recipe ${expected.recipeName.toLowerCase()} version ${expected.version}; refusing to release an image this pipeline run did not build`;
  }
  return undefined;
}

/** The image build version ARN Image Builder tagged the AMI with, if any. */
export function builtBy(ami: AmiFacts): string | undefined {
  return ami.Tags?.find((t) => t.Key === IMAGE_BUILDER_ARN_TAG)?.Value;
}
