import { DescribeInstanceTypesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { awsImageBuilderData, awsInstanceTypes, REFRESH_USAGE } from '../../bin/refresh-aws-data';

describe('refreshing the AWS data (SDK calls mocked)', () => {
  test('instance types come from DescribeInstanceTypes in every region, with their architecture', async () => {
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }, { RegionName: 'us-east-1' }] });
    ec2.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        { InstanceType: 't3.micro', ProcessorInfo: { SupportedArchitectures: ['i386', 'x86_64'] } },
        { InstanceType: 't4g.micro', ProcessorInfo: { SupportedArchitectures: ['arm64'] } },
        { InstanceType: 'mac2.metal', ProcessorInfo: { SupportedArchitectures: ['arm64_mac'] } },
      ],
    });
    const data = await awsInstanceTypes(() => new EC2Client({ region: 'eu-west-1' }), 'eu-west-1');
    expect(data.instanceTypes).toEqual({ 'mac2.metal': null, 't3.micro': 'x86_64', 't4g.micro': 'arm64' });
    expect(data.source).toMatchObject({ generatedBy: 'npm run refresh-aws-data', instanceTypes: expect.stringContaining('2 regions (eu-west-1, us-east-1)') });
    expect(data.source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    ec2.restore();
  });

  test('managed components and images come from ListComponents and ListImages (owner Amazon), every page', async () => {
    class ListComponentsCommand { constructor(readonly input: { nextToken?: string }) {} }
    class ListImagesCommand { constructor(readonly input: { nextToken?: string }) {} }
    const client = {
      send: async (command: unknown) => {
        if (command instanceof ListComponentsCommand) {
          return command.input.nextToken
            ? { componentVersionList: [{ name: 'update-windows', platform: 'Windows' }] }
            : { componentVersionList: [{ name: 'update-linux', platform: 'Linux' }], nextToken: 'page2' };
        }
        return { imageVersionList: [{ name: 'amazon-linux-2023-arm64', platform: 'Linux', type: 'AMI' }, { name: 'amazon-linux-x86-2', platform: 'Linux', type: 'DOCKER' }] };
      },
    };
    const { components, images } = await awsImageBuilderData(client, { ListComponentsCommand, ListImagesCommand }, 'us-east-1');
    expect(components.components).toEqual({ 'update-linux': 'Linux', 'update-windows': 'Windows' });
    expect(images.images).toEqual({ 'amazon-linux-2023-arm64': { platform: 'Linux', architecture: 'arm64' } });
  });

  test('the usage says it needs credentials, and what --offline does without them', () => {
    expect(REFRESH_USAGE).toMatch(/Needs AWS credentials/);
    expect(REFRESH_USAGE).toMatch(/--offline .*needs neither credentials nor network/s);
  });
});
