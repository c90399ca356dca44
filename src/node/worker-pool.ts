/**
 * A bounded pool of worker threads for CPU-bound work.
 *
 * @packageDocumentation
 */

// How the pool is put together, and why:
//
// - One task per worker at a time, and at most `size` threads, counting the
//   threads that are still shutting down: "never more threads than size"
//   holds even while an aborted task's worker is being terminated.
// - Cancellation is contained. A task that is still queued just leaves the
//   queue. A running task cannot be interrupted from outside (JavaScript has
//   no way to stop a function), so its worker is terminated; the task
//   rejects once that thread has exited, and a new worker is started for the
//   queue if there is work waiting. No other task ever shares the
//   terminated thread, so no other task is lost (the bugs to avoid are
//   piscina#934 and workerpool#548, where aborting one task hit another).
// - The queue is an intrusive doubly linked list of the tasks themselves:
//   O(1) to add, to take the head and to remove an aborted task from the
//   middle, and no allocation beyond the task. The kernel's WaiterList is not
//   used because a pool task keeps one abort listener over its whole life,
//   queued and then running, and a Waiter's listener is only for the wait.
// - The hot path allocates one task object, the [name, args] message and the
//   promise. Each worker has one 'message' listener for its whole life; a
//   task adds no listener to the worker, and a listener to the caller's
//   signal only when there is a signal. The task object is its own abort
//   listener (`handleEvent`), and timeouts use the clock's argument form, so
//   no closure is made per task.
// - When a worker replies, it is given the next queued task *before* the
//   finished task's promise is settled, so the thread is not idle while the
//   main thread runs the caller's continuation.
// - Idle workers are unref'd, busy ones ref'd: a pool left idle does not keep
//   the process alive, and a pool with work does.
//
// Invariants:
// - `#idle` is non-empty only while the queue is empty: a worker that becomes
//   free takes the head of the queue before it may go idle.
// - A task is in exactly one of: the queue (QUEUED), a worker's `task` slot
//   (RUNNING), or neither (DONE). Its signal listener and timer exist only
//   while it is not DONE.
// - `#threads` (the set of live workers) never holds more than `size`
//   workers; a worker leaves it only on its 'exit' event.

import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { clockOf, type Clock } from '../core/clock.js';
import { PoolClosedError, PoolQueueFullError, TimeoutError, WorkerCrashedError } from '../core/errors.js';
import { describe, expectDuration, expectInteger, expectOptions, expectSignal } from '../core/validate.js';
import { WORKER_SOURCE } from './worker-source.js';

/**
 * The functions of a worker module when no type is given: any name, any
 * arguments, an `unknown` result. Pass `typeof import('./worker.js')` as the
 * pool's type argument to have names, arguments and results checked.
 *
 * @example The untyped default
 * ```ts
 * import { WorkerPool, type AnyWorkerModule } from 'baton/node';
 *
 * const pool: WorkerPool<AnyWorkerModule> = new WorkerPool({ module: new URL('./worker.js', import.meta.url) });
 * const result: unknown = await pool.run('anything', [1, 'two']);
 * await pool.close();
 * ```
 */
export type AnyWorkerModule = Record<string, (...args: unknown[]) => unknown>;

/**
 * The names of the functions a worker module exports.
 *
 * @example Only function exports can be run
 * ```ts
 * import type { WorkerFunctionName } from 'baton/node';
 *
 * type Module = { hash(text: string): string; VERSION: string };
 * const name: WorkerFunctionName<Module> = 'hash'; // 'VERSION' would not compile
 * ```
 */
export type WorkerFunctionName<M> = {
  [K in keyof M]: M[K] extends (...args: never[]) => unknown ? K : never;
}[keyof M] &
  string;

/**
 * The arguments of a worker module's function `K`.
 *
 * @example The argument tuple of a worker function
 * ```ts
 * import type { WorkerArgs } from 'baton/node';
 *
 * type Module = { resize(image: Uint8Array, width: number): Uint8Array };
 * const args: WorkerArgs<Module, 'resize'> = [new Uint8Array(4), 2];
 * ```
 */
export type WorkerArgs<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;

