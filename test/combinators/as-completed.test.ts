import { describe, expect, test } from 'vitest';
import { Task, asCompleted, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextTurn, rejection } from '../support.js';

describe('asCompleted', () => {
  test('hands out the Tasks themselves, fastest first, failed ones included', async () => {
    const clock = new VirtualClock();
    const boom = new Error('mid failed');
    const seen: [string, string][] = [];
    for await (const task of asCompleted([
      async function slow() {
        await sleep(30, { clock });
        return 'slow';
      },
      async function mid() {
        await sleep(20, { clock });
        throw boom;
      },
      async function fast() {
        await sleep(10, { clock });
        return 'fast';
      },
    ])) {
      expect(task).toBeInstanceOf(Task);
      seen.push([task.name, task.state]);
    }
    expect(seen).toEqual([
      ['fast', 'fulfilled'],
      ['mid', 'rejected'],
      ['slow', 'fulfilled'],
    ]);
  });

  test('a handed-out task gives its value or error through result()', async () => {
    const boom = new Error('x');
    const results: unknown[] = [];
    for await (const task of asCompleted([async () => 1, Promise.reject(boom)], { concurrency: 1 })) {
      try {
        results.push(task.result());
      } catch (err) {
        results.push(err);
      }
    }
    expect(results).toEqual([1, boom]);
  });

  test('respects concurrency', async () => {
    const clock = new VirtualClock();
    let running = 0;
    let peak = 0;
    const inputs = Array.from({ length: 8 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(i + 1, { clock });
      running--;
      return i;
    });
    const values: unknown[] = [];
    for await (const task of asCompleted(inputs, { concurrency: 3 })) values.push(task.result());
    expect(peak).toBe(3);
    expect(values).toHaveLength(8);
  });

  test('leaving the loop early cancels the tasks still running and waits for them', async () => {
    const clock = new VirtualClock();
    const cancelled: number[] = [];
    const inputs = [5, 100, 200].map((ms, i) => async (ctx: { signal: AbortSignal }) => {
      try {
        await sleep(ms, { signal: ctx.signal, clock });
      } catch (e) {
        cancelled.push(i);
        throw e;
      }
    });
    for await (const task of asCompleted(inputs)) {
      expect(task.state).toBe('fulfilled');
      break;
    }
    expect(cancelled.sort()).toEqual([1, 2]);
    expect(clock.now()).toBe(5);
  });

  test('the caller signal ends the loop with its reason', async () => {
    const controller = new AbortController();
    const stream = asCompleted([(ctx: { signal: AbortSignal }) => sleep(Infinity, { signal: ctx.signal })], { signal: controller.signal });
    const next = stream.next();
    await nextTurn();
    controller.abort(new Error('stop'));
    expect(((await rejection(next)) as Error).message).toBe('stop');
  });

  test('empty input ends at once; bad input fails at the call', async () => {
    expect(await asCompleted([]).next()).toEqual({ done: true, value: undefined });
    expect(() => asCompleted(3 as never)).toThrow(/Expected inputs to be an Iterable or AsyncIterable, got 3 \(number\)/);
  });
});
