import { CfnParameter } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { networkParameterNames } from '../naming';

/** Props for ImportedNetwork. */
export interface ImportedNetworkProps {
  /** Pipeline whose network SSM parameters to read. */
  readonly pipelineName: string;
}

/**
 * The pipeline's network, as a stage stack sees it: VPC id and subnet ids resolved from SSM when each change set is
 * created. Stage stacks cannot reference the pipeline stack directly, and SSM-typed parameters need no lookup at synth.
 */
export class ImportedNetwork extends Construct {
  /** The VPC, for constructs that need an IVpc (security groups). Its subnets are not known at synth time. */
  public readonly vpc: ec2.IVpc;
  private readonly pipelineName: string;
  private subnetParameter?: CfnParameter;
  private publicSubnetParameter?: CfnParameter;

  constructor(scope: Construct, id: string, props: ImportedNetworkProps) {
    super(scope, id);
    this.pipelineName = props.pipelineName;
    const names = networkParameterNames(props.pipelineName);
    const vpcId = new CfnParameter(this, 'VpcId', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: names.vpcId,
      description: 'SSM parameter holding the VPC id (written by the pipeline stack)',
    });
    // Plain names: they are what an operator sees in the CloudFormation console's Parameters tab.
    vpcId.overrideLogicalId('NetworkVpcId');
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: vpcId.valueAsString, availabilityZones: ['unknown-at-synth'] });
  }

  /** Private subnet ids (a list token); the parameter exists only when asked for (an unused one is a lint finding). */
  public get subnetIds(): string[] {
    this.subnetParameter ??= new CfnParameter(this, 'SubnetIds', {
      type: 'AWS::SSM::Parameter::Value<List<String>>',
      default: networkParameterNames(this.pipelineName).subnetIds,
      description: 'SSM parameter holding the private subnet ids (written by the pipeline stack)',
    });
    this.subnetParameter.overrideLogicalId('NetworkSubnetIds');
    return this.subnetParameter.valueAsList;
  }

  /** Public subnet ids (a list token), for internet-facing load balancers and on-demand builds; created when asked for. */
  public get publicSubnetIds(): string[] {
    this.publicSubnetParameter ??= new CfnParameter(this, 'PublicSubnetIds', {
      type: 'AWS::SSM::Parameter::Value<List<String>>',
      default: networkParameterNames(this.pipelineName).publicSubnetIds,
      description: 'SSM parameter holding the public subnet ids (written by the pipeline stack)',
    });
    this.publicSubnetParameter.overrideLogicalId('NetworkPublicSubnetIds');
    return this.publicSubnetParameter.valueAsList;
  }
}
