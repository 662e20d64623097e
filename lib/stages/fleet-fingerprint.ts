import { createHash } from 'crypto';
import { CfnElement, CfnOutput, Stack } from 'aws-cdk-lib';
import { canonicalJson } from './image-fingerprint';

/**
 * A hash of the fleet stack's template: every parameter, condition, rule and resource exactly as it will be deployed,
 * outputs left out (one of them carries this hash). Two templates with the same fingerprint make the same stack, so a
 * release step may refresh a deployed fleet stack whose fingerprint equals this run's (lambda/parameter-prep/
 * fleet-rollout.ts): the change it makes is the one the DeployImage stage would make. The released AMI is an
 * SSM-typed parameter, its name in the template and its value resolved at deploy time, so a new image does not change it.
 */
export function fleetTemplateFingerprint(stack: Stack): string {
  const elements = stack.node
    .findAll()
    .filter((c): c is CfnElement => CfnElement.isCfnElement(c) && !(c instanceof CfnOutput) && Stack.of(c) === stack)
    // _toCloudFormation is how CDK itself renders an element for the template; resolve() turns tokens into JSON.
    .map((e) => stack.resolve((e as unknown as { _toCloudFormation(): object })._toCloudFormation()));
  return createHash('sha256').update(canonicalJson(elements)).digest('hex');
}
