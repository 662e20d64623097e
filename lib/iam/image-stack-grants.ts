import * as iam from 'aws-cdk-lib/aws-iam';
import type { ImageConfig } from '../config/model';
import { imageBuilderName } from '../naming';
import { NagNames } from '../validation/nag-names';
import { arnIn, describeGrant, type ExecutionGrant, stageStackBaseGrants, type StageStackContext } from './execution-grants';

/** AWS-managed policies the build instance role attaches (see ImageStack). */
export const BUILD_INSTANCE_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore', 'EC2InstanceProfileForImageBuilder'] as const;

/**
 * What CloudFormation needs to create, change and delete one image stack (ImageStack): its own Image Builder
 * resources by name, its instance role under the boundary, its security group in the pipeline VPC, and reads of the
 * AWS-owned components, images and workflows its recipe names. Nothing of another image or another stack.
 */
export function imageStackGrants(ctx: StageStackContext, pipelineName: string, image: ImageConfig): ExecutionGrant[] {
  const name = imageBuilderName(pipelineName, image.name);
  const nag = NagNames.of(ctx.scope);
  const ownComponents = image.components.filter((c) => c.kind === 'document').map((c) => `component/${`${name}-${c.name}`.toLowerCase()}/*`);
  const managedComponents = image.components.filter((c) => c.kind === 'managed').map((c) => `component/${c.name}/*`);
  const versioned = (resource: string) => ({ [nag.arn('imagebuilder', resource)]: `Every version and build of ${resource.split('/').slice(0, 2).join('/')} only; Image Builder appends them to the name.` });

  const grants: ExecutionGrant[] = [
    {
      statement: new iam.PolicyStatement({
        sid: 'ImageBuilderResourcesOfThisImage',
        actions: [
          'imagebuilder:CreateComponent',
          'imagebuilder:GetComponent',
          'imagebuilder:DeleteComponent',
          'imagebuilder:CreateImageRecipe',
          'imagebuilder:GetImageRecipe',
          'imagebuilder:DeleteImageRecipe',
          'imagebuilder:CreateInfrastructureConfiguration',
          'imagebuilder:GetInfrastructureConfiguration',
          'imagebuilder:UpdateInfrastructureConfiguration',
          'imagebuilder:DeleteInfrastructureConfiguration',
          'imagebuilder:CreateDistributionConfiguration',
          'imagebuilder:GetDistributionConfiguration',
          'imagebuilder:UpdateDistributionConfiguration',
          'imagebuilder:DeleteDistributionConfiguration',
          'imagebuilder:CreateImage',
          'imagebuilder:GetImage',
          'imagebuilder:DeleteImage',
          'imagebuilder:CancelImageCreation',
          'imagebuilder:TagResource',
          'imagebuilder:UntagResource',
          'imagebuilder:ListTagsForResource',
        ],
        resources: [
          ...ownComponents,
          `image-recipe/${name}/*`,
          `infrastructure-configuration/${name}`,
          `distribution-configuration/${name}`,
          `image/${name}/*`,
        ].map((resource) => arnIn(ctx.scope, 'imagebuilder', resource)),
      }),
      wildcards: Object.assign({}, ...[...ownComponents, `image-recipe/${name}/*`, `image/${name}/*`].map(versioned)),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadWhatTheRecipeUsesFromAws',
        actions: ['imagebuilder:GetComponent', 'imagebuilder:GetImage', 'imagebuilder:GetWorkflow'],
        resources: [
          ...managedComponents.map((resource) => arnIn(ctx.scope, 'imagebuilder', resource, { account: 'aws' })),
          ...(isManagedParent(image.parentImage) ? [arnIn(ctx.scope, 'imagebuilder', `image/${image.parentImage.split('/')[0]}/*`, { account: 'aws' })] : []),
          arnIn(ctx.scope, 'imagebuilder', 'workflow/*', { account: 'aws' }),
        ],
      }),
      wildcards: {
        ...Object.fromEntries(managedComponents.map((r) => [nag.arn('imagebuilder', r, 'aws'), `Versions of the AWS-owned component ${r.split('/')[1]} the recipe names; the recipe resolves the version pattern.`])),
        ...(isManagedParent(image.parentImage)
          ? { [nag.arn('imagebuilder', `image/${image.parentImage.split('/')[0]}/*`, 'aws')]: `Versions of the AWS-owned parent image ${image.parentImage.split('/')[0]}; the recipe resolves the version pattern.` }
          : {}),
        [nag.arn('imagebuilder', 'workflow/*', 'aws')]: 'The AWS-owned build and test workflows Image Builder runs for an image without workflows of its own; read only.',
      },
    },
    describeGrant('DescribeWhatImageBuilderValidates', [
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypeOfferings',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      // The image handler reads whether Amazon Inspector scanning is on for the account.
      'inspector2:BatchGetAccountStatus',
    ]),
    ...stageStackBaseGrants(ctx, 'imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder'),
  ];
  const { ssmParameter, regions } = image.distribution;
  if (ssmParameter) {
    // The distribution handler reads the parameter Image Builder will write the AMI id to, in every distribution region.
    const name = ssmParameter.replace(/^\//, '');
    grants.push({
      statement: new iam.PolicyStatement({
        sid: 'ReadTheDistributedAmiParameter',
        actions: ['ssm:GetParameter'],
        resources: [...new Set([undefined, ...regions])].map((region) => arnIn(ctx.scope, 'ssm', `parameter/${name}`, region ? { region } : {})),
      }),
    });
  }
  if (image.parentImage.startsWith('ssm:')) {
    const parameter = image.parentImage.slice('ssm:'.length);
    grants.push({
      statement: new iam.PolicyStatement({
        sid: 'ResolveTheParentImageParameter',
        actions: ['ssm:GetParameter'],
        // AWS public parameters (/aws/service/...) have no account in their ARN.
        resources: [arnIn(ctx.scope, 'ssm', `parameter${parameter}`, parameter.startsWith('/aws/') ? { account: '' } : {})],
      }),
    });
  }
  return grants;
}

function isManagedParent(parent: string): boolean {
  return !parent.startsWith('ssm:') && !parent.startsWith('ami-');
}
