import { describe, expect, test } from 'vitest';
import { CancelledError, limit, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { manual, nextTurn, rejection } from '../support.js';

describe('limit', () => {
  test('runs at most n at once, FIFO, passing arguments through', async () => {
    const clock = new VirtualClock();
    const limited = limit(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const work = async (i: number, ms: number): Promise<number> => {
      order.push(i);
      running++;
      peak = Math.max(peak, running);
      await sleep(ms, { clock });
      running--;
      return i * 10;
    };
    const results = await Promise.all([limited(work, 0, 30), limited(work, 1, 10), limited(work, 2, 10), limited(work, 3, 5)]);
    expect(results).toEqual([0, 10, 20, 30]);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  test('activeCount and pendingCount report the state', async () => {
    const limited = limit(1);
    const gate = manual();
    const a = limited(() => gate.promise);
    const b = limited(async () => 'b');
    expect([limited.activeCount, limited.pendingCount]).toEqual([1, 1]);
    gate.resolve();
    await a;
    expect(await b).toBe('b');
    expect([limited.activeCount, limited.pendingCount]).toEqual([0, 0]);
  });

  test('a failure (sync or async) rejects its own call and frees the slot', async () => {
    const limited = limit(1);
    const boom = new Error('boom');
    expect(
      await rejection(
        limited(() => {
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(await rejection(limited(() => Promise.reject(boom)))).toBe(boom);
    expect(await limited(() => 'next')).toBe('next');
  });

  test('raising concurrency starts waiting calls at once', async () => {
    const limited = limit(1);
    const gate = manual();
    void limited(() => gate.promise);
    let started = false;
    const second = limited(() => {
      started = true;
    });
    expect(started).toBe(false);
    limited.concurrency = 2;
    expect(started).toBe(true);
    expect(limited.concurrency).toBe(2);
    gate.resolve();
    await second;
  });

  test('clearQueue rejects every waiting call; none is left pending', async () => {
    const limited = limit(1);
    const gate = manual();
    const running = limited(() => gate.promise);
    const waiting = [limited(async () => 1), limited(async () => 2)];
    limited.clearQueue();
    for (const w of waiting) expect(await rejection(w)).toBeInstanceOf(CancelledError);
    expect(limited.pendingCount).toBe(0);
    gate.resolve();
    await running;
  });

  test('many synchronous calls do not grow the stack', async () => {
    const limited = limit(1);
    const calls = Array.from({ length: 20_000 }, (_, i) => limited(() => i));
    const results = await Promise.all(calls);
    expect(results[19_999]).toBe(19_999);
    await nextTurn();
  });

  test('bad arguments fail at the call (a bad function as a rejection)', () => {
    expect(() => limit(0)).toThrow(new RangeError('Expected concurrency to be an integer >= 1 or Infinity, got 0 (number)'));
    const limited = limit(1);
    expect(() => {
      limited.concurrency = -2;
    }).toThrow(RangeError);
    return expect(limited(3 as never)).rejects.toThrow(new TypeError('Expected fn to be a function, got 3 (number)'));
  });
});
