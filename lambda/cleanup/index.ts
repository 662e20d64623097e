/**
 * Cleanup: the pipeline stack's custom resource that makes `cdk destroy` the whole clean-up, and prunes an image (or a
 * fleet) removed from the configuration on the next push.
 *
 * The pipeline stack's template makes this resource depend on every role, VPC resource, parameter and bucket the
 * clean-up needs, so CloudFormation deletes it first; and it makes the pipeline depend on it, so no new run starts
 * while it works. Stacks take longer than one invocation to delete, so the function hands the request on to a fresh
 * invocation of itself until the work is done, then answers CloudFormation exactly once. (aws-cdk-lib's Provider
 * framework would do the waiting with a Step Functions state machine and three framework functions, about ten more
 * resources in a pipeline stack that has to stay within CloudFormation's resource and template limits; what it would
 * save is the response PUT in custom-resource.ts.)
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { stackCleanupRoleName } from '../../lib/naming';
import { type CustomResourceRequest, operationFor, responseBody, sendResponse } from './custom-resource';
import { advanceCleanup, CleanupFailure, RoleNotAssumable } from './engine';
import { type CleanupScope, deletionScope, parseCleanupProperties, pruneScope, type RemoteStack } from './scope';

const clientConfig = { maxAttempts: 5, retryMode: 'standard' as const };
const cloudformation = new CloudFormationClient(clientConfig);
const ssm = new SSMClient(clientConfig);
const s3 = new S3Client(clientConfig);
const lambda = new LambdaClient(clientConfig);
const sts = new STSClient(clientConfig);
const ec2Clients = new Map<string, EC2Client>();
const ssmClients = new Map<string, SSMClient>();
const stackClients = new Map<string, CloudFormationClient>();
const remoteStackClients = new Map<string, CloudFormationClient>();
const regionalCloudFormation = new Map<string, CloudFormationClient>();

/**
 * The clients of one request: stage stacks are deleted through their own clean-up roles, in this account; the stacks
 * in the environments' accounts through roles there; the AMI key stacks with the function's own role, in their region.
 */
function clientsFor(request: CustomResourceRequest) {
  return {
    cloudformation,
    ssm,
    s3,
    ec2: (region: string) => {
      if (!ec2Clients.has(region)) ec2Clients.set(region, new EC2Client({ ...clientConfig, region }));
      return ec2Clients.get(region)!;
    },
    ssmIn: (region: string) => {
      if (!ssmClients.has(region)) ssmClients.set(region, new SSMClient({ ...clientConfig, region }));
      return ssmClients.get(region)!;
    },
    stackClient: async (stackName: string) => {
      if (!stackClients.has(stackName)) {
        const roleArn = cleanupRoleArn(request.StackId, stackName);
        stackClients.set(stackName, new CloudFormationClient({ ...clientConfig, credentials: () => assumeCleanupRole(roleArn, stackName) }));
      }
      return stackClients.get(stackName)!;
    },
    remoteStackClient: async (stack: RemoteStack) => {
      // One per stack and place: the fleet stacks of every environment have the same name.
      const key = `${stack.account}/${stack.region}/${stack.stackName}`;
      if (!remoteStackClients.has(key)) remoteStackClients.set(key, remoteStackClient(request.StackId, stack));
      return remoteStackClients.get(key)!;
    },
    cloudformationIn: (region: string) => {
      if (!regionalCloudFormation.has(region)) regionalCloudFormation.set(region, new CloudFormationClient({ ...clientConfig, region }));
      return regionalCloudFormation.get(region)!;
    },
  };
}

/** The role that deletes a stack in an environment's account, in the partition of the pipeline stack (its StackId). */
export function remoteRoleArn(pipelineStackId: string, stack: RemoteStack): string {
  const [, partition] = pipelineStackId.split(':');
  return `arn:${partition}:iam::${stack.account}:role/${stack.roleName}`;
}

/** CloudFormation in the stack's account (through its role there) and region. */
export function remoteStackClient(pipelineStackId: string, stack: RemoteStack): CloudFormationClient {
  const roleArn = remoteRoleArn(pipelineStackId, stack);
  const hint = stack.roleInStack
    ? `An environment stack deployed before the pipeline kept an environment clean-up role has none: let the pipeline run once (its Environments stage adds the role), then delete again; or delete stack ${stack.stackName} in account ${stack.account} (${stack.region}) yourself`
    : `Its role is kept in the environment stack: if that stack is gone, delete stack ${stack.stackName} in account ${stack.account} (${stack.region}) yourself`;
  return new CloudFormationClient({ ...clientConfig, region: stack.region, credentials: () => assumeCleanupRole(roleArn, stack.stackName, hint) });
}

