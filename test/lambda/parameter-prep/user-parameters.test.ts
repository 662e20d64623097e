import { distributionRegions, parseUserParameters, previousEnvironment, sparedEnvironments } from '../../../lambda/parameter-prep/user-parameters';

const PREPARE = { mode: 'prepare', image: 'app', majorMinor: '1.0', versionParameter: '/v', stateParameter: '/s', executionId: 'e-1', fingerprint: 'f', rebuild: 'false', upstream: 'image/amazon-linux-2023-x86/x.x.x component/update-linux/1.0.x', maxAgeSeconds: '2592000', scanPolicyParameter: '/p' };
const RELEASE = { mode: 'release', image: 'app', amiId: 'ami-0123456789abcdef0', version: '1.0.0', recipeName: 'r', releaseParameter: '/r', releaseAmiParameter: '/a', executionId: 'e-1', commitId: 'c', pipeline: 'p', keepImages: '5', deleteBeyond: '10', regions: 'none', scanPolicyParameter: '/p' };
const { amiId: _a, version: _v, recipeName: _r, ...RELEASE_BUT_BUILD } = RELEASE;
const LANE = { ...RELEASE_BUT_BUILD, mode: 'lane', imageStack: 'golden-ami-image-app', fleetStack: 'golden-ami-fleet-app', fleetFingerprint: 'a'.repeat(64) };
const NO_PREVIOUS = { previousEnvironment: 'none', previousWriterRoleArn: 'none', previousRegion: 'none' };
const PREVIOUS = { previousEnvironment: 'test', previousWriterRoleArn: 'arn:aws:iam::111122223333:role/p-release-writer', previousRegion: 'eu-west-1' };
const PROMOTE = {
  mode: 'promote',
  image: 'app',
  environment: 'production',
  account: '444455556666',
  region: 'eu-central-1',
  writerRoleArn: 'arn:aws:iam::444455556666:role/p-release-writer',
  version: '1.0.3',
  executionId: 'e-1',
  commitId: 'c',
  pipeline: 'p',
  releaseParameter: '/r',
  releaseAmiParameter: '/a',
  ...PREVIOUS,
};

