/**
 * baton's error classes. Every error baton raises on purpose is one of these
 * (or a `TypeError` / `RangeError` for a bad argument), and each carries a
 * stable `code` that survives bundling and minification, unlike a class name.
 *
 * @packageDocumentation
 */

/**
 * The stable codes of baton's errors.
 *
 * @example Branch on the code rather than the class
 * ```ts
 * import { BatonError, sleep, timeout, type BatonErrorCode } from 'baton';
 *
 * function describeFailure(err: unknown): string {
 *   if (!(err instanceof BatonError)) return 'not from baton';
 *   const code: BatonErrorCode = err.code;
 *   switch (code) {
 *     case 'BATON_CANCELLED': return 'cancelled';
 *     case 'BATON_TIMEOUT': return 'timed out';
 *     case 'BATON_INVALID_STATE': return 'misused';
 *     case 'BATON_QUEUE_SHUT_DOWN': return 'queue closed';
 *     case 'BATON_BROKEN_BARRIER': return 'barrier broken';
 *     case 'BATON_WORKER_CRASHED': return 'worker crashed';
 *     case 'BATON_POOL_CLOSED': return 'pool closed';
 *     case 'BATON_POOL_QUEUE_FULL': return 'pool busy';
 *   }
 * }
 * const err = await timeout(10, (ctx) => sleep(1_000, { signal: ctx.signal })).catch((e: unknown) => e);
 * console.log(describeFailure(err)); // 'timed out'
 * ```
 */
export type BatonErrorCode =
  | 'BATON_CANCELLED'
  | 'BATON_TIMEOUT'
  | 'BATON_INVALID_STATE'
  | 'BATON_QUEUE_SHUT_DOWN'
  | 'BATON_BROKEN_BARRIER'
  | 'BATON_WORKER_CRASHED'
  | 'BATON_POOL_CLOSED'
  | 'BATON_POOL_QUEUE_FULL';

/**
 * The base class of baton's own errors.
 *
 * @example Recognise any baton error
 * ```ts
 * import { BatonError, spawn } from 'baton';
 *
 * const task = spawn(async () => 42);
 * try {
 *   task.result(); // still running
 * } catch (err) {
 *   if (err instanceof BatonError) console.log(err.code); // 'BATON_INVALID_STATE'
 * }
 * await task;
 * ```
 */
export class BatonError extends Error {
  /** A stable identifier for the kind of error, such as `'BATON_TIMEOUT'`. */
  readonly code: BatonErrorCode;

