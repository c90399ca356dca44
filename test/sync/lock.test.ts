import { describe, expect, test } from 'vitest';
import { Lock, LockHandle } from '../../src/index.js';

describe('Lock', () => {
  test('locked and waiting report the state; the handle tells whether it holds', async () => {
    const lock = new Lock();
    expect(lock.locked).toBe(false);
    const handle = await lock.acquire();
    expect(handle).toBeInstanceOf(LockHandle);
    expect([lock.locked, handle.held]).toEqual([true, true]);
    const waiting = lock.acquire();
    expect(lock.waiting).toBe(1);
    handle.release();
    expect(handle.held).toBe(false);
    // Hand-off: still locked, now by the waiter.
    expect(lock.locked).toBe(true);
    (await waiting).release();
    expect(lock.locked).toBe(false);
  });

  test('works as a limiter of weight 1 only', async () => {
    const lock = new Lock();
    await expect(lock.acquire({ weight: 2 })).rejects.toThrow(new RangeError('Expected weight to be 1 for a Lock, got 2 (number)'));
    (await lock.acquire({ weight: 1 })).release();
  });
});
