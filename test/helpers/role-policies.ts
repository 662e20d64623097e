/**
 * The policies of every role in a set of synthesized templates, with CloudFormation intrinsics resolved to the values
 * they would have in one account and region, so an offline IAM simulator can evaluate requests against them.
 */

type Resource = { Type: string; Properties?: Record<string, any> };
type Template = { Resources: Record<string, Resource>; NestedIn?: { template: string; resource: string } };

export interface Environment {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

export interface RolePolicies {
  /** The role's ARN, the principal of its requests. */
  readonly arn: string;
  /** Its identity policies: inline, AWS::IAM::Policy and customer-managed. */
  readonly identity: Array<{ name: string; policy: unknown }>;
  /** Its permissions boundary, when it has one. */
  readonly boundary?: { name: string; policy: unknown };
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Physical names of resources that name themselves in their properties; others get their logical id. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::CodePipeline::Pipeline': 'Name',
  'AWS::CodeCommit::Repository': 'RepositoryName',
};

/** Resolves Ref, Fn::GetAtt (Arn), Fn::Join, Fn::Sub and Fn::Select/Fn::Split within one template. */
export class IntrinsicResolver {
  private readonly resources: Map<string, Resource>;

  constructor(
    template: Template,
    private readonly env: Environment,
    /** Values of the template's parameters (a nested stack's, as its parent passes them). */
    private readonly parameters: Record<string, unknown> = {},
  ) {
    this.resources = new Map(Object.entries(template.Resources));
  }

