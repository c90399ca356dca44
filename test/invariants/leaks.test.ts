// No leaks: many calls sharing one long-lived signal leave its listener count
// where it was, and nothing prints a MaxListenersExceededWarning.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sleep, spawn, taskGroup, timeout } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners } from '../support.js';

const N = 10_000;

describe('No leaks on a long-lived signal', () => {
  let warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  // Warnings are emitted on the next tick: let them arrive before checking.
  async function expectNoWarnings(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.name)).toEqual([]);
  }

  test(`Principle: ${N} spawns leave the signal as they found it`, async () => {
    const controller = new AbortController();
    const { signal } = controller;
    for (let i = 0; i < N; i++) {
      // Reading ctx.signal makes the task link its own signal to the caller's.
      await spawn((ctx) => ctx.signal.aborted, { signal });
    }
    expect(abortListeners(signal)).toBe(0);
    await expectNoWarnings();
  });

  test(`Principle: ${N} task groups leave the signal as they found it`, async () => {
    const { signal } = new AbortController();
    for (let i = 0; i < N; i++) {
      await taskGroup(
        (group) => {
          group.spawn((ctx) => ctx.signal.aborted);
          group.spawn(async (ctx) => ctx.signal.aborted);
        },
        { signal },
      );
    }
    expect(abortListeners(signal)).toBe(0);
    await expectNoWarnings();
  });

  test(`Principle: ${N} sleeps leave the signal and the clock as they found them`, async () => {
    const { signal } = new AbortController();
    const clock = new VirtualClock({ autojump: false });
    for (let i = 0; i < N; i++) {
      const sleeping = sleep(5, { signal, clock });
      await clock.advance(5);
      await sleeping;
    }
    expect(abortListeners(signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.now()).toBe(5 * N);
    await expectNoWarnings();
  });

  test(`Principle: ${N} aborted sleeps clear their timers`, async () => {
    const clock = new VirtualClock({ autojump: false });
    for (let i = 0; i < N; i++) {
      const controller = new AbortController();
      const sleeping = sleep(1_000, { signal: controller.signal, clock });
      controller.abort();
      await sleeping.catch(() => undefined);
    }
    expect(clock.pendingTimers).toBe(0);
  });

  test(`Principle: ${N} timeouts leave the signal and the clock as they found them`, async () => {
    const { signal } = new AbortController();
    const clock = new VirtualClock({ autojump: false });
    for (let i = 0; i < N; i++) {
      await timeout(1_000, (ctx) => ctx.signal.aborted, { signal, clock });
    }
    expect(abortListeners(signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    await expectNoWarnings();
  });
});