describe('parseUserParameters', () => {
  test('accepts every mode', () => {
    expect(parseUserParameters(JSON.stringify(PREPARE))).toEqual(PREPARE);
    expect(parseUserParameters(JSON.stringify(RELEASE))).toEqual(RELEASE);
    expect(parseUserParameters(JSON.stringify(LANE))).toEqual(LANE);
    // The lane of an image without a fleet names no fleet at all.
    const { fleetStack: _f, fleetFingerprint: _p, ...fleetless } = LANE;
    expect(parseUserParameters(JSON.stringify(fleetless))).toEqual(fleetless);
    expect(parseUserParameters(JSON.stringify(PROMOTE))).toEqual(PROMOTE);
    // The first environment has no previous one; a role in another partition is a role.
    const first = { ...PROMOTE, ...NO_PREVIOUS, writerRoleArn: 'arn:aws-us-gov:iam::444455556666:role/path/p-release-writer' };
    expect(parseUserParameters(JSON.stringify(first))).toEqual(first);
  });

  test.each([
    ['missing', undefined, /UserParameters are empty/],
    ['not JSON', '{mode: prepare}', /UserParameters are not valid JSON/],
    ['an array', '[]', /UserParameters must be a JSON object/],
    ['unknown mode', JSON.stringify({ ...PREPARE, mode: 'deploy' }), /UserParameters\.mode must be "prepare", "release", "lane" or "promote" \(got "deploy"\)/],
    ['a missing field', JSON.stringify({ ...PREPARE, stateParameter: undefined }), /UserParameters\.stateParameter must be a non-empty string for mode "prepare" \(got undefined\)/],
    ['an empty field', JSON.stringify({ ...RELEASE, amiId: ' ' }), /UserParameters\.amiId must be a non-empty string for mode "release"/],
    ['a number', JSON.stringify({ ...PREPARE, majorMinor: 1.0 }), /UserParameters\.majorMinor must be a non-empty string .* \(got 1\)/],
    ['an unresolved variable', JSON.stringify({ ...RELEASE, amiId: '#{Image.AmiId}' }), /UserParameters\.amiId holds an unresolved pipeline variable \(#\{Image\.AmiId\}\)/],
    ['a release without its scan policy', JSON.stringify({ ...RELEASE, scanPolicyParameter: undefined }), /UserParameters\.scanPolicyParameter must be a non-empty string for mode "release"/],
    ['a release without regions', JSON.stringify({ ...RELEASE, regions: undefined }), /UserParameters\.regions must be a non-empty string for mode "release"/],
    ['a prepare without upstream references', JSON.stringify({ ...PREPARE, upstream: undefined }), /UserParameters\.upstream must be a non-empty string for mode "prepare"/],
    ['an upstream reference that is not one', JSON.stringify({ ...PREPARE, upstream: 'image/amazon-linux-2023-x86/x.x.x aws/update-linux/x.x.x' }), /UserParameters\.upstream must be "none" or references such as image\/amazon-linux-2023-x86\/x\.x\.x .*; "aws\/update-linux\/x\.x\.x" is not one\)\. Fix: check parentImage and components/],
    ['an upstream reference without a version', JSON.stringify({ ...PREPARE, upstream: 'component/update-linux' }), /UserParameters\.upstream must be "none"/],
    ['a maximum age that is not a whole number', JSON.stringify({ ...PREPARE, maxAgeSeconds: 'P30D' }), /UserParameters\.maxAgeSeconds must be a whole number of seconds \(got "P30D"\)\. Fix: check operations\.rebuild\.maxAge/],
    ['a region that is not a region code', JSON.stringify({ ...RELEASE, regions: 'us-east-1 Frankfurt' }), /UserParameters\.regions must be "none" or region codes separated by spaces \(got "us-east-1 Frankfurt"; "Frankfurt" is not a region code\)\. Fix: check distribution\.regions/],
    ['a lane with a fleet fingerprint but no fleet stack', JSON.stringify({ ...LANE, fleetStack: undefined }), /UserParameters\.fleetStack is not a CloudFormation stack name \(got undefined\)/],
    ['a lane with a fleet stack but no fingerprint', JSON.stringify({ ...LANE, fleetFingerprint: undefined }), /UserParameters\.fleetFingerprint must be a SHA-256 in hex \(got undefined\)/],
    ['a lane without its image stack', JSON.stringify({ ...LANE, imageStack: undefined }), /UserParameters\.imageStack must be a non-empty string for mode "lane"/],
    ['a stack name CloudFormation refuses', JSON.stringify({ ...LANE, fleetStack: 'app fleet' }), /UserParameters\.fleetStack is not a CloudFormation stack name \(got "app fleet"\)/],
    ['a fingerprint that is not a SHA-256', JSON.stringify({ ...LANE, fleetFingerprint: 'abc' }), /UserParameters\.fleetFingerprint must be a SHA-256 in hex \(got "abc"\)/],
    ['a lane with a region that is not a region code', JSON.stringify({ ...LANE, regions: 'Frankfurt' }), /UserParameters\.regions must be "none" or region codes/],
    ['a promote without its writer role', JSON.stringify({ ...PROMOTE, writerRoleArn: undefined }), /UserParameters\.writerRoleArn must be a non-empty string for mode "promote" \(got undefined\)/],
    ['a promote without its previous region', JSON.stringify({ ...PROMOTE, previousRegion: undefined }), /UserParameters\.previousRegion must be a non-empty string for mode "promote"/],
    ['a promote whose version is an unresolved variable', JSON.stringify({ ...PROMOTE, version: '#{Release-app.version}' }), /UserParameters\.version holds an unresolved pipeline variable \(#\{Release-app\.version\}\)/],
    ['an environment name that is not lower case', JSON.stringify({ ...PROMOTE, environment: 'Production' }), /UserParameters\.environment must be a lower-case environment name \(got "Production"\)\. Fix: check environments in pipeline\.yaml/],
    ['an account that is not 12 digits', JSON.stringify({ ...PROMOTE, account: '4444-5555-6666' }), /UserParameters\.account must be a 12-digit account id \(got "4444-5555-6666"\)/],
    ['an environment region that is not a region code', JSON.stringify({ ...PROMOTE, region: 'Frankfurt' }), /UserParameters\.region is not a region code \(got "Frankfurt"\)/],
    ['a writer role that is not an IAM role ARN', JSON.stringify({ ...PROMOTE, writerRoleArn: 'p-release-writer' }), /UserParameters\.writerRoleArn must be an IAM role ARN in the environment's account 444455556666 \(got "p-release-writer"\)/],
    ['a writer role in another account', JSON.stringify({ ...PROMOTE, writerRoleArn: 'arn:aws:iam::111122223333:role/p-release-writer' }), /UserParameters\.writerRoleArn must be an IAM role ARN in the environment's account 444455556666/],
    ['a promoted version that is not MAJOR.MINOR.PATCH', JSON.stringify({ ...PROMOTE, version: '1.0' }), /UserParameters\.version must be MAJOR\.MINOR\.PATCH \(got "1\.0"\)/],
    ['a previous environment without its role and region', JSON.stringify({ ...PROMOTE, previousWriterRoleArn: 'none', previousRegion: 'none' }), /UserParameters\.previousEnvironment, previousWriterRoleArn and previousRegion must be all "none" \(the first environment\) or all set/],
    ['a previous role without its environment', JSON.stringify({ ...PROMOTE, previousEnvironment: 'none' }), /must be all "none" \(the first environment\) or all set \(got \{"previousEnvironment":"none",/],
    ['the environment as its own previous one', JSON.stringify({ ...PROMOTE, previousEnvironment: 'production' }), /UserParameters\.previousEnvironment must be the name of another environment \(got "production" for environment "production"\)/],
    ['a previous writer role that is not an IAM role ARN', JSON.stringify({ ...PROMOTE, previousWriterRoleArn: 'arn:aws:iam::111122223333:user/someone' }), /UserParameters\.previousWriterRoleArn must be an IAM role ARN/],
    ['a previous region that is not a region code', JSON.stringify({ ...PROMOTE, previousRegion: 'ireland' }), /UserParameters\.previousRegion is not a region code \(got "ireland"\)/],
  ])('rejects %s', (_name, text, message) => expect(() => parseUserParameters(text)).toThrow(message));
});


test('"none" stands for an image with no AWS-managed parent image or component', () => {
  expect(parseUserParameters(JSON.stringify({ ...PREPARE, upstream: 'none' }))).toMatchObject({ upstream: 'none' });
});

describe('previousEnvironment', () => {
  test('"none" three times is the first environment', () => expect(previousEnvironment({ environment: 'test', ...NO_PREVIOUS })).toBeUndefined());
  test('otherwise the environment before, its writer role and region', () =>
    expect(previousEnvironment({ environment: 'production', ...PREVIOUS })).toEqual({ environment: 'test', writerRoleArn: PREVIOUS.previousWriterRoleArn, region: 'eu-west-1' }));
});

describe('sparedEnvironments', () => {
  test('the configured environments of a lane or release, or none', () => {
    expect(sparedEnvironments(parseUserParameters(JSON.stringify({ ...LANE, environments: 'test production' })) as never)).toEqual(['test', 'production']);
    expect(sparedEnvironments(parseUserParameters(JSON.stringify(LANE)) as never)).toEqual([]);
    expect(sparedEnvironments({ environments: 'none' })).toEqual([]);
  });

  test('refuses what is no environment name, with the fix', () => {
    expect(() => parseUserParameters(JSON.stringify({ ...LANE, environments: 'test Production!' }))).toThrow(/UserParameters\.environments must be "none" or environment names separated by spaces \(got "test Production!"\)\. Fix: check environments in pipeline\.yaml/);
  });
});

describe('distributionRegions', () => {
  test.each<[string, string | undefined, string[]]>([
    ['none', undefined, []],
    ['us-east-1', undefined, ['us-east-1']],
    ['us-east-1  ap-southeast-2 us-east-1', undefined, ['us-east-1', 'ap-southeast-2']],
    // The step leaves the pipeline's region out, except when the stack's region was a token at synth.
    ['eu-west-1 us-east-1', 'eu-west-1', ['us-east-1']],
    ['us-gov-west-1', undefined, ['us-gov-west-1']],
  ])('%j (own region %s) is %j', (regions, own, expected) => expect(distributionRegions({ regions }, own)).toEqual(expected));
});
