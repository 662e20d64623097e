#!/usr/bin/env node
/**
 * Operator command for fleets: `npm run fleet -- status | scale <fleet> <n> | resume <fleet> [--environment <name>]`
 * (and -c configDir=<dir>, --help: see bin/operator-command.ts). Finds each Auto Scaling group by its tags, so nobody
 * types generated names; with network.egress on-demand it also updates the egress stack, so the NAT gateways follow the
 * fleets. With environments configured, --environment names the one to act in (its region, its account's credentials).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { main } from './operator-command';
import { shellArgument, takeEnvironmentOption } from '../lib/operations/environment-option';
import { FLEET_USAGE, runFleetCommand } from '../lib/operations/fleet-commands';

main({
  invocation: 'npm run fleet --',
  usage: FLEET_USAGE,
  run: (argv, config, pipelineRegion, frame) => {
    // Every fleet command touches fleets, which are in the environments' accounts when there are environments.
    const { environment, args } = takeEnvironmentOption(argv, config, { invocation: 'npm run fleet --', example: 'status', required: () => true });
    const region = environment?.region ?? pipelineRegion();
    const clients = {
      autoscaling: new AutoScalingClient({ region }),
      ec2: new EC2Client({ region }),
      ssm: new SSMClient({ region }),
      cloudformation: new CloudFormationClient({ region }),
    };
    const target = environment && { environment, sts: new STSClient({ region }), commandLine: ['npm run fleet --', ...[...argv, ...frame.configOption].map(shellArgument)].join(' ') };
    return runFleetCommand(args, config, clients, target);
  },
});
