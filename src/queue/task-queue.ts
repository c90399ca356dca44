/**
 * The long-lived job queue: priorities, limits, pause, deadlines, progress.
 *
 * @packageDocumentation
 */

import { clockOf, type Clock } from '../core/clock.js';
import { CancelledError, TimeoutError } from '../core/errors.js';
import { spendingLast, type Limiter, type Permit } from '../core/limiter.js';
import { CancelScope, type TaskContext } from '../core/scope.js';
import { describe, expectDuration, expectFunction, expectInteger, expectOptions, expectSignal } from '../core/validate.js';
import { WaiterList } from '../core/waiters.js';

/**
 * What a job's function receives.
 *
 * @example Warn when a job waited long for its turn
 * ```ts
 * import { TaskQueue, type JobContext } from 'baton';
 *
 * async function buildReport(ctx: JobContext): Promise<number> {
 *   if (ctx.waited > 1_000) console.warn(`the report waited ${ctx.waited} ms for a slot`);
 *   const res = await fetch('https://example.com/report', { method: 'POST', signal: ctx.signal });
 *   return res.status;
 * }
 * const queue = new TaskQueue({ concurrency: 2 });
 * const status = await queue.add(buildReport);
 * ```
 */
export interface JobContext extends TaskContext {
  /** How long the job waited in the queue before it started, in ms. */
  readonly waited: number;
}

/**
 * Options of {@link TaskQueue}.
 *
 * @example 4 at once and 10 per second to one API, filled while paused
 * ```ts
 * import { RateLimiter, TaskQueue, type TaskQueueOptions } from 'baton';
 *
 * const options: TaskQueueOptions = {
 *   concurrency: 4,
 *   limiter: new RateLimiter({ limit: 10, interval: 1_000 }),
 *   paused: true,
 * };
 * const queue = new TaskQueue(options);
 * const ids = [1, 2, 3];
 * const items = Promise.all(ids.map((id) => queue.add((ctx) => fetch(`https://api.example.com/items/${id}`, { signal: ctx.signal }))));
 * console.log(queue.size); // 3: nothing starts while paused
 * queue.resume();
 * await items;
 * ```
 */
export interface TaskQueueOptions {
  /** At most this many jobs run at once: an integer >= 1 or `Infinity` (the default). Settable later. */
  concurrency?: number | undefined;
  /** Limiters every job must get a permit from before it starts (a `RateLimiter`, a shared `Semaphore`, ...). */
  limiter?: Limiter | readonly Limiter[] | undefined;
  /** Start paused: jobs wait until `resume()`. Default `false`. */
  paused?: boolean | undefined;
  /** The clock for job timeouts and waiting times. Defaults to the default clock. */
  clock?: Clock | undefined;
}

/**
 * Options of {@link TaskQueue.add}.
 *
 * @example An urgent job with a deadline, which the user can cancel
 * ```ts
 * import { TaskQueue, type AddOptions } from 'baton';
 *
 * const queue = new TaskQueue({ concurrency: 1 });
 * const cancel = new AbortController(); // say, the user's "Cancel" button
 * const options: AddOptions = { priority: 10, timeout: 5_000, signal: cancel.signal, name: 'refresh token' };
 * const token = await queue.add(async (ctx) => {
 *   const res = await fetch('https://auth.example.com/token', { method: 'POST', signal: ctx.signal });
 *   return res.text();
 * }, options); // rejects with a TimeoutError if it has not finished 5 s after being added
 * ```
 */
export interface AddOptions {
  /** A greater priority runs first (default 0); equal priorities run in the order added. */
  priority?: number | undefined;
  /** Cancels the job: a waiting job leaves the queue (taking no slot or permit); a running one sees its `ctx.signal` abort. */
  signal?: AbortSignal | undefined;
  /** A deadline over the job's whole life, waiting plus running, in ms: the job rejects with a `TimeoutError`. */
  timeout?: number | undefined;
  /** A name for progress events. */
  name?: string | undefined;
}

/**
 * The events a {@link TaskQueue} emits, and what each listener receives.
 *
 * @example Log progress
 * ```ts
 * import { TaskQueue, type TaskQueueEvents } from 'baton';
 *
 * const queue = new TaskQueue({ concurrency: 2 });
 * const onDone: TaskQueueEvents['completed'] = ({ name, waited }) => console.log(`${name} done after waiting ${waited} ms`);
 * queue.on('completed', onDone);
 * await queue.add(async () => 1, { name: 'first' });
 * ```
 */
