import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PipelineSource } from '../../lib/pipeline/pipeline-source';
import { type SynthesizedApp, synthApp } from '../helpers/synth-app';

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

let synth: SynthesizedApp;
let resources: Record<string, Resource>;
beforeAll(() => {
  synth = synthApp();
  resources = synth.pipelineTemplate.toJSON().Resources;
});

const idsWhere = (predicate: (r: Resource, id: string) => boolean) => Object.entries(resources).filter(([id, r]) => predicate(r, id)).map(([id]) => id);
const roleNamed = (suffix: string) => (r: Resource) => r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string' && (r.Properties.RoleName as string).endsWith(suffix);

describe('Cleanup: cdk destroy removes what the pipeline created', () => {
  test('is deleted before every execution role, deploy role, VPC resource, SSM parameter and the key that the stage stacks and its own logs use', () => {
    const afterCleanup = outlives(resources, 'Cleanup');
    const executionRoles = idsWhere(roleNamed('-cfn-exec'));
    const deployRoles = idsWhere(roleNamed('-deploy'));
    const network = idsWhere((r) => r.Type.startsWith('AWS::EC2::') || r.Type === 'Custom::VpcRestrictDefaultSG');
    const parameters = idsWhere((r) => r.Type === 'AWS::SSM::Parameter');
    // 2 images + 1 fleet in the shipped configuration; a VPC of two zones.
    expect(executionRoles).toHaveLength(3);
    expect(deployRoles).toHaveLength(3);
    expect(network.length).toBeGreaterThan(15);
    expect(parameters).toHaveLength(4);
    const policiesOf = (roles: string[]) => idsWhere((r) => r.Type === 'AWS::IAM::Policy' && ((r.Properties?.Roles ?? []) as Array<{ Ref?: string }>).some((ref) => roles.includes(ref.Ref ?? '')));
    const key = idsWhere((r) => r.Type === 'AWS::KMS::Key');
    expect(key).toHaveLength(1);
    const needed = [...executionRoles, ...policiesOf(executionRoles), ...deployRoles, ...policiesOf(deployRoles), ...network, ...parameters, ...key, ...idsWhere((r) => r.Type === 'AWS::IAM::ManagedPolicy')];
    expect(needed.filter((id) => !afterCleanup.has(id))).toEqual([]);
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
          { Name: 'windows-iis', Fleet: 'false', Regions: ['eu-west-1'] },
        ],
        Buckets: [{ Ref: Match.stringLikeRegexp('^ArtifactBucket') }, { Ref: Match.stringLikeRegexp('^ArtifactAccessLogs') }],
        SharedAmis: 'keep',
      },
    });
  });

  test('the buckets carry the pipeline tag (teardown finds them without the stack) and are deleted by the clean-up, not CloudFormation', () => {
    const buckets = Object.values(synth.pipelineTemplate.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'golden-ami:pipeline', Value: 'golden-ami' }]));
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  test("each stage stack's delete right is a policy of its own, naming that stack exactly", () => {
    const policies = synth.pipelineTemplate.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^Cleanup(Image|Fleet)StackGrants') } });
    const stacks = Object.values(policies).map((p) => JSON.stringify(p.Properties.PolicyDocument.Statement[0].Resource));
    expect(stacks.sort()).toEqual([
      expect.stringContaining(':stack/golden-ami-fleet-app-linux/*'),
      expect.stringContaining(':stack/golden-ami-image-app-linux/*'),
      expect.stringContaining(':stack/golden-ami-image-windows-iis/*'),
    ]);
    for (const id of Object.keys(policies)) expect(outlives(resources, 'Cleanup')).toContain(id);
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

describe('the source repository on cdk destroy', () => {
  const repositoryWith = (onDestroy: 'keep' | 'delete') => {
    const stack = new Stack(new App(), 'Source');
    new PipelineSource(stack, 'Source', { source: { provider: 'codecommit', repository: 'repo', branch: 'main', createRepository: true, onDestroy } });
    return Template.fromStack(stack);
  };

  test('is kept by default: it holds the user\'s code', () => {
    repositoryWith('keep').hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('is deleted with source.onDestroy: delete', () => {
    repositoryWith('delete').hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Delete' });
  });
});
