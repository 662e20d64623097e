import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ExecutionGrant } from '../iam/execution-grants';

/** Props for StackExecutionRole. */
export interface StackExecutionRoleProps {
  /** Name of the role; the stage stack's synthesizer names the same role. */
  readonly roleName: string;
  /** CloudFormation stack the role creates the resources of. */
  readonly stackName: string;
  /** Exactly what the stack's resources need (see image-stack-grants and fleet-stack-grants). */
  readonly grants: readonly ExecutionGrant[];
}

/**
 * The role CloudFormation assumes to create, change and delete the resources of one stage stack, in place of CDK's
 * bootstrap execution role (AdministratorAccess unless bootstrapped otherwise). Created by the pipeline stack, so it is
 * reviewed and versioned with the stack it serves and needs no custom bootstrap; only the stack's deploy role may pass
 * it, and only to CloudFormation.
 */
export class StackExecutionRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StackExecutionRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: `CloudFormation execution role of stack ${props.stackName}: its resources only`,
    });
    const reasons = new Map<string, Set<string>>();
    for (const grant of props.grants) {
      this.role.addToPrincipalPolicy(grant.statement);
      for (const [resource, reason] of Object.entries(grant.wildcards ?? {})) reasons.set(resource, (reasons.get(resource) ?? new Set()).add(reason));
    }
    Validations.of(this.role).acknowledge(
      ...[...reasons].map(([resource, why]) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: [...why].join(' ') })),
    );
  }
}
