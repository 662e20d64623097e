import { nextStackStep, type ObservedStack } from '../../../lambda/cleanup/stack-deletion';

const STARTED = new Date('2026-11-22T10:00:00Z');
const ours = (status: string, lastDeleteFailure?: ObservedStack['lastDeleteFailure']): ObservedStack => ({ status, owner: 'golden-ami', lastDeleteFailure });

describe('nextStackStep', () => {
  test.each<[string, ObservedStack | undefined, string]>([
    // DescribeStacks by name answers "does not exist" for a deleted stack; the engine passes undefined.
    ['a stack that does not exist is gone', undefined, 'gone'],
    ['DELETE_COMPLETE is gone', ours('DELETE_COMPLETE'), 'gone'],
    ['a settled stack is deleted', ours('UPDATE_COMPLETE'), 'delete'],
    ['a stack whose update rolled back is deleted', ours('UPDATE_ROLLBACK_COMPLETE'), 'delete'],
    ['a stack stuck in UPDATE_ROLLBACK_FAILED is deleted', ours('UPDATE_ROLLBACK_FAILED'), 'delete'],
    ['a stack created by a change set never executed is deleted', ours('REVIEW_IN_PROGRESS'), 'delete'],
    ['a stack being updated by a pipeline run is waited for', ours('UPDATE_IN_PROGRESS'), 'wait'],
    ['a stack rolling back is waited for', ours('UPDATE_ROLLBACK_IN_PROGRESS'), 'wait'],
    ['a stack being deleted is waited for', ours('DELETE_IN_PROGRESS'), 'wait'],
    ['DELETE_FAILED before this clean-up started is tried again', ours('DELETE_FAILED', { at: new Date('2026-11-21T10:00:00Z'), reason: 'old' }), 'delete'],
    ['DELETE_FAILED with no event found is tried again', ours('DELETE_FAILED'), 'delete'],
    ['DELETE_FAILED during this clean-up stops it', ours('DELETE_FAILED', { at: new Date('2026-11-22T10:05:00Z'), reason: 'Group (AWS::AutoScaling::AutoScalingGroup): denied' }), 'fail'],
    ["another pipeline's stack of the same name is never touched", { status: 'CREATE_COMPLETE', owner: 'golden-ami-image-factory' }, 'not-ours'],
    ['a stack no pipeline described is never touched', { status: 'CREATE_COMPLETE', owner: undefined }, 'not-ours'],
  ])('%s', (_name, stack, kind) => {
    expect(nextStackStep(stack, 'golden-ami', STARTED).kind).toBe(kind);
  });

  test('a failure during the clean-up carries CloudFormation\'s reason', () => {
    const step = nextStackStep(ours('DELETE_FAILED', { at: new Date('2026-11-22T10:05:00Z'), reason: 'Group (AWS::AutoScaling::AutoScalingGroup): denied' }), 'golden-ami', STARTED);
    expect(step).toEqual({ kind: 'fail', reason: 'Group (AWS::AutoScaling::AutoScalingGroup): denied' });
  });
});