  constructor(message: string, code: BatonErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The reason baton gives when it cancels work: a task cancelled with
 * `task.cancel()`, siblings cancelled because one of them failed, waiters
 * removed from a queue. Its `cause` says why, when there is a why (for
 * example the sibling's failure).
 *
 * A task that rejects with a `CancelledError` after its signal was aborted is
 * *cancelled*, not *failed*: see {@link isCancellation}.
 *
 * @example Cancel a task and tell cancellation from failure
 * ```ts
 * import { CancelledError, isCancellation, sleep, spawn } from 'baton';
 *
 * const task = spawn((ctx) => sleep(60_000, { signal: ctx.signal }));
 * await task.cancel();
 * console.log(task.state); // 'cancelled'
 * try {
 *   await task;
 * } catch (err) {
 *   console.log(err instanceof CancelledError, isCancellation(err)); // true true
 * }
 * ```
 */
export class CancelledError extends BatonError {
  override readonly name = 'CancelledError';

  constructor(message = 'The operation was cancelled', options?: ErrorOptions) {
    super(message, 'BATON_CANCELLED', options);
  }
}

/**
 * The reason a deadline aborts work with (see `timeout`). Its `name` is
 * `'TimeoutError'`, like the platform's `DOMException` raised by
 * `AbortSignal.timeout()`, so code that checks `err.name === 'TimeoutError'`
 * handles both.
 *
 * @example Catch a deadline
 * ```ts
 * import { TimeoutError, sleep, timeout } from 'baton';
 *
 * try {
 *   await timeout(100, (ctx) => sleep(1_000, { signal: ctx.signal }));
 * } catch (err) {
 *   if (err instanceof TimeoutError) console.log(err.message, err.ms); // 'Timed out after 100 ms' 100
 * }
 * ```
 */
export class TimeoutError extends BatonError {
  override readonly name = 'TimeoutError';
  /** The deadline that expired, in milliseconds after the call started. */
  readonly ms: number;

  constructor(ms: number, message = `Timed out after ${ms} ms`, options?: ErrorOptions) {
    super(message, 'BATON_TIMEOUT', options);
    this.ms = ms;
  }
}

/**
 * Raised when an object is used in a state that does not allow the call:
 * reading `task.result()` while the task runs, spawning into a task group that
 * has finished.
 *
 * @example Ask a running task for its result
 * ```ts
 * import { InvalidStateError, spawn } from 'baton';
 *
 * const task = spawn(async () => 'done');
 * try {
 *   task.result();
 * } catch (err) {
 *   console.log(err instanceof InvalidStateError); // true
 * }
 * console.log(await task); // 'done'
 * ```
 */
export class InvalidStateError extends BatonError {
  override readonly name = 'InvalidStateError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, 'BATON_INVALID_STATE', options);
  }
}

/**
 * Raised by a queue that has been shut down: by `put` at once, and by `get`
 * once the queue is empty (at once after `shutdown({ immediate: true })`).
 * Python 3.13's `QueueShutDown`. A `for await` loop over a queue ends
 * quietly at shutdown instead.
 *
 * @example Stop a consumer when the producer is done
 * ```ts
 * import { Queue, QueueShutDownError } from 'baton';
 *
 * const queue = new Queue<string>();
 * await queue.put('last job');
 * queue.shutdown();
 * console.log(await queue.get()); // 'last job'
 * try {
 *   await queue.get();
 * } catch (err) {
 *   console.log(err instanceof QueueShutDownError); // true
 * }
 * ```
 */
export class QueueShutDownError extends BatonError {
  override readonly name = 'QueueShutDownError';

  constructor(message = 'The queue has been shut down', options?: ErrorOptions) {
    super(message, 'BATON_QUEUE_SHUT_DOWN', options);
  }
}

/**
 * Raised by `Barrier.wait()` when the barrier is broken: by `abort()`, by
 * `reset()` while parties wait, or because a waiting party was cancelled.
 *
 * @example A party gives up and the others learn of it
 * ```ts
 * import { Barrier, BrokenBarrierError } from 'baton';
 *
 * const barrier = new Barrier(3);
 * const waiting = barrier.wait();
 * barrier.abort();
 * try {
 *   await waiting;
 * } catch (err) {
 *   console.log(err instanceof BrokenBarrierError); // true
 * }
 * ```
 */
export class BrokenBarrierError extends BatonError {
  override readonly name = 'BrokenBarrierError';

  constructor(message = 'The barrier is broken', options?: ErrorOptions) {
    super(message, 'BATON_BROKEN_BARRIER', options);
  }
}

/**
 * Raised by a `WorkerPool` (from `baton/node`) for a task whose worker
 * thread died while running it: the worker called `process.exit()`, threw
 * outside the task (a timer, an unhandled rejection), ran out of memory, or
 * failed to start. `cause` holds the worker's uncaught error, when there was
 * one, and `exitCode` the thread's exit code. The pool replaces the worker;
 * no other task is affected.
 *
 * An error thrown (or rejected) by the task's function itself is not a
 * crash: the task rejects with a copy of that error and the worker lives on.
 *
 * @example Tell a crash from an error of the function
 * ```ts
 * import { WorkerCrashedError } from 'baton/node';
 *
 * function explain(err: unknown): string {
 *   if (err instanceof WorkerCrashedError) return `worker died (exit code ${err.exitCode})`;
 *   return `the function failed: ${String(err)}`;
 * }
 * console.log(explain(new WorkerCrashedError('Worker exited with code 1', 1))); // 'worker died (exit code 1)'
 * ```
 */
export class WorkerCrashedError extends BatonError {
  override readonly name = 'WorkerCrashedError';
  /** The worker thread's exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, 'BATON_WORKER_CRASHED', options);
    this.exitCode = exitCode;
  }
}

/**
 * Raised by a `WorkerPool` (from `baton/node`) that has been closed: by
 * `run()` at once, for each task still queued when `close()` is called, and
 * for each running task that `close({ force: true })` stops.
 *
 * @example Work submitted after close
 * ```ts
 * import { PoolClosedError } from 'baton/node';
 *
 * const err: unknown = new PoolClosedError();
 * if (err instanceof PoolClosedError) console.log(err.code); // 'BATON_POOL_CLOSED'
 * ```
 */
export class PoolClosedError extends BatonError {
  override readonly name = 'PoolClosedError';

  constructor(message = 'The worker pool has been closed', options?: ErrorOptions) {
    super(message, 'BATON_POOL_CLOSED', options);
  }
}

/**
 * Raised by `WorkerPool.run()` (from `baton/node`) when every worker is busy
 * and the queue already holds `maxQueue` tasks. The call is refused at once
 * rather than made to wait, so that a bounded queue really bounds memory:
 * the caller decides whether to retry later, shed the work or slow down.
 *
 * @example Shed load when the pool is saturated
 * ```ts
 * import { PoolQueueFullError } from 'baton/node';
 *
 * async function tryRun<T>(work: () => Promise<T>): Promise<T | 'busy'> {
 *   try {
 *     return await work();
 *   } catch (err) {
 *     if (err instanceof PoolQueueFullError) return 'busy';
 *     throw err;
 *   }
 * }
 * console.log(await tryRun(() => Promise.reject(new PoolQueueFullError()))); // 'busy'
 * ```
 */
export class PoolQueueFullError extends BatonError {
  override readonly name = 'PoolQueueFullError';

  constructor(message = 'The worker pool\'s queue is full', options?: ErrorOptions) {
    super(message, 'BATON_POOL_QUEUE_FULL', options);
  }
}

/**
 * Whether `err` is a cancellation rather than a failure: baton's
 * {@link CancelledError} and {@link TimeoutError}, and the platform's
 * `AbortError` and `TimeoutError` (the `DOMException`s that `fetch`, `fs`,
 * `timers/promises` and `AbortSignal.timeout()` raise).
 *
 * @example Ignore cancellations, report failures
 * ```ts
 * import { isCancellation } from 'baton';
 *
 * const controller = new AbortController();
 * controller.abort();
 * console.log(isCancellation(controller.signal.reason)); // true: an AbortError DOMException
 * console.log(isCancellation(new Error('boom'))); // false
 * ```
 */
export function isCancellation(err: unknown): boolean {
  if (err instanceof CancelledError || err instanceof TimeoutError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  // Another copy of baton (two versions in one bundle) has other classes:
  // its errors are recognised by their stable code.
  if (code === 'BATON_CANCELLED' || code === 'BATON_TIMEOUT') return true;
  // DOMException is global on every runtime baton supports, but realms differ
  // (a worker, a vm context), so the check is by name, not by class.
  return (
    (name === 'AbortError' || name === 'TimeoutError') &&
    (err instanceof Error || isDomException(err))
  );
}

function isDomException(err: object): boolean {
  return typeof DOMException === 'function' && err instanceof DOMException;
}
