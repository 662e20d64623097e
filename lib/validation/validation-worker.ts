/**
 * The worker thread behind off-thread-checks.ts: runs CDK's own CloudFormation validator and the cfn-guard plugin —
 * the same classes (CloudFormationValidatePlugin, RobustCfnGuardValidator), with the same options, that would run in
 * the main thread — and sends their reports back.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { serveBlockingRequests } from './blocking-worker';
import { GuardRuleSet } from './guard-input';
import { guardRulePathsOf } from './guard-rules';
import { RobustCfnGuardValidator, type RobustCfnGuardValidatorProps } from './robust-cfn-guard';

/** The part of CDK's validation context that crosses threads (the construct tree does not). */
export interface TemplatesContext {
  readonly templatePaths: string[];
  readonly stackTemplates: IPolicyValidationContext['stackTemplates'];
}

/**
 * CDK's context for plugins that read only the template files: CloudFormationValidatePlugin reads `stackTemplates`,
 * CfnGuardValidator `templatePaths`; neither touches the construct tree, which stays in the main thread.
 */
function withoutConstructTree(context: TemplatesContext): IPolicyValidationContext {
  return context as IPolicyValidationContext;
}

/** A request to the validation worker. */
export type ValidationRequest =
  | { readonly kind: 'cfn-version' }
  | { readonly kind: 'cfn-warm-up'; readonly resourceTypes: readonly string[] }
  | { readonly kind: 'cfn-validate'; readonly context: TemplatesContext }
  | { readonly kind: 'guard-warm-up'; readonly props: RobustCfnGuardValidatorProps }
  | { readonly kind: 'guard'; readonly props: RobustCfnGuardValidatorProps; readonly context: TemplatesContext };

/** The answer to a `cfn-validate` request. */
export interface CfnValidateAnswer {
  readonly report: PolicyValidationPluginReport;
  readonly version: string;
}

// One instance for the worker's life, as CDK keeps one per process: its engine (seconds to build) is reused.
let cloudFormationValidate: CloudFormationValidatePlugin | undefined;
const validator = () => (cloudFormationValidate ??= new CloudFormationValidatePlugin());

const guardRuleSets = new Map<string, GuardRuleSet>();

/** The rule set of these props, read once per worker (the warm-up reads it while the app is constructed). */
function guardRuleSet(props: RobustCfnGuardValidatorProps): GuardRuleSet {
  const key = JSON.stringify(props);
  if (!guardRuleSets.has(key)) guardRuleSets.set(key, GuardRuleSet.fromPaths(guardRulePathsOf(props)));
  return guardRuleSets.get(key)!;
}

/**
 * Builds the CloudFormation validator's engine before the templates exist: CDK builds it on the first validation, for
 * the resource types of the templates, and keeps it while later templates hold no other type. Validating a template
 * with one resource of each type the app is expected to emit builds the engine the real templates will reuse.
 */
function warmUp(resourceTypes: readonly string[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-cfn-warm-up-'));
  try {
    const templatePath = path.join(dir, 'warm-up.template.json');
    const resources = Object.fromEntries(resourceTypes.map((type, i) => [`Resource${i}`, { Type: type }]));
    fs.writeFileSync(templatePath, JSON.stringify({ Resources: resources }));
    validator().validate(withoutConstructTree({ templatePaths: [templatePath], stackTemplates: [{ stackConstructPath: 'WarmUp', templatePath, accountId: undefined, region: undefined }] }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * cfn-guard on the templates reduced to what its rules can select (guard-input.ts); violations name the original
 * template files.
 */
function guard(props: RobustCfnGuardValidatorProps, context: TemplatesContext): PolicyValidationPluginReport {
  const plugin = new RobustCfnGuardValidator(props);
  const rules = guardRuleSet(props);
  if (!rules.reducible) return plugin.validate(withoutConstructTree(context));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-guard-'));
  try {
    const originals = new Map<string, string>();
    const reducedPaths = context.templatePaths.map((original, i) => {
      const reduced = path.join(dir, String(i), path.basename(original));
      fs.mkdirSync(path.dirname(reduced));
      fs.writeFileSync(reduced, JSON.stringify(rules.reduce(JSON.parse(fs.readFileSync(original, 'utf8')))));
      originals.set(reduced, original);
      return reduced;
    });
    const report = plugin.validate(withoutConstructTree({ ...context, templatePaths: reducedPaths }));
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        const original = resource.templatePath && originals.get(resource.templatePath);
        if (original) (resource as { templatePath: string }).templatePath = original;
      }
    }
    return report;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function handle(request: ValidationRequest): unknown {
  switch (request.kind) {
    case 'cfn-version':
      return validator().version ?? 'unknown';
    case 'cfn-warm-up':
      return warmUp(request.resourceTypes);
    case 'cfn-validate':
      return { report: validator().validate(withoutConstructTree(request.context)), version: validator().version ?? 'unknown' } satisfies CfnValidateAnswer;
    case 'guard-warm-up':
      return guardRuleSet(request.props).reducible;
    case 'guard':
      return guard(request.props, request.context);
  }
}

serveBlockingRequests((request) => handle(request as ValidationRequest));
