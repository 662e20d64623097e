/** A worker for blocking-worker.test.ts: answers each request as it is told to. */
import { blockingWorkerData, serveBlockingRequests } from '../../lib/validation/blocking-worker';

const { prefix } = blockingWorkerData<{ prefix: string }>();

serveBlockingRequests((request) => {
  const { echo, fail, exit, busyMs } = request as { echo?: string; fail?: string; exit?: boolean; busyMs?: number };
  if (fail) throw new Error(fail);
  if (exit) process.exit(3);
  // Stands for a long synchronous validation: nothing else runs in this thread meanwhile.
  if (busyMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, busyMs);
  return `${prefix}${echo}`;
});
