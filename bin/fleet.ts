#!/usr/bin/env node
/**
 * Operator command for fleets: `npm run fleet -- status | scale <fleet> <n> | resume <fleet>`.
 * Finds each Auto Scaling group by its tags, so nobody types generated names.
 */
import * as path from 'path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runOperatorCommand } from './operator-command';
import { runFleetCommand } from '../lib/operations/fleet-commands';

void runOperatorCommand(path.join(__dirname, '..', 'pipeline-assets'), (config, region) => {
  const clients = { autoscaling: new AutoScalingClient({ region }), ec2: new EC2Client({ region }), ssm: new SSMClient({ region }) };
  return runFleetCommand(process.argv.slice(2), config, clients);
});
