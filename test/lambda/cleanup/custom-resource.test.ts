import { type CustomResourceRequest, operationFor, responseBody } from '../../../lambda/cleanup/custom-resource';

/**
 * CloudFormation sends Delete for the stack's deletion, but also when it rolls back the creation of the resource and
 * when it removes a replaced one in an update's clean-up phase; and it sends Update with the properties swapped when an
 * update rolls back.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html (stack status codes)
 */
describe('operationFor', () => {
  test.each<[CustomResourceRequest['RequestType'], string | undefined, string]>([
    ['Delete', 'DELETE_IN_PROGRESS', 'delete-everything'],
    ['Delete', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'nothing'],
    ['Delete', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'nothing'],
    ['Delete', 'ROLLBACK_IN_PROGRESS', 'nothing'],
    ['Delete', 'UPDATE_ROLLBACK_IN_PROGRESS', 'nothing'],
    ['Delete', undefined, 'nothing'],
    ['Update', 'UPDATE_IN_PROGRESS', 'prune'],
    ['Update', 'UPDATE_ROLLBACK_IN_PROGRESS', 'nothing'],
    ['Create', 'CREATE_IN_PROGRESS', 'nothing'],
    ['Create', 'UPDATE_IN_PROGRESS', 'nothing'],
  ])('%s while the pipeline stack is %s: %s', (requestType, status, expected) => {
    expect(operationFor(requestType, status)).toBe(expected);
  });
});

describe('responseBody', () => {
  const request: CustomResourceRequest = {
    RequestType: 'Delete',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x?Signature=secret',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/golden-ami-pipeline/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Cleanup',
    PhysicalResourceId: 'golden-ami-cleanup',
    ResourceProperties: {},
  };

  test('copies the request ids verbatim, as CloudFormation requires', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
    expect(JSON.parse(responseBody(request, 'golden-ami-cleanup', { ok: true }))).toEqual({
      Status: 'SUCCESS',
      Reason: 'done',
      PhysicalResourceId: 'golden-ami-cleanup',
      StackId: request.StackId,
      RequestId: 'req-1',
      LogicalResourceId: 'Cleanup',
    });
  });

  test('a failure keeps the whole response under the 4,096-byte limit', () => {
    const body = responseBody(request, 'golden-ami-cleanup', { ok: false, reason: 'x'.repeat(10_000) });
    expect(JSON.parse(body).Status).toBe('FAILED');
    expect(Buffer.byteLength(body)).toBeLessThan(4096);
  });
});
