/**
 * Every IAM statement in a set of synthesized templates, with where it comes from: identity policies (inline role
 * policies, AWS::IAM::Policy, managed policies) and the trust policies of roles. Used by the IAM proof and the role
 * inventory.
 */

export interface FoundStatement {
  /** Template (stack) file name. */
  readonly template: string;
  /** Logical id of the policy or role holding it. */
  readonly holder: string;
  /** Logical ids of the roles the statement applies to. */
  readonly roles: readonly string[];
  readonly effect: string;
  readonly actions: readonly string[];
  /** Resources as text: literals as they are, intrinsic functions as JSON. */
  readonly resources: readonly string[];
  readonly hasCondition: boolean;
  /** The statement's Condition block as written. @default - none */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * True for statements of a managed policy used as a permissions boundary: a ceiling on what roles may do, not a
   * grant (a role under it gets only what its own policies also allow).
   */
  readonly inBoundary: boolean;
}

type Resource = { Type: string; Properties?: Record<string, any> };

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Renders a resource value: strings as they are, Fn::Join of strings and refs as text with <Ref> placeholders. */
export function resourceText(value: unknown): string {
  if (typeof value === 'string') return value;
  const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' || typeof (part as { 'Fn::Sub'?: unknown })['Fn::Sub'] === 'string' ? resourceText(part) : `<${JSON.stringify(part)}>`)).join(join[0]);
  return `<${JSON.stringify(value)}>`;
}

function statementsOf(template: string, holder: string, roles: string[], document: { Statement?: unknown }, inBoundary = false): FoundStatement[] {
  return list(document.Statement as Array<Record<string, any>>).map((s) => ({
    template,
    holder,
    roles,
    effect: s.Effect,
    actions: list<string>(s.Action),
    resources: list(s.Resource).map(resourceText),
    hasCondition: s.Condition !== undefined,
    condition: s.Condition,
    inBoundary,
  }));
}

/** Identity-policy statements (what roles may do) in the given templates. */
export function identityStatements(templates: Record<string, { Resources: Record<string, Resource> }>): FoundStatement[] {
  const found: FoundStatement[] = [];
  const boundaries = boundaryNames(templates);
  for (const [name, template] of Object.entries(templates)) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      const p = resource.Properties ?? {};
      // A role of the same template by its logical id; one of another stack by its name.
      const roleRefs = list<{ Ref?: string } | string>(p.Roles).map((r) => (typeof r === 'string' ? r : (r.Ref ?? JSON.stringify(r))));
      if (resource.Type === 'AWS::IAM::Policy') found.push(...statementsOf(name, id, roleRefs, p.PolicyDocument));
      if (resource.Type === 'AWS::IAM::ManagedPolicy') found.push(...statementsOf(name, id, roleRefs, p.PolicyDocument, boundaries.has(p.ManagedPolicyName)));
      if (resource.Type === 'AWS::IAM::Role') {
        for (const policy of list<Record<string, any>>(p.Policies)) found.push(...statementsOf(name, id, [id], policy.PolicyDocument));
      }
    }
  }
  return found;
}

/** Names of the managed policies roles in the templates use as permissions boundaries. */
export function boundaryNames(templates: Record<string, { Resources: Record<string, Resource> }>): Set<string> {
  return new Set(
    Object.values(templates).flatMap((t) =>
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties?.PermissionsBoundary !== undefined)
        .map((r) => resourceText(r.Properties!.PermissionsBoundary).split('/').pop()!),
    ),
  );
}
