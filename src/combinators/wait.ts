/**
 * `wait`: watch a set of tasks without touching them.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import { Task, unwatchTask, watchTask } from '../core/task.js';
import { describe, expectDuration, expectOptions, expectSignal } from '../core/validate.js';
import type { CompletedTask } from './as-completed.js';

/**
 * When {@link wait} returns:
 * - `'all-completed'` (default): every task has settled;
 * - `'first-completed'`: any task has settled;
 * - `'first-error'`: any task has *failed* (a cancelled task is not an
 *   error), or every task has settled.
 *
 * @example Pick a condition
 * ```ts
 * import { spawn, wait, type ReturnWhen } from 'baton';
 *
 * const when: ReturnWhen = 'first-completed';
 * const { done } = await wait([spawn(async () => 1)], { returnWhen: when });
 * ```
 */
export type ReturnWhen = 'all-completed' | 'first-completed' | 'first-error';

/**
 * Options of {@link wait}.
 *
 * @example Return at the first failure, or after one second at most
 * ```ts
 * import { sleep, spawn, wait, type WaitOptions } from 'baton';
 *
 * const options: WaitOptions = { returnWhen: 'first-error', timeout: 1_000 };
 * const failing = spawn(async () => {
 *   await sleep(10);
 *   throw new Error('disk full');
 * });
 * const slow = spawn((ctx) => sleep(5_000, { signal: ctx.signal }));
 * const { done, pending } = await wait([failing, slow], options);
 * console.log(done.has(failing), pending.has(slow)); // true true
 * await slow.cancel(); // wait never cancels: stop what you no longer need
 * ```
 */
export interface WaitOptions {
  /** Return after this many milliseconds even if the condition is not met. Default: no limit. */
  timeout?: number | undefined;
  /** The condition to wait for. Default `'all-completed'`. */
  returnWhen?: ReturnWhen | undefined;
  /** Stop waiting when it aborts: `wait` rejects with `signal.reason` (the tasks are not touched). */
  signal?: AbortSignal | undefined;
  /** The clock `timeout` runs on. Defaults to the default clock. */
  clock?: Clock | undefined;
}

/**
 * The sets {@link wait} resolves to.
 *
 * @example Split the tasks
 * ```ts
 * import { spawn, wait, type WaitResult, type Task } from 'baton';
 *
 * const result: WaitResult<Task<number>> = await wait([spawn(async () => 1)]);
 * console.log(result.done.size, result.pending.size); // 1 0
 * ```
 */
export interface WaitResult<T> {
  /** The given tasks that have settled. */
  readonly done: Set<T>;
  /** The given tasks still running. */
  readonly pending: Set<T>;
}

const RETURN_WHEN = new Set<unknown>(['all-completed', 'first-completed', 'first-error']);

// One waiter per call: it is the watcher of every task, the timer's argument
// and the abort listener, so a call adds no closure per task.
class Waiter<T extends Task<unknown>> {
  remaining: number;
  handle: unknown = undefined;
  resolve!: (result: WaitResult<T>) => void;
  reject!: (reason: unknown) => void;
  settled = false;
  readonly watcher = (task: Task<unknown>): void => {
    this.remaining--;
    if (
      this.remaining === 0 ||
      this.returnWhen === 'first-completed' ||
      (this.returnWhen === 'first-error' && task.state === 'rejected')
    ) {
      this.finish();
    }
  };

  constructor(
    readonly tasks: readonly T[],
    readonly returnWhen: ReturnWhen,
    readonly clock: Clock,
    readonly signal: AbortSignal | undefined,
  ) {
    this.remaining = tasks.length;
  }

  handleEvent(): void {
    this.cleanup();
    this.reject((this.signal as AbortSignal).reason);
  }

  cleanup(): void {
    this.settled = true;
    for (const task of this.tasks) unwatchTask(task, this.watcher);
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.signal?.removeEventListener('abort', this);
  }

  finish(): void {
    if (this.settled) return;
    this.cleanup();
    this.resolve(split(this.tasks));
  }
}

