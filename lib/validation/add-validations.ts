import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { guardRulePaths } from './guard-rules';
import { RobustCfnGuardValidator } from './robust-cfn-guard';

/**
 * Adds the policy checks every synth runs — in `npm test`, in `cdk synth` and in the pipeline's own Synth step — so a
 * finding stops a change before anything deploys: cdk-nag's AWS Solutions and NIST 800-53 rev 5 packs and the cfn-guard
 * Control Tower rules.
 * No rule is disabled: every finding that cannot be fixed is acknowledged next to its resource, with its reason.
 * cfn-guard runs the rule directories of the services the app deploys (see guard-rules.ts).
 */
export function addValidations(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: guardRulePaths() }));
}
