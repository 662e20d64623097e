import { execFileSync, spawnSync } from 'child_process';

/** Whether cfn-lint is installed (it is in CI; a developer's machine may lack it). */
export const CFN_LINT_AVAILABLE = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * cfn-lint 1.51 reports I1022's style hint ("Prefer using Fn::Sub over Fn::Join with an empty delimiter") under E3703
 * for the RoleArn CDK Pipelines writes on its change set actions in some pipelines (seen in the stages it splits off
 * past 50 actions, and in a pipeline without an Assets stage), while the same actions elsewhere pass. Exactly that
 * message is tolerated, nothing else.
 */
const E3703_QUIRK = /:E3703:Prefer using Fn::Sub over Fn::Join with an empty delimiter$/;

/** cfn-lint's findings on the given templates (W3005 ignored as everywhere in the tests), one parseable line each. */
export function cfnLintFindings(files: readonly string[]): string[] {
  let output = '';
  try {
    execFileSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', 'W3005', '--', ...files], { encoding: 'utf8' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  return output.split('\n').filter((line) => line.trim() && !E3703_QUIRK.test(line));
}
