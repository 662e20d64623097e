#!/usr/bin/env node
/**
 * Operator command for fleets: `npm run fleet -- status | scale <fleet> <n> | resume <fleet>` (and -c configDir=<dir>,
 * --help: see bin/operator-command.ts). Finds each Auto Scaling group by its tags, so nobody types generated names; with
 * network.egress on-demand it also updates the egress stack, so the NAT gateways follow the fleets.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { main } from './operator-command';
import { FLEET_USAGE, runFleetCommand } from '../lib/operations/fleet-commands';

main({
  invocation: 'npm run fleet --',
  usage: FLEET_USAGE,
  run: (args, config, region) => {
    const clients = {
      autoscaling: new AutoScalingClient({ region }),
      ec2: new EC2Client({ region }),
      ssm: new SSMClient({ region }),
      cloudformation: new CloudFormationClient({ region }),
    };
    return runFleetCommand(args, config, clients);
  },
});
