// The runnable examples in examples/ are part of the documentation: they
// must type-check (npm run typecheck covers examples/) and do what they say.
import { describe, expect, test } from 'vitest';
import { main as perHostLimits } from '../examples/per-host-limits.js';
import { main as producerConsumer } from '../examples/producer-consumer.js';
import { main as rateLimitedClient, parseRetryAfter } from '../examples/rate-limited-client.js';
import { withClock, VirtualClock } from '../src/testing/index.js';

/**
 * Whether every TCP server and socket of this process has closed: the
 * examples that start local servers must leave nothing behind. Closing
 * handles takes a few turns of the event loop, so look a few times.
 */
async function tcpHandlesClosed(): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (!process.getActiveResourcesInfo().some((r) => r.startsWith('TCP'))) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

describe('examples', () => {
  test('producer-consumer: every item processed once, the bounded queue never overfills', async () => {
    const report = await withClock(new VirtualClock(), () => producerConsumer(50, 3));
    expect(report.processed).toBe(50);
    expect(report.byWorker).toHaveLength(3);
    expect(report.byWorker.every((n) => n > 0)).toBe(true);
    expect(report.peakQueued).toBeLessThanOrEqual(5);
  });

  test('per-host-limits: never more than 4 in flight at any host, every request answered, idle hosts dropped', async () => {
    const clock = new VirtualClock();
    const report = await perHostLimits({ hosts: 3, requestsPerHost: 12, perHost: 4, clock });
    expect(report.requests).toBe(36);
    expect(report.ok).toBe(36);
    expect(report.hosts).toHaveLength(3);
    expect(new Set(report.hosts.map((h) => h.host)).size).toBe(3);
    for (const host of report.hosts) {
      expect(host.served).toBe(12);
      expect(host.peakInFlight).toBeGreaterThanOrEqual(1);
      expect(host.peakInFlight).toBeLessThanOrEqual(4); // as the server counted
    }
    expect(report.peakInFlight).toBeLessThanOrEqual(12);
    expect(report.limitersLeft).toBe(0);
    expect(await tcpHandlesClosed()).toBe(true);
  });

  test('per-host-limits: a limit of 1 per host serialises each host', async () => {
    const report = await perHostLimits({ hosts: 2, requestsPerHost: 5, perHost: 1, clock: new VirtualClock() });
    expect(report.ok).toBe(10);
    expect(report.hosts.map((h) => h.peakInFlight)).toEqual([1, 1]);
    expect(report.peakInFlight).toBeLessThanOrEqual(2);
    expect(await tcpHandlesClosed()).toBe(true);
  });

  test('rate-limited-client: every request succeeds; each 429 is retried after exactly its Retry-After', async () => {
    const clock = new VirtualClock();
    const report = await rateLimitedClient({ requests: 12, allow: 5, window: 1_000, clock });
    expect(report.succeeded).toBe(12);
    expect(report.server.served).toBe(12);
    // The token bucket's refill sends more than the server's fixed window allows.
    expect(report.seen429).toBeGreaterThan(0);
    // Every 429 seen was retried, and the server refused exactly those.
    expect(report.retried).toBe(report.seen429);
    expect(report.server.refused).toBe(report.seen429);
    for (const wait of report.waits) {
      expect(wait.retryAfter).toBe(1_000); // Retry-After: 1
      expect(wait.delay).toBe(wait.retryAfter); // honoured, not the backoff
    }
    expect(report.maxAttempts).toBeGreaterThanOrEqual(2);
    expect(report.maxAttempts).toBeLessThanOrEqual(6); // 1 + retries
    expect(await tcpHandlesClosed()).toBe(true);
  });

  test('rate-limited-client: in strict mode too, every request succeeds and every 429 is retried', async () => {
    const report = await rateLimitedClient({ requests: 8, allow: 3, window: 1_000, strict: true, clock: new VirtualClock() });
    expect(report.succeeded).toBe(8);
    expect(report.server.served).toBe(8);
    expect(report.retried).toBe(report.seen429);
    expect(report.server.refused).toBe(report.seen429);
    expect(report.waits.every((w) => w.delay === w.retryAfter)).toBe(true);
    expect(await tcpHandlesClosed()).toBe(true);
  });

  test('rate-limited-client: Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(0).toUTCString())).toBe(0); // in the past: retry at once
  });
});
