#!/usr/bin/env node
/**
 * Operator command for image releases: `npm run release -- status` and `npm run release -- rollback <image>` (and
 * -c configDir=<dir>, --help: see bin/operator-command.ts). Reads the same configuration as the app, so nobody types
 * SSM parameter names.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { main } from './operator-command';
import { RELEASE_USAGE, runReleaseCommand } from '../lib/operations/release-commands';

main({
  invocation: 'npm run release --',
  usage: RELEASE_USAGE,
  run: (args, config, region) => {
    const clients = { ssm: new SSMClient({ region }), ec2: new EC2Client({ region }), codepipeline: new CodePipelineClient({ region }) };
    return runReleaseCommand(args, config, clients);
  },
});
