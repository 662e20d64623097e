import { amiRejection, type AmiFacts } from '../../../lambda/parameter-prep/verify-ami';

const EXPECTED = { amiId: 'ami-0123456789abcdef0', version: '1.0.3', recipeName: 'golden-ami-app-linux' };
const builtBy = (arn: string): AmiFacts => ({ ImageId: EXPECTED.amiId, State: 'available', Tags: [{ Key: 'Ec2ImageBuilderArn', Value: arn }] });
const ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-ami-app-linux/1.0.3/1';

describe('amiRejection (the release gate)', () => {
  test('releases an available AMI built by this recipe and version', () => expect(amiRejection(builtBy(ARN), EXPECTED)).toBeUndefined());

  test('matches the recipe name case-insensitively, as Image Builder lower-cases it', () =>
    expect(amiRejection(builtBy(ARN), { ...EXPECTED, recipeName: 'Golden-AMI-app-linux' })).toBeUndefined());

  test.each([
    ['a missing AMI', undefined, /does not exist in this account and region/],
    ['a pending AMI', { ...builtBy(ARN), State: 'pending' }, /is pending, not available/],
    ['a failed AMI', { ...builtBy(ARN), State: 'failed' }, /is failed, not available/],
    ['an AMI without the Image Builder tag', { ImageId: EXPECTED.amiId, State: 'available', Tags: [] }, /has no Ec2ImageBuilderArn tag/],
    ['another version', builtBy(ARN.replace('1.0.3', '1.0.2')), /not by recipe golden-ami-app-linux version 1\.0\.3/],
    ['another recipe', builtBy(ARN.replace('golden-ami-app-linux', 'someone-else')), /was built by .*someone-else.*refusing/],
    ['a malformed tag', builtBy('not-an-arn'), /was built by not-an-arn/],
  ])('refuses %s', (_name, ami, message) => expect(amiRejection(ami as AmiFacts | undefined, EXPECTED)).toMatch(message));
});