/**
 * What `pool.run()` resolves to for a worker module's function `K`: its
 * return value, awaited.
 *
 * @example An async worker function's result type
 * ```ts
 * import type { WorkerResult } from 'baton/node';
 *
 * type Module = { count(path: string): Promise<number> };
 * const lines: WorkerResult<Module, 'count'> = 42; // number, not Promise<number>
 * ```
 */
export type WorkerResult<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * Options of {@link WorkerPool}.
 *
 * @example A pool of four threads with a bounded queue
 * ```ts
 * import { WorkerPool, type WorkerPoolOptions } from 'baton/node';
 *
 * const options: WorkerPoolOptions = {
 *   module: new URL('./thumbnails.js', import.meta.url),
 *   size: 4,
 *   maxQueue: 100, // a 101st waiting task is refused with PoolQueueFullError
 * };
 * const pool = new WorkerPool(options);
 * await pool.close();
 * ```
 */
export interface WorkerPoolOptions {
  /**
   * The ES module the workers load: a `URL` (`new URL('./worker.js',
   * import.meta.url)`), a `file:` URL string, or a file path (a relative
   * path is resolved against the current directory). Its exported functions
   * are what `run()` calls by name.
   */
  module: string | URL;
  /** The number of worker threads, an integer >= 1. Defaults to `os.availableParallelism()`. */
  size?: number | undefined;
  /**
   * How many tasks may wait for a free worker: an integer >= 0, or
   * `Infinity` (the default). When the queue is full, `run()` rejects at once
   * with a `PoolQueueFullError`.
   */
  maxQueue?: number | undefined;
  /** Limits on each worker's memory, passed to `new Worker()`. A worker that exceeds them crashes and is replaced. */
  resourceLimits?: ResourceLimits | undefined;
  /** The clock for task timeouts. Defaults to the default clock. */
  clock?: Clock | undefined;
}

/**
 * Options of {@link WorkerPool.run}.
 *
 * @example Cancel a task and give it a time budget
 * ```ts
 * import { WorkerPool, type PoolRunOptions } from 'baton/node';
 *
 * const pool = new WorkerPool({ module: new URL('./worker.js', import.meta.url) });
 * const controller = new AbortController();
 * const options: PoolRunOptions = { signal: controller.signal, timeout: 5_000 };
 * const result = pool.run('render', ['page.html'], options);
 * controller.abort(); // the worker running it is terminated and replaced
 * await result.catch((err: unknown) => console.log((err as Error).name)); // 'AbortError'
 * await pool.close();
 * ```
 */
export interface PoolRunOptions {
  /**
   * Cancels the task: a queued task leaves the queue; a running one has its
   * worker terminated (and replaced). Either way the call rejects with
   * `signal.reason`. An already-aborted signal rejects at once.
   */
  signal?: AbortSignal | undefined;
  /**
   * A limit on the task's running time, in ms, counted from when a worker
   * starts it (the time spent queued does not count). When it passes, the
   * worker is terminated and replaced, and the call rejects with a
   * `TimeoutError`. Default `Infinity`.
   */
  timeout?: number | undefined;
  /**
   * Objects to transfer to the worker instead of copying them
   * (`ArrayBuffer`s, `MessagePort`s, ...), as in `postMessage`. They must be
   * reachable from `args`; they are unusable in the calling thread afterwards.
   */
  transfer?: readonly TransferListItem[] | undefined;
}

/**
 * Options of {@link WorkerPool.close}.
 *
 * @example Stop everything now
 * ```ts
 * import { WorkerPool, type PoolCloseOptions } from 'baton/node';
 *
 * const pool = new WorkerPool({ module: new URL('./worker.js', import.meta.url) });
 * const options: PoolCloseOptions = { force: true }; // running tasks reject with PoolClosedError
 * await pool.close(options);
 * ```
 */
export interface PoolCloseOptions {
  /**
   * Terminate the workers that are running tasks too, rejecting those tasks
   * with a `PoolClosedError`, instead of waiting for them. Default `false`.
   */
  force?: boolean | undefined;
}

