import * as path from 'path';
import { BlockingWorker } from '../../lib/validation/blocking-worker';

const ENTRY = path.join(__dirname, 'echo-worker.fixture.ts');
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe('BlockingWorker', () => {
  test('answers in this thread without an event loop turn, each ticket with its own answer', () => {
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: 'echo: ' } });
    try {
      const first = worker.send({ echo: 'one', busyMs: 50 });
      const second = worker.send({ echo: 'two' });
      expect(worker.receive(second, 30_000)).toBe('echo: two');
      expect(worker.receive(first, 30_000)).toBe('echo: one');
    } finally {
      worker.terminate();
    }
  });

  test('rethrows the error the worker met, with its message', () => {
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: '' } });
    try {
      expect(() => worker.receive(worker.send({ fail: 'the rules could not be read' }), 30_000)).toThrow(/the rules could not be read/);
      // The worker keeps serving after a failed request.
      expect(worker.receive(worker.send({ echo: 'still here' }), 30_000)).toBe('still here');
    } finally {
      worker.terminate();
    }
  });

  test('runs the work while this thread does its own', () => {
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: '' } });
    try {
      worker.receive(worker.send({ echo: 'started' }), 30_000);
      const start = Date.now();
      const ticket = worker.send({ echo: 'done', busyMs: 1_000 });
      sleep(1_000);
      expect(worker.receive(ticket, 30_000)).toBe('done');
      // Both waited one second, side by side; one after the other would take two.
      expect(Date.now() - start).toBeLessThan(1_900);
    } finally {
      worker.terminate();
    }
  });

  test('a worker that left after its idle time is replaced by the next request, which gets ready first', () => {
    const starts: number[] = [];
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: '' }, idleExitMs: 100, onStart: (w) => starts.push(w.send({ echo: 'ready' })) });
    try {
      expect(worker.receive(worker.send({ echo: 'first' }), 30_000)).toBe('first');
      sleep(1_000);
      expect(worker.receive(worker.send({ echo: 'second' }), 30_000)).toBe('second');
      expect(starts).toHaveLength(2);
      expect(starts.map((ticket) => worker.receive(ticket, 30_000))).toEqual(['ready', 'ready']);
    } finally {
      worker.terminate();
    }
  });

  test('a worker that exits while a request waits fails that request at once, and the next request gets a new worker', () => {
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: '' } });
    try {
      const start = Date.now();
      expect(() => worker.receive(worker.send({ exit: true }), 30_000)).toThrow(/echo-worker\.fixture\.ts stopped without answering request/);
      expect(Date.now() - start).toBeLessThan(10_000);
      expect(worker.receive(worker.send({ echo: 'again' }), 30_000)).toBe('again');
    } finally {
      worker.terminate();
    }
  });

  test('gives up with an error naming the worker when no answer comes in time', () => {
    const worker = new BlockingWorker({ entry: ENTRY, data: { prefix: '' } });
    try {
      expect(() => worker.receive(worker.send({ echo: 'late', busyMs: 2_000 }), 200)).toThrow(/echo-worker\.fixture\.ts gave no answer within 0.2 s/);
    } finally {
      worker.terminate();
    }
  });
});