  public resolve(value: unknown): any {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    const o = value as Record<string, any>;
    if ('Ref' in o) return this.ref(o.Ref);
    if ('Fn::GetAtt' in o) return this.getAtt(o['Fn::GetAtt'][0], o['Fn::GetAtt'][1]);
    if ('Fn::Join' in o) return (this.resolve(o['Fn::Join'][1]) as unknown[]).join(o['Fn::Join'][0]);
    if ('Fn::Select' in o) return this.resolve(o['Fn::Select'][1])[Number(o['Fn::Select'][0])];
    if ('Fn::Split' in o) return String(this.resolve(o['Fn::Split'][1])).split(o['Fn::Split'][0]);
    if ('Fn::Sub' in o) {
      const [text, vars] = typeof o['Fn::Sub'] === 'string' ? [o['Fn::Sub'], {}] : o['Fn::Sub'];
      return (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => (name in vars ? this.resolve(vars[name]) : name.includes('.') ? this.getAtt(...(name.split('.') as [string, string])) : this.ref(name)));
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = { 'AWS::Partition': this.env.partition, 'AWS::AccountId': this.env.account, 'AWS::Region': this.env.region, 'AWS::URLSuffix': 'amazonaws.com' };
    if (name in pseudo) return pseudo[name];
    if (name in this.parameters) return this.parameters[name] as string;
    const r = this.resources.get(name);
    if (!r) return name;
    const physical = this.physicalName(name);
    // Resources whose Ref is their ARN.
    if (r.Type === 'AWS::IAM::ManagedPolicy') return `arn:${this.env.partition}:iam::${this.env.account}:policy/${physical}`;
    if (r.Type === 'AWS::SNS::Topic') return `arn:${this.env.partition}:sns:${this.env.region}:${this.env.account}:${physical}`;
    return physical;
  }

  private physicalName(id: string): string {
    const r = this.resources.get(id)!;
    const property = NAME_PROPERTY[r.Type];
    return property && r.Properties?.[property] !== undefined ? String(this.resolve(r.Properties[property])) : id;
  }

  private getAtt(id: string, attribute: string): string {
    const r = this.resources.get(id);
    if (!r || attribute !== 'Arn') return `${id}.${attribute}`;
    const { partition, region, account } = this.env;
    const name = this.physicalName(id);
    const arns: Record<string, string> = {
      'AWS::IAM::Role': `arn:${partition}:iam::${account}:role/${name}`,
      'AWS::S3::Bucket': `arn:${partition}:s3:::${name.toLowerCase()}`,
      'AWS::KMS::Key': `arn:${partition}:kms:${region}:${account}:key/${name}`,
      'AWS::Lambda::Function': `arn:${partition}:lambda:${region}:${account}:function:${name}`,
      'AWS::CodeBuild::Project': `arn:${partition}:codebuild:${region}:${account}:project/${name}`,
      'AWS::Logs::LogGroup': `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`,
      'AWS::CodeCommit::Repository': `arn:${partition}:codecommit:${region}:${account}:${name}`,
      'AWS::SQS::Queue': `arn:${partition}:sqs:${region}:${account}:${name}`,
    };
    return arns[r.Type] ?? `${id}.Arn`;
  }
}

/** Every role of the templates, by role name (or logical id without its hash when unnamed). */
export function rolePolicies(templates: Record<string, Template>, env: Environment): Map<string, RolePolicies> {
  // Parents first, so that a nested stack's parameters resolve to the values its parent passes.
  const resolvers = new Map<string, IntrinsicResolver>();
  for (const [name, template] of Object.entries(templates).sort(([, a], [, b]) => Number(Boolean(a.NestedIn)) - Number(Boolean(b.NestedIn)))) {
    const parent = template.NestedIn && resolvers.get(template.NestedIn.template);
    const parameters = parent ? (parent.resolve(templates[template.NestedIn!.template].Resources[template.NestedIn!.resource].Properties?.Parameters ?? {}) as Record<string, unknown>) : {};
    resolvers.set(name, new IntrinsicResolver(template, env, parameters));
  }
  const resolved = Object.entries(templates).map(([name, template]) => ({ resolver: resolvers.get(name)!, resources: Object.entries(template.Resources) }));
  // Managed policies by ARN, across templates: stage stacks name the pipeline stack's boundary by its ARN.
  const managedByArn = new Map(
    resolved.flatMap(({ resolver, resources }) =>
      resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy').map(([id, r]) => [resolver.resolve({ Ref: id }) as string, { name: id, policy: resolver.resolve(r.Properties!.PolicyDocument) }] as const),
    ),
  );
  // Policies by the names of the roles they attach to, across templates: a support stack attaches one to a role of
  // the pipeline stack by its name.
  const policiesByRoleName = new Map<string, Array<{ name: string; policy: unknown }>>();
  for (const { resolver, resources } of resolved) {
    for (const [policyId, r] of resources.filter(([, x]) => x.Type === 'AWS::IAM::Policy' || (x.Type === 'AWS::IAM::ManagedPolicy' && x.Properties?.Roles))) {
      for (const roleName of list(resolver.resolve(r.Properties!.Roles)) as string[]) {
        policiesByRoleName.set(roleName, [...(policiesByRoleName.get(roleName) ?? []), { name: policyId, policy: resolver.resolve(r.Properties!.PolicyDocument) }]);
      }
    }
  }
  const roles = new Map<string, RolePolicies>();
  for (const { resolver, resources } of resolved) {
    for (const [id, role] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
      const p = role.Properties ?? {};
      const arn = resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] }) as string;
      const name = resolver.resolve({ Ref: id }) as string;
      const identity = [
        ...list<Record<string, any>>(p.Policies).map((policy) => ({ name: policy.PolicyName, policy: resolver.resolve(policy.PolicyDocument) })),
        ...(policiesByRoleName.get(name) ?? []),
      ];
      const attached = list(p.ManagedPolicyArns).map((a) => resolver.resolve(a) as string);
      identity.push(...attached.filter((a) => managedByArn.has(a)).map((a) => managedByArn.get(a)!));
      const boundaryArn = p.PermissionsBoundary ? (resolver.resolve(p.PermissionsBoundary) as string) : undefined;
      roles.set(arn.split('/').pop()!.replace(/[0-9A-F]{8}$/, ''), {
        arn,
        identity,
        boundary: boundaryArn ? (managedByArn.get(boundaryArn) ?? { name: boundaryArn, policy: undefined }) : undefined,
      });
    }
  }
  return roles;
}
