import { describe, expect, test } from 'vitest';
import { sleep, spawn, wait } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, rejection } from '../support.js';

describe('wait', () => {
  test("'all-completed' (default) waits for every task and never rejects for one", async () => {
    const clock = new VirtualClock();
    const ok = spawn(() => sleep(10, { clock }));
    const bad = spawn(async () => {
      await sleep(5, { clock });
      throw new Error('x');
    });
    const { done, pending } = await wait([ok, bad]);
    expect([...done]).toEqual([ok, bad]);
    expect(pending.size).toBe(0);
    expect(clock.now()).toBe(10);
  });

  test("'first-completed' returns as soon as one settles and cancels nothing", async () => {
    const clock = new VirtualClock();
    const fast = spawn(() => sleep(10, { clock }));
    const slow = spawn((ctx) => sleep(100, { signal: ctx.signal, clock }));
    const { done, pending } = await wait([slow, fast], { returnWhen: 'first-completed' });
    expect([...done]).toEqual([fast]);
    expect([...pending]).toEqual([slow]);
    expect(slow.state).toBe('running');
    await slow;
    expect(clock.now()).toBe(100);
  });

  test("'first-error' returns on the first failure; a cancelled task is not an error", async () => {
    const clock = new VirtualClock();
    const cancelled = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
    const failing = spawn(async () => {
      await sleep(20, { clock });
      throw new Error('x');
    });
    const slow = spawn(() => sleep(50, { clock }));
    const waiting = wait([cancelled, failing, slow], { returnWhen: 'first-error' });
    await cancelled.cancel();
    const { done, pending } = await waiting;
    expect(clock.now()).toBe(20);
    expect(done).toEqual(new Set([cancelled, failing]));
    expect(pending).toEqual(new Set([slow]));
    await slow;
  });

  test('timeout returns what is done by then, and removes its timer', async () => {
    const clock = new VirtualClock();
    const tasks = [10, 20, 30].map((ms) => spawn(() => sleep(ms, { clock })));
    const { done, pending } = await wait(tasks, { timeout: 25, clock });
    expect(done.size).toBe(2);
    expect(pending.size).toBe(1);
    expect(clock.now()).toBe(25);
    await Promise.all(tasks);
    expect(clock.pendingTimers).toBe(0);
  });

  test('already-settled tasks count at once; empty input resolves at once', async () => {
    const done = spawn(() => 1);
    expect((await wait([done], { returnWhen: 'first-completed' })).done.has(done)).toBe(true);
    const empty = await wait([]);
    expect(empty.done.size + empty.pending.size).toBe(0);
  });

  test('the caller signal stops waiting without touching the tasks and removes its listener', async () => {
    const controller = new AbortController();
    const task = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
    const waiting = wait([task], { signal: controller.signal });
    controller.abort(new Error('enough'));
    expect(((await rejection(waiting)) as Error).message).toBe('enough');
    expect(task.state).toBe('running');
    expect(abortListeners(controller.signal)).toBe(0);
    await task.cancel();
  });

  test('bad arguments reject clearly', async () => {
    await expect(wait([Promise.resolve(1)] as never)).rejects.toThrow(/Expected tasks to hold only Tasks/);
    await expect(wait([], { returnWhen: 'some' as never })).rejects.toThrow(
      `Expected options.returnWhen to be 'all-completed', 'first-completed' or 'first-error', got "some" (string)`,
    );
    await expect(wait([], { timeout: -1 })).rejects.toThrow(RangeError);
  });
});
