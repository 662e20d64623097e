import * as path from 'path';
import { allow, type Case, decide, deny } from '../helpers/iam-cases';
import { templatesIn } from '../../lib/docs/role-inventory';
import { fixtureAssembly } from '../helpers/fixture-assembly';
import { type Environment, type RolePolicies, rolePolicies } from '../helpers/role-policies';

/**
 * The allow/deny matrix across accounts (issue 18), on test/fixtures/environments: pipeline 111111111111 (us-east-1),
 * `test` 222222222222 (us-east-1), `production` 333333333333 (eu-west-1). Each stage assembly is resolved in its own
 * account and region; requests are evaluated offline by @cloud-copilot/iam-simulate against each role's identity
 * policies and boundary (resource policies, trust policies and SCPs are out of scope: a request another account's
 * identity policy allows is still refused by the resource's account unless its policy allows it too, so an allow here
 * is necessary, and a deny here sufficient).
 */
const PIPELINE: Environment = { partition: 'aws', account: '111111111111', region: 'us-east-1' };
const TEST: Environment = { partition: 'aws', account: '222222222222', region: 'us-east-1' };
const PRODUCTION: Environment = { partition: 'aws', account: '333333333333', region: 'eu-west-1' };

const arn = (env: Environment, service: string, resource: string, region = env.region) => `arn:aws:${service}:${region}:${env.account}:${resource}`;
const roleIn = (env: Environment, name: string) => arn(env, 'iam', `role/${name}`, '');
const parameterIn = (env: Environment, name: string) => arn(env, 'ssm', `parameter${name}`);
const stackIn = (env: Environment, name: string) => arn(env, 'cloudformation', `stack/${name}/0d2d9f30-0000-11f0-a000-0a1b2c3d4e5f`);
const RELEASE_AMI = '/golden-ami/golden-ami/images/app-linux/release-ami';
const RELEASE = '/golden-ami/golden-ami/images/app-linux/release';
const FLEET = 'golden-ami-fleet-app-linux';


