import { describe, expect, test } from 'vitest';
import { RateLimiter, Semaphore, map, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, rejection } from '../support.js';

/** Record the virtual start times of `n` acquisitions made as fast as allowed. */
async function startTimes(limiter: RateLimiter, clock: VirtualClock, n: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      limiter.acquire().then(() => {
        times.push(clock.now());
      }),
    ),
  );
  return times;
}

/** The most starts in any half-open window [t, t + interval). */
function maxInWindow(times: number[], interval: number): number {
  let most = 0;
  for (const t of times) most = Math.max(most, times.filter((s) => s >= t && s < t + interval).length);
  return most;
}

describe('RateLimiter, strict (sliding window)', () => {
  test('never more than `limit` starts in any window; starts at 0 free the window at exactly `interval`', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 3, interval: 1_000, strict: true, clock });
    const times = await startTimes(limiter, clock, 10);
    expect(times).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000, 2_000, 2_000, 3_000]);
    expect(maxInWindow(times, 1_000)).toBe(3);
  });

  test('holds under irregular bursts', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 5, interval: 100, strict: true, clock });
    const times: number[] = [];
    const bursts = [0, 30, 30, 170, 175, 400];
    await Promise.all(
      bursts.map(async (at, b) => {
        await sleep(at, { clock });
        await Promise.all(
          Array.from({ length: 3 + b }, () => limiter.acquire().then(() => times.push(clock.now()))),
        );
      }),
    );
    expect(times).toHaveLength(bursts.reduce((n, _, b) => n + 3 + b, 0));
    expect(maxInWindow(times, 100)).toBe(5);
  });
});

describe('RateLimiter, token bucket', () => {
  test('bursts up to `burst`, then the long-run rate is limit/interval to within one token', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 10, interval: 1_000, clock });
    const times = await startTimes(limiter, clock, 110);
    expect(times.slice(0, 10)).toEqual(new Array(10).fill(0));
    // After the burst, one token every 100 ms.
    expect(times[10]).toBe(100);
    expect(times[11]).toBe(200);
    const elapsed = times.at(-1) as number;
    // 110 starts: 10 from the bucket, 100 refilled at 10 per second.
    expect(elapsed).toBe(10_000);
    const rate = (times.length - 10) / (elapsed / 1_000);
    expect(Math.abs(rate - 10)).toBeLessThanOrEqual(1);
  });

  test('a smaller burst limits the initial spike', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 10, interval: 1_000, burst: 2, clock });
    const times = await startTimes(limiter, clock, 4);
    expect(times).toEqual([0, 0, 100, 200]);
  });

  test('weights take several tokens; a heavy head is not overtaken', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 4, interval: 400, clock });
    await limiter.acquire({ weight: 4 });
    const order: string[] = [];
    await Promise.all([
      limiter.acquire({ weight: 3 }).then(() => order.push(`heavy@${clock.now()}`)),
      limiter.acquire({ weight: 1 }).then(() => order.push(`light@${clock.now()}`)),
    ]);
    expect(order).toEqual(['heavy@300', 'light@400']);
  });
});

