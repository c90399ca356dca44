/**
 * Task groups: structured lifetime for tasks that belong together.
 *
 * @packageDocumentation
 */

import { CancelledError, InvalidStateError } from './errors.js';
import { CancelScope } from './scope.js';
import { Task, taskName, type TaskFunction, type TaskOwner } from './task.js';
import { expectFunction, expectOptions, expectSignal } from './validate.js';

/**
 * Options of {@link TaskGroup} and {@link taskGroup}.
 *
 * @example Cancel a whole group from outside
 * ```ts
 * import { isCancellation, sleep, taskGroup, type TaskGroupOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options: TaskGroupOptions = { signal: controller.signal };
 * setTimeout(() => controller.abort(), 50);
 * try {
 *   await taskGroup(async (group) => {
 *     group.spawn((ctx) => sleep(60_000, { signal: ctx.signal }));
 *     await sleep(60_000, { signal: group.signal });
 *   }, options);
 * } catch (err) {
 *   console.log(isCancellation(err)); // true: the controller's AbortError
 * }
 * ```
 */
export interface TaskGroupOptions {
  /** Cancels the whole group (body and children) when it aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `group.spawn()`.
 *
 * @example Name a child task
 * ```ts
 * import { sleep, taskGroup, type GroupSpawnOptions } from 'baton';
 *
 * await taskGroup(async (group) => {
 *   const options: GroupSpawnOptions = { name: 'warm-cache' };
 *   const task = group.spawn((ctx) => sleep(10, { signal: ctx.signal }), options);
 *   console.log(task.name); // 'warm-cache'
 * });
 * ```
 */
export interface GroupSpawnOptions {
  /** A name for messages and debugging. Defaults to the function's name. */
  name?: string | undefined;
}

/**
 * A set of sibling tasks with one lifetime. Disposing the group
 * (`await using`, or `await group[Symbol.asyncDispose]()`) waits until every
 * task spawned into it has settled; the first real failure cancels every
 * other task and is what the group throws, unchanged.
 *
 * Rules, as in Trio's nurseries and asyncio's `TaskGroup`:
 * - The group settles only after every child has settled: nothing outlives it.
 * - The first failure (not a cancellation) aborts `group.signal`, cancelling
 *   all siblings; the group then throws that very error object. Failures of
 *   siblings while they are being cancelled are consequences and discarded.
 * - A child cancelled on its own (`task.cancel()`) is not a failure.
 * - If the caller's `signal` aborts, the children are cancelled and the
 *   group throws `signal.reason` (unless a real failure came first).
 * - `group.cancel()` cancels the children; the group then ends normally.
 * - While the group is cancelled but not finished, `spawn` returns tasks that
 *   are already cancelled and never run; once the group has finished, `spawn`
 *   throws an `InvalidStateError`.
 *
 * JavaScript's `await using` does not tell the group when the block throws,
 * so an exception in the block does not cancel the children: the group waits
 * for them as usual. Prefer {@link taskGroup} when the block itself can fail.
 *
 * @example Structured tasks with `await using`
 * ```ts
 * import { TaskGroup, sleep } from 'baton';
 *
 * {
 *   await using group = new TaskGroup();
 *   group.spawn(async (ctx) => { await sleep(10, { signal: ctx.signal }); console.log('a'); });
 *   group.spawn(async (ctx) => { await sleep(20, { signal: ctx.signal }); console.log('b'); });
 * } // waits here for both: logs 'a', then 'b'
 * ```
 * @see taskGroup
 */
export class TaskGroup implements TaskOwner, AsyncDisposable {
  readonly #scope: CancelScope;
  #active = 0;
  #closing = false;
  #finished = false;
  #failed = false;
  #failure: unknown = undefined;
  #idle: (() => void) | undefined = undefined;
  #disposal: Promise<void> | undefined = undefined;

  /**
   * @throws TypeError if an option has the wrong type.
   */
  constructor(options?: TaskGroupOptions) {
    expectOptions('options', options);
    const signal = options?.signal;
    expectSignal('options.signal', signal);
    this.#scope = new CancelScope(signal);
  }

  /**
   * Aborts when the group is cancelled: by the caller's signal, by the first
   * failure of a child, or by `cancel()`.
   */
  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  /** How many spawned tasks are still running. */
  get activeCount(): number {
    return this.#active;
  }

