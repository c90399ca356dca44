/**
 * `race` and `any`: the first to finish wins, and the losers are cancelled.
 *
 * @packageDocumentation
 */

import { CancelledError } from '../core/errors.js';
import { describe, expectOptions, expectSignal } from '../core/validate.js';
import { Run, observeThenables, runInput } from './engine.js';
import type { AnyInput, GatherValue } from './gather.js';

/**
 * Options of {@link race} and {@link any}.
 *
 * @example Call off the race from outside
 * ```ts
 * import { race, sleep, type RaceOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options: RaceOptions = { signal: controller.signal };
 * setTimeout(() => controller.abort(new Error('user pressed stop')), 10);
 * try {
 *   await race([(ctx) => sleep(1_000, { signal: ctx.signal }), (ctx) => sleep(2_000, { signal: ctx.signal })], options);
 * } catch (err) {
 *   console.log((err as Error).message); // 'user pressed stop': both sleeps were cancelled and awaited
 * }
 * ```
 */
export interface RaceOptions {
  /** Cancels every input; the call rejects with `signal.reason` once they have settled. */
  signal?: AbortSignal | undefined;
}

class RaceRun extends Run<unknown, unknown> {
  readonly promise: Promise<unknown>;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  #decided = false;
  #won = false;
  #value: unknown = undefined;
  #error: unknown = undefined;
  readonly errors: unknown[];

  constructor(
    inputs: readonly unknown[],
    signal: AbortSignal | undefined,
    readonly firstFulfilment: boolean,
  ) {
    super(inputs, runInput, Infinity, [], signal);
    this.detachThenables = true;
    this.errors = firstFulfilment ? new Array<unknown>(inputs.length) : [];
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  taskFulfilled(_index: number, value: unknown): void {
    if (this.#decided || this.scope.cancelled) return;
    this.#decided = true;
    this.#won = true;
    this.#value = value;
    this.stop(new CancelledError(this.firstFulfilment ? 'Another input fulfilled first' : 'Lost the race'));
  }

  taskRejected(index: number, error: unknown, cancelled: boolean): void {
    if (cancelled) return;
    if (this.#decided) {
      // A loser failed for real while being cancelled (a failed cleanup):
      // reported, never dropped.
      if (!this.failed) {
        this.failed = true;
        this.failure = error;
      }
      return;
    }
    if (this.firstFulfilment) {
      this.errors[index] = error;
      return;
    }
    this.#decided = true;
    this.#error = error;
    this.stop(new CancelledError('Lost the race'));
  }

  finished(): void {
    if (this.failed) {
      this.reject(this.failure);
    } else if (this.#decided) {
      if (this.#won) this.resolve(this.#value);
      else this.reject(this.#error);
    } else if (this.scope.cancelledByParent) {
      this.reject(this.scope.reason);
    } else {
      this.reject(new AggregateError(this.errors, 'All inputs failed'));
    }
  }
}

function start(inputs: unknown, options: RaceOptions | undefined, firstFulfilment: boolean, name: string): Promise<unknown> {
  let run: RaceRun;
  try {
    if (inputs === null || typeof inputs !== 'object' || typeof (inputs as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`Expected inputs to be an array or other Iterable, got ${describe(inputs)}`);
    }
    const list = Array.isArray(inputs) ? (inputs as unknown[]) : [...(inputs as Iterable<unknown>)];
    expectOptions('options', options);
    expectSignal('options.signal', options?.signal);
    if (list.length === 0 && !firstFulfilment) {
      throw new RangeError(`Expected inputs to hold at least one input for ${name}(), got an empty list (it would never settle)`);
    }
    observeThenables(list);
    run = new RaceRun(list, options?.signal, firstFulfilment);
  } catch (err) {
    return Promise.reject(err);
  }
  run.start();
  return run.promise;
}

/**
 * Run every input at once; the first to **settle** (fulfil or reject) wins.
 * The losers are cancelled (their `ctx.signal` aborts) and `race` waits for
 * them to settle before it returns the winner's outcome, so nothing is left
 * running. Failures of losers while they are being cancelled are discarded.
 *
 * Unlike `Promise.race`, an empty input is an error (it would never settle).
 *
 * @example Race two mirrors; the slower request is aborted
 * ```ts
 * import { race } from 'baton';
 *
 * const response = await race([
 *   (ctx) => fetch('https://mirror-a.example.com/file', { signal: ctx.signal }),
 *   (ctx) => fetch('https://mirror-b.example.com/file', { signal: ctx.signal }),
 * ]);
 * ```
 * @throws TypeError / RangeError (as a rejection) for bad inputs or options.
 * @see any to wait for the first success instead.
 */
export function race<I extends readonly AnyInput[] | []>(inputs: I, options?: RaceOptions): Promise<GatherValue<I[number]>>;
export function race<I extends AnyInput>(inputs: Iterable<I>, options?: RaceOptions): Promise<GatherValue<I>>;
export function race(inputs: Iterable<unknown>, options?: RaceOptions): Promise<unknown> {
  return start(inputs, options, false, 'race');
}

/**
 * Run every input at once; the first to **fulfil** wins and the others are
 * cancelled and awaited. Failures are ignored while another input may still
 * succeed; if all fail, rejects with an `AggregateError` whose `errors` are
 * in input order (an empty input rejects with an empty one, as
 * `Promise.any` does).
 *
 * @example The first healthy replica answers
 * ```ts
 * import { any } from 'baton';
 *
 * const replicas = ['https://r1.example.com/health', 'https://r2.example.com/health'];
 * const healthy = await any(
 *   replicas.map((url) => async (ctx: { signal: AbortSignal }) => {
 *     const res = await fetch(url, { signal: ctx.signal });
 *     if (!res.ok) throw new Error(`${url}: ${res.status}`);
 *     return url;
 *   }),
 * );
 * ```
 * @throws TypeError (as a rejection) for bad inputs or options.
 */
export function any<I extends readonly AnyInput[] | []>(inputs: I, options?: RaceOptions): Promise<GatherValue<I[number]>>;
export function any<I extends AnyInput>(inputs: Iterable<I>, options?: RaceOptions): Promise<GatherValue<I>>;
export function any(inputs: Iterable<unknown>, options?: RaceOptions): Promise<unknown> {
  return start(inputs, options, true, 'any');
}
