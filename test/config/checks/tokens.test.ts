import { Token } from 'aws-cdk-lib';
import { checkComponentDocument } from '../../../lib/config/checks/component-document';
import { checkInstanceType } from '../../../lib/config/checks/instance-types';
import { checkAmiName, checkImageDescription } from '../../../lib/config/checks/lengths';
import { checkManagedComponent, checkParentImage } from '../../../lib/config/checks/managed-resources';
import { checkBranchName, checkSsmParameterName } from '../../../lib/config/checks/names';
import { checkVpcCidr } from '../../../lib/config/checks/network';
import { checkScheduleExpression, checkTimeZone } from '../../../lib/config/checks/schedule';

const token = Token.asString({ Ref: 'SomeParameter' });

/** A value that only resolves at deploy time is never judged: each check skips it. */
const TOKEN_CASES: Array<[string, () => unknown[]]> = [
  ['instance type', () => checkInstanceType('f', 'buildInstanceTypes[0]', token, { architecture: 'arm64', parentImage: 'p' })],
  ['AWS-managed component', () => checkManagedComponent('f', 'components[0]', token, token, token, 'linux')],
  ['parent image', () => checkParentImage('f', 'parentImage', token, 'windows').problems],
  ['schedule expression', () => checkScheduleExpression('f', 'operations.rebuildSchedule', token)],
  ['time zone', () => checkTimeZone('f', 'operations.scheduleTimezone', token)],
  ['VPC CIDR', () => checkVpcCidr('f', 'network.vpcCidr', token, 3)],
  ['branch name', () => checkBranchName('f', 'source.branch', token)],
  ['SSM parameter name', () => checkSsmParameterName('f', 'distribution.ssmParameter', token, ['eu-west-1'])],
  ['image description', () => checkImageDescription('f', 'description', token, 'golden-ami')],
  ['AMI name', () => checkAmiName('f', 'distribution.amiName', token)],
];

describe('a token is skipped', () => {
  test.each(TOKEN_CASES)('%s', (_name, check) => expect(check()).toEqual([]));

  test('a component document is judged on its text, where no token can appear', () => {
    expect(checkComponentDocument('f', { schemaVersion: 1, phases: [{ name: 'build', steps: [{ name: 's', action: 'ExecuteBash' }] }] }, 'x')).toEqual([]);
  });
});
