import * as fs from 'fs';
import * as path from 'path';

/**
 * cfn-guard's time grows with the bytes of a template times the rules run against it: the pipeline stack's template
 * (the CodePipeline definition, the dashboard, the SSM parameters) takes most of guard's time, yet no Control Tower
 * rule looks at those resources. Guard is therefore given each template with only the resources a rule can select,
 * and a stub (the `Type` alone) for each resource those reference, so that what a rule sees is unchanged:
 *  - every query over `Resources` in the rule files selects by `Type` against a literal resource type, so a resource of
 *    a type no rule file names is never selected;
 *  - the only other query follows a `Ref`/`Fn::GetAtt` of a selected resource (`Resources[ keys == %key ]`) and checks
 *    that the target exists and has a given `Type`, which a stub answers exactly as the whole resource would.
 * GuardRuleSet.reducible checks both premises on the rule files before any template is reduced: a rule set that breaks
 * them (a future rule, a user's rule) gets the templates whole.
 */

/** A resource of a CloudFormation template, as JSON. */
export interface GuardTemplateResource {
  readonly Type?: unknown;
  readonly [key: string]: unknown;
}

/** A CloudFormation template, as JSON. */
export interface GuardTemplate {
  readonly Resources?: Record<string, GuardTemplateResource>;
  readonly [section: string]: unknown;
}

/** What a set of guard rule files selects, read from their text. */
export class GuardRuleSet {
  /** Reads every `.guard` file under the given rule paths (files or directories). */
  public static fromPaths(rulePaths: readonly string[]): GuardRuleSet {
    return new GuardRuleSet(rulePaths.flatMap((p) => ruleFiles(p)).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') })));
  }

  /** Resource types the rule files name, lower-cased (a type compared case-insensitively is never missed). */
  public readonly resourceTypes: ReadonlySet<string>;
  /** Why the templates cannot be reduced for these rules, one line per query that breaks the premises; empty if they can. */
  public readonly unreducibleQueries: readonly string[];

  constructor(files: ReadonlyArray<{ readonly file: string; readonly text: string }>) {
    const types = new Set<string>();
    const problems: string[] = [];
    for (const { file, text } of files) {
      const code = withoutCommentsAndMessages(text);
      for (const m of code.matchAll(/AWS::\w+::\w+/g)) types.add(m[0].toLowerCase());
      problems.push(...unreducibleQueries(code).map((q) => `${path.basename(file)}: ${q}`));
    }
    this.resourceTypes = types;
    this.unreducibleQueries = problems;
  }

  /** True when every query in the rule files selects resources in one of the two ways the reduction keeps intact. */
  public get reducible(): boolean {
    return this.unreducibleQueries.length === 0;
  }

  /**
   * The template guard needs for these rules: every section but `Resources` as it is; the resources of the types the
   * rules name, whole; a `{ Type }` stub for each resource one of those references. Returns the template itself when
   * the rules are not reducible.
   */
  public reduce(template: GuardTemplate): GuardTemplate {
    if (!this.reducible || template.Resources === undefined) return template;
    const all = template.Resources;
    const kept: Record<string, GuardTemplateResource> = {};
    for (const [id, resource] of Object.entries(all)) {
      if (typeof resource?.Type === 'string' && this.resourceTypes.has(resource.Type.toLowerCase())) kept[id] = resource;
    }
    for (const id of Object.keys(kept)) {
      for (const target of referencedLogicalIds(kept[id])) {
        if (!(target in kept) && all[target] !== undefined) kept[target] = { Type: all[target].Type };
      }
    }
    return { ...template, Resources: kept };
  }
}

/** The `.guard` files under a rule path, sorted (a path may name a single file). */
function ruleFiles(rulePath: string): string[] {
  if (fs.statSync(rulePath).isFile()) return [rulePath];
  return fs
    .readdirSync(rulePath, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.guard'))
    .sort()
    .map((f) => path.join(rulePath, f));
}

/** Rule text without `#` comments and `<< … >>` messages, whose words are not queries. */
function withoutCommentsAndMessages(text: string): string {
  return text.replace(/<<[\s\S]*?>>/g, ' ').replace(/#.*$/gm, '');
}

const TYPE_FILTER = /^Type (==|in) %(\w+)$/;
const KEYS_LOOKUP = /^keys == %\w+$/;

/**
 * Each query over `Resources` that is not one of:
 *  - `Resources exists` (an emptier `Resources` still exists);
 *  - `Resources[.*][ Type == %T or Type in %U … ]`, every variable bound to a literal type or a list of them;
 *  - `let x = %doc.Resources[ keys == %k ]` whose result is only tested with `%x not empty` and `%x { Type == %t }`.
 */
function unreducibleQueries(code: string): string[] {
  const flat = code.replace(/\s+/g, ' ');
  const problems: string[] = [];
  const literalTypeVariables = new Set(
    [...flat.matchAll(/let (\w+) = ("AWS::\w+::\w+"|'AWS::\w+::\w+'|\[ ?(?:["']AWS::\w+::\w+["'] ?,? ?)+\])/g)].map((m) => m[1]),
  );
  const referenceResults = new Set<string>();
  for (const m of flat.matchAll(/\bResources\b(?:\.\*)? ?(\[[^\]]*\]|exists\b)?/g)) {
    const query = m[0];
    const filter = m[1];
    if (filter === 'exists') continue;
    if (filter === undefined) {
      problems.push(`unfiltered query "${query}"`);
      continue;
    }
    const clauses = filter.slice(1, -1).trim().split(/ or /);
    if (clauses.length === 1 && KEYS_LOOKUP.test(clauses[0])) {
      const binding = flat.slice(0, m.index).match(/let (\w+) = %\w+\.$/);
      if (binding) referenceResults.add(binding[1]);
      else problems.push(`lookup by logical id not bound to a variable: "${query}"`);
      continue;
    }
    for (const clause of clauses) {
      const typed = clause.trim().match(TYPE_FILTER);
      if (!typed) problems.push(`filter that is not a type comparison: "${query}"`);
      else if (!literalTypeVariables.has(typed[2])) problems.push(`type compared with %${typed[2]}, not bound to literal types: "${query}"`);
    }
  }
  for (const name of referenceResults) {
    const uses = [...flat.matchAll(new RegExp(`%${name}\\b[^\\n]{0,60}`, 'g'))].map((u) => u[0]);
    for (const use of uses) {
      if (!new RegExp(`^%${name} (not empty|\\{ Type (==|in) %\\w+ \\})`).test(use)) problems.push(`looked-up resource used beyond existence and type: "${use}"`);
    }
  }
  return problems;
}

/** Logical ids a resource names through `Ref`, `Fn::GetAtt`, `Fn::Sub` or `DependsOn`. */
export function referencedLogicalIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') {
        if (Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
        else if (typeof inner === 'string') found.add(inner.split('.')[0]);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^}!.]+)/g)) found.add(m[1].trim());
      } else if (key === 'DependsOn') {
        for (const id of [inner].flat()) if (typeof id === 'string') found.add(id);
      }
      referencedLogicalIds(inner, found);
    }
  }
  return found;
}
