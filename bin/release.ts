#!/usr/bin/env node
/**
 * Operator command for image releases: `npm run release -- status` and `npm run release -- rollback <image>`.
 * Reads the same configuration as the app, so nobody types SSM parameter names.
 */
import * as path from 'path';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runOperatorCommand } from './operator-command';
import { runReleaseCommand } from '../lib/operations/release-commands';

void runOperatorCommand(path.join(__dirname, '..', 'pipeline-assets'), (config, region) => {
  const clients = { ssm: new SSMClient({ region }), ec2: new EC2Client({ region }), codepipeline: new CodePipelineClient({ region }) };
  return runReleaseCommand(process.argv.slice(2), config, clients);
});
