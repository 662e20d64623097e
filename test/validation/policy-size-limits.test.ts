import { checkDeploymentLimits, type SynthesizedTemplate } from '../../lib/validation/deployment-limits';
import { checkPolicySizes, IAM_MAX_MANAGED_POLICY_CHARACTERS, IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS, policyCharacters } from '../../lib/validation/policy-size-limits';

/** A policy document of exactly `characters` characters as IAM counts them (no white space). */
function documentOf(characters: number): object {
  const base = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '' }] };
  const padding = characters - policyCharacters(base);
  return { ...base, Statement: [{ ...base.Statement[0], Resource: 'x'.repeat(padding) }] };
}
const template = (file: string, resources: Record<string, object>): SynthesizedTemplate => ({ stackName: file.replace(/\..*$/, ''), file, template: { Resources: resources as never }, bytes: 1000 });
const role = (name?: string, ...inline: number[]) => ({ Type: 'AWS::IAM::Role', Properties: { RoleName: name, Policies: inline.map((c, i) => ({ PolicyName: `p${i}`, PolicyDocument: documentOf(c) })) } });
const policy = (characters: number, roles: unknown[]) => ({ Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'x', Roles: roles, PolicyDocument: documentOf(characters) } });

describe('IAM policy sizes', () => {
  test('counts without white space, as IAM does', () => {
    expect(policyCharacters(documentOf(500))).toBe(500);
    expect(policyCharacters({ a: 1 })).toBe(JSON.stringify({ a: 1 }).length);
  });

  test("a role's inline policies together may reach 10,240 characters, not one more", () => {
    const at = template('p.template.json', { Role: role('r', 6000), Extra: policy(IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS - 6000, [{ Ref: 'Role' }]) });
    expect(checkPolicySizes([at])).toEqual([]);
    const over = template('p.template.json', { Role: role('r', 6000), Extra: policy(IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS - 5999, [{ Ref: 'Role' }]) });
    expect(checkPolicySizes([over])).toEqual([
      expect.objectContaining({
        file: 'p.template.json',
        rule: 'IAM.RolePolicySize',
        resource: 'Role',
        count: IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS + 1,
        limit: IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS,
        fix: expect.stringContaining('instead of one ARN per image'),
      }),
    ]);
  });

  test('a policy a nested stack attaches by the role\'s name counts against that role in its own template', () => {
    const parent = template('parent.template.json', { ExecRole: role('golden-ami-image-x-cfn-exec') });
    const nested = template('support.nested.template.json', { ExecutionPolicy: policy(IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS + 10, ['golden-ami-image-x-cfn-exec']) });
    expect(checkPolicySizes([parent, nested]).map((p) => [p.file, p.resource, p.count])).toEqual([['parent.template.json', 'ExecRole', IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS + 10]]);
  });

  test('a Ref names a role of the same template only', () => {
    const a = template('a.template.json', { Role: role(undefined, 100) });
    const b = template('b.template.json', { Big: policy(IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS + 1, [{ Ref: 'Role' }]) });
    expect(checkPolicySizes([a, b])).toEqual([]);
  });

  test('one policy per image on one role, the way the clean-up role grew before it assumed per-stack roles, is caught', () => {
    const perImage = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`Image${i}`, policy(900, [{ Ref: 'CleanupRole' }])]));
    const problems = checkDeploymentLimits([template('golden-ami-pipeline.template.json', { CleanupRole: role(undefined, 500), ...perImage })]);
    expect(problems.map((p) => p.rule)).toEqual(['IAM.RolePolicySize']);
  });

  test('each managed policy may reach 6,144 characters, not one more', () => {
    const managed = (c: number) => template('m.template.json', { Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: documentOf(c) } } });
    expect(checkPolicySizes([managed(IAM_MAX_MANAGED_POLICY_CHARACTERS)])).toEqual([]);
    expect(checkPolicySizes([managed(IAM_MAX_MANAGED_POLICY_CHARACTERS + 1)])).toEqual([
      expect.objectContaining({ rule: 'IAM.ManagedPolicySize', resource: 'Boundary', count: IAM_MAX_MANAGED_POLICY_CHARACTERS + 1, limit: IAM_MAX_MANAGED_POLICY_CHARACTERS }),
    ]);
  });
});
