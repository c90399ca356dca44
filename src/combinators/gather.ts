/**
 * `gather`: run several different tasks at once and collect their results in
 * order.
 *
 * @packageDocumentation
 */

import type { ItemLimiter, Limiter } from '../core/limiter.js';
import type { TaskContext } from '../core/scope.js';
import { ArrayRun, expectBoolean } from './map.js';
import { observeThenables, readRunOptions, runInput } from './engine.js';
import { describe } from '../core/validate.js';

/**
 * What {@link gather} accepts: a task function (started by gather, with a
 * `ctx.signal` gather can abort), or a promise or plain value (already
 * running: it takes no slot, cannot be cancelled, and is not waited for
 * once gather has failed or been cancelled).
 *
 * @example Mix task functions and a promise
 * ```ts
 * import { gather, type GatherInput } from 'baton';
 *
 * const inputs: GatherInput<number>[] = [async () => 1, Promise.resolve(2), 3];
 * console.log(await gather(inputs)); // [1, 2, 3]
 * ```
 */
export type GatherInput<T> = ((ctx: TaskContext) => T | PromiseLike<T>) | PromiseLike<T> | T;

/**
 * Any input {@link gather}, {@link race}, {@link any} and `asCompleted`
 * accept. Spelled out (rather than `unknown`) so that a task function in the
 * input gets its `ctx` parameter typed.
 *
 * @example Accept inputs generically
 * ```ts
 * import { gather, type AnyInput } from 'baton';
 *
 * async function all<I extends readonly AnyInput[]>(inputs: I) {
 *   return gather(inputs);
 * }
 * ```
 */
export type AnyInput =
  | ((ctx: TaskContext) => unknown)
  | PromiseLike<unknown>
  | string
  | number
  | bigint
  | boolean
  | symbol
  | null
  | undefined
  | object;

/**
 * The value a {@link GatherInput} produces.
 *
 * @example Infer the result of an input
 * ```ts
 * import type { GatherValue } from 'baton';
 *
 * type User = GatherValue<() => Promise<{ name: string }>>; // { name: string }
 * ```
 */
export type GatherValue<I> = I extends (ctx: TaskContext) => infer R ? Awaited<R> : Awaited<I>;

/**
 * Options of {@link gather}.
 *
 * @example Two at a time, and every outcome instead of the first failure
 * ```ts
 * import { gather, sleep, type GatherOptions } from 'baton';
 *
 * const options = { concurrency: 2, settle: true } satisfies GatherOptions;
 * const outcomes = await gather(
 *   [
 *     async () => 'a',
 *     async (ctx) => {
 *       await sleep(10, { signal: ctx.signal });
 *       throw new Error('b failed');
 *     },
 *     async () => 'c',
 *   ],
 *   options,
 * );
 * console.log(outcomes.map((o) => o.status)); // [ 'fulfilled', 'rejected', 'fulfilled' ]
 * ```
 */
export interface GatherOptions {
  /** At most this many task functions run at once: an integer >= 1, or `Infinity` (the default). */
  concurrency?: number | undefined;
  /** One or more limiters each task must get a permit from before it starts. */
  limiter?: Limiter | ItemLimiter | readonly (Limiter | ItemLimiter)[] | undefined;
  /** Cancels everything gather started; the call rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** `true`: never reject for a task; resolve to `PromiseSettledResult`-shaped entries. */
  settle?: boolean | undefined;
}

/**
 * Run every input concurrently and resolve to their results **in input
 * order**, typed as a tuple: `const [user, posts] = await gather([getUser,
 * getPosts])`.
 *
 * Unlike `Promise.all` and `asyncio.gather`, a failure **cancels the rest**:
 * the first failure aborts the `ctx.signal` of every running task function,
 * starts no more, and gather rejects with that very error once every task
 * function it started has settled. With `settle: true` every input runs to
 * its end and gather resolves to `{ status, value | reason }` entries
 * instead.
 *
 * With `concurrency: n` (or a `limiter`), task functions start in input
 * order, at most n at once. Promises are already running, so they take no
 * slot: gather awaits them on the side, never cancels them, stops waiting
 * for them once it has failed or been cancelled (it owns only what it
 * started), and never lets a rejection of theirs be reported as unhandled.
 *
 * @example Two requests at once, typed results
 * ```ts
 * import { gather } from 'baton';
 *
 * const [user, posts] = await gather([
 *   async (ctx) => (await fetch('https://example.com/user', { signal: ctx.signal })).json() as Promise<{ name: string }>,
 *   async (ctx) => (await fetch('https://example.com/posts', { signal: ctx.signal })).json() as Promise<string[]>,
 * ]);
 * console.log(user.name, posts.length);
 * ```
 * @example Keep going and inspect every outcome
 * ```ts
 * import { gather } from 'baton';
 *
 * const [a, b] = await gather([async () => 1, async () => { throw new Error('b failed'); }], { settle: true });
 * if (b.status === 'rejected') console.log(a, b.reason);
 * ```
 * @throws TypeError / RangeError (as a rejection) for a bad input or option.
 * @see map to apply one function to many items.
 */
export function gather<I extends readonly AnyInput[] | []>(
  inputs: I,
  options?: GatherOptions & { settle?: false | undefined },
): Promise<{ -readonly [K in keyof I]: GatherValue<I[K]> }>;
export function gather<I extends readonly AnyInput[] | []>(
  inputs: I,
  options: GatherOptions & { settle: true },
): Promise<{ -readonly [K in keyof I]: PromiseSettledResult<GatherValue<I[K]>> }>;
export function gather<I extends readonly AnyInput[] | []>(
  inputs: I,
  options?: GatherOptions,
): Promise<{ -readonly [K in keyof I]: GatherValue<I[K]> | PromiseSettledResult<GatherValue<I[K]>> }>;
export function gather(inputs: Iterable<unknown>, options?: GatherOptions): Promise<unknown[]> {
  let run: ArrayRun<unknown, unknown>;
  try {
    if (inputs === null || typeof inputs !== 'object' || typeof (inputs)[Symbol.iterator] !== 'function') {
      throw new TypeError(`Expected inputs to be an array or other Iterable, got ${describe(inputs)}`);
    }
    const list = Array.isArray(inputs) ? (inputs as unknown[]) : [...inputs];
    const { concurrency, limiters, signal } = readRunOptions(options);
    const settle = options?.settle ?? false;
    expectBoolean('options.settle', settle);
    observeThenables(list);
    run = new ArrayRun(list, runInput, concurrency, limiters, signal, settle);
    run.detachThenables = true;
  } catch (err) {
    return Promise.reject(err);
  }
  run.start();
  return run.promise;
}
