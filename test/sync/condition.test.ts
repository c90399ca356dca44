import { describe, expect, test } from 'vitest';
import { Condition, InvalidStateError, Lock } from '../../src/index.js';
import { isPending, nextTurn, rejection } from '../support.js';

describe('Condition', () => {
  test('wait releases the lock, and holds it again when it returns', async () => {
    const condition = new Condition();
    const items: number[] = [];
    const consumer = condition.run(async () => {
      await condition.waitFor(() => items.length > 0);
      expect(condition.locked).toBe(true);
      return items.shift();
    });
    await nextTurn();
    expect(condition.locked).toBe(false);
    await condition.run(() => {
      items.push(7);
      condition.notify();
    });
    expect(await consumer).toBe(7);
    expect(condition.locked).toBe(false);
  });

  test('notify(n) wakes n waiters in FIFO order; notifyAll wakes the rest', async () => {
    const condition = new Condition();
    const woke: number[] = [];
    const waiters = [1, 2, 3].map((i) =>
      condition.run(async () => {
        await condition.wait();
        woke.push(i);
      }),
    );
    await nextTurn();
    expect(condition.waiting).toBe(3);
    await condition.run(() => condition.notify(2));
    await nextTurn();
    expect(woke).toEqual([1, 2]);
    await condition.run(() => condition.notifyAll());
    await Promise.all(waiters);
    expect(woke).toEqual([1, 2, 3]);
  });

  test('a cancelled wait re-acquires the lock before it rejects', async () => {
    const condition = new Condition();
    const controller = new AbortController();
    let heldAfterCancel: boolean | undefined;
    const waiting = condition.run(async () => {
      try {
        await condition.wait({ signal: controller.signal });
      } catch (err) {
        heldAfterCancel = condition.locked;
        throw err;
      }
    });
    await nextTurn();
    const blocker = await condition.acquire();
    controller.abort(new Error('stop'));
    // It cannot finish while someone else holds the lock.
    expect(await isPending(waiting)).toBe(true);
    blocker.release();
    expect(((await rejection(waiting)) as Error).message).toBe('stop');
    expect(heldAfterCancel).toBe(true);
    expect(condition.locked).toBe(false);
  });

  test('waiting or notifying without the lock is an InvalidStateError', async () => {
    const condition = new Condition();
    await expect(condition.wait()).rejects.toThrow(InvalidStateError);
    await expect(condition.wait()).rejects.toThrow(/Condition\.wait\(\) requires holding the lock/);
    expect(() => condition.notify()).toThrow(InvalidStateError);
  });

  test('can share a lock with other code', async () => {
    const lock = new Lock();
    const condition = new Condition(lock);
    let ready = false;
    const waiter = lock.run(() => condition.waitFor(() => ready));
    await nextTurn();
    await lock.run(() => {
      ready = true;
      condition.notifyAll();
    });
    expect(await waiter).toBe(true);
    expect(() => new Condition({} as never)).toThrow(new TypeError('Expected lock to be a Lock, got an object'));
  });
});
