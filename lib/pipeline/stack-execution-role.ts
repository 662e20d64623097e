import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props for StackExecutionRole. */
export interface StackExecutionRoleProps {
  /** Name of the role; the stage stack's synthesizer names the same role. */
  readonly roleName: string;
  /** CloudFormation stack the role creates the resources of. */
  readonly stackName: string;
}

/**
 * The role CloudFormation assumes to create, change and delete the resources of one stage stack, in place of CDK's
 * bootstrap execution role (AdministratorAccess unless bootstrapped otherwise). Created by the pipeline stack, so it is
 * reviewed and versioned with the stack it serves and needs no custom bootstrap; only the stack's deploy role may pass
 * it, and only to CloudFormation. Its permissions are a policy in the stack's support nested stack (StageStackSupport):
 * the role itself stays in the pipeline stack under its name, because CloudFormation stores it with the stage stack.
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
  }
}