/**
 * A snapshot of a {@link WorkerPool}.
 *
 * @example Watch the pool under load
 * ```ts
 * import { WorkerPool, type WorkerPoolStats } from 'baton/node';
 *
 * const pool = new WorkerPool({ module: new URL('./worker.js', import.meta.url), size: 2 });
 * const stats: WorkerPoolStats = pool.stats();
 * console.log(stats); // { threads: 0, busy: 0, queued: 0, completed: 0, failed: 0 }
 * await pool.close();
 * ```
 */
export interface WorkerPoolStats {
  /** Worker threads alive, including any being terminated. Never more than `size`. */
  readonly threads: number;
  /** Workers running a task (including any being terminated because their task was aborted). */
  readonly busy: number;
  /** Tasks waiting for a free worker. */
  readonly queued: number;
  /** Tasks that fulfilled, since the pool was made. */
  readonly completed: number;
  /** Tasks that rejected, were cancelled, timed out, lost their worker or were refused at close. */
  readonly failed: number;
}

const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

class PoolTask {
  prev: PoolTask | undefined = undefined;
  next: PoolTask | undefined = undefined;
  state = QUEUED;
  /** The worker running the task, while RUNNING. */
  worker: PoolWorker | undefined = undefined;
  timer: unknown = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;

  constructor(
    readonly pool: WorkerPool<never>,
    /** What is posted to the worker: [name, args]. */
    readonly message: readonly [string, readonly unknown[]],
    readonly transfer: readonly TransferListItem[] | undefined,
    readonly signal: AbortSignal | undefined,
    readonly timeout: number,
  ) {}

  /** The caller's signal aborted. */
  handleEvent(): void {
    abortTask(this.pool, this, (this.signal as AbortSignal).reason);
  }
}

class PoolWorker {
  readonly thread: Worker;
  task: PoolTask | undefined = undefined;
  /** Whether the thread is unref'd (idle). */
  unrefd = false;
  /** Set once `terminate()` was called for this worker; its replies are ignored from then on. */
  ending = false;
  /** What the running task rejects with when the thread has exited after `ending` was set. */
  endReason: unknown = undefined;
  /** The worker's uncaught error, from its 'error' event. */
  error: unknown = undefined;
  hasError = false;

  constructor(pool: WorkerPool<never>, url: string, resourceLimits: ResourceLimits | undefined) {
    const thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url },
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    this.thread = thread;
    // One listener of each kind per worker, for its whole life.
    thread.on('message', (message: Reply) => onReply(pool, this, message));
    // A reply that cannot be deserialized here fails its task, like a thrown value.
    thread.on('messageerror', (err: unknown) => onReply(pool, this, [2, err]));
    thread.on('error', (err: unknown) => {
      this.error = err;
      this.hasError = true;
    });
    thread.on('exit', (code: number) => onExit(pool, this, code));
  }
}

/** A worker's reply: see worker-source.ts. */
type Reply = readonly [0, unknown] | readonly [1, ErrorRecord] | readonly [2, unknown];

interface ErrorRecord {
  name: string;
  message: string;
  stack: string | undefined;
  props?: Record<string, unknown>;
  cause?: readonly [1, ErrorRecord] | readonly [2, unknown];
}

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuild an error thrown in a worker: an `Error` (a `TypeError`, ... for the
 * standard names) with the original name, message, stack, own properties
 * (`code`, ...) and cause.
 */