export interface TaskQueueEvents {
  /** A job was added. */
  add: (event: { name: string; size: number }) => void;
  /** A job started. */
  active: (event: { name: string; waited: number; pending: number }) => void;
  /** A job fulfilled. */
  completed: (event: { name: string; waited: number; value: unknown }) => void;
  /** A job failed, was cancelled, timed out or was cleared. */
  error: (event: { name: string; waited: number; error: unknown }) => void;
  /** Nothing waits and nothing runs. */
  idle: () => void;
}

/**
 * A snapshot of a {@link TaskQueue}.
 *
 * @example Count what a queue has done
 * ```ts
 * import { TaskQueue, type TaskQueueStats } from 'baton';
 *
 * const queue = new TaskQueue({ concurrency: 2 });
 * await Promise.allSettled([
 *   queue.add(async () => 'ok'),
 *   queue.add(async () => {
 *     throw new Error('boom');
 *   }),
 * ]);
 * const stats: TaskQueueStats = queue.stats();
 * console.log(stats); // { size: 0, pending: 0, paused: false, completed: 1, failed: 1 }
 * ```
 */
export interface TaskQueueStats {
  /** Jobs waiting. */
  readonly size: number;
  /** Jobs running. */
  readonly pending: number;
  /** Whether the queue is paused. */
  readonly paused: boolean;
  /** Jobs that fulfilled, since the queue was made. */
  readonly completed: number;
  /** Jobs that failed, were cancelled, timed out or were cleared. */
  readonly failed: number;
}

type JobState = 'waiting' | 'running' | 'done';

class Job extends CancelScope implements JobContext {
  state: JobState = 'waiting';
  waited = 0;
  timer: unknown = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;

  constructor(
    readonly queue: TaskQueue,
    readonly fn: (ctx: JobContext) => unknown,
    readonly priority: number,
    readonly seq: number,
    readonly name: string,
    readonly addedAt: number,
    signal: AbortSignal | undefined,
    readonly timeout: number,
  ) {
    super(signal);
  }

  protected override onCancel(): void {
    if (this.state === 'waiting') leaveQueue(this.queue, this);
  }
}

function expire(job: Job): void {
  job.timer = undefined;
  job.cancel(new TimeoutError(job.timeout, `Job ${JSON.stringify(job.name)} timed out after ${job.timeout} ms`));
}

let leaveQueue: (queue: TaskQueue, job: Job) => void;

function before(a: Job, b: Job): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}

/**
 * A long-lived queue of jobs, for what people use p-queue for: add work
 * over time, run it with a concurrency limit (and any other limiters, such
 * as a `RateLimiter`), by priority, with deadlines, pause and resume, and
 * progress events.
 *
 * - `add(fn, { priority, signal, timeout })` resolves to `fn`'s result. A
 *   greater `priority` runs first (default 0); equal priorities run in the
 *   order added.
 * - **Cancellation that holds**: a job aborted while waiting leaves the
 *   queue at once, takes no slot and no rate-limit token, and rejects with
 *   the signal's reason; an already-aborted signal rejects at once; aborting
 *   any number of jobs at once leaves the queue working.
 * - `timeout` is a deadline over the job's whole life, waiting included; the
 *   time a job waited is in `ctx.waited` and in the events.
 * - `clear()` rejects every waiting job with a `CancelledError`: no promise
 *   is left pending.
 * - `onIdle()`, `onEmpty()` and `onSizeLessThan(n)` resolve when the queue
 *   gets there (at once if it already is, even if nothing was ever added).
 * - Events (`on('active' | 'completed' | 'error' | 'idle' | 'add', fn)`)
 *   cost nothing when nobody listens.
 *
 * @example A crawler's queue: 4 at once, 10 per second, urgent pages first
 * ```ts
 * import { RateLimiter, TaskQueue } from 'baton';
 *
 * const queue = new TaskQueue({ concurrency: 4, limiter: new RateLimiter({ limit: 10, interval: 1_000 }) });
 * const page = queue.add((ctx) => fetch('https://example.com/', { signal: ctx.signal }), { priority: 1, timeout: 5_000 });
 * await queue.onIdle();
 * console.log((await page).status);
 * ```
 */
