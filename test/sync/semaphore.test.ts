import { describe, expect, test } from 'vitest';
import { Semaphore, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, nextTurn, rejection } from '../support.js';

describe('Semaphore', () => {
  test('hands out at most `permits` at once; release gives them back', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    expect(semaphore.available).toBe(0);
    const c = semaphore.acquire();
    expect(await isPending(c)).toBe(true);
    expect(semaphore.waiting).toBe(1);
    a.release();
    const permitC = await c;
    expect(semaphore.available).toBe(0);
    b.release();
    permitC.release();
    expect(semaphore.available).toBe(2);
  });

  test('release() is idempotent', async () => {
    const semaphore = new Semaphore(1);
    const permit = await semaphore.acquire();
    permit.release();
    permit.release();
    expect(semaphore.available).toBe(1);
  });

  test('using releases the permit at the end of the block, even on a throw', async () => {
    const semaphore = new Semaphore(1);
    const run = async (): Promise<void> => {
      using _permit = await semaphore.acquire();
      expect(semaphore.available).toBe(0);
      throw new Error('inside');
    };
    await rejection(run());
    expect(semaphore.available).toBe(1);
  });

  test('FIFO: waiters are served in arrival order', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) =>
      semaphore.acquire().then((p) => {
        order.push(i);
        p.release();
      }),
    );
    held.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  test('a heavy request at the head is not overtaken by lighter ones behind it', async () => {
    const semaphore = new Semaphore(4);
    const small = await semaphore.acquire({ weight: 2 });
    const order: string[] = [];
    const heavy = semaphore.acquire({ weight: 4 }).then((p) => {
      order.push('heavy');
      p.release();
    });
    const light = semaphore.acquire({ weight: 1 }).then((p) => {
      order.push('light');
      p.release();
    });
    await nextTurn();
    // Two units are free, enough for `light`, but `heavy` is first in line.
    expect(order).toEqual([]);
    expect(semaphore.tryAcquire()).toBeUndefined();
    small.release();
    await Promise.all([heavy, light]);
    expect(order).toEqual(['heavy', 'light']);
  });

  test('a cancelled waiter leaves the line, takes nothing, and the next one is served', async () => {
    const semaphore = new Semaphore(2);
    const block = await semaphore.acquire({ weight: 2 });
    const c2 = new AbortController();
    const cancelledHead = semaphore.acquire({ weight: 2, signal: c2.signal });
    const behind = semaphore.acquire({ weight: 1 });
    const reason = new Error('gave up');
    c2.abort(reason);
    expect(await rejection(cancelledHead)).toBe(reason);
    expect(abortListeners(c2.signal)).toBe(0);
    block.release();
    (await behind).release();
    expect(semaphore.available).toBe(2);
    expect(semaphore.waiting).toBe(0);
  });

  test('when the cancelled waiter was blocking the head, the ones behind it that fit are served at once', async () => {
    const semaphore = new Semaphore(3);
    const held = await semaphore.acquire({ weight: 2 });
    const controller = new AbortController();
    const heavy = semaphore.acquire({ weight: 3, signal: controller.signal });
    const light = semaphore.acquire({ weight: 1 });
    expect(await isPending(light)).toBe(true);
    controller.abort();
    await rejection(heavy);
    const permit = await light;
    permit.release();
    held.release();
    expect(semaphore.available).toBe(3);
  });

  test('an already-aborted signal rejects at once and takes nothing', async () => {
    const semaphore = new Semaphore(1);
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(semaphore.acquire({ signal: controller.signal }))).toBe(controller.signal.reason);
    expect(semaphore.available).toBe(1);
  });

  test('tryAcquire takes a free permit but never barges past waiters', async () => {
    const semaphore = new Semaphore(1);
    const permit = semaphore.tryAcquire();
    expect(permit).toBeDefined();
    expect(semaphore.tryAcquire()).toBeUndefined();
    const waiting = semaphore.acquire();
    permit?.release();
    expect(semaphore.tryAcquire()).toBeUndefined();
    (await waiting).release();
  });

  test('run() acquires, runs, and releases whatever the outcome', async () => {
    const semaphore = new Semaphore(1);
    expect(await semaphore.run(async () => 'value')).toBe('value');
    await rejection(
      semaphore.run(async () => {
        throw new Error('x');
      }),
    );
    expect(semaphore.available).toBe(1);
  });

  test('raising permits serves waiters at once; lowering waits for releases', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const waiting = semaphore.acquire();
    semaphore.permits = 2;
    (await waiting).release();
    semaphore.permits = 1;
    expect(semaphore.available).toBe(0);
    held.release();
    expect(semaphore.available).toBe(1);
  });

  test('Principle: under random interleavings of acquire, release and cancel, every permit comes back', async () => {
    const clock = new VirtualClock();
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const semaphore = new Semaphore(5);
    let held = 0;
    let peak = 0;
    const workers = Array.from({ length: 60 }, async () => {
      const controller = new AbortController();
      const weight = 1 + Math.floor(random() * 3);
      if (random() < 0.3) void sleep(Math.floor(random() * 20), { clock }).then(() => controller.abort());
      try {
        const permit = await semaphore.acquire({ weight, signal: controller.signal });
        held += weight;
        peak = Math.max(peak, held);
        await sleep(Math.floor(random() * 10), { clock });
        held -= weight;
        permit.release();
      } catch {
        // cancelled while waiting: took nothing
      }
    });
    await Promise.all(workers);
    await clock.runAll();
    expect(peak).toBeLessThanOrEqual(5);
    expect(semaphore.available).toBe(5);
    expect(semaphore.waiting).toBe(0);
  });

  test('a weight above permits fails at once, the default weight included', async () => {
    const closed = new Semaphore(0);
    await expect(closed.acquire()).rejects.toThrow(new RangeError("Expected weight to be at most the semaphore's permits (0), got 1 (number)"));
    expect(() => closed.tryAcquire()).toThrow(RangeError);
    closed.permits = 1;
    (await closed.acquire()).release();
  });

  test('lowering permits below a waiter\'s weight fails that waiter instead of blocking the line', async () => {
    const semaphore = new Semaphore(4);
    const held = await semaphore.acquire({ weight: 4 });
    const heavy = semaphore.acquire({ weight: 3 });
    const light = semaphore.acquire({ weight: 1 });
    semaphore.permits = 2;
    expect(await rejection(heavy)).toBeInstanceOf(RangeError);
    held.release();
    (await light).release();
    expect(semaphore.available).toBe(2);
  });

  test('bad arguments name the parameter and the value', async () => {
    expect(() => new Semaphore(-1)).toThrow(new RangeError('Expected permits to be an integer >= 0, got -1 (number)'));
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
    expect(() => new Semaphore('2' as never)).toThrow(TypeError);
    const semaphore = new Semaphore(2);
    await expect(semaphore.acquire({ weight: 0 })).rejects.toThrow(new RangeError('Expected weight to be an integer >= 1, got 0 (number)'));
    await expect(semaphore.acquire({ weight: 3 })).rejects.toThrow(
      new RangeError("Expected weight to be at most the semaphore's permits (2), got 3 (number)"),
    );
    expect(() => semaphore.tryAcquire(Number.NaN)).toThrow(RangeError);
  });
});
