import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load-config';
import { ImageStage } from '../../lib/stages/image-stage';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { configDirWith, testArtifactDir } from '../helpers/synth-app';

// The fixture synthesized once for the whole run.
const imageTemplate = (image: string) => fixtureAssembly().stageTemplate(`Image-${image}`);

describe('the image stack of the shipped application image', () => {
  let template: Template;
  beforeAll(() => {
    template = imageTemplate('app-linux');
  });

  const version = { Ref: 'ImageVersion' };

  test('takes its version from the SSM parameter parameter-prep writes, resolved at change set creation', () => {
    template.hasParameter('ImageVersion', { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/golden-ami/golden-ami/images/app-linux/version' });
    template.hasParameter('NetworkPublicSubnetIds', { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/golden-ami/golden-ami/network/public-subnet-ids' });
  });

  test('the component installs the app from the build artifact, versioned like the recipe', () => {
    template.hasResourceProperties('AWS::ImageBuilder::Component', {
      Name: 'golden-ami-app-linux-app-service',
      Version: version,
      Platform: 'Linux',
      Data: Match.stringLikeRegexp('name: validate[\\s\\S]*name: test[\\s\\S]*curl -fsS http://127\\.0\\.0\\.1:8080/health'),
    });
  });

  test('the recipe starts from the AWS-managed Amazon Linux 2023 image on an encrypted gp3 root volume', () => {
    template.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      Name: 'golden-ami-app-linux',
      Version: version,
      ParentImage: 'arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 10, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
      Components: [
        { ComponentArn: 'arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x' },
        {
          ComponentArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Componentappservice'), 'Arn'] },
          Parameters: [{ Name: 'ApplicationArtifactS3Uri', Value: [Match.stringLikeRegexp('^s3://cdk-hnb659fds-assets-123456789012-eu-west-1/[0-9a-f]{64}\\.zip$')] }],
        },
      ],
    });
  });

  test('build instances require IMDSv2, are terminated on failure and run in the pipeline network', () => {
    // network.egress on-demand (the default): no NAT gateway may exist, so builds run in a public subnet, whose
    // auto-assigned public address is how they reach Systems Manager (Image Builder assigns none itself).
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceTypes: ['t3.small'],
      TerminateInstanceOnFailure: true,
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      SubnetId: { 'Fn::Select': [0, { Ref: 'NetworkPublicSubnetIds' }] },
    });
    expect(template.toJSON().Parameters.NetworkSubnetIds).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
      VpcId: { Ref: 'NetworkVpcId' },
    });
  });

  test('with network.egress always, builds run in the private subnets behind the NAT gateway', () => {
    const always = fixtureAssembly('reachable-fleets').stageTemplate('Image-web');
    always.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { SubnetId: { 'Fn::Select': [0, { Ref: 'NetworkSubnetIds' }] } });
    expect(always.toJSON().Parameters.NetworkPublicSubnetIds).toBeUndefined();
  });

  test('the build instance role has SSM and Image Builder\'s policies and may read the one artifact object', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilder']] },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: Match.stringLikeRegexp('^arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/[0-9a-f]{64}\\.zip$') }] },
    });
  });

  test('the image is built with tests on, scanned, tagged with the pipeline and distributed with its version tag', () => {
    template.hasResourceProperties('AWS::ImageBuilder::Image', {
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 60 },
      ImageScanningConfiguration: { ImageScanningEnabled: true },
      EnhancedImageMetadataEnabled: true,
      // The release step may read the scan state only of builds with this tag (GetImage's IAM condition).
      Tags: Match.objectLike({ 'golden-ami:pipeline': 'golden-ami', 'golden-ami:image': 'app-linux' }),
    });
    template.hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        {
          Region: 'eu-west-1',
          AmiDistributionConfiguration: Match.objectLike({ Name: 'golden-ami-app-linux-{{ imagebuilder:buildDate }}', AmiTags: Match.objectLike({ 'golden-ami:version': version }) }),
        },
      ],
    });
  });

  test('outputs what the release step needs', () => {
    template.hasOutput('AmiId', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Image'), 'ImageId'] } });
    template.hasOutput('BuiltVersion', { Value: version });
    template.hasOutput('RecipeName', { Value: 'golden-ami-app-linux' });
  });
});

describe('the shipped Windows IIS image stack', () => {
  let template: Template;
  beforeAll(() => {
    template = imageTemplate('windows-iis');
  });

  test('builds Windows Server 2022 on /dev/sda1, patched, with the IIS component', () => {
    template.hasResourceProperties('AWS::ImageBuilder::Component', { Name: 'golden-ami-windows-iis-iis-web-server', Platform: 'Windows', Data: Match.stringLikeRegexp("Invoke-WebRequest -Uri 'http://localhost/health\\.html'") });
    template.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      ParentImage: 'arn:aws:imagebuilder:eu-west-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x',
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: Match.objectLike({ VolumeSize: 30, Encrypted: true }) }],
      Components: [{ ComponentArn: 'arn:aws:imagebuilder:eu-west-1:aws:component/update-windows/x.x.x' }, { ComponentArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Componentiiswebserver'), 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { InstanceTypes: ['t3.large'] });
  });

  test('needs no application artifact', () => {
    expect(Object.keys(template.toJSON().Parameters).filter((p) => p.startsWith('AssetParameters'))).toEqual([]);
    template.resourcePropertiesCountIs('AWS::IAM::Policy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject' })] } }, 0);
  });
});

describe('distribution', () => {
  test('copies to other regions, shares with accounts, organizations and OUs, and writes the SSM output everywhere', () => {
    const config = loadConfig(
      configDirWith({
        'images/app-linux.yaml': [
          'name: app-linux',
          'version: "1.0"',
          'distribution:',
          '  regions: [us-east-1, eu-west-1]',
          '  accounts: ["111111111111"]',
          '  organizationArns: ["arn:aws:organizations::123456789012:organization/o-abcdefghij"]',
          '  organizationalUnitArns: ["arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34"]',
          '  amiName: "golden-app-{{ imagebuilder:buildDate }}"',
          '  amiTags: { team: platform }',
          '  ssmParameter: /golden-images/app-linux/latest',
        ].join('\n'),
      }),
    );
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-dist-')) });
    const stage = new ImageStage(app, 'Image', { env: { account: '123456789012', region: 'eu-west-1' }, pipelineName: 'golden-ami', image: config.images[0], applicationArtifactDir: testArtifactDir() });
    const distributions = Template.fromJSON(stage.synth().getStackArtifact(stage.stack.artifactId).template).findResources('AWS::ImageBuilder::DistributionConfiguration');
    const [distribution] = Object.values(distributions);
    const regions = distribution.Properties.Distributions.map((d: { Region: string }) => d.Region);
    // The build region first, each region once.
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
    for (const d of distribution.Properties.Distributions) {
      expect(d.AmiDistributionConfiguration).toEqual({
        Name: 'golden-app-{{ imagebuilder:buildDate }}',
        Description: expect.any(String),
        AmiTags: { team: 'platform', 'golden-ami:pipeline': 'golden-ami', 'golden-ami:image': 'app-linux', 'golden-ami:version': { Ref: 'ImageVersion' } },
        LaunchPermissionConfiguration: {
          UserIds: ['111111111111'],
          OrganizationArns: ['arn:aws:organizations::123456789012:organization/o-abcdefghij'],
          OrganizationalUnitArns: ['arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34'],
        },
      });
      expect(d.SsmParameterConfigurations).toEqual([{ ParameterName: '/golden-images/app-linux/latest', DataType: 'aws:ec2:image' }]);
    }
  });
});