function split<T extends Task<unknown>>(tasks: readonly T[]): WaitResult<T> {
  const done = new Set<T>();
  const pending = new Set<T>();
  for (const task of tasks) (task.done ? done : pending).add(task);
  return { done, pending };
}

function finishWaiter(waiter: Waiter<Task<unknown>>): void {
  waiter.finish();
}

/**
 * Wait for a set of {@link Task}s without touching them, and resolve to
 * `{ done, pending }`: the given tasks split by whether they have settled.
 * asyncio's `wait`, for baton tasks.
 *
 * - `returnWhen` picks the condition (see {@link ReturnWhen}); `timeout`
 *   (ms) returns early with whatever is done by then.
 * - `wait` never rejects because of a task and never cancels one: a task
 *   still pending when it returns keeps running. Cancel what you no longer
 *   need (`task.cancel()`), or use `race`/`any`/`gather`, which do.
 * - It removes everything it added (task watchers, its timer, its signal
 *   listener) when it returns, so calling it in a polling loop over
 *   long-running tasks leaks nothing.
 * - Empty input resolves at once with two empty sets.
 *
 * @example Give slow tasks two seconds, then cancel the stragglers
 * ```ts
 * import { sleep, spawn, wait } from 'baton';
 *
 * const tasks = [1, 2, 3].map((n) => spawn((ctx) => sleep(n * 1_000, { signal: ctx.signal })));
 * const { done, pending } = await wait(tasks, { timeout: 2_000 });
 * await Promise.all([...pending].map((task) => task.cancel()));
 * console.log(done.size, pending.size); // 2 1
 * ```
 * @throws TypeError / RangeError (as a rejection) for bad tasks or options.
 */
export function wait<T extends Task<unknown> | CompletedTask<unknown>>(tasks: Iterable<T>, options?: WaitOptions): Promise<WaitResult<T>> {
  let list: Task<unknown>[];
  let waiter: Waiter<Task<unknown>>;
  try {
    if (tasks === null || typeof tasks !== 'object' || typeof (tasks)[Symbol.iterator] !== 'function') {
      throw new TypeError(`Expected tasks to be an Iterable of Tasks, got ${describe(tasks)}`);
    }
    list = [...new Set(tasks)] as unknown[] as Task<unknown>[];
    for (const task of list) {
      if (!(task instanceof Task)) {
        throw new TypeError(`Expected tasks to hold only Tasks (from spawn, group.spawn or asCompleted), got ${describe(task)}`);
      }
    }
    expectOptions('options', options);
    const timeout = options?.timeout ?? Infinity;
    expectDuration('options.timeout', timeout, true);
    const returnWhen = options?.returnWhen ?? 'all-completed';
    if (!RETURN_WHEN.has(returnWhen)) {
      throw new TypeError(
        `Expected options.returnWhen to be 'all-completed', 'first-completed' or 'first-error', got ${describe(returnWhen)}`,
      );
    }
    const signal = options?.signal;
    expectSignal('options.signal', signal);
    if (signal?.aborted) return Promise.reject(signal.reason);
    waiter = new Waiter(list, returnWhen, clockOf(options?.clock), signal);
    const result = new Promise<WaitResult<T>>((resolve, reject) => {
      waiter.resolve = resolve as unknown as (result: WaitResult<Task<unknown>>) => void;
      waiter.reject = reject;
    });
    // Already met?
    let doneCount = 0;
    let failed = false;
    for (const task of list) {
      if (task.done) {
        doneCount++;
        if (task.state === 'rejected') failed = true;
      }
    }
    waiter.remaining = list.length - doneCount;
    if (
      waiter.remaining === 0 ||
      (returnWhen === 'first-completed' && doneCount > 0) ||
      (returnWhen === 'first-error' && failed)
    ) {
      waiter.finish();
      return result;
    }
    for (const task of list) if (!task.done) watchTask(task, waiter.watcher);
    if (timeout !== Infinity) waiter.handle = waiter.clock.setTimeout(finishWaiter, timeout, waiter);
    signal?.addEventListener('abort', waiter);
    return result;
  } catch (err) {
    return Promise.reject(err);
  }
}

