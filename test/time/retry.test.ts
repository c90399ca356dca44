import { describe, expect, test } from 'vitest';
import { CancelledError, TimeoutError, retry, sleep, timeout } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, nextTurn, rejection } from '../support.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter?: number,
  ) {
    super(`HTTP ${status}`);
  }
}

describe('retry', () => {
  test('retries failures with exponential backoff until one succeeds; ctx.attempt counts from 1', async () => {
    const clock = new VirtualClock();
    const attempts: [number, number][] = [];
    const value = await retry(
      async (ctx) => {
        attempts.push([ctx.attempt, clock.now()]);
        if (ctx.attempt < 4) throw new Error(`fail ${ctx.attempt}`);
        return 'ok';
      },
      { retries: 5, minDelay: 100, factor: 2, jitter: 'none', clock },
    );
    expect(value).toBe('ok');
    expect(attempts).toEqual([
      [1, 0],
      [2, 100],
      [3, 300],
      [4, 700],
    ]);
  });

  test('full jitter waits a random part of the computed delay', async () => {
    const clock = new VirtualClock();
    const delays: number[] = [];
    await rejection(
      retry(
        () => {
          throw new Error('x');
        },
        { retries: 3, minDelay: 100, maxDelay: 250, clock, random: () => 0.5, onRetry: (_e, _a, delay) => delays.push(delay) },
      ),
    );
    expect(delays).toEqual([50, 100, 125]);
  });

  test('gives up after `retries` retries with the last error, unchanged, and records the attempts', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const err = await rejection(
      retry(
        () => {
          n++;
          throw new Error(`attempt ${n}`);
        },
        { retries: 2, clock },
      ),
    );
    expect((err as Error).message).toBe('attempt 3');
    expect((err as Error & { attempts: number }).attempts).toBe(3);
  });

  test('retryIf can refuse a retry', async () => {
    const clock = new VirtualClock();
    let n = 0;
    const err = await rejection(
      retry(
        () => {
          n++;
          throw new HttpError(400);
        },
        { retryIf: (e) => (e as HttpError).status >= 500, clock },
      ),
    );
    expect((err as HttpError).status).toBe(400);
    expect(n).toBe(1);
  });

  test('honours a retryAfter hint on the error', async () => {
    const clock = new VirtualClock();
    const times: number[] = [];
    await retry(
      (ctx) => {
        times.push(clock.now());
        if (ctx.attempt === 1) throw new HttpError(429, 5_000);
      },
      { minDelay: 10, clock },
    );
    expect(times).toEqual([0, 5_000]);
  });

  test('never retries a cancellation: the caller signal stops the attempt and the wait', async () => {
    const clock = new VirtualClock({ autojump: false });
    const controller = new AbortController();
    let n = 0;
    const running = retry(
      async (ctx) => {
        n++;
        if (ctx.attempt === 1) throw new Error('first fails');
        await sleep(Infinity, { signal: ctx.signal });
      },
      { signal: controller.signal, clock, minDelay: 1_000, jitter: 'none' },
    );
    await nextTurn();
    // Waiting between attempts: aborting stops the wait at once.
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
    expect(n).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('an explicit cancellation thrown by fn is not retried', async () => {
    let n = 0;
    const err = await rejection(
      retry(() => {
        n++;
        throw new CancelledError();
      }),
    );
    expect(err).toBeInstanceOf(CancelledError);
    expect(n).toBe(1);
  });

  test('a deadline inside an attempt is that attempt failing, and is retried', async () => {
    const clock = new VirtualClock();
    const value = await retry(
      (ctx) =>
        timeout(100, async (inner): Promise<string> => (ctx.attempt < 3 ? (await sleep(Infinity, { signal: inner.signal }), 'never') : 'third time'), {
          signal: ctx.signal,
          clock,
        }),
      { clock, jitter: 'none', minDelay: 10 },
    );
    expect(value).toBe('third time');
    expect(clock.now()).toBe(100 + 10 + 100 + 20);
  });

  test('an already-aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    await rejection(
      retry(
        () => {
          ran = true;
        },
        { signal: controller.signal },
      ),
    );
    expect(ran).toBe(false);
  });

  test('bad options fail clearly', async () => {
    await expect(retry(() => 1, { retries: -1 })).rejects.toThrow(new RangeError('Expected retries to be an integer >= 0 or Infinity, got -1 (number)'));
    await expect(retry(() => 1, { minDelay: 100, maxDelay: 10 })).rejects.toThrow(/maxDelay to be at least minDelay/);
    await expect(retry(() => 1, { factor: 0.5 })).rejects.toThrow(/factor/);
    await expect(retry(() => 1, { jitter: 'some' as never })).rejects.toThrow(/jitter/);
    expect(TimeoutError).toBeDefined();
  });
});
