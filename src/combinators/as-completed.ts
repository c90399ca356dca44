/**
 * `asCompleted`: tasks handed out in the order they finish.
 *
 * @packageDocumentation
 */

import type { ItemLimiter, Limiter } from '../core/limiter.js';
import { CancelScope, type TaskContext } from '../core/scope.js';
import { Task } from '../core/task.js';
import type { Context} from './engine.js';
import { Run, expectIterable, readRunOptions, observeThenables, runInput, type ItemContext } from './engine.js';
import type { AnyInput, GatherValue } from './gather.js';
import { CancelledError } from '../core/errors.js';

/**
 * The static type of what {@link asCompleted} hands out: a settled
 * {@link Task} seen without its promise methods. At run time it *is* the
 * Task (awaitable, `instanceof Task`); the type leaves out `then` because
 * TypeScript types `for await (const x of ...)` as the awaited element, which
 * would turn a `Task<T>` into a bare `T`. The task has settled when you get
 * it, so read it with `state` and `result()`.
 *
 * @example Read a completed task
 * ```ts
 * import { asCompleted, type CompletedTask } from 'baton';
 *
 * for await (const task of asCompleted([async () => 1, async () => 2])) {
 *   const t: CompletedTask<number> = task;
 *   if (t.state === 'fulfilled') console.log(t.name, t.result());
 * }
 * ```
 */
export type CompletedTask<T> = Omit<Task<T>, 'then' | 'catch' | 'finally'>;

/**
 * Options of {@link asCompleted}.
 *
 * @example Two at a time: a slot freed early goes to the next input
 * ```ts
 * import { asCompleted, sleep, type AsCompletedOptions, type TaskContext } from 'baton';
 *
 * const controller = new AbortController(); // controller.abort() would end the loop with its reason
 * const options: AsCompletedOptions = { concurrency: 2, signal: controller.signal };
 * const jobs = [30, 10, 5].map((ms) => async (ctx: TaskContext) => {
 *   await sleep(ms, { signal: ctx.signal });
 *   return ms;
 * });
 * for await (const task of asCompleted(jobs, options)) {
 *   console.log(task.result()); // 10, then 5 (started when 10 finished), then 30
 * }
 * ```
 */
export interface AsCompletedOptions {
  /** At most this many task functions run at once: an integer >= 1, or `Infinity` (the default). */
  concurrency?: number | undefined;
  /** One or more limiters each task must get a permit from before it starts. */
  limiter?: Limiter | ItemLimiter | readonly (Limiter | ItemLimiter)[] | undefined;
  /** Cancels everything; the loop throws `signal.reason` once the started tasks have settled. */
  signal?: AbortSignal | undefined;
}

// The engine awaits what the task function returns, and a Task is awaitable:
// it would be unwrapped to its value. Each settled task therefore travels in
// a one-field box.
interface Box {
  readonly task: Task<unknown>;
}

class CompletedRun extends Run<unknown, Box> implements AsyncIterableIterator<Task<unknown>> {
  #ready: Task<unknown>[] = [];
  #readyHead = 0;
  #waiting: { resolve: (r: IteratorResult<Task<unknown>>) => void; reject: (e: unknown) => void } | undefined;
  #started = false;
  #done = false;
  #onFinished: (() => void)[] = [];

  constructor(input: Iterable<unknown> | AsyncIterable<unknown>, concurrency: number, limiters: readonly (Limiter | ItemLimiter)[], signal: AbortSignal | undefined) {
    super(input, startTask, concurrency, limiters, signal);
  }

  taskFulfilled(_index: number, box: Box): void {
    this.#ready.push(box.task);
    this.#deliver();
  }

  taskRejected(_index: number, error: unknown): void {
    // startTask never rejects; anything here is a bug worth surfacing.
    this.fail(error);
  }

