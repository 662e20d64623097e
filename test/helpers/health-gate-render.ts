import { App, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Values CloudFormation gives the pseudo parameters a script refers to, e.g. `{ 'AWS::StackName': 'my-stack' }`. */
export type PseudoParameterValues = Readonly<Record<string, string>>;

/**
 * The user data text an instance receives: CDK renders the script, the template holds it as `Fn::Join` of strings and
 * `Ref`s to pseudo parameters, and CloudFormation substitutes them. This does the same substitution, so a test runs the
 * script the instance would run. Any other intrinsic fails the test: the gate is expected to use none.
 */
export function renderUserDataAsDeployed(userData: ec2.UserData, values: PseudoParameterValues): string {
  const stack = new Stack(new App(), 'HealthGateRender');
  return evaluate(stack.resolve(userData.render()), values);
}

function evaluate(value: unknown, values: PseudoParameterValues): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const intrinsic = value as Record<string, unknown>;
    if (typeof intrinsic.Ref === 'string') {
      const substituted = values[intrinsic.Ref];
      if (substituted === undefined) throw new Error(`user data refers to ${intrinsic.Ref}, which the test gave no value`);
      return substituted;
    }
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => evaluate(part, values)).join(separator);
    }
  }
  throw new Error(`user data holds an intrinsic the health gate should not need: ${JSON.stringify(value)}`);
}
