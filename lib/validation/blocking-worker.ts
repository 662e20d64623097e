import * as path from 'path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker, workerData } from 'worker_threads';

/**
 * A worker thread that the main thread calls synchronously: CDK calls a validation plugin synchronously, in the middle
 * of `app.synth()`, so a plugin that runs elsewhere has to block until its answer is there. The main thread posts a
 * request and sleeps on shared memory (Atomics.wait) until the worker has answered, then takes the answer with
 * receiveMessageOnPort — no event loop turn is needed, on either side.
 *
 * The worker leaves after `idleExitMs` without work (so a long-lived process, like a jest worker running many suites,
 * does not keep one per suite); the next request starts a new one. It never keeps the process alive.
 */

/** Index in the shared signal: outstanding requests (≥ 0), or CLOSED once the worker has left. */
const STATE = 0;
/** Index in the shared signal: bumped on every answer, so a waiting thread wakes. */
const ANSWERS = 1;
const CLOSED = -1;

/** What a worker sends back for one request. */
interface Answer {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

/** What the worker entry receives as workerData. */
interface BlockingWorkerData {
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
  readonly idleExitMs: number;
  readonly data: unknown;
}

/** Props for BlockingWorker. */
export interface BlockingWorkerProps {
  /** Module the worker runs; it calls serveBlockingRequests. A `.ts` file is loaded through tsx. */
  readonly entry: string;
  /** Passed to the worker (see workerOptions()); must survive the structured clone. */
  readonly data?: unknown;
  /**
   * Idle time after which the worker leaves.
   * @default 30 s
   */
  readonly idleExitMs?: number;
  /** Called each time a worker starts, to queue the requests every new worker should handle first. */
  readonly onStart?: (worker: BlockingWorker) => void;
}

/** Runs the entry module in a worker thread, loading it through tsx when it is TypeScript and no loader is present. */
const BOOTSTRAP = `
const { workerData } = require('worker_threads');
if (workerData.entry.endsWith('.ts') && !require.extensions['.ts']) require(workerData.tsx).register();
require(workerData.entry);
`;

export class BlockingWorker {
  private worker?: Worker;
  private port?: MessagePort;
  private signal?: Int32Array;
  private readonly answers = new Map<number, Answer>();
  private nextId = 1;

  constructor(private readonly props: BlockingWorkerProps) {}

  /**
   * Queues a request (starting a worker if none is running) and returns its ticket for receive().
   * @param answer false for a request whose answer nobody will take (a warm-up): the worker sends none
   */
  public send(request: unknown, answer = true): number {
    this.claim();
    const id = this.nextId++;
    this.port!.postMessage({ id, request, answer });
    return id;
  }

  /**
   * Blocks until the answer to `ticket` is there and returns it; rethrows the worker's error.
   * @param timeoutMs how long to wait before giving up with an error naming the entry
   */
  public receive(ticket: number, timeoutMs: number): unknown {
    const deadline = Date.now() + timeoutMs;
    const signal = this.signal!;
    for (;;) {
      const seen = Atomics.load(signal, ANSWERS);
      this.drain();
      const answer = this.answers.get(ticket);
      if (answer) {
        this.answers.delete(ticket);
        if (answer.error !== undefined) throw new Error(answer.error);
        return answer.value;
      }
      if (Atomics.load(signal, STATE) === CLOSED) {
        throw new Error(`${path.basename(this.props.entry)} stopped without answering request ${ticket} (the worker thread exited; see the error above, if any)`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${path.basename(this.props.entry)} gave no answer within ${timeoutMs / 1000} s (request ${ticket})`);
      }
      Atomics.wait(signal, ANSWERS, seen, left);
    }
  }

  /** Starts a worker unless one is running, so that it can get ready (see onStart) before the first request. */
  public ensureRunning(): void {
    if (!this.signal || Atomics.load(this.signal, STATE) === CLOSED) {
      this.forget();
      this.start();
    }
  }

  /** Stops the worker now; answers not yet received are lost. */
  public terminate(): void {
    void this.worker?.terminate();
    this.forget();
  }

  /** Counts one more outstanding request on a running worker, starting one if there is none or it has left. */
  private claim(): void {
    for (;;) {
      this.ensureRunning();
      const signal = this.signal!;
      const outstanding = Atomics.load(signal, STATE);
      if (outstanding !== CLOSED && Atomics.compareExchange(signal, STATE, outstanding, outstanding + 1) === outstanding) return;
    }
  }

  /** Lets go of a worker that has left, keeping the answers it gave. */
  private forget(): void {
    this.drain();
    this.worker = undefined;
    this.port = undefined;
    this.signal = undefined;
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const data: BlockingWorkerData & { entry: string; tsx: string } = {
      entry: this.props.entry,
      tsx: require.resolve('tsx/cjs/api'),
      port: port2,
      signal,
      idleExitMs: this.props.idleExitMs ?? 30_000,
      data: this.props.data,
    };
    this.worker = new Worker(BOOTSTRAP, { eval: true, workerData: data, transferList: [port2] });
    // Neither the thread nor its port may keep the process alive: the CLI waits for the app to exit.
    this.worker.unref();
    port1.unref();
    this.port = port1;
    this.signal = new Int32Array(signal);
    this.props.onStart?.(this);
  }

  private drain(): void {
    for (let message = this.port && receiveMessageOnPort(this.port); message; message = this.port && receiveMessageOnPort(this.port)) {
      const answer = message.message as Answer;
      this.answers.set(answer.id, answer);
    }
  }
}

/** The data given to the BlockingWorker, inside the worker. */
export function blockingWorkerData<T>(): T {
  return (workerData as BlockingWorkerData).data as T;
}

/**
 * Inside the worker: answers each request with `handle(request)` (or the error it throws), in order, and leaves after
 * the idle time when nothing is outstanding.
 */
export function serveBlockingRequests(handle: (request: unknown) => unknown): void {
  const { port, signal: buffer, idleExitMs } = workerData as BlockingWorkerData;
  const signal = new Int32Array(buffer);
  let idle: NodeJS.Timeout | undefined;
  const armIdleExit = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      // Leave only if no request is on its way; the main thread starts a new worker for the next one.
      if (Atomics.compareExchange(signal, STATE, 0, CLOSED) === 0) port.close();
      else armIdleExit();
    }, idleExitMs);
  };
  // However the thread ends (an uncaught error, process.exit in a plugin), a waiting main thread learns it at once.
  process.on('exit', () => {
    Atomics.store(signal, STATE, CLOSED);
    Atomics.add(signal, ANSWERS, 1);
    Atomics.notify(signal, ANSWERS);
  });
  port.on('message', ({ id, request, answer: wanted }: { id: number; request: unknown; answer: boolean }) => {
    let answer: Answer;
    try {
      answer = { id, value: handle(request) };
    } catch (err) {
      answer = { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    // A warm-up's failure is not reported: the request it prepares for reports its own.
    if (wanted) port.postMessage(answer);
    Atomics.sub(signal, STATE, 1);
    Atomics.add(signal, ANSWERS, 1);
    Atomics.notify(signal, ANSWERS);
    armIdleExit();
  });
  armIdleExit();
}
