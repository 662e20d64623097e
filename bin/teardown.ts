#!/usr/bin/env node
/**
 * `npm run teardown -- [--dry-run] [--yes] [--delete-repository] [--role-arn <arn>]` (and -c configDir=<dir>, --help:
 * see bin/operator-command.ts): removes everything the pipeline created.
 */
import * as readline from 'readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { main } from './operator-command';
import { runTeardown, TEARDOWN_USAGE } from '../lib/operations/teardown';

main({
  invocation: 'npm run teardown --',
  usage: TEARDOWN_USAGE,
  run: (args, config, region) => {
    const ec2Clients = new Map<string, EC2Client>();
    const ssmClients = new Map<string, SSMClient>();
    const clients = {
      cloudformation: new CloudFormationClient({ region }),
      ssm: new SSMClient({ region }),
      s3: new S3Client({ region }),
      codecommit: new CodeCommitClient({ region }),
      tagging: new ResourceGroupsTaggingAPIClient({ region }),
      ec2: (amiRegion: string) => {
        if (!ec2Clients.has(amiRegion)) ec2Clients.set(amiRegion, new EC2Client({ region: amiRegion }));
        return ec2Clients.get(amiRegion)!;
      },
      ssmIn: (parameterRegion: string) => {
        if (!ssmClients.has(parameterRegion)) ssmClients.set(parameterRegion, new SSMClient({ region: parameterRegion }));
        return ssmClients.get(parameterRegion)!;
      },
    };
    const ask = async (question: string) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    };
    return runTeardown(args, config, region, clients, { ask, log: (line) => console.log(line) });
  },
});
