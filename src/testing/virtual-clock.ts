/**
 * A virtual clock for tests: timers fire in virtual time, so a suite can
 * check a one-hour timeout in microseconds.
 *
 * @packageDocumentation
 */

import type { Clock } from '../core/clock.js';
import { describe, expectDuration, expectOptions } from '../core/validate.js';

/**
 * Options of {@link VirtualClock}.
 *
 * @example Start at a given time and move time by hand
 * ```ts
 * import { VirtualClock, type VirtualClockOptions } from 'baton/testing';
 *
 * const options: VirtualClockOptions = { start: 1_000, autojump: false };
 * const clock = new VirtualClock(options);
 * await clock.advance(500);
 * console.log(clock.now()); // 1500
 * ```
 */
export interface VirtualClockOptions {
  /** The time `now()` starts at, in milliseconds. Default 0. */
  start?: number | undefined;
  /**
   * Jump to the next virtual timer whenever the program is idle (default
   * `true`). With `false`, time moves only through `advance()`.
   */
  autojump?: boolean | undefined;
}

class VirtualTimer {
  cleared = false;
  constructor(
    readonly time: number,
    readonly seq: number,
    readonly callback: (arg: never) => void,
    readonly arg: unknown,
  ) {}
}

function earlier(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

// Yield one full turn of the event loop: microtasks drain, due real timers and
// I/O callbacks run, then this fires. setImmediate where the platform has it;
// a zero-delay timer elsewhere.
const platformImmediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
const turn: (callback: () => void) => void =
  typeof platformImmediate === 'function'
    ? (callback) => {
        platformImmediate(callback);
      }
    : (callback) => {
        setTimeout(callback, 0);
      };

// Where the platform can tell (Node's process.getActiveResourcesInfo), the
// idleness check also looks for other queued setImmediate callbacks: work
// that yields with setImmediate is still running, so time must not jump yet.
// Checks of virtual clocks are counted out, so two autojumping clocks never
// hold each other back.
const activeResources = (globalThis as { process?: { getActiveResourcesInfo?: () => string[] } }).process
  ?.getActiveResourcesInfo;
let ownChecks = 0;

function otherImmediatesQueued(): boolean {
  if (typeof activeResources !== 'function') return false;
  let immediates = 0;
  for (const resource of activeResources()) if (resource === 'Immediate') immediates++;
  return immediates > ownChecks;
}

function checkTurn(callback: () => void): void {
  ownChecks++;
  turn(() => {
    ownChecks--;
    callback();
  });
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => turn(resolve));
}

