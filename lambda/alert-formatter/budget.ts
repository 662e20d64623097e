/**
 * The formatter's time budget: the describe calls get what is left of the invocation less a reserve for publishing, so
 * a slow or hanging AWS call ends in the raw event being published, never in a timeout that publishes nothing.
 */

export class BudgetExceeded extends Error {
  public readonly name = 'BudgetExceeded';
}

/**
 * Runs `work` with a signal that is aborted when `ms` pass (then this rejects with BudgetExceeded) or when the work is
 * done, so a call still pending — one of several run side by side — is cancelled rather than left running.
 */
export async function withinBudget<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new BudgetExceeded(`the describe calls took longer than their budget of ${Math.max(Math.round(ms), 0)} ms`);
      controller.abort(err);
      reject(err);
    }, Math.max(ms, 0));
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error('the alert was already decided'));
  }
}

/** One line for the logs and the unformatted alert: the AWS error name when there is one, then its message. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
