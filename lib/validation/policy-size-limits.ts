import type { DeploymentLimitProblem, SynthesizedTemplate } from './deployment-limits';

/**
 * IAM's size limits on policies, which CloudFormation only meets when it creates them: the inline policies of one role
 * together (its `Policies` and every AWS::IAM::Policy attached to it, in any template), and each managed policy.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Role policy size cannot exceed 10,240
 * characters"; "The size of each managed policy cannot exceed 6,144 characters"; white space is not counted).
 */
export const IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS = 10_240;
export const IAM_MAX_MANAGED_POLICY_CHARACTERS = 6_144;

type Resource = { Type: string; Properties?: Record<string, unknown> };

/**
 * Characters of a policy document as IAM counts them (no white space). A reference is counted as the template writes
 * it (`{"Ref":…}`, `{"Fn::Join":…}`), usually longer than the ARN it becomes: the count errs on the high side.
 */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(document ?? {}).length;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Every role whose inline policies exceed IAM's limit together, and every managed policy over its own. */
export function checkPolicySizes(templates: readonly SynthesizedTemplate[]): DeploymentLimitProblem[] {
  type Role = { file: string; id: string; name?: string; characters: number };
  const roles: Role[] = [];
  const byKey = new Map<string, Role>();
  const problems: DeploymentLimitProblem[] = [];
  for (const t of templates) {
    for (const [id, r] of Object.entries<Resource>((t.template.Resources ?? {}) as Record<string, Resource>)) {
      if (r.Type === 'AWS::IAM::Role') {
        const name = typeof r.Properties?.RoleName === 'string' ? r.Properties.RoleName : undefined;
        const role: Role = { file: t.file, id, name, characters: list(r.Properties?.Policies).reduce<number>((sum, p) => sum + policyCharacters((p as { PolicyDocument?: unknown }).PolicyDocument), 0) };
        roles.push(role);
        byKey.set(`${t.file}#${id}`, role);
        if (name) byKey.set(`name#${t.account ?? ''}#${name}`, role);
      }
      if (r.Type === 'AWS::IAM::ManagedPolicy') {
        const characters = policyCharacters(r.Properties?.PolicyDocument);
        if (characters > IAM_MAX_MANAGED_POLICY_CHARACTERS) {
          problems.push({
            file: t.file,
            rule: 'IAM.ManagedPolicySize',
            resource: id,
            count: characters,
            limit: IAM_MAX_MANAGED_POLICY_CHARACTERS,
            message: `managed policy ${id} has ${characters} characters, over IAM's ${IAM_MAX_MANAGED_POLICY_CHARACTERS}`,
            fix: 'split its statements into two managed policies, or name resources by a pattern or tag instead of one by one',
          });
        }
      }
    }
  }
  // Policies attach to a role of their own template by Ref, or to one of any template by its name.
  for (const t of templates) {
    for (const r of Object.values<Resource>((t.template.Resources ?? {}) as Record<string, Resource>).filter((x) => x.Type === 'AWS::IAM::Policy')) {
      const characters = policyCharacters(r.Properties?.PolicyDocument);
      for (const target of list(r.Properties?.Roles)) {
        const ref = (target as { Ref?: string })?.Ref;
        const role = typeof target === 'string' ? byKey.get(`name#${t.account ?? ''}#${target}`) : ref ? byKey.get(`${t.file}#${ref}`) : undefined;
        if (role) role.characters += characters;
      }
    }
  }
  for (const role of roles.filter((r) => r.characters > IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS)) {
    problems.push({
      file: role.file,
      rule: 'IAM.RolePolicySize',
      resource: role.id,
      count: role.characters,
      limit: IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS,
      message: `role ${role.name ?? role.id} has ${role.characters} characters of inline policy, over IAM's ${IAM_MAX_ROLE_INLINE_POLICY_CHARACTERS} for a role's inline policies together`,
      fix: 'grant by a pattern or a tag instead of one ARN per image, or move statements into a managed policy (6,144 characters each)',
    });
  }
  return problems;
}
