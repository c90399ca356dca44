import { describe, expect, test } from 'vitest';
import { CancelledError, RateLimiter, Semaphore, TaskQueue, TimeoutError, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, manual, nextTurn, rejection } from '../support.js';

describe('TaskQueue', () => {
  test('runs jobs with a concurrency limit and resolves each with its result', async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ concurrency: 2, clock });
    let running = 0;
    let peak = 0;
    const job = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10, { clock });
      running--;
      return i;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => queue.add(job(i))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(queue.stats()).toEqual({ size: 0, pending: 0, paused: false, completed: 5, failed: 0 });
  });

  test('a greater priority runs first; equal priorities run in the order added', async () => {
    const queue = new TaskQueue({ concurrency: 1, paused: true });
    const order: string[] = [];
    const add = (name: string, priority: number) => queue.add(() => void order.push(name), { priority });
    const all = [add('low-1', 0), add('high-1', 5), add('low-2', 0), add('high-2', 5), add('mid', 1)];
    queue.resume();
    await Promise.all(all);
    expect(order).toEqual(['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
  });

  test('size counts waiting jobs, pending the running ones', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const gate = manual();
    const first = queue.add(() => gate.promise);
    const second = queue.add(async () => 2);
    expect([queue.size, queue.pending]).toEqual([1, 1]);
    gate.resolve();
    await Promise.all([first, second]);
    expect([queue.size, queue.pending]).toEqual([0, 0]);
  });

  test('pause stops starting jobs; resume starts them again', async () => {
    const queue = new TaskQueue();
    queue.pause();
    let ran = false;
    const job = queue.add(() => {
      ran = true;
    });
    await nextTurn();
    expect(ran).toBe(false);
    expect(queue.isPaused).toBe(true);
    queue.resume();
    await job;
    expect(ran).toBe(true);
  });

  test('clear rejects every waiting job with a CancelledError; none is left pending', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const gate = manual();
    const running = queue.add(() => gate.promise);
    const waiting = [queue.add(async () => 1), queue.add(async () => 2)];
    queue.clear();
    for (const w of waiting) expect(await rejection(w)).toBeInstanceOf(CancelledError);
    expect(queue.size).toBe(0);
    gate.resolve();
    await running;
  });

  test('onIdle resolves even if nothing was ever added (p-queue#237)', async () => {
    await new TaskQueue().onIdle();
  });

  test('onIdle, onEmpty and onSizeLessThan resolve when the queue gets there', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const gates = [manual(), manual(), manual()];
    const jobs = gates.map((g) => queue.add(() => g.promise));
    const lessThan2 = queue.onSizeLessThan(2);
    const empty = queue.onEmpty();
    const idle = queue.onIdle();
    expect(await isPending(lessThan2)).toBe(true);
    gates[0]?.resolve();
    await lessThan2;
    expect(await isPending(empty)).toBe(true);
    gates[1]?.resolve();
    await empty;
    expect(await isPending(idle)).toBe(true);
    gates[2]?.resolve();
    await idle;
    await Promise.all(jobs);
  });

  test('an already-aborted signal rejects at once (p-queue#241)', async () => {
    const queue = new TaskQueue();
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    expect(
      await rejection(
        queue.add(
          () => {
            ran = true;
          },
          { signal: controller.signal },
        ),
      ),
    ).toBe(controller.signal.reason);
    expect(ran).toBe(false);
    expect(queue.size).toBe(0);
  });

  test('aborted waiting jobs take no slot: aborting two at once leaves the queue working (p-queue#168, #219)', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const gate = manual();
    const first = queue.add(() => gate.promise);
    const a = new AbortController();
    const b = new AbortController();
    const jobA = queue.add(async () => 'a', { signal: a.signal });
    const jobB = queue.add(async () => 'b', { signal: b.signal });
    const last = queue.add(async () => 'last');
    a.abort();
    b.abort();
    await rejection(jobA);
    await rejection(jobB);
    expect(queue.size).toBe(1);
    expect(abortListeners(a.signal)).toBe(0);
    gate.resolve();
    await first;
    expect(await last).toBe('last');
    expect(queue.stats().failed).toBe(2);
  });

  test('aborted jobs do not count against the rate (p-queue#219)', async () => {
    const clock = new VirtualClock();
    const rate = new RateLimiter({ limit: 2, interval: 1_000, strict: true, clock });
    const queue = new TaskQueue({ limiter: rate, clock });
    const controller = new AbortController();
    const starts: number[] = [];
    const job = (): Promise<void> =>
      queue.add(() => {
        starts.push(clock.now());
      });
    const jobs = [job(), job(), queue.add(() => starts.push(-1), { signal: controller.signal }), job(), job()];
    controller.abort();
    await Promise.allSettled(jobs);
    expect(starts).toEqual([0, 0, 1_000, 1_000]);
  });

  test("a job's timeout covers waiting plus running; ctx.waited tells how long it waited", async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    const waitedSeen: number[] = [];
    const blocker = queue.add(async (ctx) => {
      waitedSeen.push(ctx.waited);
      await sleep(300, { clock });
    });
    const timedOutWaiting = queue.add(async () => 'never runs', { timeout: 100 });
    const timedOutRunning = queue.add(
      async (ctx) => {
        waitedSeen.push(ctx.waited);
        await sleep(1_000, { signal: ctx.signal, clock });
      },
      { timeout: 500 },
    );
    const err1 = await rejection(timedOutWaiting);
    expect(err1).toBeInstanceOf(TimeoutError);
    expect(clock.now()).toBe(100);
    await blocker;
    const err2 = await rejection(timedOutRunning);
    expect(err2).toBeInstanceOf(TimeoutError);
    expect(clock.now()).toBe(500);
    expect(waitedSeen).toEqual([0, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  test('events report progress, and cost nothing when nobody listens', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const events: string[] = [];
    queue.on('add', ({ name }) => events.push(`add ${name}`));
    queue.on('active', ({ name }) => events.push(`active ${name}`));
    queue.on('completed', ({ name, value }) => events.push(`completed ${name}=${String(value)}`));
    queue.on('error', ({ name }) => events.push(`error ${name}`));
    const onIdle = (): void => {
      events.push('idle');
    };
    queue.on('idle', onIdle);
    await queue.add(async () => 1, { name: 'one' });
    await rejection(
      queue.add(
        async () => {
          throw new Error('x');
        },
        { name: 'two' },
      ),
    );
    queue.off('idle', onIdle);
    expect(events).toEqual(['add one', 'active one', 'completed one=1', 'idle', 'add two', 'active two', 'error two', 'idle']);
  });

  test('raising concurrency starts waiting jobs at once', async () => {
    const queue = new TaskQueue({ concurrency: 1 });
    const gate = manual();
    void queue.add(() => gate.promise);
    let started = false;
    const second = queue.add(() => {
      started = true;
    });
    queue.concurrency = 2;
    expect(started).toBe(true);
    gate.resolve();
    await second;
  });

  test('addAll adds several jobs and resolves with every result', async () => {
    const queue = new TaskQueue({ concurrency: 2 });
    expect(await queue.addAll([async () => 1, async () => 2, () => 3])).toEqual([1, 2, 3]);
  });

  test('bad arguments reject clearly', async () => {
    const queue = new TaskQueue();
    await expect(queue.add(5 as never)).rejects.toThrow(new TypeError('Expected fn to be a function, got 5 (number)'));
    await expect(queue.add(() => 1, { priority: Number.NaN })).rejects.toThrow(/priority to be a finite number/);
    await expect(queue.add(() => 1, { timeout: -1 })).rejects.toThrow(RangeError);
    expect(() => new TaskQueue({ concurrency: 0 })).toThrow(RangeError);
    expect(() => new TaskQueue({ limiter: {} as never })).toThrow(/Expected limiter/);
  });
});

