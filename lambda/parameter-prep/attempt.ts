/**
 * One attempt at a CodePipeline job, and the only way it reaches AWS.
 *
 * Lambda freezes a container when the handler returns and thaws it for a later invocation, and then whatever the
 * earlier attempt still had pending goes on running (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 * An attempt that gave up and reported a failure must therefore be stopped, not just abandoned: otherwise it writes
 * build state or a release long after CodePipeline was told it failed, while a redelivery decides afresh. Every AWS call
 * goes through `send`, which refuses to start once the attempt's signal is aborted and passes the signal on, so the
 * SDK cancels the request in flight (https://aws.amazon.com/blogs/developer/abortcontroller-in-modular-aws-sdk-for-javascript/).
 */

/** What `send` needs of an AWS SDK v3 client. */
export interface AwsClient {
  send(command: never, options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** The output type of an SDK v3 command, read from its middleware handler (what `client.send` resolves to). */
export type OutputOf<C> = C extends { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }> } ? O : never;

/** Sends `command` as part of the attempt `signal` belongs to; throws the abort reason when that attempt is over. */
export function send<C extends object>(client: AwsClient, command: C, signal: AbortSignal): Promise<OutputOf<C>> {
  signal.throwIfAborted();
  return client.send(command as never, { abortSignal: signal }) as Promise<OutputOf<C>>;
}

/**
 * The pages of an SDK v3 paginator (`paginateX`), fetched as part of the attempt: the same check before each page, the
 * same signal on each request.
 */
export function pages<Client, Input, Page>(
  paginate: (config: { client: Client; pageSize: number; withCommand: <T>(command: T) => T }, input: Input, options: { abortSignal: AbortSignal }) => AsyncIterable<Page>,
  client: Client,
  input: Input,
  signal: AbortSignal,
  pageSize = 1000,
): AsyncIterable<Page> {
  const withCommand = <T>(command: T): T => {
    signal.throwIfAborted();
    return command;
  };
  // 1000, the default, is the largest page DescribeImages and DescribeSnapshots allow; setting it makes every request
  // a paginated one, which EC2 recommends (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
  return paginate({ client, pageSize, withCommand }, input, { abortSignal: signal });
}

/**
 * Settles with `work`, unless `ms` pass first: then it aborts `controller` — so nothing of the work reaches AWS any
 * more — and only then rejects with `reason()`, which also becomes the abort reason.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, controller: AbortController, reason: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = reason();
      controller.abort(err);
      reject(err);
    }, Math.max(ms, 0));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A one-line message for the CodePipeline console: the AWS error name when there is one, then what it said. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const aws = err as Error & { $metadata?: unknown };
    return aws.$metadata && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  }
  return String(err);
}
