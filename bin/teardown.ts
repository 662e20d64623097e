#!/usr/bin/env node
/** `npm run teardown -- [--dry-run] [--yes] [--delete-repository]`: removes everything the pipeline created. */
import * as path from 'path';
import * as readline from 'readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runOperatorCommand } from './operator-command';
import { runTeardown } from '../lib/operations/teardown';

void runOperatorCommand(path.join(__dirname, '..', 'pipeline-assets'), (config, region) => {
  const clients = {
    cloudformation: new CloudFormationClient({ region }),
    ec2: new EC2Client({ region }),
    ssm: new SSMClient({ region }),
    s3: new S3Client({ region }),
    codecommit: new CodeCommitClient({ region }),
  };
  const ask = async (question: string) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
  return runTeardown(process.argv.slice(2), config, clients, { ask, log: (line) => console.log(line) });
});
