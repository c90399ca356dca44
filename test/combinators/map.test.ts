import { describe, expect, test } from 'vitest';
import { CancelledError, Semaphore, map, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, manual, naturals, nextTurn, rejection, tracked } from '../support.js';

describe('map', () => {
  test('results come back in input order whatever the completion order', async () => {
    const clock = new VirtualClock();
    const delays = [50, 10, 40, 0, 30, 20];
    const finished: number[] = [];
    const results = await map(
      delays,
      async (ms, ctx) => {
        await sleep(ms, { clock });
        finished.push(ctx.index);
        return `item ${ctx.index} after ${ms}`;
      },
      { concurrency: 3 },
    );
    expect(results).toEqual(delays.map((ms, i) => `item ${i} after ${ms}`));
    expect(finished).not.toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('never runs more than `concurrency` at once, and starts in input order', async () => {
    const clock = new VirtualClock();
    let running = 0;
    let peak = 0;
    const starts: number[] = [];
    await map(
      Array.from({ length: 40 }, (_, i) => i),
      async (i) => {
        starts.push(i);
        running++;
        peak = Math.max(peak, running);
        await sleep((i * 7) % 13, { clock });
        running--;
      },
      { concurrency: 4 },
    );
    expect(peak).toBe(4);
    expect(starts).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  test('empty input resolves to [] at once', async () => {
    expect(await map([], async () => 1)).toEqual([]);
    expect(await map((function* () {})(), async () => 1, { concurrency: 2 })).toEqual([]);
  });

  test('pulls the input lazily: an item is taken only when a slot is free', async () => {
    const gates = Array.from({ length: 10 }, () => manual());
    const { iterable, log } = tracked(gates.keys());
    const running = map(iterable, (i) => gates[i]?.promise, { concurrency: 3 });
    await nextTurn();
    expect(log.pulled).toBe(3);
    gates[0]?.resolve();
    await nextTurn();
    expect(log.pulled).toBe(4);
    for (const g of gates) g.resolve();
    await running;
    expect(log.pulled).toBe(10);
  });

  test('accepts async iterables', async () => {
    async function* letters(): AsyncGenerator<string> {
      for (const c of 'abcd') {
        await nextTurn();
        yield c;
      }
    }
    expect(await map(letters(), async (c, ctx) => `${ctx.index}${c}`, { concurrency: 2 })).toEqual(['0a', '1b', '2c', '3d']);
  });

  test('fail fast: the first failure cancels the running tasks, starts no more, closes the input, then rejects with that error', async () => {
    const clock = new VirtualClock();
    const boom = new Error('item 2 failed');
    const { iterable, log } = tracked(naturals());
    const cancelled: number[] = [];
    let started = 0;
    const steps: string[] = [];
    const err = await rejection(
      map(
        iterable,
        async (i, ctx) => {
          started++;
          if (i === 2) {
            await sleep(5, { clock });
            throw boom;
          }
          try {
            await sleep(1_000, { signal: ctx.signal, clock });
          } catch (e) {
            cancelled.push(i);
            await sleep(10, { clock }); // cleanup takes a while
            steps.push(`cleanup ${i}`);
            throw e;
          }
        },
        { concurrency: 4 },
      ).finally(() => steps.push('settled')),
    );
    expect(err).toBe(boom);
    expect(started).toBe(4);
    expect(cancelled.sort()).toEqual([0, 1, 3]);
    expect(log.closed).toBe(true);
    expect(log.pulled).toBe(4);
    expect(steps.at(-1)).toBe('settled');
    expect(steps.filter((s) => s.startsWith('cleanup'))).toHaveLength(3);
  });

  test('the failure a catch sees never depends on timing: later failures are discarded', async () => {
    const clock = new VirtualClock();
    const first = new TypeError('first');
    const err = await rejection(
      map(
        [10, 20, 30],
        async (ms, ctx) => {
          await sleep(ms, { clock });
          throw ctx.index === 0 ? first : new RangeError(`later ${ctx.index}`);
        },
        { concurrency: 3 },
      ),
    );
    expect(err).toBe(first);
  });

  test('the cancellation reason the siblings see names the failure as its cause', async () => {
    const boom = new Error('boom');
    let reason: unknown;
    await rejection(
      map([0, 1], async (i, ctx) => {
        if (i === 1) throw boom;
        await sleep(Infinity, { signal: ctx.signal }).catch((e: unknown) => {
          reason = e;
          throw e;
        });
      }),
    );
    expect(reason).toBeInstanceOf(CancelledError);
    expect((reason as CancelledError).cause).toBe(boom);
  });

  test('settle: every item runs and each outcome is reported in input order', async () => {
    const boom = new Error('two');
    const outcomes = await map(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw boom;
        return n * 10;
      },
      { settle: true, concurrency: 1 },
    );
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  test('the caller signal cancels running tasks, starts no more and rejects with its reason', async () => {
    const controller = new AbortController();
    const { iterable, log } = tracked(naturals());
    let started = 0;
    const running = map(
      iterable,
      async (_, ctx) => {
        started++;
        await sleep(Infinity, { signal: ctx.signal });
      },
      { concurrency: 2, signal: controller.signal },
    );
    await nextTurn();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
    expect(started).toBe(2);
    expect(log.closed).toBe(true);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('an already-aborted signal rejects at once and takes nothing from the input', async () => {
    const controller = new AbortController();
    controller.abort();
    const { iterable, log } = tracked([1, 2, 3]);
    let calls = 0;
    expect(
      await rejection(
        map(
          iterable,
          () => {
            calls++;
          },
          { signal: controller.signal },
        ),
      ),
    ).toBe(controller.signal.reason);
    expect(calls).toBe(0);
    expect(log.pulled).toBe(0);
  });

  test('an error thrown by the input iterator is a failure that cancels the running tasks', async () => {
    const broken = new Error('input broke');
    function* input(): Generator<number> {
      yield 1;
      yield 2;
      throw broken;
    }
    let cancelled = 0;
    const err = await rejection(
      map(
        input(),
        async (_, ctx) => {
          await sleep(Infinity, { signal: ctx.signal }).catch((e: unknown) => {
            cancelled++;
            throw e;
          });
        },
        { concurrency: 5 },
      ),
    );
    expect(err).toBe(broken);
    expect(cancelled).toBe(2);
  });

  test('a limiter bounds the work like concurrency does, shared across calls', async () => {
    const clock = new VirtualClock();
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const work = async (): Promise<void> => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10, { clock });
      running--;
    };
    await Promise.all([map([1, 2, 3, 4, 5], work, { limiter: semaphore }), map([1, 2, 3, 4, 5], work, { limiter: semaphore })]);
    expect(peak).toBe(3);
    expect(semaphore.available).toBe(3);
  });

  test('several limiters combine: concurrency and a semaphore', async () => {
    const clock = new VirtualClock();
    const a = new Semaphore(5);
    const b = new Semaphore(2);
    let running = 0;
    let peak = 0;
    await map(
      Array.from({ length: 10 }, (_, i) => i),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5, { clock });
        running--;
      },
      { limiter: [a, b], concurrency: 4 },
    );
    expect(peak).toBe(2);
    expect([a.available, b.available]).toEqual([5, 2]);
  });

  test('a limiter wait is cancelled with the call and gives every permit back', async () => {
    const semaphore = new Semaphore(1);
    const controller = new AbortController();
    const running = map([1, 2, 3], (_, ctx) => sleep(Infinity, { signal: ctx.signal }), {
      limiter: semaphore,
      signal: controller.signal,
    });
    await nextTurn();
    expect(semaphore.waiting).toBe(1);
    controller.abort();
    await rejection(running);
    expect(semaphore.available).toBe(1);
    expect(semaphore.waiting).toBe(0);
  });

  test('each task reading ctx.signal gets its own: many tasks passing it on raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const clock = new VirtualClock();
      const signals = new Set<AbortSignal>();
      await map(
        Array.from({ length: 50 }, (_, i) => i),
        async (_, ctx) => {
          signals.add(ctx.signal);
          await sleep(10, { signal: ctx.signal, clock });
        },
      );
      await nextTurn();
      expect(signals.size).toBe(50);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('a failure aborts the signal of every running task that read it', async () => {
    const signals: AbortSignal[] = [];
    await rejection(
      map([0, 1, 2], async (i, ctx) => {
        if (i === 2) {
          await nextTurn();
          throw new Error('x');
        }
        signals.push(ctx.signal);
        await sleep(Infinity, { signal: ctx.signal });
      }),
    );
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
  });

  test('bad arguments reject naming the parameter and the value', async () => {
    await expect(map([1], async () => 1, { concurrency: 0 })).rejects.toThrow(
      new RangeError('Expected concurrency to be an integer >= 1 or Infinity, got 0 (number)'),
    );
    await expect(map([1], async () => 1, { concurrency: 1.5 })).rejects.toThrow(RangeError);
    await expect(map([1], async () => 1, { concurrency: Number.NaN })).rejects.toThrow(/got NaN \(number\)/);
    await expect(map([1], async () => 1, { concurrency: -1 })).rejects.toThrow(/got -1 \(number\)/);
    await expect(map(42 as never, async () => 1)).rejects.toThrow(
      new TypeError('Expected input to be an Iterable or AsyncIterable, got 42 (number)'),
    );
    await expect(map([1], 'f' as never)).rejects.toThrow(new TypeError('Expected fn to be a function, got "f" (string)'));
    await expect(map([1], async () => 1, { limiter: {} as never })).rejects.toThrow(/Expected limiter to be a Limiter/);
    await expect(map([1], async () => 1, { settle: 'yes' as never })).rejects.toThrow(/options\.settle/);
  });
});

describe('map with limiters at scale', () => {
  test('unbounded concurrency with a limiter keeps at most one worker waiting, and raises no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const clock = new VirtualClock();
      const semaphore = new Semaphore(5);
      let maxWaiting = 0;
      await map(
        Array.from({ length: 2_000 }, (_, i) => i),
        async () => {
          maxWaiting = Math.max(maxWaiting, semaphore.waiting);
          await sleep(1, { clock });
        },
        { limiter: semaphore },
      );
      await nextTurn();
      expect(maxWaiting).toBeLessThanOrEqual(1);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('a limiter with concurrency above 10 raises no listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const clock = new VirtualClock();
      await map(
        Array.from({ length: 200 }, (_, i) => i),
        (_, ctx) => sleep(1, { signal: ctx.signal, clock }),
        { limiter: new Semaphore(3), concurrency: 50 },
      );
      await nextTurn();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
