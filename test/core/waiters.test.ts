import { describe, expect, test } from 'vitest';
import { WaiterList } from '../../src/core/waiters.js';
import { abortListeners, isPending, rejection } from '../support.js';

describe('the abort-aware FIFO waiter list', () => {
  test('wakes waiters in arrival order', async () => {
    const list = new WaiterList<string>();
    const order: string[] = [];
    const waits = ['a', 'b', 'c'].map((name) => list.wait(undefined, undefined).then((v) => order.push(`${name}:${v}`)));
    expect(list.length).toBe(3);
    list.wakeHead('1');
    list.wakeHead('2');
    list.wakeHead('3');
    await Promise.all(waits);
    expect(order).toEqual(['a:1', 'b:2', 'c:3']);
    expect(list.length).toBe(0);
    expect(list.head).toBeUndefined();
  });

  test('a waiter whose signal aborts leaves the line at once and rejects with the reason', async () => {
    const left: string[] = [];
    const list = new WaiterList<number, string>((w) => left.push(w.data));
    const controller = new AbortController();
    const first = list.wait('first', undefined);
    const middle = list.wait('middle', controller.signal);
    const last = list.wait('last', undefined);
    const reason = new Error('gave up');
    controller.abort(reason);
    expect(list.length).toBe(2);
    expect(left).toEqual(['middle']);
    expect(await rejection(middle)).toBe(reason);
    expect(abortListeners(controller.signal)).toBe(0);
    expect(list.head?.data).toBe('first');
    expect(list.head?.next?.data).toBe('last');
    list.wakeHead(1);
    list.wakeHead(2);
    expect(await first).toBe(1);
    expect(await last).toBe(2);
  });

  test('aborting the head or the tail keeps the list consistent', async () => {
    const list = new WaiterList<number, string>();
    const a = new AbortController();
    const c = new AbortController();
    const pa = list.wait('a', a.signal);
    const pb = list.wait('b', undefined);
    const pc = list.wait('c', c.signal);
    a.abort();
    c.abort();
    await rejection(pa);
    await rejection(pc);
    expect(list.length).toBe(1);
    expect(list.head).toBe(list.tail);
    list.wakeHead(9);
    expect(await pb).toBe(9);
  });

  test('an already-aborted signal rejects without joining the line', async () => {
    const list = new WaiterList<void>();
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(list.wait(undefined, controller.signal))).toBe(controller.signal.reason);
    expect(list.length).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('a woken waiter stops listening to its signal; aborting later changes nothing', async () => {
    const list = new WaiterList<string>();
    const controller = new AbortController();
    const waiting = list.wait(undefined, controller.signal);
    expect(abortListeners(controller.signal)).toBe(1);
    list.wakeHead('granted');
    expect(abortListeners(controller.signal)).toBe(0);
    controller.abort();
    expect(await waiting).toBe('granted');
  });

  test('rejectAll rejects every waiter and removes every listener', async () => {
    const list = new WaiterList<void>();
    const controller = new AbortController();
    const waits = [list.wait(undefined, controller.signal), list.wait(undefined, controller.signal), list.wait(undefined, undefined)];
    const reason = new Error('shut down');
    list.rejectAll(reason);
    for (const w of waits) expect(await rejection(w)).toBe(reason);
    expect(list.length).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('a waiter that is neither woken nor aborted stays pending', async () => {
    const list = new WaiterList<void>();
    expect(await isPending(list.wait(undefined, undefined))).toBe(true);
  });
});
