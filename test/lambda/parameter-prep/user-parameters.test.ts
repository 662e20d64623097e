import { distributionRegions, parseUserParameters } from '../../../lambda/parameter-prep/user-parameters';

const PREPARE = { mode: 'prepare', image: 'app', majorMinor: '1.0', versionParameter: '/v', stateParameter: '/s', executionId: 'e-1', fingerprint: 'f', rebuild: 'false', upstream: 'image/amazon-linux-2023-x86/x.x.x component/update-linux/1.0.x', maxAgeSeconds: '2592000', scanPolicyParameter: '/p' };
const RELEASE = { mode: 'release', image: 'app', amiId: 'ami-0123456789abcdef0', version: '1.0.0', recipeName: 'r', releaseParameter: '/r', releaseAmiParameter: '/a', executionId: 'e-1', commitId: 'c', pipeline: 'p', keepImages: '5', deleteBeyond: '10', regions: 'none', scanPolicyParameter: '/p' };
const { amiId: _a, version: _v, recipeName: _r, ...RELEASE_BUT_BUILD } = RELEASE;
const LANE = { ...RELEASE_BUT_BUILD, mode: 'lane', imageStack: 'golden-ami-image-app', fleetStack: 'golden-ami-fleet-app', fleetFingerprint: 'a'.repeat(64) };

describe('parseUserParameters', () => {
  test('accepts both modes', () => {
    expect(parseUserParameters(JSON.stringify(PREPARE))).toEqual(PREPARE);
    expect(parseUserParameters(JSON.stringify(RELEASE))).toEqual(RELEASE);
    expect(parseUserParameters(JSON.stringify(LANE))).toEqual(LANE);
    // The lane of an image without a fleet names no fleet at all.
    const { fleetStack: _f, fleetFingerprint: _p, ...fleetless } = LANE;
    expect(parseUserParameters(JSON.stringify(fleetless))).toEqual(fleetless);
  });

  test.each([
    ['missing', undefined, /UserParameters are empty/],
    ['not JSON', '{mode: prepare}', /UserParameters are not valid JSON/],
    ['an array', '[]', /UserParameters must be a JSON object/],
    ['unknown mode', JSON.stringify({ ...PREPARE, mode: 'deploy' }), /UserParameters\.mode must be "prepare", "release" or "lane" \(got "deploy"\)/],
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
  ])('rejects %s', (_name, text, message) => expect(() => parseUserParameters(text)).toThrow(message));
});


test('"none" stands for an image with no AWS-managed parent image or component', () => {
  expect(parseUserParameters(JSON.stringify({ ...PREPARE, upstream: 'none' }))).toMatchObject({ upstream: 'none' });
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
