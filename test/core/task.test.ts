import { describe, expect, test } from 'vitest';
import { CancelledError, InvalidStateError, Task, sleep, spawn } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, manual, nextTurn, rejection } from '../support.js';

describe('spawn', () => {
  test('runs the function now and hands back a task that settles with its value', async () => {
    let ran = false;
    const gate = manual<number>();
    const task = spawn(async () => {
      ran = true;
      return gate.promise;
    });
    expect(ran).toBe(true);
    expect(task).toBeInstanceOf(Task);
    expect(task.state).toBe('running');
    expect(task.done).toBe(false);
    gate.resolve(7);
    expect(await task).toBe(7);
    expect(task.state).toBe('fulfilled');
    expect(task.done).toBe(true);
    expect(task.result()).toBe(7);
  });

  test('accepts a synchronous function', async () => {
    const task = spawn(() => 'sync');
    expect(task.state).toBe('fulfilled');
    expect(await task).toBe('sync');
  });

  test('a failure is held by the task: state, result() and await give the same error', async () => {
    const boom = new Error('boom');
    const task = spawn(async () => {
      await nextTurn();
      throw boom;
    });
    expect(await rejection(task)).toBe(boom);
    expect(task.state).toBe('rejected');
    expect(() => task.result()).toThrow(boom);
  });

  test('a synchronous throw becomes the task failure', async () => {
    const boom = new Error('sync boom');
    const task = spawn(() => {
      throw boom;
    });
    expect(task.state).toBe('rejected');
    expect(await rejection(task)).toBe(boom);
  });

  test('result() on a running task throws InvalidStateError naming the task', async () => {
    const gate = manual();
    const task = spawn(() => gate.promise, { name: 'loader' });
    expect(() => task.result()).toThrow(InvalidStateError);
    expect(() => task.result()).toThrow(/"loader" is still running/);
    gate.resolve();
    await task;
  });

  test('name: the option, else the function name, else "anonymous"', async () => {
    async function fetchUser(): Promise<void> {}
    expect(spawn(fetchUser).name).toBe('fetchUser');
    expect(spawn(fetchUser, { name: 'u1' }).name).toBe('u1');
    expect(spawn(async () => {}).name).toBe('anonymous');
    await nextTurn();
  });

  test('cancel() aborts ctx.signal with a CancelledError and the task ends cancelled', async () => {
    let seen: AbortSignal | undefined;
    const task = spawn(async (ctx) => {
      seen = ctx.signal;
      await sleep(Infinity, { signal: ctx.signal });
    });
    expect(seen?.aborted).toBe(false);
    await task.cancel();
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(CancelledError);
    expect(task.state).toBe('cancelled');
    expect(await rejection(task)).toBe(seen?.reason);
  });

  test('cancel(reason) uses the given reason', async () => {
    const reason = new Error('shutting down');
    const task = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
    await task.cancel(reason);
    expect(task.state).toBe('cancelled');
    expect(await rejection(task)).toBe(reason);
  });

  test('cancel() resolves only once the task has unwound', async () => {
    const steps: string[] = [];
    const clock = new VirtualClock();
    const task = spawn(async (ctx) => {
      try {
        await sleep(Infinity, { signal: ctx.signal });
      } finally {
        await sleep(100, { clock });
        steps.push('cleaned up');
      }
    });
    await task.cancel();
    steps.push('cancel returned');
    expect(steps).toEqual(['cleaned up', 'cancel returned']);
    expect(clock.now()).toBe(100);
  });

  test('cancel() only asks: a function that ignores its signal runs on and fulfils', async () => {
    const gate = manual<string>();
    const task = spawn(() => gate.promise);
    const cancelling = task.cancel();
    expect(task.state).toBe('running');
    expect(await isPending(cancelling)).toBe(true);
    gate.resolve('finished anyway');
    await cancelling;
    expect(task.state).toBe('fulfilled');
    expect(task.result()).toBe('finished anyway');
  });

  test('a failure thrown while being cancelled is a real failure, not a cancellation', async () => {
    const cleanupFailed = new Error('rollback failed');
    const task = spawn(async (ctx) => {
      try {
        await sleep(Infinity, { signal: ctx.signal });
      } catch {
        throw cleanupFailed;
      }
    });
    await task.cancel();
    expect(task.state).toBe('rejected');
    expect(await rejection(task)).toBe(cleanupFailed);
  });

  test('an AbortError raised by a platform API after cancellation counts as cancelled', async () => {
    const task = spawn(async (ctx) => {
      await new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    });
    await task.cancel();
    expect(task.state).toBe('cancelled');
  });

  test('a cancellation error thrown without the signal being aborted is a failure', async () => {
    const task = spawn(async () => {
      throw new CancelledError('someone else cancelled me');
    });
    await task.settled();
    expect(task.state).toBe('rejected');
  });

  test('the caller signal cancels the task with its reason', async () => {
    const controller = new AbortController();
    const task = spawn((ctx) => sleep(Infinity, { signal: ctx.signal }), { signal: controller.signal });
    const reason = new Error('user pressed stop');
    controller.abort(reason);
    expect(await rejection(task)).toBe(reason);
    expect(task.state).toBe('cancelled');
  });

  test('an already-aborted signal starts nothing and the task is cancelled at once', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const task = spawn(
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    expect(ran).toBe(false);
    expect(task.state).toBe('cancelled');
    expect(await rejection(task)).toBe(controller.signal.reason);
  });

  test('a signal read after cancel() is already aborted', async () => {
    const gate = manual();
    let aborted: boolean | undefined;
    const task = spawn(async (ctx) => {
      await gate.promise;
      aborted = ctx.signal.aborted;
    });
    const cancelling = task.cancel();
    gate.resolve();
    await cancelling;
    expect(aborted).toBe(true);
  });

  test('cancelling a settled task does nothing', async () => {
    const task = spawn(() => 1);
    await task.cancel();
    expect(task.state).toBe('fulfilled');
  });

  test('then/catch/finally behave like a promise', async () => {
    const ok = spawn(async () => 2);
    expect(await ok.then((v) => v * 10)).toBe(20);
    const bad = spawn(async () => {
      throw new Error('x');
    });
    expect(await bad.catch((e: unknown) => (e as Error).message)).toBe('x');
    let finallyRan = false;
    await ok.finally(() => {
      finallyRan = true;
    });
    expect(finallyRan).toBe(true);
    expect(Object.prototype.toString.call(ok)).toBe('[object Task]');
  });

  test('the caller signal loses its listener when the task settles', async () => {
    const controller = new AbortController();
    const gate = manual();
    const task = spawn(() => gate.promise, { signal: controller.signal });
    expect(abortListeners(controller.signal)).toBe(1);
    gate.resolve();
    await task;
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('bad arguments fail at the call, naming the parameter and the value', () => {
    expect(() => spawn(42 as never)).toThrow(new TypeError('Expected fn to be a function, got 42 (number)'));
    expect(() => spawn(() => 1, { signal: 'stop' as never })).toThrow(
      new TypeError('Expected options.signal to be an AbortSignal, got "stop" (string)'),
    );
    expect(() => spawn(() => 1, { name: 5 as never })).toThrow(
      new TypeError('Expected options.name to be a string, got 5 (number)'),
    );
    expect(() => spawn(() => 1, 'x' as never)).toThrow(
      new TypeError('Expected options to be an options object, got "x" (string)'),
    );
  });
});