function decodeError(record: ErrorRecord): Error {
  const Ctor = Object.hasOwn(STANDARD_ERRORS, record.name) ? (STANDARD_ERRORS[record.name] as ErrorConstructor) : Error;
  const err = new Ctor(record.message);
  if (err.name !== record.name) {
    Object.defineProperty(err, 'name', { value: record.name, writable: true, configurable: true, enumerable: false });
  }
  if (record.stack !== undefined) {
    Object.defineProperty(err, 'stack', { value: record.stack, writable: true, configurable: true, enumerable: false });
  }
  if (record.props !== undefined) Object.assign(err, record.props);
  const cause = record.cause;
  if (cause !== undefined) {
    Object.defineProperty(err, 'cause', {
      value: cause[0] === 1 ? decodeError(cause[1]) : cause[1],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return err;
}

function expire(task: PoolTask): void {
  task.timer = undefined;
  const [name] = task.message;
  abortTask(task.pool, task, new TimeoutError(task.timeout, `Task ${JSON.stringify(name)} timed out after ${task.timeout} ms`));
}

function ignore(): void {}

// Private-state access for the module-level functions above (the task's
// abort listener, the worker's event handlers), set in a static block so
// they need no public surface.
let abortTask: (pool: WorkerPool<never>, task: PoolTask, reason: unknown) => void;
let onReply: (pool: WorkerPool<never>, worker: PoolWorker, reply: Reply) => void;
let onExit: (pool: WorkerPool<never>, worker: PoolWorker, code: number) => void;

function moduleUrl(module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(`Expected options.module to be a URL, a file: URL string or a file path, got ${describe(module)}`);
  }
  // A scheme of two letters or more (file:, data:, ...) is a URL; `C:\...` is a Windows path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(module)) return new URL(module).href;
  return pathToFileURL(resolvePath(module)).href;
}

/**
 * A bounded pool of worker threads that run the exported functions of an ES
 * module: CPU-bound work off the event loop, with at most `size` threads
 * however many tasks are submitted (`asyncio.to_thread` needs a limit too).
 *
 * - `run(name, args, { signal, timeout, transfer })` calls the module's
 *   export `name` with `args` in a free worker and resolves to its (awaited)
 *   return value. Arguments and results are copied with the structured clone
 *   algorithm (or transferred, with `transfer`).
 * - **FIFO**: when every worker is busy, tasks wait in arrival order. The
 *   queue is unbounded unless `maxQueue` is set; a task that finds it full is
 *   refused at once with a `PoolQueueFullError` (waiting would only move the
 *   unbounded queue into the callers).
 * - **Cancellation is contained**: aborting a queued task removes it from
 *   the queue; aborting a running task (or its `timeout` passing) terminates
 *   only the worker running it, and the pool starts a new one. The call
 *   rejects with `signal.reason` (or a `TimeoutError`) once that thread has
 *   exited. No other task is affected.
 * - **Errors**: an error thrown by the function rejects the task with an
 *   `Error` carrying the original `name`, `message`, `stack`, own properties
 *   (such as `code`) and `cause`; the worker lives on. A worker that dies
 *   (`process.exit()`, an uncaught error outside the call, running out of
 *   memory) rejects its task with a `WorkerCrashedError` and is replaced.
 *   A worker module that fails to load rejects every task with its load
 *   error.
 * - **Lifetime**: workers start on demand, up to `size`, and stay for the
 *   next task. Idle workers are unref'd, so a pool left idle does not keep
 *   the process alive. `close()` rejects the queued tasks with a
 *   `PoolClosedError`, lets the running ones finish (or, with
 *   `{ force: true }`, stops them), and terminates the threads. `await using
 *   pool = new WorkerPool(...)` closes it at the end of the block.
 *
 * Pass the module's type to have names, arguments and results checked:
 * `new WorkerPool<typeof import('./worker.js')>(...)`.
 *
 * @example Hash files on all cores
 * ```ts
 * import { WorkerPool } from 'baton/node';
 * import { map } from 'baton';
 *
 * // hash.js: export function sha256(text) { ... return hex; }
 * type HashModule = { sha256(text: string): string };
 * await using pool = new WorkerPool<HashModule>({ module: new URL('./hash.js', import.meta.url) });
 * const texts = ['a', 'b', 'c'];
 * const digests = await map(texts, (text, ctx) => pool.run('sha256', [text], { signal: ctx.signal }));
 * console.log(digests.length, pool.stats().completed); // 3 3
 * ```
 * @example Transfer a buffer instead of copying it
 * ```ts
 * import { WorkerPool } from 'baton/node';
 *
 * type ImageModule = { invert(pixels: ArrayBuffer): ArrayBuffer };
 * const pool = new WorkerPool<ImageModule>({ module: new URL('./image.js', import.meta.url), size: 2 });
 * const pixels = new ArrayBuffer(1024);
 * const inverted = await pool.run('invert', [pixels], { transfer: [pixels] });
 * console.log(pixels.byteLength, inverted.byteLength); // 0 1024: `pixels` moved to the worker
 * await pool.close();
 * ```
 */
export class WorkerPool<M = AnyWorkerModule> {
  /** The most threads the pool runs at once. */
  readonly size: number;
  readonly #url: string;
  readonly #maxQueue: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #clock: Clock;
  readonly #threads = new Set<PoolWorker>();
  // Free workers, most recently used last (and reused first: its caches are warm).
  readonly #idle: PoolWorker[] = [];
  #busy = 0;
  #head: PoolTask | undefined = undefined;
  #tail: PoolTask | undefined = undefined;
  #queued = 0;
  #completed = 0;
  #failed = 0;
  #closed = false;
  #closing: Promise<void> | undefined = undefined;
  #resolveClosed: (() => void) | undefined = undefined;

  static {
    abortTask = (pool, task, reason) => {
      if (task.state === QUEUED) {
        pool.#unlink(task);
        pool.#settle(task, false, reason);
      } else if (task.state === RUNNING) {
        const worker = task.worker as PoolWorker;
        if (worker.ending) return;
        // The task rejects when the thread has exited (onExit), so that when
        // the call settles nothing it started is still running.
        worker.ending = true;
        worker.endReason = reason;
        pool.#disarm(task);
        worker.thread.terminate().then(ignore, ignore);
      }
    };

    onReply = (pool, worker, reply) => {
      const task = worker.task;
      // A worker being terminated may still deliver a reply sent before it
      // stopped: its task already lost the race to the abort, and rejects
      // with the abort's reason on exit.
      if (task === undefined || worker.ending) return;
      worker.task = undefined;
      pool.#busy--;
      pool.#free(worker);
      if (reply[0] === 0) pool.#settle(task, true, reply[1]);
      else pool.#settle(task, false, reply[0] === 1 ? decodeError(reply[1]) : reply[1]);
    };

    onExit = (pool, worker, code) => {
      pool.#threads.delete(worker);
      const idleAt = pool.#idle.indexOf(worker);
      if (idleAt !== -1) pool.#idle.splice(idleAt, 1);
      const task = worker.task;
      if (task !== undefined) {
        worker.task = undefined;
        pool.#busy--;
        if (worker.ending) {
          pool.#settle(task, false, worker.endReason);
        } else {
          const [name] = task.message;
          const how = worker.hasError
            ? `crashed: ${worker.error instanceof Error ? worker.error.message : String(worker.error)}`
            : `exited with code ${code}`;
          pool.#settle(
            task,
            false,
            new WorkerCrashedError(`The worker running ${JSON.stringify(name)} ${how}`, code, worker.hasError ? { cause: worker.error } : undefined),
          );
        }
      } else if (!worker.ending && !pool.#closed) {
        // An idle worker died: something the module left running (a timer,
        // a rejected promise) failed after its task had finished. No task
        // can carry the failure, so it is reported as a process warning
        // rather than lost.
        process.emitWarning(
          `A WorkerPool worker for ${pool.#url} exited while idle with code ${code}` +
            (worker.hasError ? `: ${worker.error instanceof Error ? (worker.error.stack ?? worker.error.message) : String(worker.error)}` : ''),
          { code: 'BATON_WORKER_CRASHED' },
        );
      }
      if (pool.#closed) {
        if (pool.#threads.size === 0) pool.#resolveClosed?.();
      } else if (pool.#head !== undefined) {
        // Replace the worker for the work that is waiting.
        pool.#serveQueue();
      }
    };
  }

  /**
   * @throws TypeError / RangeError for a bad option.
   */
  constructor(options: WorkerPoolOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected options to be an options object with a module, got ${describe(options)}`);
    }
    this.#url = moduleUrl(options.module);
    const size = options.size ?? availableParallelism();
    expectInteger('options.size', size, 1, false);
    this.size = size;
    const maxQueue = options.maxQueue ?? Infinity;
    expectInteger('options.maxQueue', maxQueue, 0, true);
    this.#maxQueue = maxQueue;
    const resourceLimits = options.resourceLimits;
    if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) {
      throw new TypeError(`Expected options.resourceLimits to be an object, got ${describe(resourceLimits)}`);
    }
    this.#resourceLimits = resourceLimits;
    this.#clock = clockOf(options.clock);
  }

  /**
   * Run the worker module's export `name` with `args` and resolve to its
   * return value (awaited in the worker). Starts at once on a free worker (or
   * a new one, below `size`), else waits in the FIFO queue.
   *
   * Rejects with: the function's error (a rebuilt copy, see the class
   * docs); `signal.reason` when `signal` aborts; a `TimeoutError` when
   * `timeout` passes; a `WorkerCrashedError` when the worker dies; a
   * `PoolQueueFullError` when the queue is full; a `PoolClosedError` after
   * `close()`; a `DataCloneError` when an argument or the result cannot be
   * cloned; a `TypeError` when the module has no such function.
   *
   * @throws TypeError / RangeError (as a rejection) for a bad argument or option.
   */
  run<K extends WorkerFunctionName<M>>(name: K, args: WorkerArgs<M, K>, options?: PoolRunOptions): Promise<WorkerResult<M, K>>;
  run(name: string, args: readonly unknown[], options?: PoolRunOptions): Promise<unknown> {
    let signal: AbortSignal | undefined;
    let timeout = Infinity;
    let transfer: readonly TransferListItem[] | undefined;
    if (typeof name !== 'string') return Promise.reject(new TypeError(`Expected name to be a string, got ${describe(name)}`));
    if (!Array.isArray(args)) {
      return Promise.reject(new TypeError(`Expected args to be an array of arguments, got ${describe(args)}`));
    }
    if (options !== undefined) {
      try {
        expectOptions('options', options);
        signal = options.signal;
        expectSignal('options.signal', signal);
        timeout = options.timeout ?? Infinity;
        expectDuration('options.timeout', timeout, true);
        transfer = options.transfer;
        if (transfer !== undefined && !Array.isArray(transfer)) {
          throw new TypeError(`Expected options.transfer to be an array of transferable objects, got ${describe(transfer)}`);
        }
      } catch (err) {
        return Promise.reject(err);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
    }
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const worker = this.#idle.pop();
    if (worker === undefined && this.#queued >= this.#maxQueue && this.#threads.size >= this.size) {
      return Promise.reject(
        new PoolQueueFullError(`The worker pool's queue is full (maxQueue ${this.#maxQueue}); ${JSON.stringify(name)} was refused`),
      );
    }
    const task = new PoolTask(this, [name, args], transfer, signal, timeout);
    const promise = new Promise<unknown>((resolve, reject) => {
      task.resolve = resolve;
      task.reject = reject;
    });
    signal?.addEventListener('abort', task);
    if (worker !== undefined) {
      // An idle worker means an empty queue (invariant): no one to overtake.
      if (!this.#start(worker, task)) this.#free(worker);
    } else {
      // Through the queue even when a new worker is started for it, so that
      // tasks start in arrival order whatever the number of threads.
      this.#enqueue(task);
      this.#serveQueue();
    }
    return promise;
  }

  /** A snapshot of the pool's counters. */
  stats(): WorkerPoolStats {
    return {
      threads: this.#threads.size,
      busy: this.#busy,
      queued: this.#queued,
      completed: this.#completed,
      failed: this.#failed,
    };
  }

  /**
   * Close the pool: every queued task rejects at once with a
   * `PoolClosedError`, and later calls to `run()` too. Running tasks finish
   * (their calls settle as usual), and each worker is terminated as it
   * becomes free; with `{ force: true }`, running tasks are stopped at once
   * instead, their workers terminated and the tasks rejected with a
   * `PoolClosedError`. Resolves when every thread has exited.
   *
   * Idempotent: later calls return the same promise, and a later
   * `{ force: true }` still stops the tasks that run on.
   *
   * @throws TypeError (as a rejection) for bad options.
   */
  close(options?: PoolCloseOptions): Promise<void> {
    let force = false;
    if (options !== undefined) {
      try {
        expectOptions('options', options);
        const value = options.force ?? false;
        if (typeof value !== 'boolean') throw new TypeError(`Expected options.force to be a boolean, got ${describe(value)}`);
        force = value;
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (!this.#closed) {
      this.#closed = true;
      this.#closing = new Promise<void>((resolve) => {
        this.#resolveClosed = resolve;
      });
      const reason = new PoolClosedError('The worker pool was closed before the task started');
      for (let task = this.#head; task !== undefined; task = this.#head) {
        this.#unlink(task);
        this.#settle(task, false, reason);
      }
      for (const worker of this.#idle) this.#terminate(worker);
      this.#idle.length = 0;
    }
    if (force) {
      const reason = new PoolClosedError('The worker pool was closed while the task was running');
      for (const worker of this.#threads) {
        if (worker.task !== undefined) abortTask(this, worker.task, reason);
      }
    }
    if (this.#threads.size === 0) this.#resolveClosed?.();
    return this.#closing as Promise<void>;
  }

  /** `close()`: `await using pool = new WorkerPool(...)` closes the pool at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #spawn(): PoolWorker {
    const worker = new PoolWorker(this, this.#url, this.#resourceLimits);
    this.#threads.add(worker);
    return worker;
  }

  #terminate(worker: PoolWorker): void {
    worker.ending = true;
    // Ref'd again so that an `await pool.close()` at the end of a script
    // keeps the process alive until the thread's 'exit' has settled it.
    if (worker.unrefd) {
      worker.unrefd = false;
      worker.thread.ref();
    }
    worker.thread.terminate().then(ignore, ignore);
  }

  /**
   * Hand `task` to `worker` (free, not ending). Returns false if the message
   * could not be posted (an argument cannot be cloned): the task has then
   * failed and the worker is still free.
   */
  #start(worker: PoolWorker, task: PoolTask): boolean {
    try {
      worker.thread.postMessage(task.message, task.transfer);
    } catch (err) {
      this.#settle(task, false, err);
      return false;
    }
    task.state = RUNNING;
    task.worker = worker;
    worker.task = task;
    this.#busy++;
    if (worker.unrefd) {
      worker.unrefd = false;
      worker.thread.ref();
    }
    if (task.timeout !== Infinity) task.timer = this.#clock.setTimeout(expire, task.timeout, task);
    return true;
  }

  /** `worker` has no task: give it the next queued one, or let it idle (or end, once closed). */
  #free(worker: PoolWorker): void {
    if (this.#closed) {
      this.#terminate(worker);
      return;
    }
    for (let task = this.#head; task !== undefined; task = this.#head) {
      this.#unlink(task);
      if (this.#start(worker, task)) return;
    }
    worker.unrefd = true;
    worker.thread.unref();
    this.#idle.push(worker);
  }

  /** Start new workers, up to `size`, for the tasks waiting. */
  #serveQueue(): void {
    while (this.#head !== undefined && this.#threads.size < this.size) {
      let worker: PoolWorker;
      try {
        worker = this.#spawn();
      } catch (err) {
        // The thread could not even be created: fail the task it was for.
        const task = this.#head;
        this.#unlink(task);
        this.#settle(task, false, err);
        continue;
      }
      this.#free(worker);
    }
  }

  #enqueue(task: PoolTask): void {
    const tail = this.#tail;
    task.prev = tail;
    if (tail === undefined) this.#head = task;
    else tail.next = task;
    this.#tail = task;
    this.#queued++;
  }

  #unlink(task: PoolTask): void {
    const { prev, next } = task;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    task.prev = task.next = undefined;
    this.#queued--;
  }

  /** Remove the task's timer and signal listener. */
  #disarm(task: PoolTask): void {
    if (task.timer !== undefined) {
      this.#clock.clearTimeout(task.timer);
      task.timer = undefined;
    }
    task.signal?.removeEventListener('abort', task);
  }

  #settle(task: PoolTask, ok: boolean, value: unknown): void {
    if (task.state === DONE) return;
    task.state = DONE;
    task.worker = undefined;
    this.#disarm(task);
    if (ok) {
      this.#completed++;
      task.resolve(value);
    } else {
      this.#failed++;
      task.reject(value);
    }
  }
}