  /** Whether the group has finished: disposed, with every child settled. */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * Start `fn` as a child of this group and return its {@link Task}. The
   * child's `ctx.signal` aborts when the group is cancelled, or when the task
   * itself is cancelled (`task.cancel()`, which does not touch the group).
   *
   * @throws InvalidStateError if the group has finished.
   * @throws TypeError if `fn` is not a function.
   */
  spawn<T>(fn: TaskFunction<T>, options?: GroupSpawnOptions): Task<T> {
    expectFunction('fn', fn);
    expectOptions('options', options);
    const name = taskName(options?.name, fn);
    if (this.#finished) {
      throw new InvalidStateError(`Cannot spawn ${JSON.stringify(name)}: the task group has finished`);
    }
    const scope = new CancelScope(this.#scope);
    if (scope.cancelled) return new Task(fn, name, scope, undefined);
    this.#active++;
    return new Task(fn, name, scope, this);
  }

  /**
   * Cancel every child (and `group.signal`). The group still waits for them
   * to settle; it then ends normally rather than failing.
   */
  cancel(reason?: unknown): void {
    this.#scope.cancel(reason === undefined ? new CancelledError('The task group was cancelled') : reason);
  }

  /** @internal */
  taskSettled(task: Task<unknown>): void {
    if (task.state === 'rejected') {
      let error: unknown;
      try {
        task.result();
      } catch (err) {
        error = err;
      }
      this.fail(error);
    }
    if (--this.#active === 0 && this.#closing) this.#idle?.();
  }

  /** @internal Record a failure of the group's work; the first one wins and cancels the rest. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    this.#scope.cancel(new CancelledError('Cancelled because a sibling task failed', { cause: error }));
  }

  /**
   * Wait for every child to settle, then finish the group. Rejects with the
   * first real failure, or with the caller's `signal.reason` if it aborted.
   * Calling it again returns the same promise.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return (this.#disposal ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#closing = true;
    // A loop, not an if: code that runs when the last child settles may
    // spawn another before this resumes.
    while (this.#active > 0) {
      await new Promise<void>((resolve) => {
        this.#idle = resolve;
      });
    }
    this.#finished = true;
    const scope = this.#scope;
    scope.close();
    if (this.#failed) throw this.#failure;
    if (scope.cancelledByParent) throw scope.reason;
  }
}

/**
 * Run `body` with a {@link TaskGroup}: the body and the tasks it spawns are
 * siblings, and `taskGroup` settles only after all of them have.
 *
 * - Resolves with the body's return value once every child has settled.
 * - The first real failure (of the body or of any child) cancels all the
 *   others, and `taskGroup` rejects with that very error once they have
 *   settled.
 * - If `signal` aborts, everything is cancelled and `taskGroup` rejects with
 *   `signal.reason`; an already-aborted signal rejects at once and runs
 *   nothing.
 * - `group.cancel()` cancels the children; the group resolves with the body's
 *   value if the body returns one, and rejects with the cancellation if the
 *   body itself ended cancelled (it has no value to give).
 *
 * @example Fetch two things at once; if one fails, the other is cancelled
 * ```ts
 * import { taskGroup } from 'baton';
 *
 * const [user, posts] = await taskGroup(async (group) => {
 *   const user = group.spawn((ctx) => fetch('https://example.com/user', { signal: ctx.signal }));
 *   const posts = group.spawn((ctx) => fetch('https://example.com/posts', { signal: ctx.signal }));
 *   return [await user, await posts];
 * });
 * ```
 * @throws TypeError if `body` is not a function or an option has the wrong type.
 * @see TaskGroup for the class form, usable with `await using`.
 */
export async function taskGroup<T>(
  body: (group: TaskGroup) => T | PromiseLike<T>,
  options?: TaskGroupOptions,
): Promise<T> {
  expectFunction('body', body);
  const group = new TaskGroup(options);
  const signal = options?.signal;
  // An already-aborted signal starts nothing (the group holds no listener).
  if (signal?.aborted) throw signal.reason;
  const main = group.spawn(() => body(group), { name: body.name === '' ? 'body' : body.name });
  await group[Symbol.asyncDispose]();
  // Every child has settled and nothing failed. A body cancelled by
  // `group.cancel()` ends the group normally but has no value to return.
  return main.result();
}
