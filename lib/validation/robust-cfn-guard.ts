import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';
import { CfnGuardValidator, type CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';

/**
 * The cfn-guard validator, made to survive its own result parser. cdk-validator-cfnguard 0.0.62 throws ("failed
 * processing cfn-guard results … reading 'to'") on the results of rules whose failed checks are disjunctions of nested
 * rule calls, e.g. CT.ELASTICLOADBALANCING.PR.6 on a load balancer whose access-log bucket is a parameter; the synth then fails without
 * saying which resource broke which rule, and no acknowledgement can apply. When that happens this runs the same
 * cfn-guard binary on the same rules and templates and reads the raw results itself: one violation per rule, naming
 * every resource the rule's failed checks point into. Every other result is the plugin's own.
 */
/** Props for RobustCfnGuardValidator: CfnGuardValidator's, with the rule paths given (its fallback runs them). */
export type RobustCfnGuardValidatorProps = CfnGuardValidatorProps & { readonly rules: string[] };

export class RobustCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly inner: CfnGuardValidator;
  private readonly rulePaths: string[];

  constructor(props: RobustCfnGuardValidatorProps) {
    this.inner = new CfnGuardValidator(props);
    this.name = this.inner.name;
    this.version = this.inner.version;
    this.ruleIds = this.inner.ruleIds;
    this.rulePaths = props.rules;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    let report: PolicyValidationPluginReportBeta1;
    try {
      report = this.inner.validate(context);
    } catch (err) {
      if (!/failed processing cfn-guard results/.test(String(err))) throw err;
      return this.rawReport(context);
    }
    // The parser also reports some failed `some Statement[*]` checks (CT.KMS.PR.3 on a key policy without the rule's
    // exact deny) a second time, tied to no resource: no acknowledgement can reach such a copy. The raw results name
    // the resource of every failure once.
    return report.violations.some((v) => v.violatingResources.some((r) => !r.resourceLogicalId)) ? this.rawReport(context) : report;
  }

  private rawReport(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const results = JSON.parse(runGuard(this.rulePaths, context.templatePaths)) as GuardTemplateResult[];
    const violations = results.flatMap((result) => violationsOf(result));
    return { success: violations.length === 0, violations };
  }
}

/** One template's result, as `cfn-guard validate --output-format json --structured` prints it. */
export interface GuardTemplateResult {
  readonly name: string;
  readonly not_compliant?: unknown[] | Record<string, unknown>;
}

/**
 * Violations of one template's raw guard result: per non-compliant rule, the resources its checks traversed (every
 * `/Resources/<logical id>/…` path in the check tree) and the rule's first custom message, split into description and
 * [FIX] as the plugin does.
 */
export function violationsOf(result: GuardTemplateResult): PolicyViolationBeta1[] {
  const rules = Object.values(result.not_compliant ?? {}) as Array<{ Rule?: { name?: string } }>;
  return rules.flatMap((entry) => {
    const rule = entry.Rule;
    if (!rule?.name) return [];
    const text = JSON.stringify(rule);
    const resources = new Map<string, Set<string>>();
    for (const match of text.matchAll(/"path":"(\/Resources\/([^/"]+)[^"]*)"/g)) {
      resources.set(match[2], (resources.get(match[2]) ?? new Set()).add(match[1]));
    }
    const message = firstCustomMessage(rule) ?? rule.name;
    const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const fix = lines.find((l) => l.startsWith('[FIX]'))?.replace(/^\[FIX\]:\s*/, '') ?? 'N/A';
    const description = lines.filter((l) => !l.startsWith('[FIX]')).join(' ') || rule.name;
    return [
      {
        ruleName: rule.name,
        description,
        fix,
        ruleMetadata: { DocumentationUrl: 'https://github.com/cdklabs/cdk-validator-cfnguard#bundled-control-tower-rules' },
        violatingResources: [...resources].map(([resourceLogicalId, locations]) => ({ resourceLogicalId, templatePath: result.name, locations: [...locations] })),
      },
    ];
  });
}

function firstCustomMessage(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  const messages = record.messages as { custom_message?: string | null } | undefined;
  if (messages?.custom_message) return messages.custom_message;
  for (const value of Object.values(record)) {
    const found = firstCustomMessage(value);
    if (found) return found;
  }
  return undefined;
}

/** The cfn-guard binary the plugin ships, for this machine. */
function guardBinary(): string {
  const root = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const platform = process.platform === 'darwin' ? 'macos' : 'ubuntu';
  const architecture = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return path.join(root, 'bin', platform, architecture, 'cfn-guard');
}

function runGuard(rulePaths: readonly string[], templatePaths: readonly string[]): string {
  const binary = guardBinary();
  if (!fs.existsSync(binary)) throw new Error(`cfn-guard binary not found at ${binary}`);
  const args = ['validate', ...rulePaths.flatMap((r) => ['--rules', r]), ...templatePaths.flatMap((t) => ['--data', t]), '--output-format', 'json', '--show-summary', 'none', '--structured'];
  try {
    return execFileSync(binary, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    // cfn-guard exits 19 when a rule fails: the JSON on stdout is the result.
    const stdout = (err as { stdout?: string }).stdout;
    if (stdout) return stdout;
    throw err;
  }
}
