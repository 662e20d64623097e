import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { EXPECTED_RESOURCE_TYPES } from './expected-resource-types';
import { guardRulePaths } from './guard-rules';
import { OffThreadChecks } from './off-thread-checks';

const appsWithValidations = new WeakSet<App>();

/**
 * Adds the policy checks every synth runs — in `npm test`, in `cdk synth` and in the pipeline's own Synth step — so a
 * finding stops a change before anything deploys: cdk-nag's AWS Solutions and NIST 800-53 rev 5 packs, the cfn-guard
 * Control Tower rules, and CDK's built-in CloudFormation validation (errors fail the synth: cdk.json sets
 * `@aws-cdk/core:validateAgainstDefaultRules`).
 * No rule is disabled: every finding that cannot be fixed is acknowledged next to its resource, with its reason.
 * cfn-guard runs the rule directories of the services the app deploys (see guard-rules.ts). cfn-guard and the
 * CloudFormation validation run in worker threads while cdk-nag runs in this one (off-thread-checks.ts); call this
 * before constructing the app's stacks, so the CloudFormation validator gets ready meanwhile.
 */
export function addValidations(app: App): void {
  // Once per app: CDK accepts one CloudFormation validation plugin, and twice the packs would report everything twice.
  if (appsWithValidations.has(app)) return;
  appsWithValidations.add(app);
  const offThread = new OffThreadChecks(app, {
    guard: { controlTowerRulesEnabled: false, rules: guardRulePaths() },
    expectedResourceTypes: EXPECTED_RESOURCE_TYPES,
  });
  Validations.of(app).addPlugins(
    offThread.startingOffThreadWork(new AwsSolutionsChecks(app)),
    new NIST80053R5Checks(app),
    offThread.guard,
    ...(offThread.cloudFormationValidate ? [offThread.cloudFormationValidate] : []),
  );
}
