import { describe, expect, test } from 'vitest';
import { Barrier, BrokenBarrierError } from '../../src/index.js';
import { isPending, nextTurn, rejection } from '../support.js';

describe('Barrier', () => {
  test('releases all parties together with their arrival index, and is ready for the next round', async () => {
    const barrier = new Barrier(3);
    const a = barrier.wait();
    const b = barrier.wait();
    expect(await isPending(a)).toBe(true);
    expect(barrier.waiting).toBe(2);
    const c = barrier.wait();
    expect(await Promise.all([a, b, c])).toEqual([0, 1, 2]);
    expect(barrier.waiting).toBe(0);
    const round2 = [barrier.wait(), barrier.wait(), barrier.wait()];
    expect(await Promise.all(round2)).toEqual([0, 1, 2]);
  });

  test('abort breaks it for everyone waiting and for later waits; reset mends it', async () => {
    const barrier = new Barrier(2);
    const waiting = barrier.wait();
    barrier.abort();
    expect(await rejection(waiting)).toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
    expect(await rejection(barrier.wait())).toBeInstanceOf(BrokenBarrierError);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    expect(await Promise.all([barrier.wait(), barrier.wait()])).toEqual([0, 1]);
  });

  test('a cancelled party breaks the barrier: it gets its reason, the others BrokenBarrierError', async () => {
    const barrier = new Barrier(3);
    const controller = new AbortController();
    const other = barrier.wait();
    const leaving = barrier.wait({ signal: controller.signal });
    const reason = new Error('gave up');
    controller.abort(reason);
    expect(await rejection(leaving)).toBe(reason);
    expect(await rejection(other)).toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken).toBe(true);
  });

  test('reset rejects the current waiters', async () => {
    const barrier = new Barrier(2);
    const waiting = barrier.wait();
    barrier.reset();
    expect(await rejection(waiting)).toBeInstanceOf(BrokenBarrierError);
    await nextTurn();
    expect(barrier.broken).toBe(false);
  });

  test('parties must be an integer >= 1', () => {
    expect(() => new Barrier(0)).toThrow(new RangeError('Expected parties to be an integer >= 1, got 0 (number)'));
  });
});
