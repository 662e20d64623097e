import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { MAX_CONFIGURATION_VALUE } from '../../lib/pipeline/promotion-approval-step';
import { CFN_LINT_AVAILABLE, cfnLintFindings } from '../helpers/cfn-lint';
import { type FixtureAssembly, fixtureAssembly } from '../helpers/fixture-assembly';

/**
 * test/fixtures/environments: the pipeline in account 111111111111 (us-east-1), environment `test` in 222222222222
 * (us-east-1, no approval) and `production` in 333333333333 (eu-west-1, approval), both images with fleets. The global
 * setup synthesizes it with cdk-nag and cfn-guard (a finding throws) and the deployment limit check.
 */
const PIPELINE_ACCOUNT = '111111111111';
const TEST = '222222222222';
const PRODUCTION = '333333333333';

type Json = Record<string, any>;

describe('environments: test, an approval, then production', () => {
  let synth: FixtureAssembly;
  let stages: Json[];
  const actions = (stage: string): Json[] => stages.find((s) => s.Name === stage)!.Actions;
  const action = (stage: string, name: string): Json => actions(stage).find((a) => a.Name === name)!;
  const userParameters = (stage: string, name: string): Json => JSON.parse(resolveJoin(action(stage, name).Configuration.UserParameters));
  /** Every template of the fixture's assembly, stage assemblies and nested stacks included, by its file path. */
  let templates: Map<string, Template>;
  const templateWhere = (file: RegExp): Template => {
    const hits = [...templates].filter(([f]) => file.test(f));
    if (hits.length !== 1) throw new Error(`${hits.length} templates match ${file}: ${[...templates.keys()].join(', ')}`);
    return hits[0][1];
  };

  beforeAll(() => {
    synth = fixtureAssembly('environments');
    const pipeline = Object.values<Json>(synth.pipelineTemplate.toJSON().Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!;
    stages = pipeline.Properties.Stages;
    templates = new Map(
      fs
        .readdirSync(synth.outdir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.template.json'))
        .map((f) => [f, Template.fromJSON(JSON.parse(fs.readFileSync(path.join(synth.outdir, f), 'utf8')))]),
    );
  });

  test('the pipeline builds once, then deploys to test, asks for approval, then deploys to production', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Environments', 'BuildImage', 'Deploy-test', 'Deploy-production']);
    for (const image of ['app-linux', 'windows-iis']) {
      const order = (stage: string, suffix: string) => actions(stage).find((a) => String(a.Name).endsWith(suffix))!.RunOrder;
      // production: the approval first, then per image the promote step, then the fleet's change set, in eu-west-1.
      expect(action('Deploy-production', 'Approve-production').RunOrder).toBe(1);
      expect(order('Deploy-production', `Promote-production-${image}`)).toBe(2);
      expect(order('Deploy-production', `Fleet-production-${image}.golden-ami-fleet-${image}.Prepare`)).toBe(3);
      expect(order('Deploy-production', `Fleet-production-${image}.golden-ami-fleet-${image}.Deploy`)).toBe(4);
      expect(action('Deploy-production', `Fleet-production-${image}.golden-ami-fleet-${image}.Deploy`).Region).toBe('eu-west-1');
      // test: no approval; promote, then the change set in the pipeline's region.
      expect(order('Deploy-test', `Promote-test-${image}`)).toBe(1);
      expect(order('Deploy-test', `Fleet-test-${image}.golden-ami-fleet-${image}.Deploy`)).toBe(3);
    }
    expect(actions('Deploy-test').some((a) => a.ActionTypeId.Provider === 'Manual')).toBe(false);
  });

  test('the pipeline account runs no fleet: no DeployImage wave, no Egress stage, and each release step is a lane without a fleet', () => {
    expect(stages.some((s) => s.Name === 'DeployImage' || s.Name === 'Egress')).toBe(false);
    for (const image of ['app-linux', 'windows-iis']) {
      const release = userParameters('BuildImage', `Image-${image}.Release-${image}`);
      expect(release.mode).toBe('lane');
      expect(release).not.toHaveProperty('fleetStack');
      // The copies in the environments' regions are tagged and kept like any distribution region's, and retention
      // spares the copies the environments run or would roll back to.
      expect(release.regions.split(' ')).toContain('eu-west-1');
      expect(release.environments).toBe('test production');
    }
  });

  test("the approval's message names each image's version, AMI and scan verdict, and the commit, within CodePipeline's 1,000 characters", () => {
    const message: string = action('Deploy-production', 'Approve-production').Configuration.CustomData;
    expect(message).toMatch(/^Promote to production \(running in test since this execution\): /);
    for (const image of ['app-linux', 'windows-iis']) {
      expect(message).toContain(`${image} #{Release-${image}.version} (#{Release-${image}.amiId}; scan: #{Release-${image}.scan})`);
    }
    expect(message).toMatch(/Commit #\{Source@[0-9a-f]+\.CommitId\}\.$/);
    expect(message.length).toBeLessThanOrEqual(MAX_CONFIGURATION_VALUE);
  });

  test("each promote step writes through the environment's release writer role, production after checking test's", () => {
    const test = userParameters('Deploy-test', 'Fleet-test-app-linux.Promote-test-app-linux');
    expect(test).toMatchObject({
      mode: 'promote',
      image: 'app-linux',
      environment: 'test',
      account: TEST,
      region: 'us-east-1',
      writerRoleArn: `arn:aws:iam::${TEST}:role/golden-ami-release-writer`,
      version: '#{Release-app-linux.version}',
      releaseParameter: '/golden-ami/golden-ami/images/app-linux/release',
      releaseAmiParameter: '/golden-ami/golden-ami/images/app-linux/release-ami',
      previousEnvironment: 'none',
      previousWriterRoleArn: 'none',
      previousRegion: 'none',
    });
    const production = userParameters('Deploy-production', 'Fleet-production-app-linux.Promote-production-app-linux');
    expect(production).toMatchObject({
      environment: 'production',
      account: PRODUCTION,
      region: 'eu-west-1',
      writerRoleArn: `arn:aws:iam::${PRODUCTION}:role/golden-ami-release-writer`,
      previousEnvironment: 'test',
      previousWriterRoleArn: `arn:aws:iam::${TEST}:role/golden-ami-release-writer`,
      previousRegion: 'us-east-1',
    });
  });

  test("the image is built with the build region's AMI key (test is there) and each environment region's copy is encrypted with that region's key and shared with its accounts", () => {
    const image = synth.stageTemplate('Image-app-linux');
    const alias = (region: string) => `arn:aws:kms:${region}:${PIPELINE_ACCOUNT}:alias/golden-ami/golden-ami/ami`;
    const recipe = Object.values<Json>(image.findResources('AWS::ImageBuilder::ImageRecipe'))[0];
    expect(recipe.Properties.BlockDeviceMappings[0].Ebs).toMatchObject({ Encrypted: true, KmsKeyId: alias('us-east-1') });
    const distributions: Json[] = Object.values<Json>(image.findResources('AWS::ImageBuilder::DistributionConfiguration'))[0].Properties.Distributions;
    const inRegion = (region: string) => distributions.find((d) => d.Region === region)!.AmiDistributionConfiguration;
    expect(inRegion('us-east-1')).toMatchObject({ KmsKeyId: alias('us-east-1'), LaunchPermissionConfiguration: { UserIds: [TEST] } });
    expect(inRegion('eu-west-1')).toMatchObject({ KmsKeyId: alias('eu-west-1'), LaunchPermissionConfiguration: { UserIds: [PRODUCTION] } });
  });

  test("each region's AMI key lets that region's environment accounts use it through EC2 and grant their Auto Scaling role, nobody else", () => {
    const key = Object.values<Json>(synth.stageTemplate('AmiKey-eu-west-1').findResources('AWS::KMS::Key'))[0];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements: Json[] = key.Properties.KeyPolicy.Statement;
    const sid = (name: string) => statements.find((s) => s.Sid === name)!;
    expect(sid('EbsOfThePipelineAccount').Condition.StringEquals).toEqual({ 'kms:CallerAccount': PIPELINE_ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' });
    expect(JSON.stringify(sid('EbsOfTheEnvironmentAccounts').Principal)).toContain(`${PRODUCTION}:root`);
    expect(JSON.stringify(sid('EbsOfTheEnvironmentAccounts').Principal)).not.toContain(TEST);
    expect(sid('EbsOfTheEnvironmentAccounts').Condition).toEqual({ StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } });
    expect(sid('GrantsForTheEnvironmentsAutoScaling').Condition).toEqual({
      ArnLike: { 'kms:GranteePrincipal': [`arn:aws:iam::${PRODUCTION}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`] },
    });
    const alias = Object.values<Json>(synth.stageTemplate('AmiKey-eu-west-1').findResources('AWS::KMS::Alias'))[0];
    expect(alias.Properties.AliasName).toBe('alias/golden-ami/golden-ami/ami');
  });

  test("the environment stack holds what the environment's fleets resolve, under the names they resolve in the pipeline's account", () => {
    const env = synth.stageTemplate('Environment-production');
    const parameter = (name: string) => Object.values<Json>(env.findResources('AWS::SSM::Parameter')).find((p) => p.Properties.Name === name)?.Properties;
    expect(parameter('/golden-ami/golden-ami/network/vpc-id')).toMatchObject({ Type: 'String', Value: 'vpc-0f1e2d3c4b5a69788' });
    expect(parameter('/golden-ami/golden-ami/network/subnet-ids')).toMatchObject({ Type: 'StringList', Value: 'subnet-0f1e2d3c4b5a60001,subnet-0f1e2d3c4b5a60002' });
    expect(parameter('/golden-ami/golden-ami/network/public-subnet-ids')).toMatchObject({ Type: 'StringList' });
    // production's own capacity (fleet.environments.production), test inherits the image file's.
    expect(parameter('/golden-ami/golden-ami/fleets/app-linux/min-size')).toMatchObject({ Value: '2' });
    const testEnv = synth.stageTemplate('Environment-test');
    const testMin = Object.values<Json>(testEnv.findResources('AWS::SSM::Parameter')).find((p) => p.Properties.Name === '/golden-ami/golden-ami/fleets/app-linux/min-size')!;
    expect(testMin.Properties.Value).not.toBe('2');
    // test has no public subnets: no parameter a load balancer could resolve.
    expect(Object.values<Json>(testEnv.findResources('AWS::SSM::Parameter')).some((p) => p.Properties.Name.endsWith('/public-subnet-ids'))).toBe(false);
    env.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'golden-ami-instance-boundary' });
  });

  test("production's load-balanced fleet delivers its access logs to a bucket in production's account, under its own prefix", () => {
    const env = synth.stageTemplate('Environment-production');
    const bucketName = Object.values<Json>(env.findResources('AWS::SSM::Parameter')).find((p) => p.Properties.Name === '/golden-ami/golden-ami/logs/bucket-name')!;
    expect(JSON.stringify(bucketName.Properties.Value)).toContain('LoadBalancerLogBucket');
    const policy = JSON.stringify(Object.values<Json>(env.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument);
    // eu-west-1's Elastic Load Balancing account (enable-access-logging.html), writing only app-linux's prefix of this account.
    expect(policy).toContain('arn:aws:iam::156460612806:root');
    expect(policy).toContain(`load-balancers/app-linux/AWSLogs/${PRODUCTION}/*`);
    // test has no load-balanced fleet: no bucket there.
    expect(Object.keys(synth.stageTemplate('Environment-test').findResources('AWS::S3::Bucket'))).toEqual([]);
    synth.stageTemplate('Fleet-production-app-linux').resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    synth.stageTemplate('Fleet-test-app-linux').resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  });

  test("the release writer role trusts the parameter-prep function's role alone and may touch exactly the environment's release parameters", () => {
    const env = synth.stageTemplate('Environment-production');
    const writer = Object.values<Json>(env.findResources('AWS::IAM::Role')).find((r) => r.Properties.RoleName === 'golden-ami-release-writer')!;
    expect(writer.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:role/golden-ami-parameter-prep` } },
    ]);
    const policy = Object.values<Json>(env.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('ReleaseWriterRole'))!;
    const resources = JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource);
    for (const image of ['app-linux', 'windows-iis']) {
      for (const leaf of ['release', 'release-ami']) expect(resources).toContain(`parameter/golden-ami/golden-ami/images/${image}/${leaf}"`);
    }
    expect(resources).not.toContain('*');
    expect(policy.Properties.PolicyDocument.Statement[0].Action).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
  });

  test("each environment fleet stack's deploy role, in the environment's account, trusts the pipeline's role and changes only its own stack", () => {
    const support = templateWhere(/Environment-production.*SupportappLinux.*\.nested\.template\.json$|Environment-production.*Supportapplinux.*\.nested\.template\.json$/);
    const deploy = Object.values<Json>(support.findResources('AWS::IAM::Role')).find((r) => r.Properties.RoleName === 'golden-ami-fleet-app-linux-cfn-deploy')!;
    expect(JSON.stringify(deploy.Properties.AssumeRolePolicyDocument)).toContain(`:iam::${PIPELINE_ACCOUNT}:role/golden-ami-codepipeline`);
    const deployPolicy = JSON.stringify(Object.values<Json>(support.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('DeployRole'))!.Properties.PolicyDocument);
    expect(deployPolicy).toContain(':stack/golden-ami-fleet-app-linux/*');
    expect(deployPolicy).not.toContain('golden-ami-fleet-windows-iis');
  });

  test('the artifact buckets and keys name the environment deploy roles, which the Environments wave creates later, by account and exact ARN', () => {
    const bucketPolicy = Object.entries<Json>(synth.pipelineTemplate.findResources('AWS::S3::BucketPolicy')).find(([id]) => id.startsWith('ArtifactBucketPolicy'))![1];
    const statements: Json[] = bucketPolicy.Properties.PolicyDocument.Statement;
    const forTest = statements.filter((s) => JSON.stringify(s.Principal).includes(`${TEST}:root`));
    expect(forTest.length).toBeGreaterThan(0);
    const named = forTest.flatMap((s) => s.Condition.ArnEquals['aws:PrincipalArn']);
    expect(named).toEqual(expect.arrayContaining([`arn:aws:iam::${TEST}:role/golden-ami-fleet-app-linux-cfn-deploy`, `arn:aws:iam::${TEST}:role/golden-ami-fleet-windows-iis-cfn-deploy`]));
    // No statement names one of those roles as its principal (S3 and KMS would refuse it before it exists).
    for (const s of statements) expect(JSON.stringify(s.Principal ?? {})).not.toMatch(/role\/golden-ami-fleet-[a-z-]+-cfn-deploy/);
    const key = Object.values<Json>(synth.pipelineTemplate.findResources('AWS::KMS::Key'))[0];
    for (const s of key.Properties.KeyPolicy.Statement) expect(JSON.stringify(s.Principal ?? {})).not.toMatch(/role\/golden-ami-fleet-[a-z-]+-cfn-deploy/);
  });

  test("the pipeline's role may assume the environments' fleet deploy roles by exact ARN", () => {
    const policy = Object.values<Json>(synth.pipelineTemplate.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('PipelineRole'))!;
    const statement = policy.Properties.PolicyDocument.Statement.find((s: Json) => s.Sid === 'AssumeTheEnvironmentsFleetDeployRoles');
    const arns = JSON.stringify(statement.Resource);
    for (const account of [TEST, PRODUCTION]) {
      for (const image of ['app-linux', 'windows-iis']) expect(arns).toContain(`:iam::${account}:role/golden-ami-fleet-${image}-cfn-deploy`);
    }
    expect(arns).not.toContain('*');
    // And the CDK bootstrap deploy roles of the Environments wave's stacks, each account and region it deploys to.
    const bootstrap = policy.Properties.PolicyDocument.Statement.find((s: Json) => s.Sid === 'AssumeTheBootstrapDeployRolesOfTheEnvironmentsWave');
    expect([bootstrap.Resource].flat().sort()).toEqual([
      `arn:aws:iam::${PIPELINE_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${PIPELINE_ACCOUNT}-eu-west-1`,
      `arn:aws:iam::${PIPELINE_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${PIPELINE_ACCOUNT}-us-east-1`,
      `arn:aws:iam::${TEST}:role/cdk-hnb659fds-deploy-role-${TEST}-us-east-1`,
      `arn:aws:iam::${PRODUCTION}:role/cdk-hnb659fds-deploy-role-${PRODUCTION}-eu-west-1`,
    ]);
    // Exactly the roles the wave's actions run as.
    const roleArns = actions('Environments').map((a) => resolveJoin(a.RoleArn));
    expect([...new Set(roleArns)].sort()).toEqual([bootstrap.Resource].flat().sort());
  });

  test("the parameter-prep function's role is named, assumes only the writer roles, and reads launch permissions of this pipeline's AMIs only", () => {
    const roles = synth.pipelineTemplate.findResources('AWS::IAM::Role', { Properties: { RoleName: 'golden-ami-parameter-prep' } });
    expect(Object.keys(roles)).toHaveLength(1);
    const policy = Object.values<Json>(synth.pipelineTemplate.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(Object.keys(roles)[0]))!;
    const sid = (name: string) => policy.Properties.PolicyDocument.Statement.find((s: Json) => s.Sid === name);
    expect(JSON.stringify(sid('PromoteThroughTheEnvironmentsReleaseWriterRoles').Resource)).toMatch(new RegExp(`${TEST}:role/golden-ami-release-writer.*${PRODUCTION}:role/golden-ami-release-writer`));
    expect(sid('ReadTheLaunchPermissionOfThisPipelinesAmis').Condition).toEqual({ StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' } });
  });

  test("the Cleanup resource's properties carry each environment, with the images that have a fleet stack there", () => {
    const cleanup = synth.pipelineTemplate.toJSON().Resources.Cleanup;
    expect(cleanup.Properties.Environments).toEqual([
      { Name: 'test', Account: TEST, Region: 'us-east-1', Fleets: ['app-linux', 'windows-iis'] },
      { Name: 'production', Account: PRODUCTION, Region: 'eu-west-1', Fleets: ['app-linux', 'windows-iis'] },
    ]);
    // No fleet stack in the pipeline's account.
    expect(cleanup.Properties.Images.map((i: Json) => i.Fleet)).toEqual(['false', 'false']);
  });

  test("each environment stack has a clean-up role that trusts the Cleanup function's role alone and may only describe and delete that stack", () => {
    for (const [stage, stackName] of [
      ['Environment-production', 'golden-ami-environment-production'],
      ['Environment-test', 'golden-ami-environment-test'],
    ]) {
      const env = synth.stageTemplate(stage);
      const role = Object.values<Json>(env.findResources('AWS::IAM::Role')).find((r) => r.Properties.RoleName === 'golden-ami-environment-cleanup')!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:role/golden-ami-cleanup-function` } },
      ]);
      const statements: Json[] = role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
      expect(statements).toHaveLength(1);
      expect([...statements[0].Action].sort()).toEqual(['cloudformation:DeleteStack', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks']);
      expect(JSON.stringify(statements[0].Resource)).toMatch(new RegExp(`:stack/${stackName}/\\*"`));
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test("the Cleanup function's role may assume exactly the environments' clean-up roles, and delete exactly the AMI key stacks", () => {
    const roles = synth.pipelineTemplate.findResources('AWS::IAM::Role', { Properties: { RoleName: 'golden-ami-cleanup-function' } });
    const roleId = Object.keys(roles)[0];
    const policies = Object.entries<Json>(synth.pipelineTemplate.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId));
    const expected = [TEST, PRODUCTION].flatMap((account) => [
      `arn:aws:iam::${account}:role/golden-ami-fleet-app-linux-cleanup`,
      `arn:aws:iam::${account}:role/golden-ami-fleet-windows-iis-cleanup`,
      `arn:aws:iam::${account}:role/golden-ami-environment-cleanup`,
    ]);
    const partitionOf = (v: unknown) => JSON.stringify(v).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},"([^"]*)"\]\]\}/g, '"arn:aws$1"');
    // The default policy, and the policy that keeps the previous deployment's grants during a prune (updated after the Cleanup resource).
    expect(policies.map(([id]) => id)).toEqual([expect.stringMatching(/^CleanupFunctionServiceRoleDefaultPolicy/), expect.stringMatching(/^CleanupPreviousEnvironments/)].sort());
    for (const [id, policy] of policies) {
      const sid = (name: string) => JSON.parse(partitionOf(policy.Properties.PolicyDocument.Statement.find((s: Json) => s.Sid === name)));
      expect(sid('AssumeTheEnvironmentsStackCleanupRoles').Resource.sort()).toEqual(expected.sort());
      expect(sid('DeleteTheAmiKeyStacks').Resource.sort()).toEqual([
        `arn:aws:cloudformation:eu-west-1:${PIPELINE_ACCOUNT}:stack/golden-ami-ami-key/*`,
        `arn:aws:cloudformation:us-east-1:${PIPELINE_ACCOUNT}:stack/golden-ami-ami-key/*`,
      ]);
      if (id.startsWith('CleanupPreviousEnvironments')) expect(synth.pipelineTemplate.toJSON().Resources[id].DependsOn).toContain('Cleanup');
    }
  });

  test("the other region's artifact bucket, which CDK creates for production's actions, is versioned and expiring and its key is rotated", () => {
    const support = new CloudAssembly(synth.outdir).stacks.find((s) => s.stackName.includes('support-eu-west-1') || s.id.startsWith('cross-region-stack'))!;
    const template = Template.fromJSON(support.template);
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90 }] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  (CFN_LINT_AVAILABLE ? test : test.skip)('cfn-lint finds nothing in any template', () => {
    const files = [...templates.keys()].map((f) => path.join(synth.outdir, f));
    expect(files.length).toBeGreaterThan(10);
    expect(cfnLintFindings(files)).toEqual([]);
  });
});

/** A CloudFormation string that may be an Fn::Join of literals and a partition reference, as text (partition aws). */
function resolveJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as Json)['Fn::Join'];
  if (!join) throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
  return (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : (part as Json).Ref === 'AWS::Partition' ? 'aws' : JSON.stringify(part))).join(join[0]);
}