export class TaskQueue {
  #concurrency: number;
  readonly #limiters: readonly Limiter[];
  readonly #clock: Clock;
  #paused: boolean;
  // Waiting jobs: a binary heap by (priority desc, seq asc). A job that
  // leaves while waiting is marked done and skipped when it surfaces; the
  // heap is compacted when such dead entries outnumber the live ones.
  #heap: Job[] = [];
  #size = 0;
  #seq = 0;
  #running = 0;
  #acquiring = false;
  // The job taken off the heap that waits for its permits, if any: still
  // 'waiting' and counted in size until it starts.
  #acquiringJob: Job | undefined = undefined;
  #completed = 0;
  #failed = 0;
  readonly #idle = new WaiterList<void>();
  readonly #sizeWaiters = new WaiterList<void, number>();
  #listeners: { [E in keyof TaskQueueEvents]?: TaskQueueEvents[E][] } = {};

  static {
    leaveQueue = (queue, job) => {
      job.state = 'done';
      job.waited = queue.#clock.now() - job.addedAt;
      queue.#size--;
      queue.#settleJob(job, false, job.reason, undefined);
      if (queue.#heap.length > 32 && queue.#size * 2 < queue.#heap.length) queue.#compact();
      queue.#changed();
    };
  }

  /** @throws TypeError / RangeError for a bad option. */
  constructor(options?: TaskQueueOptions) {
    expectOptions('options', options);
    const concurrency = options?.concurrency ?? Infinity;
    expectInteger('concurrency', concurrency, 1, true);
    this.#concurrency = concurrency;
    const limiter = options?.limiter;
    const limiters = limiter === undefined ? [] : Array.isArray(limiter) ? (limiter as readonly Limiter[]) : [limiter as Limiter];
    for (const l of limiters) {
      if (typeof l !== 'object' || l === null || typeof (l).acquire !== 'function') {
        throw new TypeError(`Expected limiter to be a Limiter (an object with acquire()) or an array of them, got ${describe(l)}`);
      }
    }
    this.#limiters = spendingLast(limiters);
    const paused = options?.paused ?? false;
    if (typeof paused !== 'boolean') throw new TypeError(`Expected options.paused to be a boolean, got ${describe(paused)}`);
    this.#paused = paused;
    this.#clock = clockOf(options?.clock);
  }

  /** Jobs waiting to start. */
  get size(): number {
    return this.#size;
  }

  /** Jobs running. */
  get pending(): number {
    return this.#running;
  }

  /** Whether the queue is paused. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** The concurrency limit. Settable: raising it starts waiting jobs at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    expectInteger('concurrency', value, 1, true);
    this.#concurrency = value;
    this.#pump();
  }

  /** A snapshot of the queue's counters. */
  stats(): TaskQueueStats {
    return { size: this.#size, pending: this.#running, paused: this.#paused, completed: this.#completed, failed: this.#failed };
  }

  /**
   * Add a job; resolves or rejects with its outcome. A job whose signal
   * aborts or whose deadline passes rejects with the signal's reason or a
   * `TimeoutError`.
   *
   * @throws TypeError / RangeError (as a rejection) for a bad function or option.
   */
  add<T>(fn: (ctx: JobContext) => T | PromiseLike<T>, options?: AddOptions): Promise<T> {
    let job: Job;
    try {
      expectFunction('fn', fn);
      expectOptions('options', options);
      const priority = options?.priority ?? 0;
      if (typeof priority !== 'number' || !Number.isFinite(priority)) {
        throw new (typeof priority === 'number' ? RangeError : TypeError)(
          `Expected options.priority to be a finite number, got ${describe(priority)}`,
        );
      }
      const signal = options?.signal;
      expectSignal('options.signal', signal);
      const timeout = options?.timeout ?? Infinity;
      expectDuration('options.timeout', timeout, true);
      const name = options?.name ?? (fn.name === '' ? `job ${this.#seq}` : fn.name);
      if (typeof name !== 'string') throw new TypeError(`Expected options.name to be a string, got ${describe(name)}`);
      if (signal?.aborted) return Promise.reject(signal.reason);
      job = new Job(this, fn, priority, this.#seq++, name, this.#clock.now(), signal, timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    const promise = new Promise<T>((resolve, reject) => {
      job.resolve = resolve as (value: unknown) => void;
      job.reject = reject;
    });
    if (job.timeout !== Infinity) job.timer = this.#clock.setTimeout(expire, job.timeout, job);
    this.#push(job);
    this.#size++;
    if (this.#listeners.add !== undefined) this.#emit('add', { name: job.name, size: this.#size });
    this.#pump();
    return promise;
  }

  /** Add several jobs with the same options; resolves when all have fulfilled (like `Promise.all`). */
  addAll<T>(fns: Iterable<(ctx: JobContext) => T | PromiseLike<T>>, options?: AddOptions): Promise<T[]> {
    return Promise.all([...fns].map((fn) => this.add(fn, options)));
  }

  /** Stop starting jobs (running ones go on) until `resume()`. */
  pause(): void {
    this.#paused = true;
  }

  /** Start jobs again after `pause()`. */
  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /**
   * Remove every waiting job; each one's promise rejects with `reason` (a
   * `CancelledError` by default). Running jobs go on.
   */
  clear(reason?: unknown): void {
    const why = reason === undefined ? new CancelledError('The job was cleared from the queue') : reason;
    // The job waiting for permits is off the heap but still waiting: cancel
    // it, which takes it out of the count and abandons its limiter wait.
    this.#acquiringJob?.cancel(why);
    const jobs = this.#heap;
    this.#heap = [];
    this.#size = 0;
    for (const job of jobs) {
      if (job.state !== 'waiting') continue;
      job.state = 'done';
      this.#settleJob(job, false, why, undefined);
    }
    this.#changed();
  }

  /** Resolve when nothing waits and nothing runs (at once if so). */
  onIdle(options?: { signal?: AbortSignal | undefined }): Promise<void> {
    try {
      expectOptions('options', options);
      expectSignal('options.signal', options?.signal);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#size === 0 && this.#running === 0) return Promise.resolve();
    return this.#idle.wait(undefined, options?.signal);
  }

  /** Resolve when nothing waits (running jobs may remain). */
  onEmpty(options?: { signal?: AbortSignal | undefined }): Promise<void> {
    return this.onSizeLessThan(1, options);
  }

  /** Resolve when fewer than `n` jobs wait. */
  onSizeLessThan(n: number, options?: { signal?: AbortSignal | undefined }): Promise<void> {
    try {
      expectInteger('n', n, 1, true);
      expectOptions('options', options);
      expectSignal('options.signal', options?.signal);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#size < n) return Promise.resolve();
    return this.#sizeWaiters.wait(n, options?.signal);
  }

  /** Listen to an event. */
  on<E extends keyof TaskQueueEvents>(event: E, listener: TaskQueueEvents[E]): this {
    expectFunction('listener', listener);
    ((this.#listeners[event] ??= []) as TaskQueueEvents[E][]).push(listener);
    return this;
  }

  /** Stop listening. */
  off<E extends keyof TaskQueueEvents>(event: E, listener: TaskQueueEvents[E]): this {
    const list = this.#listeners[event];
    const i = list?.indexOf(listener) ?? -1;
    if (i >= 0) list?.splice(i, 1);
    return this;
  }

  #emit<E extends keyof TaskQueueEvents>(event: E, ...args: Parameters<TaskQueueEvents[E]>): void {
    const list = this.#listeners[event];
    if (list === undefined || list.length === 0) return;
    for (const listener of [...list]) (listener as (...a: Parameters<TaskQueueEvents[E]>) => void)(...args);
  }

  // Start jobs while there is room. With limiters, a job that must wait for a
  // permit is the only one acquiring at a time, so jobs start in queue order.
  #pump(): void {
    while (!this.#paused && !this.#acquiring && this.#running < this.#concurrency) {
      const job = this.#pop();
      if (job === undefined) break;
      if (this.#limiters.length === 0) {
        this.#start(job, undefined);
        continue;
      }
      const permits: Permit[] = [];
      let all = true;
      for (const limiter of this.#limiters) {
        const permit = limiter.tryAcquire?.();
        if (permit === undefined) {
          all = false;
          break;
        }
        permits.push(permit);
      }
      if (all) {
        this.#start(job, permits);
        continue;
      }
      void this.#acquireFor(job, permits);
      break;
    }
  }

  async #acquireFor(job: Job, held: Permit[]): Promise<void> {
    // The job stays 'waiting' (and counted in size) until it starts, so a
    // cancellation or deadline meanwhile settles it through leaveQueue.
    this.#acquiring = true;
    this.#acquiringJob = job;
    const permits = held;
    let ok = true;
    try {
      for (let i = permits.length; i < this.#limiters.length; i++) {
        permits.push(await (this.#limiters[i] as Limiter).acquire({ signal: job.signal }));
      }
    } catch {
      ok = false;
    }
    this.#acquiring = false;
    this.#acquiringJob = undefined;
    if (ok && job.state === 'waiting' && !this.#paused) {
      this.#start(job, permits);
    } else {
      for (const p of permits) p.release();
      // Paused meanwhile: the job goes back in line (it keeps its place).
      if (ok && job.state === 'waiting') this.#push(job);
    }
    this.#pump();
  }

  #start(job: Job, permits: Permit[] | undefined): void {
    this.#size--;
    this.#running++;
    job.state = 'running';
    job.waited = this.#clock.now() - job.addedAt;
    if (this.#listeners.active !== undefined) this.#emit('active', { name: job.name, waited: job.waited, pending: this.#running });
    if (this.#sizeWaiters.head !== undefined) this.#changed();
    void this.#run(job, permits);
  }

  async #run(job: Job, permits: Permit[] | undefined): Promise<void> {
    let ok = false;
    let value: unknown;
    let error: unknown;
    try {
      value = await job.fn(job);
      ok = true;
    } catch (err) {
      // Cancelled (signal or deadline) and it obeyed: report why.
      error = job.isCancellationOf(err) ? job.reason : err;
    }
    if (permits !== undefined) for (const p of permits) p.release();
    this.#running--;
    job.state = 'done';
    this.#settleJob(job, ok, error, value);
    this.#pump();
    this.#changed();
  }

  #settleJob(job: Job, ok: boolean, error: unknown, value: unknown): void {
    if (job.timer !== undefined) {
      this.#clock.clearTimeout(job.timer);
      job.timer = undefined;
    }
    job.close();
    if (ok) {
      this.#completed++;
      job.resolve(value);
      if (this.#listeners.completed !== undefined) this.#emit('completed', { name: job.name, waited: job.waited, value });
    } else {
      this.#failed++;
      job.reject(error);
      if (this.#listeners.error !== undefined) this.#emit('error', { name: job.name, waited: job.waited, error });
    }
  }

  // Something changed: wake whoever waits for the queue to shrink or idle.
  #changed(): void {
    const sizeWaiters = this.#sizeWaiters;
    for (let w = sizeWaiters.head; w !== undefined; ) {
      const next = w.next;
      if (this.#size < w.data) {
        sizeWaiters.unlink(w);
        w.signal?.removeEventListener('abort', w);
        w.resolve();
      }
      w = next;
    }
    if (this.#size === 0 && this.#running === 0) {
      const idle = this.#idle;
      if (idle.head !== undefined) while (idle.head !== undefined) idle.wakeHead(undefined);
      this.#emit('idle');
    }
  }

  #push(job: Job): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(job);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Job;
      if (!before(job, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = job;
  }

  #pop(): Job | undefined {
    const heap = this.#heap;
    while (heap.length > 0) {
      const top = heap[0] as Job;
      const last = heap.pop() as Job;
      const n = heap.length;
      if (n > 0) {
        let i = 0;
        for (;;) {
          const left = 2 * i + 1;
          if (left >= n) break;
          const right = left + 1;
          let child = left;
          if (right < n && before(heap[right] as Job, heap[left] as Job)) child = right;
          const c = heap[child] as Job;
          if (!before(c, last)) break;
          heap[i] = c;
          i = child;
        }
        heap[i] = last;
      }
      if (top.state === 'waiting') return top;
    }
    return undefined;
  }

  #compact(): void {
    const live = this.#heap.filter((job) => job.state === 'waiting');
    this.#heap = [];
    for (const job of live) this.#push(job);
  }
}