describe('RateLimiter, both modes', () => {
  test('a waiter cancelled while waiting consumes nothing and leaves no listener', async () => {
    const clock = new VirtualClock({ autojump: false });
    const limiter = new RateLimiter({ limit: 1, interval: 1_000, strict: true, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const cancelled = limiter.acquire({ signal: controller.signal });
    const next = limiter.acquire();
    controller.abort();
    await rejection(cancelled);
    expect(abortListeners(controller.signal)).toBe(0);
    await clock.advance(1_000);
    await next;
    expect(clock.now()).toBe(1_000);
    // The cancelled waiter took nothing: the next window is free again.
    await clock.advance(1_000);
    expect(limiter.available).toBe(1);
  });

  test('an already-aborted signal rejects at once', async () => {
    const limiter = new RateLimiter({ limit: 1, interval: 10 });
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(limiter.acquire({ signal: controller.signal }))).toBe(controller.signal.reason);
  });

  test('one timer at a time, whatever the number of waiters', async () => {
    const clock = new VirtualClock({ autojump: false });
    const limiter = new RateLimiter({ limit: 1, interval: 100, strict: true, clock });
    const waits = Array.from({ length: 50 }, () => limiter.acquire());
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(100 * 49);
    await Promise.all(waits);
    expect(clock.pendingTimers).toBe(0);
  });

  test('combined with a Semaphore in map: 2 at once AND 5 per second', async () => {
    const clock = new VirtualClock();
    const rate = new RateLimiter({ limit: 5, interval: 1_000, strict: true, clock });
    const slots = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const starts: number[] = [];
    await map(
      Array.from({ length: 12 }, (_, i) => i),
      async () => {
        starts.push(clock.now());
        running++;
        peak = Math.max(peak, running);
        await sleep(50, { clock });
        running--;
      },
      { limiter: [slots, rate] },
    );
    expect(peak).toBeLessThanOrEqual(2);
    expect(maxInWindow(starts, 1_000)).toBeLessThanOrEqual(5);
  });

  test('tryAcquire and idle', async () => {
    const clock = new VirtualClock({ autojump: false });
    const limiter = new RateLimiter({ limit: 2, interval: 100, clock });
    expect(limiter.idle).toBe(true);
    expect(limiter.tryAcquire()).toBeDefined();
    expect(limiter.idle).toBe(false);
    expect(limiter.tryAcquire()).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
    const waiting = limiter.acquire();
    expect(await isPending(waiting)).toBe(true);
    await clock.advance(50);
    await waiting;
    await clock.advance(100);
    expect(limiter.idle).toBe(true);
  });

  test('a half-configured limiter is an error, not silently unlimited', () => {
    expect(() => new RateLimiter({ interval: 1_000 } as never)).toThrow(
      new TypeError('A RateLimiter needs both limit and interval (got limit undefined, interval 1000 (number))'),
    );
    expect(() => new RateLimiter({ limit: 5 } as never)).toThrow(/needs both limit and interval/);
    expect(() => new RateLimiter({ limit: 0, interval: 10 })).toThrow(RangeError);
    expect(() => new RateLimiter({ limit: 1, interval: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ limit: 1, interval: 10, strict: true, burst: 2 })).toThrow(/burst applies to the token bucket only/);
    expect(() => new RateLimiter(undefined as never)).toThrow(TypeError);
  });

  test('a weight above what the limiter ever allows fails at once', async () => {
    const limiter = new RateLimiter({ limit: 2, interval: 10 });
    await expect(limiter.acquire({ weight: 3 })).rejects.toThrow(RangeError);
  });
});

describe('RateLimiter among other limiters', () => {
  test('asked last in map: a rate of 2 per second holds even when a semaphore comes after it in the list', async () => {
    const clock = new VirtualClock();
    const rate = new RateLimiter({ limit: 2, interval: 1_000, strict: true, clock });
    const slots = new Semaphore(1);
    const starts: number[] = [];
    await map(
      Array.from({ length: 6 }, (_, i) => i),
      async () => {
        starts.push(clock.now());
        await sleep(300, { clock });
      },
      { limiter: [rate, slots], concurrency: 4 },
    );
    expect(maxInWindow(starts, 1_000)).toBeLessThanOrEqual(2);
  });

  test('with unbounded concurrency, the tasks waiting for the rate stay bounded (not one per item)', async () => {
    const clock = new VirtualClock();
    const rate = new RateLimiter({ limit: 10, interval: 100, clock });
    let maxWaiting = 0;
    await map(
      Array.from({ length: 500 }, (_, i) => i),
      async () => {
        maxWaiting = Math.max(maxWaiting, rate.waiting);
      },
      { limiter: rate },
    );
    expect(maxWaiting).toBeLessThanOrEqual(2);
  });
});

describe('RateLimiter, strict, large limits', () => {
  test('the window keeps its exact figures past the initial ring size', async () => {
    const clock = new VirtualClock();
    const limiter = new RateLimiter({ limit: 200, interval: 1_000, strict: true, clock });
    const times = await startTimes(limiter, clock, 650);
    expect(maxInWindow(times, 1_000)).toBe(200);
    expect(times.filter((t) => t === 0)).toHaveLength(200);
    expect(times.at(-1)).toBe(3_000);
  });

  test('a huge limit allocates nothing up front', () => {
    const before = process.memoryUsage().arrayBuffers;
    const limiter = new RateLimiter({ limit: 50_000_000, interval: 1_000, strict: true });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1_000_000);
    expect(limiter.available).toBe(50_000_000);
  });
});
