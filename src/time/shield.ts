/**
 * Protection from outer cancellation, for cleanup that must finish.
 *
 * @packageDocumentation
 */

import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { expectFunction, expectOptions, expectSignal } from '../core/validate.js';

/**
 * Options of {@link shield}.
 *
 * @example Finish cleanup although the caller has given up
 * ```ts
 * import { shield, sleep, type ShieldOptions } from 'baton';
 *
 * const controller = new AbortController();
 * controller.abort();
 * const options: ShieldOptions = { signal: controller.signal };
 * const closed = await shield(async () => { await sleep(10); return 'closed'; }, options);
 * console.log(closed); // 'closed': the aborted signal did not stop it
 * ```
 */
export interface ShieldOptions {
  /**
   * The caller's signal. It is deliberately *not* passed on: `fn` runs to its
   * end even if it aborts (or has already aborted), and `shield` returns
   * `fn`'s outcome either way.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Run `fn` shielded from the caller's cancellation, as Trio's shielded
 * cancel scopes do: `fn` gets a fresh `ctx.signal` that no outer signal or
 * outer deadline aborts, the call waits for `fn` to finish and returns its
 * outcome (value or error). Use it for cleanup that must run to the end, such
 * as a rollback after a cancelled transaction. The caller sees its own
 * cancellation at its next step that checks its signal.
 *
 * To bound the shielded work, give it its own deadline inside:
 * `shield((ctx) => timeout(5_000, rollback, { signal: ctx.signal }))`.
 *
 * @example Roll back even when cancelled
 * ```ts
 * import { shield, sleep } from 'baton';
 *
 * async function transfer(signal: AbortSignal): Promise<void> {
 *   try {
 *     await sleep(1_000, { signal }); // the transfer itself
 *   } catch (err) {
 *     // Runs to the end although `signal` has aborted.
 *     await shield(async () => { await sleep(10); console.log('rolled back'); }, { signal });
 *     throw err;
 *   }
 * }
 * const controller = new AbortController();
 * const done = transfer(controller.signal);
 * controller.abort();
 * await done.catch(() => {}); // logs 'rolled back' first
 * ```
 * @throws TypeError if `fn` is not a function or an option has the wrong type.
 */
export async function shield<T>(fn: TaskFunction<T>, options?: ShieldOptions): Promise<T> {
  expectFunction('fn', fn);
  expectOptions('options', options);
  expectSignal('options.signal', options?.signal);
  // A scope with no parent: nothing outside can cancel it.
  return await fn(new CancelScope());
}
