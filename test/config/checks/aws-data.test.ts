import { awsData, GRAVITON_FAMILIES } from '../../../lib/config/aws-data';
import { offlineArchitecture } from '../../../bin/refresh-aws-data';

describe('the AWS data files', () => {
  test.each([
    ['ec2-instance-types.json', awsData.instanceTypes().source],
    ['imagebuilder-managed-components.json', awsData.managedComponents().source],
    ['imagebuilder-managed-images.json', awsData.managedImages().source],
    ['awstoe-actions.json', awsData.awstoeActions().source],
  ])('%s records where its data came from and when', (_file, source) => {
    expect(source.generatedBy).toMatch(/\S/);
    expect(source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(source).length).toBeGreaterThan(2);
  });

  test('hold what the shipped defaults use', () => {
    expect(awsData.instanceTypes().instanceTypes).toMatchObject({ 't3.small': 'x86_64', 't3.large': 'x86_64', 't3.micro': 'x86_64', 't4g.small': 'arm64' });
    expect(awsData.managedComponents().components).toMatchObject({ 'update-linux': 'Linux', 'update-windows': 'Windows' });
    expect(awsData.managedImages().images['amazon-linux-2023-x86']).toEqual({ platform: 'Linux', architecture: 'x86_64' });
    expect(awsData.awstoeActions().actions).toMatchObject({ ExecuteBash: ['linux'], ExecutePowerShell: ['windows'], S3Download: [] });
  });

  test('every Graviton family AWS lists is arm64 in the instance-type data', () => {
    const types = awsData.instanceTypes().instanceTypes;
    for (const family of GRAVITON_FAMILIES) {
      const ofFamily = Object.entries(types).filter(([t]) => t.split('.')[0] === family);
      expect(ofFamily.length).toBeGreaterThan(0);
      for (const [, architecture] of ofFamily) expect(architecture).toBe('arm64');
    }
  });

  test.each([
    ['m7g.large', 'arm64'],
    ['c7i.large', 'x86_64'],
    ['g5g.xlarge', 'arm64'],
    ['g4ad.xlarge', 'x86_64'],
    ['mac2.metal', null],
    ['u-6tb1.metal', null],
  ])('offline, %s is %s', (type, architecture) => expect(offlineArchitecture(type)).toBe(architecture));
});
