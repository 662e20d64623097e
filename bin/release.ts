#!/usr/bin/env node
/**
 * Operator command for image releases: `npm run release -- status` and `npm run release -- rollback <image>`, each with
 * `--environment <name>` when environments are configured (and -c configDir=<dir>, --help: see
 * bin/operator-command.ts). Reads the same configuration as the app, so nobody types SSM parameter names.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { main } from './operator-command';
import { shellArgument, takeEnvironmentOption } from '../lib/operations/environment-option';
import { RELEASE_USAGE, releaseNeedsEnvironment, runReleaseCommand } from '../lib/operations/release-commands';

main({
  invocation: 'npm run release --',
  usage: RELEASE_USAGE,
  run: (argv, config, pipelineRegion, frame) => {
    const { environment, args } = takeEnvironmentOption(argv, config, { invocation: 'npm run release --', example: 'rollback <image>', required: releaseNeedsEnvironment });
    const region = environment?.region ?? pipelineRegion();
    const clients = { ssm: new SSMClient({ region }), ec2: new EC2Client({ region }), codepipeline: new CodePipelineClient({ region }) };
    const target = environment && { environment, sts: new STSClient({ region }), commandLine: ['npm run release --', ...[...argv, ...frame.configOption].map(shellArgument)].join(' ') };
    return runReleaseCommand(args, config, clients, target);
  },
});
