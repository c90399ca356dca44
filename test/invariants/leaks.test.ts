// No leaks: many calls sharing one long-lived signal leave its listener count
// where it was, and nothing prints a MaxListenersExceededWarning.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Event, Lock, Queue, Semaphore, gather, map, mapIter, race, sleep, spawn, taskGroup, timeout } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, manual } from '../support.js';

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

describe('No leaks in the combinators', () => {
  test(`Principle: ${N} map, gather, race and mapIter calls sharing one signal leave it as they found it`, async () => {
    const { signal } = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < N / 4; i++) {
        await map([1, 2], (x, ctx) => (ctx.signal.aborted ? 0 : x), { signal, concurrency: 2 });
        await gather([(ctx) => ctx.signal.aborted, async () => 1], { signal });
        await race([(ctx) => ctx.signal.aborted, async () => 1], { signal });
        for await (const _ of mapIter([1], (x, ctx) => (ctx.signal.aborted ? 0 : x), { signal })) break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(abortListeners(signal)).toBe(0);
    expect(warnings.map((w) => w.name)).toEqual([]);
  });

  test('many concurrent map tasks reading ctx.signal add one listener to the caller signal, not one each', async () => {
    const controller = new AbortController();
    const gate = manual();
    const running = map(
      Array.from({ length: 1_000 }, (_, i) => i),
      async (_, ctx) => {
        ctx.signal.addEventListener('abort', () => {}, { once: true });
        await gate.promise;
      },
      { signal: controller.signal },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(abortListeners(controller.signal)).toBe(1);
    gate.resolve();
    await running;
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

describe('No leaks in the waiting primitives', () => {
  test(`Principle: ${N} contended waits on locks, semaphores, events and queues sharing one signal leave it as they found it`, async () => {
    const { signal } = new AbortController();
    const lock = new Lock();
    const semaphore = new Semaphore(1);
    const queue = new Queue<number>({ maxsize: 1 });
    const event = new Event();
    for (let i = 0; i < N / 4; i++) {
      const held = await lock.acquire();
      const waitingLock = lock.acquire({ signal });
      held.release();
      (await waitingLock).release();

      const permit = await semaphore.acquire();
      const waitingPermit = semaphore.acquire({ signal });
      permit.release();
      (await waitingPermit).release();

      const getting = queue.get({ signal });
      await queue.put(i, { signal });
      await getting;

      const waitingEvent = event.wait({ signal });
      event.set();
      await waitingEvent;
      event.clear();
    }
    expect(abortListeners(signal)).toBe(0);
  });
});