/** Cases by role, and the account whose templates hold the role. */
const MATRIX: Array<{ role: string; in: Environment; cases: Case[] }> = [
  {
    role: 'golden-ami-release-writer',
    in: TEST,
    cases: [
      allow("write test's released AMI of app-linux", 'ssm:PutParameter', parameterIn(TEST, RELEASE_AMI)),
      allow("read test's release record of app-linux", 'ssm:GetParameter', parameterIn(TEST, RELEASE)),
      deny("write production's released AMI", 'ssm:PutParameter', parameterIn(PRODUCTION, RELEASE_AMI)),
      deny("write the pipeline account's released AMI", 'ssm:PutParameter', parameterIn(PIPELINE, RELEASE_AMI)),
      deny("change test's fleet capacity", 'ssm:PutParameter', parameterIn(TEST, '/golden-ami/golden-ami/fleets/app-linux/desired-capacity')),
      deny("change test's network parameters", 'ssm:PutParameter', parameterIn(TEST, '/golden-ami/golden-ami/network/vpc-id')),
      deny("write another pipeline's release in test", 'ssm:PutParameter', parameterIn(TEST, '/golden-ami/golden-ami-image-factory/images/app-linux/release-ami')),
      deny('delete a release parameter', 'ssm:DeleteParameter', parameterIn(TEST, RELEASE_AMI)),
      deny("update test's fleet stack", 'cloudformation:UpdateStack', stackIn(TEST, FLEET)),
    ],
  },
  {
    role: `${FLEET}-cfn-deploy`,
    in: PRODUCTION,
    cases: [
      allow("create a change set of production's app-linux fleet stack", 'cloudformation:CreateChangeSet', stackIn(PRODUCTION, FLEET)),
      allow("execute a change set of production's app-linux fleet stack", 'cloudformation:ExecuteChangeSet', stackIn(PRODUCTION, FLEET)),
      allow("pass production's app-linux fleet execution role to CloudFormation", 'iam:PassRole', roleIn(PRODUCTION, `${FLEET}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
      deny("create a change set of test's fleet stack of the same name", 'cloudformation:CreateChangeSet', stackIn(TEST, FLEET)),
      deny("create a change set of the pipeline account's stack of that name", 'cloudformation:CreateChangeSet', stackIn(PIPELINE, FLEET)),
      deny("change production's environment stack", 'cloudformation:CreateChangeSet', stackIn(PRODUCTION, 'golden-ami-environment-production')),
      deny("change production's windows-iis fleet stack", 'cloudformation:ExecuteChangeSet', stackIn(PRODUCTION, 'golden-ami-fleet-windows-iis')),
      deny("pass test's execution role", 'iam:PassRole', roleIn(TEST, `${FLEET}-cfn-exec`), { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
      deny("write production's released AMI", 'ssm:PutParameter', parameterIn(PRODUCTION, RELEASE_AMI)),
      // CodePipeline reads the template from the pipeline's artifact bucket of this region with this role.
      allow("read an artifact in a bucket of the pipeline's account", 's3:GetObject', 'arn:aws:s3:::golden-ami-pipeline-support-replicationbucket/x/template.json', { 's3:ResourceAccount': PIPELINE.account }),
      deny("read an object in a bucket of production's own account", 's3:GetObject', 'arn:aws:s3:::some-bucket-of-production/x', { 's3:ResourceAccount': PRODUCTION.account }),
      deny("write to the pipeline's artifact bucket", 's3:PutObject', 'arn:aws:s3:::golden-ami-pipeline-support-replicationbucket/x/template.json', { 's3:ResourceAccount': PIPELINE.account }),
    ],
  },
  {
    role: `${FLEET}-cfn-exec`,
    in: TEST,
    cases: [
      allow('create the fleet instance role in test under the boundary', 'iam:CreateRole', roleIn(TEST, `${FLEET}-instance`), { 'iam:PermissionsBoundary': arn(TEST, 'iam', 'policy/golden-ami-instance-boundary', '') }),
      deny('create that role in production', 'iam:CreateRole', roleIn(PRODUCTION, `${FLEET}-instance`), { 'iam:PermissionsBoundary': arn(PRODUCTION, 'iam', 'policy/golden-ami-instance-boundary', '') }),
      deny('create that role without the boundary', 'iam:CreateRole', roleIn(TEST, `${FLEET}-instance`), { 'iam:PermissionsBoundary': arn(TEST, 'iam', 'policy/AdministratorAccess', '') }),
      deny("write test's released AMI", 'ssm:PutParameter', parameterIn(TEST, RELEASE_AMI)),
    ],
  },
  {
    role: 'golden-ami-parameter-prep',
    in: PIPELINE,
    cases: [
      allow("assume test's release writer role", 'sts:AssumeRole', roleIn(TEST, 'golden-ami-release-writer')),
      allow("assume production's release writer role", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-release-writer')),
      allow("read the launch permission of this pipeline's AMI in production's region", 'ec2:DescribeImageAttribute', arn(PIPELINE, 'ec2', 'image/ami-0123456789abcdef0', 'eu-west-1').replace(':111111111111:', '::'), {
        'aws:ResourceTag/golden-ami:pipeline': 'golden-ami',
      }),
      deny("assume production's fleet deploy role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cfn-deploy`)),
      deny("assume production's fleet execution role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cfn-exec`)),
      deny("assume another pipeline's release writer role in production", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-image-factory-release-writer')),
      deny('assume a release writer role in an account that is no environment', 'sts:AssumeRole', roleIn({ ...TEST, account: '444444444444' }, 'golden-ami-release-writer')),
      deny("read the launch permission of another pipeline's AMI", 'ec2:DescribeImageAttribute', arn(PIPELINE, 'ec2', 'image/ami-0123456789abcdef0', 'eu-west-1').replace(':111111111111:', '::'), {
        'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory',
      }),
      // The promote step marks the copy production runs, so the release steps' retention spares it (promote.ts).
      allow("mark this pipeline's AMI copy as production's current release", 'ec2:CreateTags', arn(PIPELINE, 'ec2', 'image/ami-0123456789abcdef0', 'eu-west-1').replace(':111111111111:', '::'), {
        'aws:ResourceTag/golden-ami:pipeline': 'golden-ami',
        'aws:TagKeys': ['golden-ami:environment:production'],
      }),
      deny("re-tag this pipeline's AMI with another pipeline's name", 'ec2:CreateTags', arn(PIPELINE, 'ec2', 'image/ami-0123456789abcdef0', 'eu-west-1').replace(':111111111111:', '::'), {
        'aws:ResourceTag/golden-ami:pipeline': 'golden-ami',
        'aws:TagKeys': ['golden-ami:pipeline'],
      }),
      deny("mark another pipeline's AMI as in use", 'ec2:CreateTags', arn(PIPELINE, 'ec2', 'image/ami-0123456789abcdef0', 'eu-west-1').replace(':111111111111:', '::'), {
        'aws:ResourceTag/golden-ami:pipeline': 'golden-ami-image-factory',
        'aws:TagKeys': ['golden-ami:environment:production'],
      }),
    ],
  },
  {
    role: 'golden-ami-codepipeline',
    in: PIPELINE,
    cases: [
      allow("assume test's app-linux fleet deploy role", 'sts:AssumeRole', roleIn(TEST, `${FLEET}-cfn-deploy`)),
      allow("assume production's windows-iis fleet deploy role", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-fleet-windows-iis-cfn-deploy')),
      // The Environments wave deploys the environment stacks with the environment's bootstrap (the trust the README sets up).
      allow("assume production's CDK bootstrap deploy role, which deploys its environment stack", 'sts:AssumeRole', roleIn(PRODUCTION, 'cdk-hnb659fds-deploy-role-333333333333-eu-west-1')),
      deny("assume production's CDK bootstrap execution role", 'sts:AssumeRole', roleIn(PRODUCTION, 'cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1')),
      deny("assume production's release writer role", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-release-writer')),
      deny("assume production's fleet execution role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cfn-exec`)),
      deny("assume production's fleet clean-up role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cleanup`)),
      deny('assume a deploy role of that name in an account that is no environment', 'sts:AssumeRole', roleIn({ ...TEST, account: '444444444444' }, `${FLEET}-cfn-deploy`)),
    ],
  },
  {
    role: 'golden-ami-cleanup-function',
    in: PIPELINE,
    cases: [
      allow("assume production's app-linux fleet clean-up role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cleanup`)),
      allow("assume production's environment clean-up role", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-environment-cleanup')),
      allow("delete the AMI key stack of production's region", 'cloudformation:DeleteStack', stackIn({ ...PIPELINE, region: 'eu-west-1' }, 'golden-ami-ami-key')),
      deny("assume production's fleet deploy role", 'sts:AssumeRole', roleIn(PRODUCTION, `${FLEET}-cfn-deploy`)),
      deny("assume production's release writer role", 'sts:AssumeRole', roleIn(PRODUCTION, 'golden-ami-release-writer')),
      deny('assume an environment clean-up role in an account that is no environment', 'sts:AssumeRole', roleIn({ ...TEST, account: '444444444444' }, 'golden-ami-environment-cleanup')),
    ],
  },
  {
    role: 'golden-ami-environment-cleanup',
    in: PRODUCTION,
    cases: [
      allow("delete production's environment stack", 'cloudformation:DeleteStack', stackIn(PRODUCTION, 'golden-ami-environment-production')),
      deny("delete production's app-linux fleet stack", 'cloudformation:DeleteStack', stackIn(PRODUCTION, FLEET)),
      deny('delete a stack of the same name in test', 'cloudformation:DeleteStack', stackIn(TEST, 'golden-ami-environment-production')),
    ],
  },
];


/** The roles of one account: the templates of the stage assemblies deployed there, resolved in its account and region. */
function rolesOf(env: Environment): Map<string, RolePolicies> {
  const { assembly } = fixtureAssembly('environments');
  const dirs = [...new Set(assembly.stacksRecursively.filter((s) => s.environment.account === env.account).map((s) => path.dirname(s.templateFullPath)))];
  const roles = new Map<string, RolePolicies>();
  for (const dir of dirs) {
    // The pipeline's directory also holds the other region's support stack: resolved in the pipeline's region, which
    // no case here depends on. (Walking it also reads the stage assemblies below it; their roles are replaced by
    // their own directories' reading, in their own account.)
    for (const [name, policies] of rolePolicies(templatesIn(dir), env)) if (!roles.has(name) || dir !== assembly.directory) roles.set(name, policies);
  }
  return roles;
}

describe.each(MATRIX)('$role (account $in.account)', ({ role, in: env, cases }) => {
  let policies: RolePolicies | undefined;
  beforeAll(() => {
    policies = rolesOf(env).get(role);
  });
  test.each(cases)('$can ($action)', async (c) => {
    expect(policies).toBeDefined();
    expect(await decide(policies!, c, policies!.arn.split(':')[4])).toBe(c.allowed ? 'Allowed' : 'ImplicitlyDenied');
  });
});

test('the matrix across accounts: README counts these cases with the single-account matrix', () => {
  expect(MATRIX.flatMap((m) => m.cases).length).toBe(53);
});
