// The runnable examples in examples/ are part of the documentation: they
// must type-check (npm run typecheck covers examples/) and do what they say.
import { describe, expect, test } from 'vitest';
import { main as producerConsumer } from '../examples/producer-consumer.js';
import { withClock, VirtualClock } from '../src/testing/index.js';

describe('examples', () => {
  test('producer-consumer: every item processed once, the bounded queue never overfills', async () => {
    const report = await withClock(new VirtualClock(), () => producerConsumer(50, 3));
    expect(report.processed).toBe(50);
    expect(report.byWorker).toHaveLength(3);
    expect(report.byWorker.every((n) => n > 0)).toBe(true);
    expect(report.peakQueued).toBeLessThanOrEqual(5);
  });
});
