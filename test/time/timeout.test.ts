import { describe, expect, test } from 'vitest';
import { TimeoutError, sleep, timeout } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, rejection } from '../support.js';

describe('timeout', () => {
  test('returns the value when fn finishes in time, and clears its timer', async () => {
    const clock = new VirtualClock({ autojump: false });
    expect(await timeout(100, async () => 'fast', { clock })).toBe('fast');
    expect(clock.pendingTimers).toBe(0);
  });

  test('at the deadline ctx.signal aborts with a TimeoutError and the call rejects with it', async () => {
    const clock = new VirtualClock();
    let reason: unknown;
    const err = await rejection(
      timeout(
        300,
        async (ctx) => {
          try {
            await sleep(Infinity, { signal: ctx.signal });
          } finally {
            reason = ctx.signal.reason;
          }
        },
        { clock },
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toBe(reason);
    expect((err as TimeoutError).ms).toBe(300);
    expect(clock.now()).toBe(300);
  });

  test('a platform AbortError raised by fn at the deadline becomes the TimeoutError', async () => {
    const clock = new VirtualClock();
    const err = await rejection(
      timeout(
        10,
        (ctx) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          }),
        { clock },
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
  });

  test('a value returned after the deadline by a function that ignores its signal is kept', async () => {
    const clock = new VirtualClock();
    const value = await timeout(
      10,
      async () => {
        await sleep(50, { clock });
        return 'late but real';
      },
      { clock },
    );
    expect(value).toBe('late but real');
    expect(clock.now()).toBe(50);
  });

  test('a real failure of fn is thrown as is, before or after the deadline', async () => {
    const clock = new VirtualClock();
    const early = new Error('early');
    expect(await rejection(timeout(10, () => Promise.reject(early), { clock }))).toBe(early);
    const cleanup = new Error('cleanup failed');
    const err = await rejection(
      timeout(
        10,
        async (ctx) => {
          try {
            await sleep(Infinity, { signal: ctx.signal });
          } catch {
            throw cleanup;
          }
        },
        { clock },
      ),
    );
    expect(err).toBe(cleanup);
  });

  test('an inner shorter deadline fires first with its own TimeoutError', async () => {
    const clock = new VirtualClock();
    const err = await rejection(
      timeout(1_000, (outer) => timeout(10, (inner) => sleep(Infinity, { signal: inner.signal }), { signal: outer.signal, clock }), {
        clock,
      }),
    );
    expect((err as TimeoutError).ms).toBe(10);
    expect(clock.now()).toBe(10);
  });

  test('the caller signal cancels fn and the call rejects with its reason', async () => {
    const clock = new VirtualClock({ autojump: false });
    const controller = new AbortController();
    const running = timeout(1_000, (ctx) => sleep(Infinity, { signal: ctx.signal }), { signal: controller.signal, clock });
    const reason = new Error('user stop');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('Infinity sets no deadline', async () => {
    const clock = new VirtualClock({ autojump: false });
    const running = timeout(Infinity, async () => 5, { clock });
    expect(clock.pendingTimers).toBe(0);
    expect(await running).toBe(5);
  });

  test('a synchronous throw in fn rejects the call', async () => {
    const boom = new Error('sync');
    expect(
      await rejection(
        timeout(10, () => {
          throw boom;
        }),
      ),
    ).toBe(boom);
  });

  test('bad arguments reject at the call naming the parameter', async () => {
    await expect(timeout(-5, async () => 1)).rejects.toThrow(
      new RangeError('Expected ms to be a number of milliseconds >= 0 or Infinity, got -5 (number)'),
    );
    await expect(timeout(5, 'x' as never)).rejects.toThrow(new TypeError('Expected fn to be a function, got "x" (string)'));
  });
});
