import { describe, expect, test } from 'vitest';
import { Event } from '../../src/index.js';
import { abortListeners, isPending, rejection } from '../support.js';

describe('Event', () => {
  test('wait resolves once set, for every waiter; while set, at once', async () => {
    const event = new Event();
    const a = event.wait();
    const b = event.wait();
    expect(event.waiting).toBe(2);
    expect(await isPending(a)).toBe(true);
    event.set();
    await Promise.all([a, b]);
    expect(event.isSet).toBe(true);
    await event.wait();
  });

  test('clear makes later waits wait again', async () => {
    const event = new Event();
    event.set();
    event.clear();
    expect(event.isSet).toBe(false);
    expect(await isPending(event.wait())).toBe(true);
  });

  test('a waiter whose signal aborts leaves and rejects with the reason', async () => {
    const event = new Event();
    const controller = new AbortController();
    const waiting = event.wait({ signal: controller.signal });
    controller.abort(new Error('no longer needed'));
    expect(((await rejection(waiting)) as Error).message).toBe('no longer needed');
    expect(event.waiting).toBe(0);
    expect(abortListeners(controller.signal)).toBe(0);
  });
});
