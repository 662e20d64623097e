import * as path from 'path';
import type { CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';

/**
 * The cfn-guard Control Tower rule directory for each CloudFormation service namespace this app deploys (null: the
 * rule set has no rules for it). Running only these directories halves cfn-guard's time on every synth; a test fails
 * when a template gains a namespace missing here, so no resource escapes the rules that exist for it.
 */
export const GUARD_RULE_DIRECTORIES: Readonly<Record<string, string | null>> = {
  AutoScaling: 'ec2autoscaling',
  CloudWatch: 'cloudwatch',
  CodeBuild: 'codebuild',
  EC2: 'ec2',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  IAM: 'identityandaccessmanagement',
  KMS: 'keymanagementservice',
  Lambda: 'lambda',
  Logs: 'cloudwatch',
  S3: 's3',
  SQS: 'sqs',
  CodeCommit: null,
  CodePipeline: null,
  Events: null,
  ImageBuilder: null,
  SSM: null,
  SNS: null,
  CodeStarNotifications: null,
  Scheduler: null,
  Chatbot: null,
  // The support nested stacks (AWS::CloudFormation::Stack).
  CloudFormation: null,
};

/** The Control Tower rule set bundled with @cdklabs/cdk-validator-cfnguard. */
function controlTowerRoot(): string {
  return path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
}

/** Absolute paths of the rule directories to run. */
export function guardRulePaths(): string[] {
  const root = controlTowerRoot();
  return [...new Set(Object.values(GUARD_RULE_DIRECTORIES).filter((d): d is string => d !== null))].sort().map((d) => path.join(root, d));
}

/** The rule paths a CfnGuardValidator with these props runs (its constructor's order: Control Tower rules, then `rules`). */
export function guardRulePathsOf(props: CfnGuardValidatorProps): string[] {
  return [...((props.controlTowerRulesEnabled ?? true) ? [controlTowerRoot()] : []), ...(props.rules ?? [])];
}
