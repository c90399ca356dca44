// WorkerPool with real worker threads. The tests synchronise with the
// workers through MessagePorts (a task posts 'started' and waits for 'go'),
// never through sleeps, and timeouts run on a virtual clock.
import { once } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, expectTypeOf, test } from 'vitest';
import { CancelledError, TimeoutError, isCancellation } from '../../src/index.js';
import {
  PoolClosedError,
  PoolQueueFullError,
  WorkerCrashedError,
  WorkerPool,
  type AnyWorkerModule,
  type WorkerPoolOptions,
} from '../../src/node/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { runModule } from '../subprocess.js';
import { abortListeners, isPending, rejection } from '../support.js';

/** The functions of fixtures/worker.mjs, as the pool's type argument. */
interface Fixture {
  add(a: number, b: number): number;
  double(x: number): Promise<number>;
  thread(): number;
  gated(port: MessagePort, value: string): Promise<string>;
  spin(port: MessagePort): never;
  hang(): Promise<never>;
  fail(message: string): never;
  failLater(message: string): Promise<never>;
  throwString(): never;
  throwUncloneableProps(): never;
  uncloneableResult(): () => string;
  exit(code: number): never;
  crashOutsideCall(message: string): Promise<never>;
  crashAfterReturn(message: string): string;
  exhaustMemory(): never;
  byteLength(buffer: ArrayBuffer): number;
  notAFunction: number;
}

const fixture = new URL('./fixtures/worker.mjs', import.meta.url);

const pools: WorkerPool<Fixture>[] = [];
const ports: MessagePort[] = [];

function pool(options?: Omit<WorkerPoolOptions, 'module'>): WorkerPool<Fixture> {
  const created = new WorkerPool<Fixture>({ module: fixture, size: 2, ...options });
  pools.push(created);
  return created;
}

afterEach(async () => {
  for (const port of ports.splice(0)) port.close();
  await Promise.all(pools.splice(0).map((p) => p.close({ force: true })));
});

/**
 * A gate for `gated` and `spin`: `started` resolves when the task runs in a
 * worker, `release()` lets a `gated` task return.
 */
function gate(): { port: MessagePort; started: Promise<unknown>; release: () => void } {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return {
    port: port2,
    started: once(port1, 'message'),
    release: () => port1.postMessage('go'),
  };
}

/** Run `gated` on a fresh gate; the port is transferred to the worker. */
function gated(p: WorkerPool<Fixture>, value: string, signal?: AbortSignal) {
  const g = gate();
  const result = p.run('gated', [g.port, value], { transfer: [g.port], ...(signal === undefined ? {} : { signal }) });
  return { ...g, result };
}

describe('WorkerPool: running functions', () => {
  test('calls exported functions by name and resolves to their (awaited) results', async () => {
    const p = pool();
    expect(await p.run('add', [2, 3])).toBe(5);
    expect(await p.run('double', [21])).toBe(42);
    expect(p.stats()).toMatchObject({ completed: 2, failed: 0, busy: 0, queued: 0 });
  });

  test('types names, arguments and results from the module type', () => {
    // Checked by the type-checker only: never called, so nothing runs.
    const typeChecks = (p: WorkerPool<Fixture>, untyped: WorkerPool): void => {
      expectTypeOf(p.run('add', [1, 2])).toEqualTypeOf<Promise<number>>();
      expectTypeOf(p.run('double', [1])).toEqualTypeOf<Promise<number>>();
      // @ts-expect-error: not a function export
      void p.run('notAFunction', []);
      // @ts-expect-error: wrong argument types
      void p.run('add', ['1', 2]);
      expectTypeOf(untyped).toEqualTypeOf<WorkerPool<AnyWorkerModule>>();
      expectTypeOf(untyped.run('anything', [1, 'two'])).toEqualTypeOf<Promise<unknown>>();
    };
    expect(typeChecks).toBeTypeOf('function');
  });

  test('a module given as a path or a file: URL string works too', async () => {
    const byPath = new WorkerPool<Fixture>({ module: fixture.pathname, size: 1 });
    const byString = new WorkerPool<Fixture>({ module: fixture.href, size: 1 });
    pools.push(byPath, byString);
    expect(await byPath.run('add', [1, 1])).toBe(2);
    expect(await byString.run('add', [2, 2])).toBe(4);
  });

  test('transfers the objects in `transfer` instead of copying them', async () => {
    const p = pool();
    const buffer = new ArrayBuffer(64);
    expect(await p.run('byteLength', [buffer], { transfer: [buffer] })).toBe(64);
    expect(buffer.byteLength).toBe(0); // detached: it moved to the worker
    const copied = new ArrayBuffer(8);
    expect(await p.run('byteLength', [copied])).toBe(8);
    expect(copied.byteLength).toBe(8);
  });
});

