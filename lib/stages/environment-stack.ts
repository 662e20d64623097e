import { Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, FleetConfig, ImageConfig } from '../config/model';
import { InstanceRoleBoundary } from '../iam/instance-role-boundary';
import { environmentCleanupRoleName, imageParameterNames, networkParameterNames, PIPELINE_TAG_KEY, releaseWriterRoleName } from '../naming';
import { FleetCapacity } from '../pipeline/fleet-capacity';
import { LoadBalancerLogDelivery } from '../pipeline/load-balancer-log-delivery';
import { logBucket } from '../pipeline/log-bucket';
import { NagNames } from '../validation/nag-names';
import { AmiKeyGrant } from './ami-key-grant';

/** Props for EnvironmentStack. */
export interface EnvironmentStackProps extends StackProps {
  readonly pipelineName: string;
  readonly environment: EnvironmentConfig;
  /** The pipeline's account: its AMI key, and the roles the environment's roles trust. */
  readonly pipelineAccount: string;
  /** The images with a fleet, each with its fleet in this environment. */
  readonly fleets: ReadonlyArray<{ readonly image: ImageConfig; readonly fleet: FleetConfig }>;
  /** ARN of the parameter-prep function's role in the pipeline's account: the release writer role trusts it alone. */
  readonly parameterPrepRoleArn: string;
  /**
   * ARN of the Cleanup function's role in the pipeline's account: the environment clean-up role trusts it alone. (By
   * ARN, not a role: this stack is deployed apart from the pipeline stack, in another account.)
   */
  readonly cleanupFunctionRoleArn: string;
}

/**
 * What an environment's fleets need in its account, under the names the fleet stacks resolve in the pipeline's own
 * account (so one FleetStack serves both): the network parameters of the environment's VPC, the instance role
 * boundary, each fleet's capacity parameters, the load balancers' log bucket, the grant that lets EC2 Auto Scaling
 * launch the pipeline's encrypted AMIs (AmiKeyGrant), and the release writer role, through which the pipeline's
 * parameter-prep function promotes a release into this environment; and the environment clean-up role, through which
 * the pipeline's Cleanup function deletes this stack (cdk destroy of the pipeline stack, or the environment removed from
 * the configuration). The fleet stacks' own deploy, execution and clean-up roles are nested stacks added by the pipeline
 * (StageStackSupport), as for fleets in the pipeline's account.
 *
 * Deployed by CDK Pipelines with the environment account's bootstrap roles (its trust of the pipeline's account).
 */
export class EnvironmentStack extends Stack {
  public readonly boundary: iam.ManagedPolicy;
  public readonly releaseWriterRole: iam.Role;
  public readonly cleanupRole: iam.Role;
  private readonly pipelineName: string;
  private readonly environmentName: string;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    const { pipelineName, environment } = props;
    this.pipelineName = pipelineName;
    this.environmentName = environment.name;
    const names = networkParameterNames(pipelineName);
    const network = environment.network;
    new ssm.CfnParameter(this, 'VpcIdParameter', { name: names.vpcId, type: 'String', value: network.vpcId, description: `VPC of the ${environment.name} fleets` });
    new ssm.CfnParameter(this, 'SubnetIdsParameter', { name: names.subnetIds, type: 'StringList', value: network.subnetIds.join(','), description: `Private subnets of the ${environment.name} fleets` });
    if (network.publicSubnetIds.length > 0) {
      new ssm.CfnParameter(this, 'PublicSubnetIdsParameter', { name: names.publicSubnetIds, type: 'StringList', value: network.publicSubnetIds.join(','), description: `Public subnets of internet-facing ${environment.name} load balancers` });
    }
    this.boundary = new InstanceRoleBoundary(this, 'InstanceRoleBoundary', { pipelineName }).policy;
    for (const { image, fleet } of props.fleets) new FleetCapacity(this, `Capacity-${image.name}`, { pipelineName, imageName: image.name, fleet });

    const loadBalanced = props.fleets.filter((f) => f.fleet.loadBalancer).map((f) => f.image.name);
    if (loadBalanced.length > 0) new LoadBalancerLogDelivery(this, 'LoadBalancerLogs', { pipelineName, bucket: this.logBucket(), imageNames: loadBalanced });
    new AmiKeyGrant(this, 'AmiKeyGrant', { pipelineName, pipelineAccount: props.pipelineAccount });

    const releaseParameters = props.fleets.flatMap(({ image }) => {
      const p = imageParameterNames(pipelineName, image.name);
      return [p.release, p.releaseAmi].map((name) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) }));
    });
    this.releaseWriterRole = new iam.Role(this, 'ReleaseWriterRole', {
      roleName: releaseWriterRoleName(pipelineName),
      assumedBy: new iam.ArnPrincipal(props.parameterPrepRoleArn),
      description: `Pipeline ${pipelineName} promotes a release into environment ${environment.name}: its release parameters only`,
    });
    if (releaseParameters.length > 0) {
      this.releaseWriterRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'TheReleaseParametersOfThisEnvironment', actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: releaseParameters }),
      );
    }
    Validations.of(this.releaseWriterRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `The release parameters of environment ${environment.name} by exact name, for the one principal that promotes into it; created and deleted with this role.`,
    });
    this.cleanupRole = this.environmentCleanupRole(props.cleanupFunctionRoleArn, environment.name);
  }

  /**
   * The role the Cleanup function deletes this stack through: it may describe and delete this stack and nothing else.
   * CloudFormation deletes the stack with the service role stored with it (the bootstrap execution role CDK Pipelines
   * deployed it with), so the role needs no iam:PassRole. The role is one of this stack's resources and is deleted with
   * it: the Cleanup function counts losing access once the deletion has begun as deleted (lambda/cleanup/engine.ts).
   */
  private environmentCleanupRole(cleanupFunctionRoleArn: string, environmentName: string): iam.Role {
    const stackArn = this.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${this.stackName}/*` });
    const role = new iam.Role(this, 'CleanupRole', {
      roleName: environmentCleanupRoleName(this.pipelineName),
      assumedBy: new iam.ArnPrincipal(cleanupFunctionRoleArn),
      description: `Deletes stack ${this.stackName} for the Cleanup resource of pipeline ${this.pipelineName}; nothing else`,
      inlinePolicies: {
        DeleteThisStack: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DeleteStack'], resources: [stackArn] })],
        }),
      },
    });
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${NagNames.of(this).arn('cloudformation', `stack/${this.stackName}/*`)}]`,
        reason: `Stack ${this.stackName} of environment ${environmentName} only; CloudFormation appends a generated id to every stack ARN.`,
      },
      {
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: `One statement that only this role, which exists to delete stack ${this.stackName}, may use; it is created and deleted with the role.`,
      },
    );
    return role;
  }

  /** Where the environment's load balancers deliver access logs (SSE-S3: the only encryption they support). */
  private logBucket(): s3.Bucket {
    const bucket = logBucket(this, 'LoadBalancerLogBucket', `the access logs of environment ${this.environmentName}'s load balancers`);
    // Found by this tag when the environment is torn down.
    Tags.of(bucket).add(PIPELINE_TAG_KEY, this.pipelineName);
    return bucket;
  }
}
