/**
 * The entry point of a Node program built on baton.
 *
 * @packageDocumentation
 */

// Why `run` is shaped as it is:
//
// - The program's `main` gets a cancel scope as its context, so the first
//   SIGINT or SIGTERM aborts `ctx.signal` and the whole tree of work started
//   from it unwinds through the signals, exactly as any other cancellation
//   in baton does. Nothing is abandoned: `run` waits for `main`.
// - The top-level `run` owns the process: it installs the signal handlers,
//   reports `main`'s failure, sets the exit code, and never rejects (there is
//   no caller above it that could handle a rejection; it would only be
//   printed a second time as an unhandled rejection). A nested `run` owns
//   nothing: it is a child of the outer one, and behaves like a plain call.
// - It never calls `process.exit()` for a normal ending, so buffered output
//   is flushed and `beforeExit` handlers run. The two exceptions are the
//   user's explicit requests to stop waiting: a second signal, and the end
//   of the grace period.

import { constants } from 'node:os';
import { clockOf } from '../core/clock.js';
import { CancelledError } from '../core/errors.js';
import { CancelScope } from '../core/scope.js';
import type { TaskFunction } from '../core/task.js';
import { describe, expectDuration, expectFunction, expectOptions } from '../core/validate.js';

/**
 * Options of {@link run}.
 *
 * @example Also stop on SIGHUP, and give cleanup ten seconds
 * ```ts
 * import { run, type RunOptions } from 'baton/node';
 * import { sleep } from 'baton';
 *
 * const options: RunOptions = { signals: ['SIGINT', 'SIGTERM', 'SIGHUP'], gracePeriod: 10_000 };
 * await run((ctx) => sleep(1_000, { signal: ctx.signal }), options);
 * ```
 */
export interface RunOptions {
  /**
   * The signals that cancel `main`. Default `['SIGINT', 'SIGTERM']`.
   * `SIGKILL` and `SIGSTOP` cannot be caught and are refused.
   */
  signals?: readonly NodeJS.Signals[] | undefined;
  /**
   * How long to wait for `main` to unwind after the first signal, in ms,
   * before exiting anyway with the signal's exit code. Default `Infinity`:
   * wait for `main` (a second signal still exits at once).
   */
  gracePeriod?: number | undefined;
  /**
   * Whether `run` sets `process.exitCode` when `main` has ended: 1 after a
   * failure, 128 + the signal's number after a signal (130 for SIGINT, 143
   * for SIGTERM). Default `true`. A second signal and the end of the grace
   * period exit the process either way.
   */
  setExitCode?: boolean | undefined;
}

// The top-level run in progress, if any: a `run` called while it is set is
// nested, and runs as its child.
let active: CancelScope | undefined;

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

function expectSignals(value: unknown): asserts value is readonly NodeJS.Signals[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`Expected options.signals to be an array of signal names, got ${describe(value)}`);
  }
  for (const signal of value as unknown[]) {
    if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) {
      throw new (typeof signal === 'string' ? RangeError : TypeError)(
        `Expected options.signals to hold signal names such as 'SIGINT', got ${describe(signal)}`,
      );
    }
    if (signal === 'SIGKILL' || signal === 'SIGSTOP') {
      throw new RangeError(`Expected options.signals to hold signals a process can catch, got ${describe(signal)}`);
    }
  }
}

class Interrupts {
  received: NodeJS.Signals | undefined = undefined;
  graceTimer: unknown = undefined;
  readonly listener = (signal: NodeJS.Signals): void => this.onSignal(signal);
  readonly clock = clockOf(undefined);

  constructor(
    readonly scope: CancelScope,
    readonly gracePeriod: number,
  ) {}

  onSignal(signal: NodeJS.Signals): void {
    if (this.received === undefined) {
      this.received = signal;
      this.scope.cancel(new CancelledError(`Cancelled by ${signal}`));
      if (this.gracePeriod !== Infinity) {
        this.graceTimer = this.clock.setTimeout(graceOver, this.gracePeriod, this);
      }
      return;
    }
    process.stderr.write(`Received ${signal} again: exiting without waiting for cleanup to finish\n`);
    process.exit(exitCodeOf(signal));
  }
}

function graceOver(interrupts: Interrupts): void {
  const signal = interrupts.received as NodeJS.Signals;
  process.stderr.write(
    `Cleanup after ${signal} did not finish within the grace period of ${interrupts.gracePeriod} ms: exiting\n`,
  );
  process.exit(exitCodeOf(signal));
}