describe('WorkerPool: limits and order', () => {
  test('never runs more threads than size; the rest wait in FIFO order', async () => {
    const p = pool({ size: 2 });
    const values = ['a', 'b', 'c', 'd', 'e'];
    const tasks = values.map((value) => gated(p, value));
    const finished: string[] = [];
    for (const t of tasks) void t.result.then((value) => finished.push(value));
    await Promise.all([tasks[0]?.started, tasks[1]?.started]);
    expect(p.stats()).toMatchObject({ threads: 2, busy: 2, queued: 3 });
    // Release one task at a time: each frees a worker for the next in line.
    for (const [i, t] of tasks.entries()) {
      await t.started;
      expect(p.stats().threads).toBeLessThanOrEqual(2);
      t.release();
      await t.result;
      expect(finished).toEqual(values.slice(0, i + 1));
    }
    expect(p.stats()).toEqual({ threads: 2, busy: 0, queued: 0, completed: 5, failed: 0 });
  });

  test('with one thread, tasks start in the order they were submitted', async () => {
    const p = pool({ size: 1 });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => p.run('double', [n]).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('reuses its workers', async () => {
    const p = pool({ size: 1 });
    const first = await p.run('thread', []);
    for (let i = 0; i < 5; i++) expect(await p.run('thread', [])).toBe(first);
    expect(p.stats().threads).toBe(1);
  });

  test('maxQueue bounds the queue: a task that finds it full is refused at once', async () => {
    const p = pool({ size: 1, maxQueue: 1 });
    const running = gated(p, 'running');
    const queued = p.run('add', [1, 1]);
    const refused = await rejection(p.run('add', [2, 2]));
    expect(refused).toBeInstanceOf(PoolQueueFullError);
    expect((refused as PoolQueueFullError).code).toBe('BATON_POOL_QUEUE_FULL');
    expect((refused as Error).message).toContain('"add"');
    expect(p.stats()).toMatchObject({ busy: 1, queued: 1, failed: 0 });
    running.release();
    expect(await running.result).toBe('running');
    expect(await queued).toBe(2);
  });

  test('maxQueue 0: no waiting at all once every worker is busy', async () => {
    const p = pool({ size: 1, maxQueue: 0 });
    const running = gated(p, 'only');
    expect(await rejection(p.run('add', [1, 1]))).toBeInstanceOf(PoolQueueFullError);
    running.release();
    expect(await running.result).toBe('only');
    expect(await p.run('add', [1, 1])).toBe(2);
  });
});

describe('WorkerPool: cancellation is contained', () => {
  test('aborting a queued task removes it from the queue; no worker is touched', async () => {
    const p = pool({ size: 1 });
    const running = gated(p, 'running');
    await running.started;
    const controller = new AbortController();
    const queued = p.run('add', [1, 1], { signal: controller.signal });
    const after = p.run('add', [2, 2]);
    expect(p.stats().queued).toBe(2);
    const reason = new CancelledError('not needed any more');
    controller.abort(reason);
    expect(await rejection(queued)).toBe(reason);
    expect(p.stats()).toMatchObject({ threads: 1, busy: 1, queued: 1, failed: 1 });
    running.release();
    expect(await running.result).toBe('running');
    expect(await after).toBe(4);
    expect(p.stats()).toMatchObject({ threads: 1, queued: 0, completed: 2, failed: 1 });
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('aborting a running task terminates only its worker; the other task runs on, and the queue is served by a replacement', async () => {
    const p = pool({ size: 2 });
    const controller = new AbortController();
    const doomed = gate();
    const doomedResult = p.run('spin', [doomed.port], { transfer: [doomed.port], signal: controller.signal });
    const survivor = gated(p, 'survivor');
    await Promise.all([doomed.started, survivor.started]);
    const survivorThread = p.run('thread', []); // queued: both workers are busy
    expect(p.stats()).toMatchObject({ threads: 2, busy: 2, queued: 1 });

    controller.abort(new CancelledError('stop spinning'));
    const reason = await rejection(doomedResult);
    expect(reason).toBeInstanceOf(CancelledError);
    expect((reason as Error).message).toBe('stop spinning');
    // The aborted worker has exited; the queued task went to a replacement,
    // and the surviving task is still running on its own worker.
    expect(typeof (await survivorThread)).toBe('number');
    expect(await isPending(survivor.result)).toBe(true);
    expect(p.stats().threads).toBeLessThanOrEqual(2);
    survivor.release();
    expect(await survivor.result).toBe('survivor');
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0, completed: 2, failed: 1 });
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('an already-aborted signal rejects at once and starts nothing', async () => {
    const p = pool();
    const controller = new AbortController();
    controller.abort(new CancelledError('early'));
    expect(await rejection(p.run('add', [1, 1], { signal: controller.signal }))).toBe(controller.signal.reason);
    expect(p.stats()).toEqual({ threads: 0, busy: 0, queued: 0, completed: 0, failed: 0 });
  });

  test('timeout limits the running time: the worker is replaced and the call rejects with a TimeoutError', async () => {
    const clock = new VirtualClock({ autojump: false });
    const p = pool({ size: 1, clock });
    const running = p.run('hang', [], { timeout: 1_000 });
    const queued = p.run('add', [1, 2], { timeout: 1_000 });
    // The queued task's budget has not started: it starts when a worker takes it.
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1_000);
    const err = await rejection(running);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(isCancellation(err)).toBe(true);
    expect((err as TimeoutError).ms).toBe(1_000);
    expect((err as Error).message).toBe('Task "hang" timed out after 1000 ms');
    expect(await queued).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  test('many signals on one long-lived controller leave no listeners behind', async () => {
    const p = pool();
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 50 }, (_, i) => p.run('add', [i, 1], { signal: controller.signal })));
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

describe('WorkerPool: errors and crashes', () => {
  test("an error thrown by the function rejects its task with the original name, message, stack, properties and cause; the worker lives on", async () => {
    const p = pool({ size: 1 });
    const before = await p.run('thread', []);
    const err = (await rejection(p.run('fail', ['bad input']))) as Error & { code?: unknown; line?: unknown };
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ParseError');
    expect(err.message).toBe('bad input');
    expect(err.code).toBe('E_PARSE');
    expect(err.line).toBe(7);
    expect(err.stack).toContain('ParseError: bad input');
    expect(err.stack).toContain('worker.mjs');
    expect(err.cause).toBeInstanceOf(RangeError);
    expect((err.cause as Error).message).toBe('inner cause');
    expect(await p.run('thread', [])).toBe(before);
    expect(p.stats()).toMatchObject({ threads: 1, failed: 1 });
  });

  test('a rejected promise, a standard error class and a thrown non-error come through too', async () => {
    const p = pool({ size: 1 });
    const typeError = await rejection(p.run('failLater', ['async failure']));
    expect(typeError).toBeInstanceOf(TypeError);
    expect((typeError as Error).message).toBe('async failure');
    expect(await rejection(p.run('throwString', []))).toBe('a plain string');
    // A property that cannot be cloned is dropped; the rest arrives.
    const partial = (await rejection(p.run('throwUncloneableProps', []))) as Error;
    expect(partial.message).toBe('has a function property');
    expect(partial.stack).toContain('worker.mjs');
  });

  test('a result or an argument that cannot be cloned fails that task only', async () => {
    const p = pool({ size: 1 });
    const thread = await p.run('thread', []);
    const result = (await rejection(p.run('uncloneableResult', []))) as Error;
    expect(result.name).toBe('DataCloneError');
    const argument = (await rejection(p.run('add', [(() => 1) as unknown as number, 1]))) as Error;
    expect(argument.name).toBe('DataCloneError');
    expect(await p.run('thread', [])).toBe(thread);
    expect(p.stats()).toMatchObject({ threads: 1, busy: 0, queued: 0, failed: 2 });
  });

  test('an unknown function name rejects with a TypeError that lists the functions', async () => {
    const p = pool({ size: 1 });
    const err = await rejection((p as unknown as WorkerPool).run('nope', []));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/exports no function named "nope" \(its functions: .*\badd\b.*\)/);
    expect((err as Error).message).not.toMatch(/notAFunction/);
  });

  test('a worker that calls process.exit() rejects its task with a WorkerCrashedError and is replaced', async () => {
    const p = pool({ size: 1 });
    const before = await p.run('thread', []);
    const err = await rejection(p.run('exit', [3]));
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).code).toBe('BATON_WORKER_CRASHED');
    expect((err as WorkerCrashedError).exitCode).toBe(3);
    expect((err as Error).message).toBe('The worker running "exit" exited with code 3');
    const after = await p.run('thread', []);
    expect(after).not.toBe(before);
    expect(p.stats()).toMatchObject({ threads: 1, failed: 1, completed: 2 });
  });

  test('an uncaught error outside the call crashes the worker: the task rejects with it as the cause', async () => {
    const p = pool({ size: 1 });
    const err = await rejection(p.run('crashOutsideCall', ['thrown from a timer']));
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as Error).message).toBe('The worker running "crashOutsideCall" crashed: thrown from a timer');
    expect(((err as Error).cause as Error).message).toBe('thrown from a timer');
    expect(await p.run('add', [1, 1])).toBe(2);
  });

  test('a worker that runs out of memory rejects its task and is replaced', async () => {
    const p = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    const err = await rejection(p.run('exhaustMemory', []));
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(((err as Error).cause as { code?: unknown }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await p.run('add', [1, 1])).toBe(2);
  }, 30_000);

  test('a worker that dies while idle is reported as a warning and replaced on demand', async () => {
    const p = pool({ size: 1 });
    const warning = once(process, 'warning') as Promise<[Error & { code?: string }]>;
    expect(await p.run('crashAfterReturn', ['late failure'])).toBe('returned');
    const [reported] = await warning;
    expect(reported.code).toBe('BATON_WORKER_CRASHED');
    expect(reported.message).toContain('late failure');
    expect(p.stats().threads).toBe(0);
    expect(await p.run('add', [1, 1])).toBe(2);
    expect(p.stats()).toMatchObject({ threads: 1, completed: 2, failed: 0 });
  });

  test('a module that fails to load rejects every task with its load error, and the pool still closes', async () => {
    const p = new WorkerPool({ module: new URL('./fixtures/broken.mjs', import.meta.url), size: 1 });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(p.run('anything', []));
      expect((err as Error).message).toBe('the module failed to load');
    }
    await p.close();
    expect(p.stats().threads).toBe(0);
  });

  test('a module that does not exist rejects with the loader error', async () => {
    const p = new WorkerPool({ module: new URL('./fixtures/missing.mjs', import.meta.url), size: 1 });
    const err = await rejection(p.run('anything', []));
    expect((err as { code?: unknown }).code).toBe('ERR_MODULE_NOT_FOUND');
    await p.close();
  });
});

describe('WorkerPool: close', () => {
  test('rejects queued tasks, lets running ones finish, then terminates the workers', async () => {
    const p = pool({ size: 1 });
    const running = gated(p, 'finishes');
    const queued = p.run('add', [1, 1]);
    await running.started;
    const closed = p.close();
    const err = await rejection(queued);
    expect(err).toBeInstanceOf(PoolClosedError);
    expect((err as PoolClosedError).code).toBe('BATON_POOL_CLOSED');
    expect(await rejection(p.run('add', [1, 1]))).toBeInstanceOf(PoolClosedError);
    expect(await isPending(closed)).toBe(true);
    running.release();
    expect(await running.result).toBe('finishes');
    await closed;
    expect(p.stats()).toEqual({ threads: 0, busy: 0, queued: 0, completed: 1, failed: 1 });
    expect(p.close()).toBe(closed);
  });

  test('close({ force: true }) stops running tasks with a PoolClosedError', async () => {
    const p = pool({ size: 2 });
    const spinning = gate();
    const result = p.run('spin', [spinning.port], { transfer: [spinning.port] });
    await spinning.started;
    await p.close({ force: true });
    expect(await rejection(result)).toBeInstanceOf(PoolClosedError);
    expect(p.stats().threads).toBe(0);
  });

  test('a later close({ force: true }) stops what a graceful close is waiting for', async () => {
    const p = pool({ size: 1 });
    const hanging = p.run('hang', []);
    const graceful = p.close();
    expect(await isPending(graceful)).toBe(true);
    expect(p.close({ force: true })).toBe(graceful);
    expect(await rejection(hanging)).toBeInstanceOf(PoolClosedError);
    await graceful;
  });

  test('await using closes the pool at the end of the block', async () => {
    let outside: WorkerPool<Fixture>;
    {
      await using p = new WorkerPool<Fixture>({ module: fixture, size: 1 });
      outside = p;
      expect(await p.run('add', [1, 2])).toBe(3);
    }
    expect(outside.stats().threads).toBe(0);
    expect(await rejection(outside.run('add', [1, 2]))).toBeInstanceOf(PoolClosedError);
  });

  test('an unused pool closes at once', async () => {
    const p = pool();
    await p.close();
    expect(p.stats().threads).toBe(0);
  });
});

describe('WorkerPool: arguments', () => {
  test('bad options fail at construction with messages naming the value', () => {
    expect(() => new WorkerPool({ module: fixture, size: 0 })).toThrow(
      new RangeError('Expected options.size to be an integer >= 1, got 0 (number)'),
    );
    expect(() => new WorkerPool({ module: 42 as unknown as string })).toThrow(TypeError);
    expect(() => new WorkerPool(undefined as unknown as WorkerPoolOptions)).toThrow(TypeError);
    expect(() => new WorkerPool({ module: fixture, maxQueue: -1 })).toThrow(
      new RangeError('Expected options.maxQueue to be an integer >= 0 or Infinity, got -1 (number)'),
    );
  });

  test('bad arguments to run() reject, and start nothing', async () => {
    const p = pool() as unknown as WorkerPool;
    expect(await rejection(p.run(1 as unknown as string, []))).toEqual(new TypeError('Expected name to be a string, got 1 (number)'));
    expect(await rejection(p.run('add', 'x' as unknown as []))).toEqual(
      new TypeError('Expected args to be an array of arguments, got "x" (string)'),
    );
    expect(await rejection(p.run('add', [], { timeout: -5 }))).toBeInstanceOf(RangeError);
    expect(await rejection(p.run('add', [], { signal: {} as AbortSignal }))).toBeInstanceOf(TypeError);
    expect(await rejection(p.close({ force: 'yes' as unknown as boolean }))).toBeInstanceOf(TypeError);
    expect(p.stats()).toEqual({ threads: 0, busy: 0, queued: 0, completed: 0, failed: 0 });
  });
});

describe('Principle: a pool left idle does not keep the process alive', () => {
  test('a process that used a pool and never closed it exits by itself', () => {
    const result = runModule(
      'worker-pool-idle',
      `
      import { WorkerPool } from 'baton/node';
      const pool = new WorkerPool({ module: ${JSON.stringify(fixture.href)}, size: 2 });
      const results = await Promise.all([pool.run('add', [1, 2]), pool.run('double', [4]), pool.run('add', [5, 5])]);
      console.log(JSON.stringify({ results, stats: pool.stats() }));
      `,
    );
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      results: [3, 8, 10],
      stats: { threads: 2, busy: 0, queued: 0, completed: 3, failed: 0 },
    });
  });

  test('await pool.close() at the end of a script resolves before the process exits', () => {
    const result = runModule(
      'worker-pool-close-at-end',
      `
      import { WorkerPool } from 'baton/node';
      const pool = new WorkerPool({ module: ${JSON.stringify(fixture.href)}, size: 2 });
      await Promise.all([pool.run('add', [1, 2]), pool.run('add', [3, 4])]);
      await pool.close();
      console.log('closed', pool.stats().threads);
      `,
    );
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('closed 0');
    expect(result.status).toBe(0);
  });

  test('a busy pool keeps the process alive until its work is done', () => {
    const result = runModule(
      'worker-pool-busy',
      `
      import { WorkerPool } from 'baton/node';
      const pool = new WorkerPool({ module: ${JSON.stringify(fixture.href)}, size: 1 });
      // Not awaited: only the busy worker keeps the process alive.
      void pool.run('double', [21]).then((value) => console.log('result', value));
      `,
    );
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('result 42');
    expect(result.status).toBe(0);
  });
});
