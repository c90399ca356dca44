/**
 * Tasks: a running task function with a handle to watch, await and cancel it.
 *
 * @packageDocumentation
 */

import { CancelledError, InvalidStateError } from './errors.js';
import { CancelScope, type TaskContext } from './scope.js';
import { expectFunction, expectOptions, expectSignal, describe } from './validate.js';

export type { TaskContext } from './scope.js';

/**
 * A task function: receives a context whose `signal` aborts when the work is
 * cancelled, and returns a value or a promise of one.
 *
 * @example A task function that honours cancellation
 * ```ts
 * import { spawn, type TaskFunction } from 'baton';
 *
 * const download: TaskFunction<string> = async (ctx) => {
 *   const response = await fetch('https://example.com/', { signal: ctx.signal });
 *   return response.text();
 * };
 * const task = spawn(download);
 * await task.cancel();
 * ```
 */
export type TaskFunction<T> = (ctx: TaskContext) => T | PromiseLike<T>;

/**
 * Where a task is in its life:
 * - `'running'`: its function has not settled yet;
 * - `'fulfilled'`: it returned a value;
 * - `'rejected'`: it failed;
 * - `'cancelled'`: its signal was aborted and it then rejected with a
 *   cancellation (the signal's reason, or anything `isCancellation` accepts).
 *
 * @example Check how a task ended
 * ```ts
 * import { spawn, type TaskState } from 'baton';
 *
 * const task = spawn(async () => 1);
 * await task;
 * const state: TaskState = task.state; // 'fulfilled'
 * ```
 */
export type TaskState = 'running' | 'fulfilled' | 'rejected' | 'cancelled';

/**
 * Options of {@link spawn}.
 *
 * @example Name a task and tie it to a signal
 * ```ts
 * import { sleep, spawn, type SpawnOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options: SpawnOptions = { signal: controller.signal, name: 'poller' };
 * const task = spawn((ctx) => sleep(60_000, { signal: ctx.signal }), options);
 * controller.abort();
 * await task.settled();
 * console.log(task.name, task.state); // 'poller' 'cancelled'
 * ```
 */
export interface SpawnOptions {
  /** Cancels the task when it aborts. The task removes its listener when it settles. */
  signal?: AbortSignal | undefined;
  /** A name for messages and debugging. Defaults to the function's name. */
  name?: string | undefined;
}

/** Receives a task's settlement. Internal: the task group's hook. */
export interface TaskOwner {
  taskSettled(task: Task<unknown>): void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  const d = {} as Deferred<T>;
  d.promise = new Promise<T>((resolve, reject) => {
    d.resolve = resolve;
    d.reject = reject;
  });
  return d;
}

/**
 * @internal Call `watcher(task)` when `task` settles. Returns false (and does
 * not watch) if it has already settled.
 */
export let watchTask: (task: Task<unknown>, watcher: (task: Task<unknown>) => void) => boolean;
/** @internal Stop watching. */
export let unwatchTask: (task: Task<unknown>, watcher: (task: Task<unknown>) => void) => void;

/**
 * A handle on running work, made by {@link spawn} or `group.spawn()`.
 *
 * A task is awaitable: `await task` gives its value, or throws its error (a
 * cancelled task throws its cancellation). It also answers without waiting:
 * `state`, `done` and `result()`.
 *
 * A task's failure is never lost: it is held by the handle until someone
 * looks (`await`, `then`, `result()`); a task in a group also fails its group.
 *
 * @example Start work, do something else, then collect it
 * ```ts
 * import { spawn } from 'baton';
 *
 * const task = spawn(async () => 6 * 7, { name: 'answer' });
 * console.log(task.state); // 'running'
 * console.log(await task); // 42
 * console.log(task.state, task.result()); // 'fulfilled' 42
 * ```
 */
export class Task<T> implements PromiseLike<T> {
  /** The task's name: the `name` option, or the function's name. */
  readonly name: string;

  #state: TaskState = 'running';
  #value: T | undefined = undefined;
  #error: unknown = undefined;
  readonly #scope: CancelScope;
  #owner: TaskOwner | undefined;
  #settled: Deferred<void> | undefined = undefined;
  // Typed `unknown`, not T: a field holding a `resolve(value: T)` would make
  // Task invariant, and a Task<number> must be usable as a Task<unknown>.
  #outcome: Deferred<unknown> | undefined = undefined;
  // Callbacks run synchronously at settlement (for `wait`), removable, unlike
  // promise handlers: a `wait` that times out must not leave a handler behind
  // on a task that runs for hours.
  #watchers: Set<(task: Task<unknown>) => void> | undefined = undefined;

