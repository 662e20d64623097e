/**
 * The CloudFormation custom resource protocol, as the Cleanup function speaks it: the request CloudFormation sends,
 * which clean-up a request asks for, and the response PUT to the request's pre-signed URL.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
import https from 'https';

/** The fields of a custom resource request this function reads. */
export interface CustomResourceRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  /** Pre-signed S3 URL for the response: a capability, never logged. */
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export type CleanupOperation = 'delete-everything' | 'prune' | 'nothing';

/**
 * Which clean-up a request asks for, given the status of the pipeline stack that sent it.
 *
 * CloudFormation also sends Delete when it rolls back the creation of this resource, or removes it after a
 * replacement, and Update (with old and new properties swapped) when it rolls back an update. None of those may
 * delete anything: only a Delete while the pipeline stack itself is being deleted removes everything, and only an
 * Update while the stack is going forward prunes what the new configuration dropped.
 */
export function operationFor(requestType: CustomResourceRequest['RequestType'], pipelineStackStatus: string | undefined): CleanupOperation {
  if (requestType === 'Delete' && pipelineStackStatus === 'DELETE_IN_PROGRESS') return 'delete-everything';
  if (requestType === 'Update' && pipelineStackStatus === 'UPDATE_IN_PROGRESS') return 'prune';
  return 'nothing';
}

/** CloudFormation shows the reason in its events; the whole response must stay under 4,096 bytes. */
const MAX_REASON = 2000;

export function responseBody(request: CustomResourceRequest, physicalResourceId: string, outcome: { ok: true } | { ok: false; reason: string }): string {
  return JSON.stringify({
    Status: outcome.ok ? 'SUCCESS' : 'FAILED',
    Reason: outcome.ok ? 'done' : outcome.reason.slice(0, MAX_REASON),
    PhysicalResourceId: physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  });
}

/** PUTs the response. The URL is signed for an empty content type, so the header is sent empty. */
export function sendResponse(responseUrl: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      responseUrl,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 },
      (response) => {
        response.resume();
        response.on('end', () => ((response.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`CloudFormation response URL answered HTTP ${response.statusCode}`))));
      },
    );
    request.on('timeout', () => request.destroy(new Error('CloudFormation response URL did not answer within 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}
