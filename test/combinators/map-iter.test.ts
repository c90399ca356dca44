import { describe, expect, test } from 'vitest';
import { mapIter, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { manual, naturals, nextTurn, rejection, tracked, turns } from '../support.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('mapIter', () => {
  test('ordered (default): yields in input order', async () => {
    const clock = new VirtualClock();
    const delays = [30, 10, 20, 0];
    const out = await collect(mapIter(delays, async (ms, ctx) => (await sleep(ms, { clock }), ctx.index), { concurrency: 4 }));
    expect(out).toEqual([0, 1, 2, 3]);
  });

  test('ordered: false yields in completion order', async () => {
    const clock = new VirtualClock();
    const delays = [30, 10, 20, 0];
    const out = await collect(
      mapIter(delays, async (ms) => (await sleep(ms, { clock }), ms), { concurrency: 4, ordered: false }),
    );
    expect(out).toEqual([0, 10, 20, 30]);
  });

  test('nothing is pulled or started before the loop asks', async () => {
    const { iterable, log } = tracked([1, 2, 3]);
    const stream = mapIter(iterable, async (x) => x, { concurrency: 2 });
    await turns(3);
    expect(log.pulled).toBe(0);
    expect(await collect(stream)).toEqual([1, 2, 3]);
  });

  test('an endless input streams with bounded work in flight; breaking out cancels, waits and closes the input', async () => {
    const { iterable, log } = tracked(naturals());
    let running = 0;
    let peak = 0;
    let cancelled = 0;
    const seen: number[] = [];
    for await (const n of mapIter(
      iterable,
      async (i, ctx) => {
        running++;
        peak = Math.max(peak, running);
        try {
          if (i >= 5) await sleep(Infinity, { signal: ctx.signal });
          return i;
        } catch (e) {
          cancelled++;
          throw e;
        } finally {
          running--;
        }
      },
      { concurrency: 3 },
    )) {
      seen.push(n);
      if (n === 4) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBeLessThanOrEqual(3);
    expect(running).toBe(0);
    expect(cancelled).toBeGreaterThan(0);
    expect(log.closed).toBe(true);
  });

  test('backpressure: a slow consumer pauses the work at `backpressure` items started but not consumed', async () => {
    const { iterable, log } = tracked(naturals());
    const stream = mapIter(iterable, async (i) => i, { concurrency: 2, backpressure: 5 });
    const first = await stream.next();
    expect(first).toEqual({ done: false, value: 0 });
    await turns(10);
    // One consumed, at most five more started and waiting.
    expect(log.pulled).toBe(6);
    await stream.next();
    await turns(5);
    expect(log.pulled).toBe(7);
    await stream.return?.();
    expect(log.closed).toBe(true);
  });

  test('the reorder buffer is bounded: a slow head holds back new starts', async () => {
    const head = manual<string>();
    const { iterable, log } = tracked(naturals());
    const stream = mapIter(iterable, (i) => (i === 0 ? head.promise : `fast ${i}`), { concurrency: 3, backpressure: 4 });
    const next = stream.next();
    await turns(10);
    expect(log.pulled).toBe(4);
    head.resolve('slow head');
    expect(await next).toEqual({ done: false, value: 'slow head' });
    expect((await stream.next()).value).toBe('fast 1');
    await stream.return?.();
  });

  test('a failure ends the loop with that error after the rest are cancelled and the input is closed', async () => {
    const boom = new Error('boom');
    const { iterable, log } = tracked(naturals());
    let settledBeforeThrow = true;
    let running = 0;
    const err = await rejection(
      collect(
        mapIter(
          iterable,
          async (i, ctx) => {
            running++;
            try {
              if (i === 3) throw boom;
              if (i > 3) await sleep(Infinity, { signal: ctx.signal });
              return i;
            } finally {
              running--;
            }
          },
          { concurrency: 4 },
        ),
      ).finally(() => {
        settledBeforeThrow = running === 0;
      }),
    );
    expect(err).toBe(boom);
    expect(settledBeforeThrow).toBe(true);
    expect(log.closed).toBe(true);
  });

  test('the caller signal ends the loop with its reason', async () => {
    const controller = new AbortController();
    const stream = mapIter(naturals(), (_, ctx) => sleep(Infinity, { signal: ctx.signal }), {
      concurrency: 2,
      signal: controller.signal,
    });
    const next = stream.next();
    await nextTurn();
    controller.abort(new Error('stop'));
    expect(((await rejection(next)) as Error).message).toBe('stop');
  });

  test('empty input ends at once', async () => {
    expect(await collect(mapIter([], async () => 1))).toEqual([]);
  });

  test('return() before iterating closes the input without starting anything', async () => {
    let closed = false;
    const iterable: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => ({ done: false, value: 1 }),
        return: () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    };
    let calls = 0;
    const stream = mapIter(iterable, () => {
      calls++;
    });
    await stream.return?.();
    expect(calls).toBe(0);
    expect(closed).toBe(true);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  test('bad options fail at the call', () => {
    expect(() => mapIter([1], async () => 1, { concurrency: 4, backpressure: 2 })).toThrow(
      new RangeError('Expected backpressure to be at least the concurrency (4), got 2 (number)'),
    );
    expect(() => mapIter([1], async () => 1, { ordered: 1 as never })).toThrow(/options\.ordered/);
  });
});