  static {
    watchTask = (task, watcher) => {
      if (task.#state !== 'running') return false;
      (task.#watchers ??= new Set()).add(watcher);
      return true;
    };
    unwatchTask = (task, watcher) => {
      task.#watchers?.delete(watcher);
    };
  }

  /** @internal Use {@link spawn} or `group.spawn()`. */
  constructor(fn: TaskFunction<T>, name: string, scope: CancelScope, owner: TaskOwner | undefined) {
    this.name = name;
    this.#scope = scope;
    this.#owner = owner;
    if (scope.cancelled) {
      // An already-cancelled parent starts nothing.
      this.#settle('cancelled', undefined, scope.reason);
      return;
    }
    let result: T | PromiseLike<T>;
    try {
      result = fn(scope);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.#settle('fulfilled', value, undefined),
        (err: unknown) => this.#fail(err),
      );
    } else {
      this.#settle('fulfilled', result, undefined);
    }
  }

  /** `'running'`, `'fulfilled'`, `'rejected'` or `'cancelled'`. */
  get state(): TaskState {
    return this.#state;
  }

  /** Whether the task has settled (any state but `'running'`). */
  get done(): boolean {
    return this.#state !== 'running';
  }

  /**
   * The task's value. Throws its error if it failed, its cancellation if it
   * was cancelled, and an `InvalidStateError` if it is still running.
   */
  result(): T {
    switch (this.#state) {
      case 'fulfilled':
        return this.#value as T;
      case 'running':
        throw new InvalidStateError(`Task ${JSON.stringify(this.name)} is still running; await it first`);
      default:
        throw this.#error;
    }
  }

  /**
   * Ask the task to stop: abort its signal with `reason` (a `CancelledError`
   * by default). Cancellation is cooperative: a function that ignores its
   * signal runs on to its end. The returned promise resolves (never rejects)
   * once the task has settled, whatever its outcome, so `await task.cancel()`
   * waits for cleanup to finish. Cancelling a settled task does nothing.
   */
  cancel(reason?: unknown): Promise<void> {
    if (this.#state === 'running') {
      this.#scope.cancel(reason === undefined ? new CancelledError(`Task ${JSON.stringify(this.name)} was cancelled`) : reason);
    }
    return this.settled();
  }

  /** A promise that resolves (never rejects) once the task has settled. */
  settled(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    return (this.#settled ??= deferred<void>()).promise;
  }

  /** Await the task: its value, or its error. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise().then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#promise().then(undefined, onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#promise().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'Task';
  }

  #promise(): Promise<T> {
    switch (this.#state) {
      case 'running':
        return (this.#outcome ??= deferred<unknown>()).promise as Promise<T>;
      case 'fulfilled':
        return Promise.resolve(this.#value as T);
      default:
        return Promise.reject(this.#error);
    }
  }

  #fail(err: unknown): void {
    this.#settle(this.#scope.isCancellationOf(err) ? 'cancelled' : 'rejected', undefined, err);
  }

  #settle(state: TaskState, value: T | undefined, error: unknown): void {
    if (this.#state !== 'running') return; // a thenable that calls back twice
    this.#state = state;
    this.#value = value;
    this.#error = error;
    this.#scope.close();
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      if (state === 'fulfilled') outcome.resolve(value);
      else outcome.reject(error);
    }
    this.#settled?.resolve();
    const watchers = this.#watchers;
    if (watchers !== undefined) {
      this.#watchers = undefined;
      for (const watcher of watchers) watcher(this);
    }
    const owner = this.#owner;
    if (owner !== undefined) {
      this.#owner = undefined;
      owner.taskSettled(this);
    }
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}

/**
 * Start `fn` now and return a {@link Task} handle for it.
 *
 * This is baton's one *unstructured* call: nothing waits for the task unless
 * you do. Prefer `taskGroup` (or a combinator) when work belongs to a larger
 * operation, so it cannot outlive it. Use `spawn` for work whose lifetime you
 * manage yourself, and give it a `signal` so it can be stopped.
 *
 * `fn` runs synchronously up to its first `await`; a synchronous throw becomes
 * the task's failure. With an already-aborted `signal`, `fn` never runs and
 * the task is `'cancelled'` at once.
 *
 * @example Run background work you can stop
 * ```ts
 * import { sleep, spawn } from 'baton';
 *
 * const controller = new AbortController();
 * const heartbeat = spawn(
 *   async (ctx) => {
 *     for (;;) {
 *       await sleep(1_000, { signal: ctx.signal });
 *       console.log('still here');
 *     }
 *   },
 *   { signal: controller.signal, name: 'heartbeat' },
 * );
 * controller.abort();
 * await heartbeat.settled();
 * console.log(heartbeat.state); // 'cancelled'
 * ```
 * @throws TypeError if `fn` is not a function or an option has the wrong type.
 * @see taskGroup for structured tasks.
 */
export function spawn<T>(fn: TaskFunction<T>, options?: SpawnOptions): Task<T> {
  expectFunction('fn', fn);
  expectOptions('options', options);
  const signal = options?.signal;
  expectSignal('options.signal', signal);
  const name = taskName(options?.name, fn);
  return new Task(fn, name, new CancelScope(signal), undefined);
}

/** @internal The name a task gets: the option, else the function's name. */
export function taskName(name: unknown, fn: { name: string }): string {
  if (name === undefined) return fn.name === '' ? 'anonymous' : fn.name;
  if (typeof name !== 'string') {
    throw new TypeError(`Expected options.name to be a string, got ${describe(name)}`);
  }
  return name;
}
