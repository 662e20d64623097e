#!/usr/bin/env node
/**
 * `npm run teardown -- [--dry-run] [--yes] [--delete-repository] [--role-arn <arn>]` (and -c configDir=<dir>, --help:
 * see bin/operator-command.ts): removes everything the pipeline created. `npm run teardown -- --environment <name>
 * [--dry-run] [--yes] [--role-arn <arn>]`, with that environment account's credentials: removes what the pipeline
 * created in that environment.
 */
import * as readline from 'readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { main } from './operator-command';
import { shellArgument, takeEnvironmentOption } from '../lib/operations/environment-option';
import { runEnvironmentTeardown } from '../lib/operations/environment-teardown';
import { runTeardown, TEARDOWN_USAGE } from '../lib/operations/teardown';

/** One client per region, made when first asked for. */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    if (!clients.has(region)) clients.set(region, make(region));
    return clients.get(region)!;
  };
}

main({
  invocation: 'npm run teardown --',
  usage: TEARDOWN_USAGE,
  run: (argv, config, pipelineRegion, frame) => {
    const { environment, args } = takeEnvironmentOption(argv, config, { invocation: 'npm run teardown --', example: '--dry-run', required: () => false });
    const region = environment?.region ?? pipelineRegion();
    const ssmIn = perRegion((r) => new SSMClient({ region: r }));
    const cloudformationIn = perRegion((r) => new CloudFormationClient({ region: r }));
    const clients = {
      cloudformation: cloudformationIn(region),
      ssm: ssmIn(region),
      s3: new S3Client({ region }),
      codecommit: new CodeCommitClient({ region }),
      tagging: new ResourceGroupsTaggingAPIClient({ region }),
      ec2: perRegion((r) => new EC2Client({ region: r })),
      ssmIn,
      cloudformationIn,
    };
    const ask = async (question: string) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    };
    const io = { ask, log: (line: string) => console.log(line) };
    if (environment) {
      const commandLine = ['npm run teardown --', ...[...argv, ...frame.configOption].map(shellArgument)].join(' ');
      return runEnvironmentTeardown(args, config, environment, { ...clients, sts: new STSClient({ region }) }, io, commandLine);
    }
    return runTeardown(args, config, region, clients, io, frame.configOption);
  },
});
