import { describe, expect, test } from 'vitest';
import { gather, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { manual, nextTurn, rejection, turns } from '../support.js';

describe('gather', () => {
  test('runs task functions, promises and values; results in input order', async () => {
    const clock = new VirtualClock();
    const result = await gather([
      async () => (await sleep(20, { clock }), 'slow'),
      Promise.resolve('promise'),
      'value',
      () => 'sync',
    ]);
    expect(result).toEqual(['slow', 'promise', 'value', 'sync']);
  });

  test('the first failure cancels the other task functions and is rethrown unchanged', async () => {
    const boom = new Error('boom');
    const states: boolean[] = [];
    const err = await rejection(
      gather([
        async (ctx) => {
          await sleep(Infinity, { signal: ctx.signal }).catch((e: unknown) => {
            states.push(ctx.signal.aborted);
            throw e;
          });
        },
        async () => {
          await nextTurn();
          throw boom;
        },
      ]),
    );
    expect(err).toBe(boom);
    expect(states).toEqual([true]);
  });

  test('settle: true reports each outcome and never rejects for a task', async () => {
    const boom = new Error('b');
    const result = await gather([async () => 1, () => Promise.reject(boom), Promise.reject(boom)], { settle: true });
    expect(result).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
  });

  test('concurrency limits task functions and starts them in input order', async () => {
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    const clock = new VirtualClock();
    const task = (i: number) => async () => {
      order.push(i);
      running++;
      peak = Math.max(peak, running);
      await sleep(10 - i, { clock });
      running--;
      return i;
    };
    expect(await gather([task(0), task(1), task(2), task(3), task(4)], { concurrency: 2 })).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  test('a rejected promise waiting for a slot is never an unhandled rejection', async () => {
    const gate = manual();
    const late = Promise.reject(new Error('late'));
    const running = gather([() => gate.promise, late], { concurrency: 1 });
    // The only slot is busy while `late` is already rejected: Vitest fails
    // the run if that rejection is reported as unhandled meanwhile.
    await turns(3);
    gate.resolve();
    expect(((await rejection(running)) as Error).message).toBe('late');
  });

  test('an already-aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    await rejection(
      gather(
        [
          () => {
            ran = true;
          },
        ],
        { signal: controller.signal },
      ),
    );
    expect(ran).toBe(false);
  });

  test('a failure does not wait for plain promises: gather owns only what it started', async () => {
    const never = new Promise<never>(() => {});
    const boom = new Error('boom');
    expect(await rejection(gather([never, () => Promise.reject(boom)]))).toBe(boom);
    expect(await rejection(gather([never, () => Promise.reject(boom)], { concurrency: 1 }).catch((e: unknown) => Promise.reject(e)))).toBe(boom);
  });

  test('empty input resolves to []', async () => {
    expect(await gather([])).toEqual([]);
  });

  test('bad arguments reject clearly', async () => {
    await expect(gather(5 as never)).rejects.toThrow(new TypeError('Expected inputs to be an array or other Iterable, got 5 (number)'));
    await expect(gather([], { concurrency: 0 })).rejects.toThrow(/Expected concurrency to be an integer >= 1 or Infinity, got 0/);
  });
});