  finished(): void {
    for (const resolve of this.#onFinished) resolve();
    this.#onFinished = [];
    this.#deliver();
  }

  #deliver(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (!this.failed && !this.scope.cancelledByParent && this.#readyHead < this.#ready.length) {
      const task = this.#ready[this.#readyHead] as Task<unknown>;
      this.#ready[this.#readyHead++] = undefined as unknown as Task<unknown>;
      if (this.#readyHead === this.#ready.length) {
        this.#ready = [];
        this.#readyHead = 0;
      }
      this.#waiting = undefined;
      // Resolving with { value: task } does not unwrap the (thenable) task.
      waiting.resolve({ done: false, value: task });
      return;
    }
    if (!this.isFinished) return;
    this.#waiting = undefined;
    this.#done = true;
    if (this.failed) waiting.reject(this.failure);
    else if (this.scope.cancelledByParent) waiting.reject(this.scope.reason);
    else waiting.resolve({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<Task<unknown>>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    if (this.#waiting !== undefined) {
      return Promise.reject(new TypeError('asCompleted: next() called again before the previous call settled; consume it with for await'));
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      if (!this.#started) {
        this.#started = true;
        this.start();
      }
      this.#deliver();
    });
  }

  async return(): Promise<IteratorResult<Task<unknown>>> {
    if (!this.#done) {
      this.#done = true;
      this.#started = true;
      this.stop(new CancelledError('The consumer stopped iterating'));
      if (!this.isFinished) await new Promise<void>((resolve) => this.#onFinished.push(resolve));
      if (this.failed) throw this.failure;
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

async function startTask(input: unknown, ctx: ItemContext): Promise<Box> {
  const fn =
    typeof input === 'function'
      ? (input as (ctx: TaskContext) => unknown)
      : (own: TaskContext) => runInput(input, own as ItemContext);
  const name = typeof input === 'function' && input.name !== '' ? input.name : `#${ctx.index}`;
  // Each task gets its own scope under the run's: cancelling the run
  // cancels them all, and a task's signal (and its listeners) stay its own.
  const task = new Task(fn, name, new CancelScope((ctx as Context).scope), undefined);
  await task.settled();
  return { task };
}

/**
 * Run the inputs concurrently and hand out their {@link Task}s as they
 * finish, fastest first: the JavaScript version of `asyncio.as_completed`,
 * with the task itself (so you know which one finished) rather than a bare
 * value.
 *
 * - A failed task is handed out like any other: check `task.state`, or
 *   call `task.result()` to get its value or throw its error. (The static
 *   type is {@link CompletedTask}; at run time each one is the `Task` itself.) One failure
 *   does not stop the others.
 * - Input is pulled lazily (any Iterable or AsyncIterable), limited by
 *   `concurrency` and `limiter`, and nothing starts until the loop asks for
 *   the first task. A promise input becomes a task too, so (unlike in
 *   `gather`) it holds a slot while it is awaited; the call stops waiting
 *   for it when cancelled.
 * - Leaving the loop early cancels the tasks still running, waits for them,
 *   and closes the input. `signal` cancels everything; the loop then throws
 *   `signal.reason`.
 *
 * @example Use the first mirror that answers well, in finishing order
 * ```ts
 * import { asCompleted, type TaskContext } from 'baton';
 *
 * const mirrors = ['https://a.example.com/file', 'https://b.example.com/file'];
 * for await (const task of asCompleted(mirrors.map((url) => (ctx: TaskContext) => fetch(url, { signal: ctx.signal })))) {
 *   if (task.state === 'fulfilled' && task.result().ok) {
 *     console.log('got it from', task.name);
 *     break; // the slower requests are cancelled
 *   }
 * }
 * ```
 * @throws TypeError / RangeError at the call for a bad input or option.
 */
export function asCompleted<I extends AnyInput>(
  inputs: Iterable<I> | AsyncIterable<I>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<CompletedTask<GatherValue<I>>> {
  // Bad arguments fail at the call, like every other baton call.
  expectIterable('inputs', inputs);
  const { concurrency, limiters, signal } = readRunOptions(options);
  if (Array.isArray(inputs)) observeThenables(inputs);
  return new CompletedRun(inputs, concurrency, limiters, signal) as unknown as AsyncIterableIterator<CompletedTask<GatherValue<I>>>;
}
