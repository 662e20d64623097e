import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load-config';
import { templatesIn } from '../../lib/docs/role-inventory';
import { PipelineSource } from '../../lib/pipeline/pipeline-source';
import { type FixtureAssembly, fixtureAssembly } from '../helpers/fixture-assembly';
import { rolePolicies } from '../helpers/role-policies';
import { configDirWith, FIXTURE_CONFIG_DIR, synthApp } from '../helpers/synth-app';

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[]; DeletionPolicy?: string };

/** Logical ids a resource depends on directly: DependsOn, Ref, Fn::GetAtt and ${…} in Fn::Sub. */
function directDependencies(resource: Resource, ids: ReadonlySet<string>): Set<string> {
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string' && ids.has(o.Ref)) found.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt']) && ids.has(o['Fn::GetAtt'][0] as string)) found.add(o['Fn::GetAtt'][0] as string);
    const sub = o['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? (sub[0] as string) : undefined;
    for (const m of text?.matchAll(/\$\{([^}.!]+)/g) ?? []) if (ids.has(m[1])) found.add(m[1]);
    Object.values(o).forEach(walk);
  };
  walk(resource.Properties);
  return found;
}

/**
 * Everything CloudFormation deletes only after `id` is gone: a resource is deleted after every resource that depends
 * on it, so what `id` depends on, directly or not, outlives it.
 */