describe('TaskQueue with a limiter: the job waiting for its permit', () => {
  test('clear() rejects it too, and the counts stay right', async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ limiter: new RateLimiter({ limit: 1, interval: 1_000, clock }), clock });
    const a = queue.add(() => 'a');
    const b = queue.add(() => 'b');
    const c = queue.add(() => 'c');
    await nextTurn();
    queue.clear();
    expect(await a).toBe('a');
    expect(await rejection(b)).toBeInstanceOf(CancelledError);
    expect(await rejection(c)).toBeInstanceOf(CancelledError);
    expect(queue.stats().size).toBe(0);
    await queue.onIdle();
  });

  test('pause() holds it back until resume()', async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ limiter: new RateLimiter({ limit: 1, interval: 1_000, strict: true, clock }), clock });
    const starts: string[] = [];
    await queue.add(() => starts.push(`a@${clock.now()}`));
    const b = queue.add(() => starts.push(`b@${clock.now()}`));
    queue.pause();
    await sleep(2_000, { clock });
    expect(starts).toEqual(['a@0']);
    queue.resume();
    await b;
    expect(starts).toEqual(['a@0', 'b@2000']);
  });

  test('onEmpty resolves when the last waiting job starts, not when a job finishes', async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ paused: true, clock });
    const job = queue.add(() => sleep(5_000, { clock }));
    const empty = queue.onEmpty().then(() => clock.now());
    queue.resume();
    expect(await empty).toBe(0);
    await job;
  });

  test("a job that times out while waiting reports how long it waited", async () => {
    const clock = new VirtualClock();
    const queue = new TaskQueue({ concurrency: 1, clock });
    const waits: number[] = [];
    queue.on('error', ({ waited }) => waits.push(waited));
    const blocker = queue.add(() => sleep(5_000, { clock }));
    await rejection(queue.add(() => 1, { timeout: 1_000 }));
    expect(waits).toEqual([1_000]);
    await blocker;
  });

  test('a rate limit is taken last: a job aborted while waiting for a semaphore spends no start', async () => {
    const clock = new VirtualClock();
    const rate = new RateLimiter({ limit: 1, interval: 1_000, strict: true, clock });
    const slot = new Semaphore(1);
    const queue = new TaskQueue({ limiter: [rate, slot], clock });
    const gate = manual();
    const first = queue.add(() => gate.promise);
    const controller = new AbortController();
    const aborted = queue.add(() => 'never', { signal: controller.signal });
    const starts: number[] = [];
    const third = queue.add(() => starts.push(clock.now()));
    await sleep(10, { clock });
    controller.abort();
    await rejection(aborted);
    await sleep(1_000, { clock });
    gate.resolve();
    await first;
    await third;
    expect(starts).toEqual([1_010]);
  });
});
