import * as fs from 'fs';
import * as path from 'path';
import { acknowledgedFindings, acknowledgedFindingsMarkdown } from '../../lib/docs/acknowledged-findings';
import { REPO_ROOT, synthApp } from '../helpers/synth-app';

describe('docs/acknowledged-findings.md', () => {
  // Environment-agnostic, as bin/docs.ts builds it.
  const { app } = synthApp(undefined, { account: undefined as never, region: undefined as never });

  test('is current (regenerate with npm run docs)', () => {
    const committed = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'acknowledged-findings.md'), 'utf8');
    expect(acknowledgedFindingsMarkdown(app)).toBe(committed);
  });

  test('every acknowledgement names a full finding id and gives a reason of its own', () => {
    const findings = acknowledgedFindings(app);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      // cdk-nag ids carry the finding in brackets where the rule reports several (IAM4, IAM5); guard ids name the rule;
      // CloudFormation-Validate ones are aws-cdk-lib's own, on its FlowLog construct.
      expect(f.id).toMatch(/^(AwsSolutions-(IAM4|IAM5)\[[^\]]+\]|AwsSolutions-(S1|AS3)|cdk-validator-cfnguard::[a-z0-9_]+|CloudFormation-Validate::F300[23])$/);
      expect(f.reason.length).toBeGreaterThan(40);
    }
  });
});