function outlives(resources: Record<string, Resource>, id: string): Set<string> {
  const ids = new Set(Object.keys(resources));
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    for (const dep of directDependencies(resources[queue.pop()!], ids)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return seen;
}

let synth: FixtureAssembly;
let resources: Record<string, Resource>;
beforeAll(() => {
  synth = fixtureAssembly();
  resources = synth.pipelineTemplate.toJSON().Resources;
});

const idsWhere = (predicate: (r: Resource, id: string) => boolean) => Object.entries(resources).filter(([id, r]) => predicate(r, id)).map(([id]) => id);
const roleNamed = (suffix: string) => (r: Resource) => r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string' && (r.Properties.RoleName as string).endsWith(suffix);

describe('Cleanup: cdk destroy removes what the pipeline created', () => {
  test('is deleted before every execution role, support stack (deploy and clean-up roles), VPC resource, SSM parameter and the key', () => {
    const afterCleanup = outlives(resources, 'Cleanup');
    const executionRoles = idsWhere(roleNamed('-cfn-exec'));
    const supportStacks = idsWhere((r) => r.Type === 'AWS::CloudFormation::Stack');
    const network = idsWhere((r) => r.Type.startsWith('AWS::EC2::') || r.Type === 'Custom::VpcRestrictDefaultSG');
    const parameters = idsWhere((r) => r.Type === 'AWS::SSM::Parameter');
    const key = idsWhere((r) => r.Type === 'AWS::KMS::Key');
    // 2 images, 2 fleets and the Egress stack in the shipped configuration, one support stack each; a VPC of two zones.
    expect(executionRoles).toHaveLength(5);
    expect(supportStacks).toHaveLength(5);
    expect(network.length).toBeGreaterThan(15);
    // VPC id, private and public subnet ids, private route table ids, each fleet's two capacity numbers.
    expect(parameters).toHaveLength(8);
    expect(key).toHaveLength(1);
    const needed = [...executionRoles, ...supportStacks, ...network, ...parameters, ...key, ...idsWhere((r) => r.Type === 'AWS::IAM::ManagedPolicy')];
    expect(needed.filter((id) => !afterCleanup.has(id))).toEqual([]);
    // The deploy and clean-up roles live in the support stacks, deleted only with them.
    for (const id of ['Image-app-linux', 'Image-windows-iis', 'Egress', 'Fleet-app-linux', 'Fleet-windows-iis']) {
      expect(Object.values(synth.supportTemplate(id).findResources('AWS::IAM::Role')).map((r) => r.Properties.RoleName).filter(Boolean).sort()).toEqual(
        expect.arrayContaining([expect.stringMatching(/-cfn-deploy$/), expect.stringMatching(/-cleanup$/)]),
      );
    }
  });

  test('outlives the pipeline (no new run during the clean-up) and the bucket policies (never a policy of a missing bucket)', () => {
    for (const id of [...idsWhere((r) => r.Type === 'AWS::CodePipeline::Pipeline'), ...idsWhere((r) => r.Type === 'AWS::S3::BucketPolicy')]) {
      expect(outlives(resources, id)).toContain('Cleanup');
    }
  });

  test('names each image with its fleet and AMI regions, both buckets, and keeps shared AMIs by default', () => {
    synth.pipelineTemplate.hasResource('Custom::GoldenAmiCleanup', {
      Properties: {
        ServiceTimeout: '3600',
        PipelineName: 'golden-ami',
        Images: [
          { Name: 'app-linux', Fleet: 'true', Regions: ['eu-west-1'] },
          { Name: 'windows-iis', Fleet: 'true', Regions: ['eu-west-1'] },
        ],
        Buckets: [{ Ref: Match.stringLikeRegexp('^ArtifactBucket') }, { Ref: Match.stringLikeRegexp('^ArtifactAccessLogs') }],
        SharedAmis: 'keep',
        // network.egress on-demand with a fleet: the pipeline has an Egress stage, which cdk destroy deletes too.
        Egress: 'true',
      },
    });
    expect(synth.assembly.stacksRecursively.map((s) => s.stackName)).toContain('golden-ami-egress');
  });

  test('Egress is "false" exactly when the pipeline has no Egress stage (egress always)', () => {
    const always = synthApp(loadConfig(configDirWith({ 'pipeline.yaml': 'name: golden-ami\nnetwork:\n  vpcCidr: 10.40.0.0/16\n  egress: always\n' })));
    expect(always.stack.node.tryFindChild('Egress')).toBeUndefined();
    always.pipelineTemplate.hasResourceProperties('Custom::GoldenAmiCleanup', { Egress: 'false' });
  });

  test('the buckets carry the pipeline tag (teardown finds them without the stack) and are deleted by the clean-up, not CloudFormation', () => {
    const buckets = Object.values(synth.pipelineTemplate.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'golden-ami:pipeline', Value: 'golden-ami' }]));
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  test("each stage stack is deleted through a clean-up role of its own that trusts the function alone and names that stack exactly", () => {
    for (const [id, stackName] of [
      ['Image-app-linux', 'golden-ami-image-app-linux'],
      ['Image-windows-iis', 'golden-ami-image-windows-iis'],
      ['Egress', 'golden-ami-egress'],
      ['Fleet-app-linux', 'golden-ami-fleet-app-linux'],
    ]) {
      synth.supportTemplate(id).hasResourceProperties('AWS::IAM::Role', {
        RoleName: `${stackName}-cleanup`,
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { Ref: Match.stringLikeRegexp('CleanupFunctionServiceRole') } } })] },
        Policies: [{ PolicyName: 'DeleteThisStack', PolicyDocument: { Statement: [Match.objectLike({ Resource: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${stackName}/*` })], Version: '2012-10-17' } }],
        Tags: Match.arrayWith([{ Key: 'golden-ami:assumed-by', Value: 'cleanup' }, { Key: 'golden-ami:pipeline', Value: 'golden-ami' }]),
      });
    }
    // The function's own policy names no stage stack: it grows with no image.
    const own = synth.pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CleanupFunctionServiceRole') }] } });
    expect(JSON.stringify(own)).not.toMatch(/stack\/golden-ami-(image|fleet)/);
    expect(JSON.stringify(own)).toContain('"iam:ResourceTag/golden-ami:assumed-by":"cleanup"');
  });

  test('the function deletes only snapshots and AMIs tagged with this pipeline', () => {
    synth.pipelineTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'DeregisterOnlyThisPipelinesAmis', Condition: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' } } }),
          Match.objectLike({ Sid: 'DeleteOnlyThisPipelinesSnapshots', Action: 'ec2:DeleteSnapshot', Condition: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'golden-ami' } } }),
        ]),
      },
    });
  });
});

describe('Cleanup: distribution.ssmParameter', () => {
  const LATEST = '/golden-images/app-linux/latest';
  const ENV = { partition: 'aws', account: '123456789012', region: 'eu-west-1' };
  const parameterArn = (name: string, region: string) => `arn:aws:ssm:${region}:${ENV.account}:parameter${name}`;
  let app: ReturnType<typeof synthApp>;
  beforeAll(() => {
    const appLinux = fs.readFileSync(path.join(FIXTURE_CONFIG_DIR, 'images', 'app-linux.yaml'), 'utf8');
    app = synthApp(loadConfig(configDirWith({ 'images/app-linux.yaml': `${appLinux}distribution:\n  regions: [us-east-1]\n  ssmParameter: ${LATEST}\n` })));
  });

  test('the Cleanup resource names the image\'s parameter exactly, beside its regions', () => {
    app.pipelineTemplate.hasResourceProperties('Custom::GoldenAmiCleanup', {
      Images: [
        { Name: 'app-linux', Fleet: 'true', Regions: ['eu-west-1', 'us-east-1'], SsmParameter: LATEST },
        // No SsmParameter key at all for an image without one.
        { Name: 'windows-iis', Fleet: 'true', Regions: ['eu-west-1'] },
      ],
    });
  });

  // IAM evaluated offline with @cloud-copilot/iam-simulate, as in test/validation/iam-matrix.test.ts. An SSM
  // parameter's ARN is parameter/<name without its leading slash>, so "/golden-images/…" gives parameter/golden-images/….
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies
  test.each([
    ['deletes it in the pipeline region', 'ssm:DeleteParameter', parameterArn(LATEST, 'eu-west-1'), true],
    ['deletes it in a distribution region', 'ssm:DeleteParameter', parameterArn(LATEST, 'us-east-1'), true],
    ['deletes it with DeleteParameters', 'ssm:DeleteParameters', parameterArn(LATEST, 'us-east-1'), true],
    ['cannot delete it in a region it is not distributed to', 'ssm:DeleteParameter', parameterArn(LATEST, 'ap-southeast-2'), false],
    ['cannot delete a longer name', 'ssm:DeleteParameter', parameterArn(`${LATEST}-x`, 'us-east-1'), false],
    ['cannot delete a parameter below it', 'ssm:DeleteParameter', parameterArn(`${LATEST}/x`, 'us-east-1'), false],
    ['cannot delete another parameter of the same prefix', 'ssm:DeleteParameter', parameterArn('/golden-images/windows-iis/latest', 'eu-west-1'), false],
    ['cannot overwrite it', 'ssm:PutParameter', parameterArn(LATEST, 'eu-west-1'), false],
  ])('the clean-up function %s', async (_can, action, resource, allowed) => {
    // Every identity policy of the role, the default one and PreviousDistributionParameters alike.
    const policies = rolePolicies(templatesIn(app.app.outdir), ENV).get('golden-ami-cleanup-function');
    expect(policies).toBeDefined();
    const response = await runSimulation(
      {
        request: { principal: policies!.arn, action, resource: { resource, accountId: ENV.account }, contextVariables: {} },
        identityPolicies: policies!.identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    expect(response.resultType === 'error' ? response.errors : response.overallResult).toBe(allowed ? 'Allowed' : 'ImplicitlyDenied');
  });

  test('the grant is kept in a second policy updated only after the Cleanup resource: a prune still may delete the previous names', () => {
    const resources: Record<string, Resource> = app.pipelineTemplate.toJSON().Resources;
    const grants = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('"Sid":"DeleteTheDistributedAmiParameters"'),
    );
    expect(grants).toHaveLength(2);
    const [previous] = grants.filter(([id]) => id.includes('PreviousDistributionParameters'));
    expect(previous).toBeDefined();
    // Depends on Cleanup: updated after it, deleted before it (the default policy, which Cleanup depends on, stays).
    expect([previous[1].DependsOn ?? []].flat()).toContain('Cleanup');
    const [current] = grants.filter(([id]) => !id.includes('PreviousDistributionParameters'));
    expect(outlives(resources, 'Cleanup')).toContain(current[0]);
    expect(outlives(resources, 'Cleanup')).not.toContain(previous[0]);
  });

  test('none without a distribution parameter (the shipped fixture)', () => {
    expect(JSON.stringify(synth.pipelineTemplate.toJSON())).not.toContain('DeleteTheDistributedAmiParameters');
  });
});

describe('the source repository on cdk destroy', () => {
  const repositoryWith = (onDestroy: 'keep' | 'delete') => {
    const stack = new Stack(new App(), 'Source');
    new PipelineSource(stack, 'Source', { source: { provider: 'codecommit', repository: 'repo', branch: 'main', createRepository: true, onDestroy, ignorePaths: [] } });
    return Template.fromStack(stack);
  };

  test('is kept by default: it holds the user\'s code', () => {
    repositoryWith('keep').hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('is deleted with source.onDestroy: delete', () => {
    repositoryWith('delete').hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Delete' });
  });
});
