import { describe, expect, test } from 'vitest';
import { RateLimiter, Semaphore, keyed, map, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextTurn, rejection } from '../support.js';

describe('keyed', () => {
  test('each key gets its own limiter, made on first use and dropped when idle', async () => {
    const made: string[] = [];
    const perKey = keyed((key: string) => {
      made.push(key);
      return new Semaphore(1);
    });
    const a = await perKey.acquireFor('a');
    const b = await perKey.acquireFor('b');
    expect(perKey.size).toBe(2);
    a.release();
    a.release();
    expect(perKey.size).toBe(1);
    b.release();
    expect(perKey.size).toBe(0);
    (await perKey.acquireFor('a')).release();
    expect(made).toEqual(['a', 'b', 'a']);
  });

  test('limits per key, not across keys', async () => {
    const perKey = keyed(() => new Semaphore(1));
    const a1 = await perKey.acquireFor('a');
    const b1 = await perKey.acquireFor('b');
    let a2Granted = false;
    const a2 = perKey.acquireFor('a').then((p) => {
      a2Granted = true;
      return p;
    });
    await nextTurn();
    expect(a2Granted).toBe(false);
    a1.release();
    (await a2).release();
    b1.release();
    expect(perKey.size).toBe(0);
  });

  test('a cancelled acquire lets go of its key', async () => {
    const perKey = keyed(() => new Semaphore(1));
    const held = await perKey.acquireFor('k');
    const controller = new AbortController();
    const waiting = perKey.acquireFor('k', { signal: controller.signal });
    controller.abort();
    await rejection(waiting);
    held.release();
    expect(perKey.size).toBe(0);
  });

  test('a rate limiter with recent starts lingers until idle, then is dropped', async () => {
    const clock = new VirtualClock({ autojump: false });
    const perUser = keyed(() => new RateLimiter({ limit: 1, interval: 100, strict: true, clock }));
    (await perUser.acquireFor('u1')).release();
    expect(perUser.size).toBe(1); // still remembers the start
    await clock.advance(100);
    (await perUser.acquireFor('u2')).release(); // a later call sweeps u1
    expect(perUser.size).toBe(1);
  });

  test('as a map limiter with a key function: per-host limits, other hosts go ahead', async () => {
    const clock = new VirtualClock();
    const perHost = keyed(() => new Semaphore(1), { key: (url: string) => new URL(url).host });
    const running = new Map<string, number>();
    let peakPerHost = 0;
    let peakOverall = 0;
    let overall = 0;
    const urls = ['https://a.test/1', 'https://a.test/2', 'https://a.test/3', 'https://b.test/1', 'https://c.test/1'];
    await map(
      urls,
      async (url) => {
        const host = new URL(url).host;
        running.set(host, (running.get(host) ?? 0) + 1);
        overall++;
        peakPerHost = Math.max(peakPerHost, running.get(host) ?? 0);
        peakOverall = Math.max(peakOverall, overall);
        await sleep(10, { clock });
        running.set(host, (running.get(host) ?? 0) - 1);
        overall--;
      },
      { concurrency: 4, limiter: perHost },
    );
    expect(peakPerHost).toBe(1);
    expect(peakOverall).toBeGreaterThan(1);
    expect(perHost.size).toBe(0);
  });

  test('bad arguments fail clearly', async () => {
    expect(() => keyed(1 as never)).toThrow(new TypeError('Expected factory to be a function, got 1 (number)'));
    expect(() => keyed(() => new Semaphore(1), { key: 'host' as never })).toThrow(/options\.key/);
    await expect(keyed(() => ({}) as never).acquireFor('x')).rejects.toThrow(/Expected the keyed factory to return a Limiter/);
  });
});
