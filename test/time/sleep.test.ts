import { describe, expect, test, vi } from 'vitest';
import { realClock, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, rejection } from '../support.js';

describe('sleep', () => {
  test('resolves after the given time on the clock', async () => {
    const clock = new VirtualClock({ autojump: false });
    const sleeping = sleep(250, { clock });
    await clock.advance(249);
    expect(await isPending(sleeping)).toBe(true);
    await clock.advance(1);
    await sleeping;
    expect(clock.now()).toBe(250);
  });

  test('sleep(0) resolves on the next timer tick', async () => {
    const clock = new VirtualClock();
    await sleep(0, { clock });
    expect(clock.now()).toBe(0);
  });

  test('aborting rejects with the signal reason, clears the timer and the listener', async () => {
    const clock = new VirtualClock({ autojump: false });
    const controller = new AbortController();
    const sleeping = sleep(1_000, { signal: controller.signal, clock });
    expect(clock.pendingTimers).toBe(1);
    expect(abortListeners(controller.signal)).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await rejection(sleeping)).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('a finished sleep removes its listener', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    await sleep(5, { signal: controller.signal, clock });
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('an already-aborted signal rejects at once and sets no timer', async () => {
    const clock = new VirtualClock({ autojump: false });
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(sleep(10, { signal: controller.signal, clock }))).toBe(controller.signal.reason);
    expect(clock.pendingTimers).toBe(0);
  });

  test('sleep(Infinity) waits until the signal aborts, with no timer', async () => {
    const clock = new VirtualClock({ autojump: false });
    const controller = new AbortController();
    const forever = sleep(Infinity, { signal: controller.signal, clock });
    expect(clock.pendingTimers).toBe(0);
    expect(await isPending(forever)).toBe(true);
    controller.abort();
    await rejection(forever);
  });

  test('bad durations fail at the call with the parameter and value', () => {
    expect(() => sleep(-1)).toThrow(new RangeError('Expected ms to be a number of milliseconds >= 0 or Infinity, got -1 (number)'));
    expect(() => sleep(Number.NaN)).toThrow(RangeError);
    expect(() => sleep('10' as never)).toThrow(
      new TypeError('Expected ms to be a number of milliseconds >= 0 or Infinity, got "10" (string)'),
    );
    expect(() => sleep(1, { signal: 1 as never })).toThrow(/options\.signal/);
  });
});

describe('realClock', () => {
  test('now() is monotonic milliseconds', () => {
    const a = realClock.now();
    const b = realClock.now();
    expect(b).toBeGreaterThanOrEqual(a);
  });

  test('a delay beyond the platform timer limit is split into steps, not fired at once', () => {
    // Capture the platform timers instead of waiting on them.
    const armed: { callback: (arg: unknown) => void; ms: number; arg: unknown }[] = [];
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: (arg: unknown) => void, ms: number, arg: unknown) => {
      armed.push({ callback, ms, arg });
      return armed.length as never;
    }) as never);
    try {
      const max = 2_147_483_647;
      let fired = 0;
      realClock.setTimeout(() => fired++, 2 * max + 10, undefined);
      expect(armed.map((t) => t.ms)).toEqual([max]);
      const step = (i: number): void => {
        const t = armed[i];
        if (t === undefined) throw new Error(`no timer ${i}`);
        t.callback(t.arg);
      };
      step(0);
      expect(armed.map((t) => t.ms)).toEqual([max, max]);
      step(1);
      expect(armed.map((t) => t.ms)).toEqual([max, max, 10]);
      expect(fired).toBe(0);
      step(2);
      expect(fired).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });
});
