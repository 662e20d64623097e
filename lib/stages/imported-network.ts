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
    return this.subnetList('SubnetIds', 'subnetIds', 'private');
  }

  /** Public subnet ids (a list token), for internet-facing load balancers and on-demand builds; created when asked for. */
  public get publicSubnetIds(): string[] {
    return this.subnetList('PublicSubnetIds', 'publicSubnetIds', 'public');
  }

  /** The SSM-typed list parameter of one kind of subnet, created on first use under a plain logical id. */
  private subnetList(id: string, name: 'subnetIds' | 'publicSubnetIds', kind: string): string[] {
    let parameter = this.node.tryFindChild(id) as CfnParameter | undefined;
    if (!parameter) {
      parameter = new CfnParameter(this, id, {
        type: 'AWS::SSM::Parameter::Value<List<String>>',
        default: networkParameterNames(this.pipelineName)[name],
        description: `SSM parameter holding the ${kind} subnet ids (written by the pipeline stack)`,
      });
      parameter.overrideLogicalId(`Network${id}`);
    }
    return parameter.valueAsList;
  }
}
