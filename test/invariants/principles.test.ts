// baton's structured-concurrency principles (SEMANTICS sections 1-3, 6, 8),
// each a named test with a short hang guard: a broken principle that hangs
// fails within a second, by name.
import { describe, expect, test } from 'vitest';
import {
  CancelledError,
  TimeoutError,
  isCancellation,
  sleep,
  spawn,
  taskGroup,
  timeout,
} from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, manual, nextTurn, rejection } from '../support.js';

const guard = { timeout: 1_000 };

class NetworkError extends Error {}
class ParseError extends Error {}

describe('Structured lifetime', () => {
  test('Principle 1: a group settles only after every child has settled', guard, async () => {
    const clock = new VirtualClock();
    const settled: string[] = [];
    const failing = new Error('fail fast');
    const group = taskGroup(async (g) => {
      // A child that takes its time to unwind after cancellation.
      g.spawn(async (ctx) => {
        try {
          await sleep(Infinity, { signal: ctx.signal });
        } finally {
          await sleep(500, { clock });
          settled.push('slow cleanup');
        }
      });
      g.spawn(async () => {
        await sleep(10, { clock });
        settled.push('failing child');
        throw failing;
      });
    });
    expect(await rejection(group)).toBe(failing);
    settled.push('group settled');
    expect(settled).toEqual(['failing child', 'slow cleanup', 'group settled']);
    expect(clock.now()).toBe(510);
  });

  test('Principle 2: when a timeout settles, the work it started has settled', guard, async () => {
    const clock = new VirtualClock();
    let unwound = false;
    const err = await rejection(
      timeout(
        100,
        async (ctx) => {
          try {
            await sleep(Infinity, { signal: ctx.signal });
          } finally {
            await sleep(50, { clock });
            unwound = true;
          }
        },
        { clock },
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(unwound).toBe(true);
    expect(clock.now()).toBe(150);
  });
});

describe('Cancellation', () => {
  test('Principle 3: aborting the caller signal cancels running children with the same reason', guard, async () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    const reason = new Error('user cancelled');
    const group = taskGroup(
      (g) => {
        for (let i = 0; i < 3; i++) {
          g.spawn(async (ctx) => {
            try {
              await sleep(Infinity, { signal: ctx.signal });
            } finally {
              reasons.push(ctx.signal.reason);
            }
          });
        }
      },
      { signal: controller.signal },
    );
    await nextTurn();
    controller.abort(reason);
    expect(await rejection(group)).toBe(reason);
    expect(reasons).toEqual([reason, reason, reason]);
  });

  test('Principle 4: an already-aborted signal rejects at once and starts nothing', guard, async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    let started = 0;
    const work = async (): Promise<void> => {
      started++;
    };
    const signal = controller.signal;
    expect(await rejection(taskGroup(work, { signal }))).toBe(signal.reason);
    expect(await rejection(timeout(100, work, { signal }))).toBe(signal.reason);
    expect(await rejection(sleep(100, { signal }))).toBe(signal.reason);
    expect(await rejection(spawn(work, { signal }))).toBe(signal.reason);
    expect(started).toBe(0);
  });

  test('Principle 5: a child signal aborts with its parent, and aborting a child never aborts the parent', guard, async () => {
    const controller = new AbortController();
    await taskGroup(
      async (g) => {
        const child = g.spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
        await child.cancel();
        expect(child.state).toBe('cancelled');
        expect(g.signal.aborted).toBe(false);
        expect(controller.signal.aborted).toBe(false);
      },
      { signal: controller.signal },
    );

    let childSignal: AbortSignal | undefined;
    const group = taskGroup(
      (g) => {
        g.spawn(async (ctx) => {
          childSignal = ctx.signal;
          await sleep(Infinity, { signal: ctx.signal });
        });
      },
      { signal: controller.signal },
    );
    await nextTurn();
    controller.abort();
    await rejection(group);
    expect(childSignal?.aborted).toBe(true);
  });

  test('Principle 6: a settled call leaves no listener on the caller signal and no timer behind', guard, async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const clock = new VirtualClock({ autojump: false });
    const sleeping = sleep(1_000, { signal, clock });
    const timed = timeout(1_000, async () => 'quick', { signal, clock });
    const task = spawn((ctx) => sleep(10, { signal: ctx.signal, clock }), { signal });
    expect(await timed).toBe('quick');
    await clock.advance(1_000);
    await sleeping;
    await task;
    await taskGroup((g) => g.spawn((ctx) => ctx.signal.aborted), { signal });
    expect(abortListeners(signal)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('Errors', () => {
  test('Principle 7: a group rejects with the first real failure, the very same object, whatever fails after it', guard, async () => {
    for (const [firstDelay, secondDelay] of [
      [10, 20],
      [20, 10],
    ] as const) {
      const clock = new VirtualClock();
      const network = new NetworkError('network');
      const parse = new ParseError('parse');
      const err = await rejection(
        taskGroup((g) => {
          g.spawn(async () => {
            await sleep(firstDelay, { clock });
            throw network;
          });
          g.spawn(async () => {
            await sleep(secondDelay, { clock });
            throw parse;
          });
        }),
      );
      expect(err).toBe(firstDelay < secondDelay ? network : parse);
    }
  });

  test('Principle 8: a failure during cancellation is reported, never dropped', guard, async () => {
    const controller = new AbortController();
    const rollbackFailed = new Error('rollback failed');
    const group = taskGroup(
      (g) => {
        g.spawn(async (ctx) => {
          try {
            await sleep(Infinity, { signal: ctx.signal });
          } catch {
            throw rollbackFailed;
          }
        });
      },
      { signal: controller.signal },
    );
    await nextTurn();
    controller.abort();
    expect(await rejection(group)).toBe(rollbackFailed);
  });

  test('Principle 9: siblings cancelled because of a failure are cancelled, not failed', guard, async () => {
    const boom = new Error('boom');
    const siblings: string[] = [];
    let tasks: { state: string }[] = [];
    await rejection(
      taskGroup((g) => {
        tasks = [
          g.spawn((ctx) => sleep(Infinity, { signal: ctx.signal })),
          g.spawn((ctx) => sleep(Infinity, { signal: ctx.signal })),
          g.spawn(async () => {
            await nextTurn();
            throw boom;
          }),
        ];
      }),
    );
    for (const t of tasks) siblings.push(t.state);
    expect(siblings).toEqual(['cancelled', 'cancelled', 'rejected']);
  });

  test('Principle 10: cancellations are recognisable', guard, async () => {
    const task = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
    await task.cancel();
    const cancelled = await rejection(task);
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect(isCancellation(cancelled)).toBe(true);
    const timedOut = await rejection(
      timeout(5, (ctx) => sleep(Infinity, { signal: ctx.signal }), { clock: new VirtualClock() }),
    );
    expect(isCancellation(timedOut)).toBe(true);
  });
});

describe('Tasks', () => {
  test('Principle 11: a task reports running, fulfilled, rejected or cancelled, and result() agrees', guard, async () => {
    const gate = manual<number>();
    const ok = spawn(() => gate.promise);
    expect(ok.state).toBe('running');
    gate.resolve(1);
    await ok;
    expect([ok.state, ok.result()]).toEqual(['fulfilled', 1]);
    const failed = spawn(() => Promise.reject(new Error('x')));
    await failed.settled();
    expect(failed.state).toBe('rejected');
    const cancelled = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
    await cancelled.cancel();
    expect(cancelled.state).toBe('cancelled');
    expect(() => cancelled.result()).toThrow(CancelledError);
  });
});

describe('Time', () => {
  test('Principle 12: an hour-long timeout is tested in virtual time, at the exact virtual instant', guard, async () => {
    const clock = new VirtualClock({ start: 1_000 });
    const err = await rejection(timeout(3_600_000, (ctx) => sleep(Infinity, { signal: ctx.signal }), { clock }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(clock.now()).toBe(3_601_000);
  });

  test('Principle 13: a nested deadline never extends an outer one', guard, async () => {
    const clock = new VirtualClock();
    let outerError: unknown;
    const err = await rejection(
      timeout(
        100,
        (outer) =>
          timeout(
            10_000,
            (inner) => sleep(Infinity, { signal: inner.signal }),
            { signal: outer.signal, clock },
          ).catch((e: unknown) => {
            outerError = outer.signal.reason;
            throw e;
          }),
        { clock },
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).ms).toBe(100);
    expect(err).toBe(outerError);
    expect(clock.now()).toBe(100);
  });
});
