import * as path from 'path';
import { CfnOutput, CfnParameter, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { APPLICATION_ARTIFACT_PARAMETER, type ComponentConfig, type ImageConfig } from '../config/model';
import { BUILD_INSTANCE_MANAGED_POLICIES } from '../iam/image-stack-grants';
import { amiKeyAliasName, IMAGE_TAG_KEY, imageBuilderName, imageParameterNames, instanceRoleBoundaryName, instanceRoleName, PIPELINE_TAG_KEY, VERSION_TAG_KEY } from '../naming';
import type { RegionShare } from './environment-shares';
import { ImportedNetwork } from './imported-network';

/** Props for ImageStack. */
export interface ImageStackProps extends StackProps {
  readonly pipelineName: string;
  readonly image: ImageConfig;
  /**
   * Directory holding the built application artifact, handed to components that declare the
   * ApplicationArtifactS3Uri parameter.
   */
  readonly applicationArtifactDir: string;
  /**
   * Where build and test instances run: the private subnets (egress through the VPC's NAT gateways), or the public
   * subnets with a public address (network.egress on-demand: no NAT gateway exists while every fleet is at zero).
   * @default 'private'
   */
  readonly buildSubnets?: 'private' | 'public';
  /**
   * The environments' accounts by region (environment-shares.ts): the copy in each of those regions is encrypted with
   * the pipeline's AMI key of that region (AmiKeyStack) and shared with them. A share in the build region encrypts
   * the build itself with that key.
   * @default - no environments
   */
  readonly environmentShares?: readonly RegionShare[];
}

/** Outputs of the image stack, consumed by the release step. */
export const IMAGE_STACK_OUTPUTS = { amiId: 'AmiId', version: 'BuiltVersion', recipeName: 'RecipeName' } as const;

/**
 * The EC2 Image Builder resources of one image, deployed through CloudFormation change sets. Component and recipe
 * versions come from an SSM-typed parameter written by parameter-prep just before the change set is created, so a new
 * version never collides with an existing one ("already exists").
 */
export class ImageStack extends Stack {
  /** The Image Builder image; its creation builds and tests the AMI. */
  public readonly image: imagebuilder.CfnImage;
  public readonly amiIdOutput: CfnOutput;
  public readonly versionOutput: CfnOutput;
  public readonly recipeNameOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ImageStackProps) {
    super(scope, id, props);
    const { image, pipelineName } = props;
    const name = imageBuilderName(pipelineName, image.name);
    const shares = new Map((props.environmentShares ?? []).map((s) => [s.region, s.accounts]));
    const amiKey = (region: string) => `arn:${this.partition}:kms:${region}:${this.account}:${amiKeyAliasName(pipelineName)}`;
    const tags: Record<string, string> = { [PIPELINE_TAG_KEY]: pipelineName, [IMAGE_TAG_KEY]: image.name };

    const version = new CfnParameter(this, 'ImageVersion', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: imageParameterNames(pipelineName, image.name).version,
      description: 'SSM parameter holding MAJOR.MINOR.PATCH for this build (written by parameter-prep)',
    }).valueAsString;

    const network = new ImportedNetwork(this, 'Network', { pipelineName });

    const documents = image.components.filter((c): c is ComponentConfig => c.kind === 'document');
    const needsArtifact = documents.some((c) => c.parameterNames.includes(APPLICATION_ARTIFACT_PARAMETER));
    const artifact = needsArtifact ? new s3assets.Asset(this, 'ApplicationArtifact', { path: props.applicationArtifactDir }) : undefined;

    const ownComponents = new Map(
      documents.map((component) => [
        component.name,
        new imagebuilder.CfnComponent(this, `Component-${component.name}`, {
          name: `${name}-${component.name}`,
          version,
          platform: image.platform === 'windows' ? 'Windows' : 'Linux',
          description: `${component.name} for image ${image.name} (${path.basename(component.path)})`,
          changeDescription: `Built by pipeline ${pipelineName}`,
          data: component.document,
          tags,
        }),
      ]),
    );

    const recipe = new imagebuilder.CfnImageRecipe(this, 'Recipe', {
      name,
      version,
      description: image.description,
      parentImage: this.parentImage(image.parentImage),
      components: image.components.map((component) => {
        if (component.kind === 'managed') {
          // AWS-managed components live in the account "aws" of each region.
          return { componentArn: this.formatArn({ service: 'imagebuilder', account: 'aws', resource: 'component', resourceName: `${component.name}/${component.version}` }) };
        }
        return {
          componentArn: ownComponents.get(component.name)!.attrArn,
          parameters: component.parameterNames.includes(APPLICATION_ARTIFACT_PARAMETER) && artifact
            ? [{ name: APPLICATION_ARTIFACT_PARAMETER, value: [artifact.s3ObjectUrl] }]
            : undefined,
        };
      }),
      blockDeviceMappings: [
        {
          deviceName: image.rootDeviceName,
          // An AMI encrypted with the AWS-managed EBS key cannot be launched by another account: one promoted to an
          // environment in this region is built with the pipeline's AMI key instead.
          ebs: { volumeSize: image.rootVolumeGiB, volumeType: 'gp3', encrypted: true, deleteOnTermination: true, kmsKeyId: shares.has(this.region) ? amiKey(this.region) : undefined },
        },
      ],
      tags,
    });

    // Named, and under the pipeline's boundary: the stack's execution role may create no other role.
    const instanceRole = new iam.Role(this, 'BuildInstanceRole', {
      roleName: instanceRoleName(this.stackName),
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Image Builder build and test instances of ${name}`,
      managedPolicies: BUILD_INSTANCE_MANAGED_POLICIES.map((policy) => iam.ManagedPolicy.fromAwsManagedPolicyName(policy)),
      permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(this, 'InstanceRoleBoundary', instanceRoleBoundaryName(pipelineName)),
    });
    Validations.of(instanceRole).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        reason: 'Image Builder drives build and test instances through Systems Manager; this AWS policy is the minimum the SSM agent needs and AWS keeps it current.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]',
        reason: 'The AWS-maintained policy Image Builder documents for build instances (component download, log upload); a copy would drift from what the service needs.',
      },
    );
    if (artifact) {
      // The one artifact object, not the whole asset bucket.
      instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [artifact.bucket.arnForObjects(artifact.s3ObjectKey)] }));
    }
    const instanceProfile = new iam.CfnInstanceProfile(this, 'BuildInstanceProfile', { instanceProfileName: instanceRoleName(this.stackName), roles: [instanceRole.roleName] });

    const securityGroup = new ec2.SecurityGroup(this, 'BuildInstanceSecurityGroup', {
      vpc: network.vpc,
      description: `Image Builder instances of ${name}: no inbound, HTTPS out (packages, S3, Systems Manager)`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to package repositories, S3 and Systems Manager');

    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name,
      description: `Build and test instances of ${name}`,
      instanceProfileName: instanceProfile.ref,
      instanceTypes: [...image.buildInstanceTypes],
      subnetId: Fn.select(0, props.buildSubnets === 'public' ? network.publicSubnetIds : network.subnetIds),
      securityGroupIds: [securityGroup.securityGroupId],
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      resourceTags: tags,
      tags: tags,
    });

    const distribution = new imagebuilder.CfnDistributionConfiguration(this, 'Distribution', {
      name,
      description: `Where AMIs of ${name} go`,
      distributions: [this.region, ...image.distribution.regions.filter((r) => r !== this.region)].map((region) =>
        distributionTo(region, image, name, pipelineName, version, shares.has(region) ? { accounts: shares.get(region)!, kmsKeyId: amiKey(region) } : undefined),
      ),
      tags,
    });

    this.image = new imagebuilder.CfnImage(this, 'Image', {
      imageRecipeArn: recipe.attrArn,
      infrastructureConfigurationArn: infrastructure.attrArn,
      distributionConfigurationArn: distribution.attrArn,
      imageTestsConfiguration: { imageTestsEnabled: image.tests, timeoutMinutes: image.testTimeoutMinutes },
      // Inspector scans the test instance and Image Builder keeps the findings with the build, for the release gate.
      // ImageScanningTypes is left out: "If you omit ImageScanningTypes, Image Builder uses TEST_INSTANCE_CVE" (the
      // resource's schema), and cfn-lint 1.51 does not know the property yet. Part of the image's fingerprint:
      // turning the scan on or off builds a new version.
      imageScanningConfiguration: image.scanning.enabled ? { imageScanningEnabled: true } : undefined,
      enhancedImageMetadataEnabled: true,
      tags: tags,
    });

    this.amiIdOutput = new CfnOutput(this, IMAGE_STACK_OUTPUTS.amiId, { value: this.image.attrImageId, description: 'AMI built by this version' });
    this.versionOutput = new CfnOutput(this, IMAGE_STACK_OUTPUTS.version, { value: version, description: 'Image version built' });
    this.recipeNameOutput = new CfnOutput(this, IMAGE_STACK_OUTPUTS.recipeName, { value: name, description: 'Image Builder recipe name' });
  }

  /** Managed image names become ARNs of AWS-owned images; ssm: parameters and AMI ids pass through. */
  private parentImage(parent: string): string {
    if (parent.startsWith('ssm:') || parent.startsWith('ami-')) return parent;
    return Stack.of(this).formatArn({ service: 'imagebuilder', account: 'aws', resource: 'image', resourceName: parent });
  }
}

/** One region's distribution: the AMI's name and tags, who may launch it, and the SSM parameter Image Builder sets. */
function distributionTo(
  region: string,
  image: ImageConfig,
  name: string,
  pipelineName: string,
  version: string,
  environments?: { readonly accounts: readonly string[]; readonly kmsKeyId: string },
): imagebuilder.CfnDistributionConfiguration.DistributionProperty {
  const { organizationArns, organizationalUnitArns, amiName, amiTags, ssmParameter } = image.distribution;
  const accounts = [...new Set([...image.distribution.accounts, ...(environments?.accounts ?? [])])];
  const shared = accounts.length + organizationArns.length + organizationalUnitArns.length > 0;
  return {
    region,
    // Typed as a JSON blob in the L1, so the keys are CloudFormation's own (PascalCase).
    amiDistributionConfiguration: {
      Name: amiName ?? `${name}-{{ imagebuilder:buildDate }}`,
      Description: `${image.description} (golden-ami-pipeline ${pipelineName})`,
      AmiTags: { ...amiTags, [PIPELINE_TAG_KEY]: pipelineName, [IMAGE_TAG_KEY]: image.name, [VERSION_TAG_KEY]: version },
      KmsKeyId: environments?.kmsKeyId,
      LaunchPermissionConfiguration: shared
        ? {
            UserIds: accounts.length > 0 ? accounts : undefined,
            OrganizationArns: organizationArns.length > 0 ? organizationArns : undefined,
            OrganizationalUnitArns: organizationalUnitArns.length > 0 ? organizationalUnitArns : undefined,
          }
        : undefined,
    },
    ssmParameterConfigurations: ssmParameter ? [{ parameterName: ssmParameter, dataType: 'aws:ec2:image' }] : undefined,
  };
}
