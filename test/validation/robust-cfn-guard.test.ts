import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { RobustCfnGuardValidator, violationsOf } from '../../lib/validation/robust-cfn-guard';
import { REPO_ROOT } from '../helpers/synth-app';

const TEMPLATE = path.join(REPO_ROOT, 'test', 'fixtures', 'guard', 'load-balancer-logging-to-a-parameter.template.json');
/** What CDK hands a validation plugin: the app and the templates it wrote. */
const context = (templatePath: string) => ({ appConstruct: new App(), templatePaths: [templatePath] });
const RULE = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard', 'elasticloadbalancing', 'ct-elasticloadbalancing-pr-6.guard');

describe('the cfn-guard validator', () => {
  test("cdk-validator-cfnguard's own parser fails on CT.ELASTICLOADBALANCING.PR.6's result on an access-log bucket given as a parameter (why the wrapper exists)", () => {
    const plugin = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [RULE] });
    expect(() => plugin.validate(context(TEMPLATE))).toThrow(/failed processing cfn-guard results/);
  });

  test('the wrapper reports that result as a violation of the load balancer, by rule name, with the fix', () => {
    const report = new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: [RULE] }).validate(context(TEMPLATE));
    expect(report.success).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        ruleName: 'elbv2_logging_enabled_check',
        fix: expect.stringMatching(/access_logs\.s3\.bucket/),
        violatingResources: [expect.objectContaining({ resourceLogicalId: 'WebLoadBalancer', templatePath: TEMPLATE })],
      }),
    ]);
  });

  test('a compliant template passes through the plugin itself', () => {
    const rule = path.join(path.dirname(RULE), 'ct-elasticloadbalancing-pr-5.guard');
    const report = new RobustCfnGuardValidator({ controlTowerRulesEnabled: false, rules: [rule] }).validate(context(TEMPLATE));
    expect(report).toEqual({ success: true, violations: [] });
  });

  test('violationsOf names each resource once, with every path the failed checks traversed', () => {
    const result = {
      name: 't.json',
      not_compliant: [
        {
          Rule: {
            name: 'some_rule',
            checks: [
              { Rule: { messages: { custom_message: '\n [CT.X.PR.1]: Require a thing\n [FIX]: Set the thing\n' }, checks: [{ Clause: { check: { Resolved: { from: { path: '/Resources/A/Properties/X' } } } } }] } },
              { Clause: { check: { UnResolved: { value: { traversed_to: { path: '/Resources/A/Properties/Y' } } } } } },
              { Clause: { check: { UnResolved: { value: { traversed_to: { path: '/Resources/B/Properties' } } } } } },
            ],
          },
        },
      ],
    };
    expect(violationsOf(result)).toEqual([
      expect.objectContaining({
        ruleName: 'some_rule',
        description: '[CT.X.PR.1]: Require a thing',
        fix: 'Set the thing',
        violatingResources: [
          { resourceLogicalId: 'A', templatePath: 't.json', locations: ['/Resources/A/Properties/X', '/Resources/A/Properties/Y'] },
          { resourceLogicalId: 'B', templatePath: 't.json', locations: ['/Resources/B/Properties'] },
        ],
      }),
    ]);
  });
});