/**
 * Run `main` as the entry point of a Node program, asyncio.run's role
 * without its traps (lost Ctrl-C, a `RuntimeError` when nested).
 *
 * - `main(ctx)` gets `ctx.signal`. The **first** SIGINT or SIGTERM aborts
 *   it with a `CancelledError` ("Cancelled by SIGINT"), so everything `main`
 *   started unwinds through the signals; `run` waits for `main` to settle.
 *   A **second** signal exits at once (`process.exit`, code 130 or 143).
 *   With `gracePeriod`, the process also exits when the first signal is
 *   that old and `main` has still not finished.
 * - **Exit codes** (`process.exitCode`, unless `setExitCode: false`): left
 *   alone (0) when `main` succeeds; 1 when it fails, after printing the error
 *   to stderr; 128 + the signal's number (130 for SIGINT, 143 for SIGTERM)
 *   after a signal, however `main` then ends, unless it fails with a real
 *   error (a failed cleanup), which is printed and gives 1.
 * - **Resolves, never rejects** because of `main`: to `main`'s value, or to
 *   `undefined` when `main` failed or was cancelled by a signal. The
 *   cancellation is never re-thrown, and a failure is reported once, by
 *   `run`, not a second time as an unhandled rejection.
 * - The signal handlers are installed when `run` starts and removed when it
 *   settles, so a later Ctrl-C has Node's default effect and the process
 *   exits when its work is done. `run` never calls `process.exit()` for a
 *   normal ending, so output is flushed.
 *
 * **Nested calls.** A `run` called while another `run` is active installs
 * no handlers and touches no exit code: it runs `main` as a child of the
 * outer `run` (its `ctx.signal` aborts when the outer one's does) and
 * behaves like a plain call, resolving to `main`'s value or rejecting with
 * its error or cancellation. So a program's `main` can call another
 * program's `run`-based entry point. Python's `asyncio.run` raises
 * `RuntimeError` when called from a running event loop instead.
 *
 * @example A program that stops cleanly on Ctrl-C
 * ```ts
 * import { run } from 'baton/node';
 * import { sleep } from 'baton';
 *
 * await run(async (ctx) => {
 *   try {
 *     while (true) {
 *       console.log('working');
 *       await sleep(1_000, { signal: ctx.signal });
 *     }
 *   } finally {
 *     console.log('cleaning up'); // runs on the first Ctrl-C; the exit code is then 130
 *   }
 * });
 * ```
 * @example Use main's value, and keep the exit code for yourself
 * ```ts
 * import { run } from 'baton/node';
 *
 * const total = await run(async () => 40 + 2, { setExitCode: false });
 * console.log(total); // 42 (undefined if main failed or a signal stopped it)
 * ```
 * @throws TypeError / RangeError (as a rejection) for a bad `main` or option.
 */
export async function run<T>(main: TaskFunction<T>, options?: RunOptions): Promise<T | undefined> {
  expectFunction('main', main);
  expectOptions('options', options);
  const requested = options?.signals ?? DEFAULT_SIGNALS;
  expectSignals(requested);
  // Once each: a signal listed twice must not count as a second signal.
  const signals = [...new Set(requested)];
  const gracePeriod = options?.gracePeriod ?? Infinity;
  expectDuration('options.gracePeriod', gracePeriod, true);
  const setExitCode = options?.setExitCode ?? true;
  if (typeof setExitCode !== 'boolean') {
    throw new TypeError(`Expected options.setExitCode to be a boolean, got ${describe(setExitCode)}`);
  }

  const outer = active;
  if (outer !== undefined) return runNested(outer, main);

  const scope = new CancelScope();
  const interrupts = new Interrupts(scope, gracePeriod);
  active = scope;
  try {
    for (const signal of signals) process.on(signal, interrupts.listener);
    const value = await main(scope);
    if (interrupts.received !== undefined && setExitCode) process.exitCode = exitCodeOf(interrupts.received);
    return value;
  } catch (err) {
    if (interrupts.received !== undefined && scope.isCancellationOf(err)) {
      if (setExitCode) process.exitCode = exitCodeOf(interrupts.received);
      return undefined;
    }
    console.error(err);
    if (setExitCode) process.exitCode = 1;
    return undefined;
  } finally {
    for (const signal of signals) process.off(signal, interrupts.listener);
    if (interrupts.graceTimer !== undefined) interrupts.clock.clearTimeout(interrupts.graceTimer);
    scope.close();
    active = undefined;
  }
}

async function runNested<T>(outer: CancelScope, main: TaskFunction<T>): Promise<T> {
  // Like spawn(): work under a scope that is already cancelled never starts.
  if (outer.cancelled) throw outer.reason;
  const scope = new CancelScope(outer);
  try {
    return await main(scope);
  } finally {
    scope.close();
  }
}
