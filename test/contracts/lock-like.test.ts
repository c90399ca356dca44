// One contract, every lock-like type: Lock, Semaphore(1) and a Condition's
// lock must behave the same way for the calls they share.
import { describe, expect, test } from 'vitest';
import { Condition, Lock, Semaphore, sleep, type Permit, type TaskFunction } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, nextTurn, rejection } from '../support.js';

interface LockLike {
  acquire(options?: { signal?: AbortSignal }): Promise<Permit>;
  tryAcquire(): Permit | undefined;
  run<T>(fn: TaskFunction<T>, options?: { signal?: AbortSignal }): Promise<T>;
}

const kinds: [string, () => LockLike][] = [
  ['Lock', () => new Lock()],
  ['Semaphore(1)', () => new Semaphore(1)],
  [
    "Condition's lock",
    () => {
      const condition = new Condition();
      return {
        acquire: (o) => condition.acquire(o),
        tryAcquire: () => condition.lock.tryAcquire(),
        run: (fn, o) => condition.run(fn, o),
      };
    },
  ],
];

describe.each(kinds)('lock contract: %s', (_name, make) => {
  test('one holder at a time, however many contend', async () => {
    const lock = make();
    const clock = new VirtualClock();
    let inside = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lock.run(async () => {
          inside++;
          peak = Math.max(peak, inside);
          await sleep(i % 3, { clock });
          inside--;
        }),
      ),
    );
    expect(peak).toBe(1);
  });

  test('waiters get the lock in arrival order', async () => {
    const lock = make();
    const first = await lock.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) =>
      lock.acquire().then((p) => {
        order.push(i);
        p.release();
      }),
    );
    first.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  test('release is idempotent and using releases', async () => {
    const lock = make();
    const permit = await lock.acquire();
    permit.release();
    permit.release();
    {
      using _p = await lock.acquire();
      expect(lock.tryAcquire()).toBeUndefined();
    }
    const again = lock.tryAcquire();
    expect(again).toBeDefined();
    again?.release();
  });

  test('a waiter cancelled while waiting leaves the line and takes nothing', async () => {
    const lock = make();
    const held = await lock.acquire();
    const controller = new AbortController();
    const cancelled = lock.acquire({ signal: controller.signal });
    const next = lock.acquire();
    const reason = new Error('gave up');
    controller.abort(reason);
    expect(await rejection(cancelled)).toBe(reason);
    expect(abortListeners(controller.signal)).toBe(0);
    held.release();
    const permit = await next;
    permit.release();
    expect(lock.tryAcquire()).toBeDefined();
  });

  test('an already-aborted signal rejects at once', async () => {
    const lock = make();
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(lock.acquire({ signal: controller.signal }))).toBe(controller.signal.reason);
    expect(lock.tryAcquire()).toBeDefined();
  });

  test('run releases whatever the outcome', async () => {
    const lock = make();
    await rejection(
      lock.run(() => {
        throw new Error('x');
      }),
    );
    expect(await lock.run(async () => 'ok')).toBe('ok');
    expect(lock.tryAcquire()).toBeDefined();
  });

  test('tryAcquire never barges past a waiter', async () => {
    const lock = make();
    const held = await lock.acquire();
    const waiting = lock.acquire();
    held.release();
    expect(lock.tryAcquire()).toBeUndefined();
    (await waiting).release();
  });

  test('a waiter stays pending while the lock is held', async () => {
    const lock = make();
    const held = await lock.acquire();
    const waiting = lock.acquire();
    expect(await isPending(waiting)).toBe(true);
    held.release();
    (await waiting).release();
    await nextTurn();
  });
});
