import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { FleetConfig } from '../config/model';
import { fleetParameterNames } from '../naming';

/** Props for FleetCapacity. */
export interface FleetCapacityProps {
  readonly pipelineName: string;
  readonly imageName: string;
  readonly fleet: FleetConfig;
}

/**
 * The SSM parameters a fleet stack resolves for its minimum and desired capacity, created with the configured minimum.
 * `npm run fleet` changes their values at run time; CloudFormation rewrites them only when the configured minimum
 * changes, so a change to configuration wins and an operator's scaling survives every other deploy.
 */
export class FleetCapacity extends Construct {
  constructor(scope: Construct, id: string, props: FleetCapacityProps) {
    super(scope, id);
    const names = fleetParameterNames(props.pipelineName, props.imageName);
    const initial = String(props.fleet.minSize);
    new ssm.CfnParameter(this, 'MinSize', { name: names.minSize, type: 'String', value: initial, description: `Minimum size of the ${props.imageName} fleet` });
    new ssm.CfnParameter(this, 'DesiredCapacity', { name: names.desiredCapacity, type: 'String', value: initial, description: `Desired capacity of the ${props.imageName} fleet` });
  }
}
