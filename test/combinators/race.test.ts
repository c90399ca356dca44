import { describe, expect, test } from 'vitest';
import { CancelledError, any, race, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { rejection } from '../support.js';

describe('race', () => {
  test('the first to settle wins; the losers are cancelled and awaited', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const winner = await race([
      async (ctx) => {
        try {
          await sleep(100, { signal: ctx.signal, clock });
          return 'slow';
        } catch (e) {
          await sleep(5, { clock });
          log.push(`slow cancelled: ${(ctx.signal.reason as Error).name}`);
          throw e;
        }
      },
      async () => {
        await sleep(10, { clock });
        return 'fast';
      },
    ]).finally(() => log.push('race settled'));
    expect(winner).toBe('fast');
    expect(log).toEqual(['slow cancelled: CancelledError', 'race settled']);
    expect(clock.now()).toBe(15);
  });

  test('a rejection that comes first wins too', async () => {
    const clock = new VirtualClock();
    const boom = new Error('fast failure');
    const err = await rejection(
      race([
        (ctx) => sleep(100, { signal: ctx.signal, clock }),
        async () => {
          await sleep(1, { clock });
          throw boom;
        },
      ]),
    );
    expect(err).toBe(boom);
  });

  test('a plain promise that loses is not waited for (it cannot be cancelled)', async () => {
    const never = new Promise<string>(() => {});
    expect(await race([never, async () => 'fast'])).toBe('fast');
  });

  test('plain values win at once', async () => {
    expect(await race([(ctx) => sleep(Infinity, { signal: ctx.signal }), 'now'])).toBe('now');
  });

  test('an empty race is an error, not a promise that never settles', async () => {
    await expect(race([])).rejects.toThrow(RangeError);
  });

  test('the caller signal cancels every input and rejects with its reason', async () => {
    const controller = new AbortController();
    const running = race([(ctx) => sleep(Infinity, { signal: ctx.signal })], { signal: controller.signal });
    controller.abort(new Error('stop'));
    expect(((await rejection(running)) as Error).message).toBe('stop');
  });
});

describe('any', () => {
  test('the first fulfilment wins; failures are ignored; losers cancelled', async () => {
    const clock = new VirtualClock();
    let loserReason: unknown;
    const value = await any([
      async () => {
        throw new Error('instant failure');
      },
      async (ctx) => {
        try {
          await sleep(100, { signal: ctx.signal, clock });
        } catch (e) {
          loserReason = ctx.signal.reason;
          throw e;
        }
      },
      async () => {
        await sleep(20, { clock });
        return 'ok';
      },
    ]);
    expect(value).toBe('ok');
    expect(loserReason).toBeInstanceOf(CancelledError);
  });

  test('all failed: AggregateError with the errors in input order', async () => {
    const clock = new VirtualClock();
    const a = new Error('a');
    const b = new Error('b');
    const err = await rejection(
      any([
        async () => {
          await sleep(20, { clock });
          throw a;
        },
        async () => {
          await sleep(10, { clock });
          throw b;
        },
      ]),
    );
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors).toEqual([a, b]);
  });

  test('empty input rejects with an empty AggregateError, as Promise.any does', async () => {
    const err = await rejection(any([]));
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors).toEqual([]);
  });
});