/**
 * A {@link Clock} whose time moves only when the test lets it.
 *
 * **Autojump** (the default, after Trio's `MockClock`): when a virtual timer
 * is pending and the event loop has had full turns with nothing else to do
 * (no microtasks, no due real timers, no I/O callbacks), the clock jumps
 * straight to the earliest timer and fires it. A test awaiting
 * `sleep(3_600_000, { clock })` finishes at once, and `clock.now()` then
 * reads 3,600,000 more than before. Because the jump waits for idleness, all
 * the work that a timer's firing sets off happens at that virtual instant,
 * before time moves again.
 *
 * Autojump treats waiting on real I/O as idle (as Trio does), so a test that
 * mixes real I/O with virtual deadlines should use `autojump: false` and
 * {@link VirtualClock.advance}. Idleness is judged by event-loop turns
 * (and, on Node, by queued `setImmediate` callbacks); a *real* timer, even
 * `setTimeout(fn, 0)`, is not waited for, so code under test should take
 * its delays from the clock rather than from the platform's timers.
 *
 * Timers due at the same time fire in the order they were set.
 *
 * @example An hour-long timeout, tested in microseconds
 * ```ts
 * import { TimeoutError, sleep, timeout } from 'baton';
 * import { VirtualClock } from 'baton/testing';
 *
 * const clock = new VirtualClock();
 * const err = await timeout(3_600_000, (ctx) => sleep(Infinity, { signal: ctx.signal }), { clock }).catch((e: unknown) => e);
 * console.log(err instanceof TimeoutError, clock.now()); // true 3600000
 * ```
 * @example Acting between two timers
 * ```ts
 * import { sleep } from 'baton';
 * import { VirtualClock } from 'baton/testing';
 *
 * const clock = new VirtualClock({ autojump: false });
 * let woke = false;
 * const sleeping = sleep(1_000, { clock }).then(() => { woke = true; });
 * await clock.advance(999);
 * console.log(woke); // false
 * await clock.advance(1);
 * console.log(woke); // true
 * await sleeping;
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #autojump: boolean;
  #seq = 0;
  // Binary min-heap ordered by (time, seq); cleared timers are dropped lazily
  // when they reach the top, and counted out of `pendingTimers` at once.
  #heap: VirtualTimer[] = [];
  #live = 0;
  #checkScheduled = false;
  #advancing = false;

  /** @throws TypeError / RangeError for a bad option. */
  constructor(options?: VirtualClockOptions) {
    expectOptions('options', options);
    const start = options?.start ?? 0;
    if (typeof start !== 'number' || !Number.isFinite(start)) {
      throw new TypeError(`Expected options.start to be a finite number, got ${describe(start)}`);
    }
    const autojump = options?.autojump ?? true;
    if (typeof autojump !== 'boolean') {
      throw new TypeError(`Expected options.autojump to be a boolean, got ${describe(autojump)}`);
    }
    this.#now = start;
    this.#autojump = autojump;
  }

  /** The virtual time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Whether the clock jumps to the next timer when the program is idle. Settable. */
  get autojump(): boolean {
    return this.#autojump;
  }

  set autojump(value: boolean) {
    if (typeof value !== 'boolean') {
      throw new TypeError(`Expected autojump to be a boolean, got ${describe(value)}`);
    }
    this.#autojump = value;
    if (value) this.#scheduleCheck();
  }

  /** How many timers are set and have not fired or been cleared. */
  get pendingTimers(): number {
    return this.#live;
  }

  /** {@inheritDoc Clock.setTimeout} */
  setTimeout<A>(callback: (arg: A) => void, ms: number, arg: A): unknown {
    expectDuration('ms', ms, false);
    const timer = new VirtualTimer(this.#now + ms, this.#seq++, callback, arg);
    this.#push(timer);
    this.#live++;
    this.#scheduleCheck();
    return timer;
  }

  /** {@inheritDoc Clock.clearTimeout} */
  clearTimeout(handle: unknown): void {
    if (handle instanceof VirtualTimer && !handle.cleared) {
      handle.cleared = true;
      this.#live--;
    }
  }

  /**
   * Move time forward by `ms`, firing every timer that falls due on the way,
   * in order, each at its own time. After each timer fires, the event loop
   * gets a full turn, so the work it set off (including new timers within
   * the window) happens before time moves on. Resolves once `now()` has
   * reached the target. Autojump is held off while `advance` runs.
   *
   * @throws TypeError / RangeError if `ms` is not a finite number >= 0.
   */
  async advance(ms: number): Promise<void> {
    expectDuration('ms', ms, false);
    const target = this.#now + ms;
    this.#advancing = true;
    try {
      await nextTurn();
      for (let timer = this.#peek(); timer !== undefined && timer.time <= target; timer = this.#peek()) {
        this.#fire();
        await nextTurn();
      }
      this.#now = target;
    } finally {
      this.#advancing = false;
    }
    this.#scheduleCheck();
  }

  /**
   * Fire timers, jumping from one to the next, until none is left or
   * `limit` timers have fired (default 10,000; a guard against timers that
   * re-arm themselves forever). Works with autojump off.
   *
   * @returns how many timers fired.
   */
  async runAll(limit = 10_000): Promise<number> {
    let fired = 0;
    this.#advancing = true;
    try {
      await nextTurn();
      while (fired < limit && this.#peek() !== undefined) {
        this.#fire();
        fired++;
        await nextTurn();
      }
    } finally {
      this.#advancing = false;
    }
    this.#scheduleCheck();
    return fired;
  }

  #scheduleCheck(): void {
    if (this.#checkScheduled || !this.#autojump || this.#live === 0) return;
    this.#checkScheduled = true;
    // Two turns: the first lets everything already queued run; the second
    // confirms the loop went round once more with nothing left to do.
    checkTurn(() => checkTurn(() => this.#check()));
  }

  #check(): void {
    if (otherImmediatesQueued()) {
      // Someone else's work is still queued for the next turn: look again then.
      checkTurn(() => this.#check());
      return;
    }
    this.#checkScheduled = false;
    if (!this.#autojump || this.#advancing) return;
    if (this.#peek() !== undefined) this.#fire();
    this.#scheduleCheck();
  }

  /** Fire the earliest timer, moving time to it. The caller checked there is one. */
  #fire(): void {
    const timer = this.#pop();
    this.#live--;
    // A fired timer counts as cleared: clearing it later must change nothing.
    timer.cleared = true;
    if (timer.time > this.#now) this.#now = timer.time;
    timer.callback(timer.arg as never);
  }

  /** The earliest live timer, dropping cleared ones from the top. */
  #peek(): VirtualTimer | undefined {
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as VirtualTimer).cleared) this.#removeTop();
    return heap[0];
  }

  #pop(): VirtualTimer {
    const top = this.#heap[0] as VirtualTimer;
    this.#removeTop();
    return top;
  }

  #push(timer: VirtualTimer): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as VirtualTimer;
      if (!earlier(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop() as VirtualTimer;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && earlier(heap[right] as VirtualTimer, heap[left] as VirtualTimer)) child = right;
      const c = heap[child] as VirtualTimer;
      if (!earlier(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