/** The clean-up role of a stage stack, in the partition and account of the pipeline stack (its StackId). */
export function cleanupRoleArn(pipelineStackId: string, stackName: string): string {
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>
  const [, partition, , , account] = pipelineStackId.split(':');
  return `arn:${partition}:iam::${account}:role/${stackCleanupRoleName(stackName)}`;
}

const STAGE_STACK_HINT =
  'A stack deployed before the pipeline kept a clean-up role per stack has none: put the image back, let the pipeline update itself once, then remove it; or delete the stack with npm run teardown';

/**
 * Credentials of a stack's clean-up role. A stack created before the pipeline kept such roles has none: say how to
 * remove it (`hint`) instead of failing with a bare AccessDenied.
 */
export async function assumeCleanupRole(roleArn: string, stackName: string, hint: string = STAGE_STACK_HINT) {
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'golden-ami-cleanup', DurationSeconds: 900 }));
    return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken, expiration: c!.Expiration };
  } catch (err) {
    throw new RoleNotAssumable(`cannot assume ${roleArn} to delete stack ${stackName} (${(err as Error).name}: ${(err as Error).message}). ${hint}`, (err as Error).name);
  }
}

/** A request handed on to the next invocation, with the time the clean-up started. */
export interface Continuation {
  readonly continuation: CustomResourceRequest;
  readonly startedAt: string;
  /** The environment stacks whose deletion has begun (CleanupRun.deletionsBegun): their roles may be gone by now. */
  readonly deletionsBegun?: readonly string[];
}

export interface InvocationContext {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

/** The resource's ServiceTimeout is one hour: answer before CloudFormation gives up, with what is still left. */
export const OPERATION_LIMIT_MS = 55 * 60_000;
/** Pause between looks at stacks being deleted. */
export const POLL_MS = 20_000;
/** Time one round of work may take (AMIs in every region, emptying buckets) before the function's own timeout. */
export const ROUND_RESERVE_MS = 3 * 60_000;

export async function handler(event: CustomResourceRequest | Continuation, context: InvocationContext): Promise<void> {
  const request = 'continuation' in event ? event.continuation : event;
  const startedAt = new Date('continuation' in event ? event.startedAt : Date.now());
  const deletionsBegun = new Set('continuation' in event ? (event.deletionsBegun ?? []) : []);
  const log = (message: string) => console.log(JSON.stringify({ requestType: request.RequestType, requestId: request.RequestId, message }));
  const physicalId = request.PhysicalResourceId ?? `${String(request.ResourceProperties.PipelineName)}-cleanup`;
  try {
    const scope = await scopeOf(request, log);
    if (!scope) {
      await sendResponse(request.ResponseURL, responseBody(request, physicalId, { ok: true }));
      return;
    }
    for (;;) {
      const progress = await advanceCleanup(scope, clientsFor(request), { startedAt, log, deletionsBegun });
      if (progress.done) {
        log('clean-up complete');
        await sendResponse(request.ResponseURL, responseBody(request, physicalId, { ok: true }));
        return;
      }
      log(`waiting for ${progress.waitingFor.join(', ')}`);
      if (Date.now() - startedAt.getTime() >= OPERATION_LIMIT_MS) {
        throw new CleanupFailure(`still waiting for ${progress.waitingFor.join(', ')} after ${Math.round(OPERATION_LIMIT_MS / 60_000)} minutes. Delete the stack again to resume; the clean-up goes on where it stopped`);
      }
      if (context.getRemainingTimeInMillis() < POLL_MS + ROUND_RESERVE_MS) {
        const next: Continuation = { continuation: request, startedAt: startedAt.toISOString(), deletionsBegun: [...deletionsBegun] };
        await lambda.send(new InvokeCommand({ FunctionName: context.invokedFunctionArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(next)) }));
        log('handed on to the next invocation');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (err) {
    const reason = err instanceof Error ? (err.name === 'Error' || err.name === 'CleanupFailure' ? err.message : `${err.name}: ${err.message}`) : String(err);
    log(`failed: ${reason}`);
    await sendResponse(request.ResponseURL, responseBody(request, physicalId, { ok: false, reason }));
  }
}

/** What this request asks to clean up; undefined for nothing (creation, and every rollback). */
async function scopeOf(request: CustomResourceRequest, log: (message: string) => void): Promise<CleanupScope | undefined> {
  if (request.RequestType === 'Create') return undefined;
  const status = (await cloudformation.send(new DescribeStacksCommand({ StackName: request.StackId }))).Stacks?.[0]?.StackStatus;
  const operation = operationFor(request.RequestType, status);
  log(`pipeline stack is ${status}: ${operation}`);
  const properties = parseCleanupProperties(request.ResourceProperties);
  if (operation === 'delete-everything') return deletionScope(properties);
  if (operation === 'prune') return pruneScope(parseCleanupProperties(request.OldResourceProperties), properties);
  return undefined;
}
