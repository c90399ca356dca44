import { describe, expect, test } from 'vitest';
import { main } from '../../examples/cpu-pool.js';

function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

describe('examples/cpu-pool.ts', () => {
  test('CPU jobs run on at most `size` threads, results in order, the event loop stays free', async () => {
    const report = await main(6, 2);
    expect(report.counts).toEqual(Array.from({ length: 6 }, (_, i) => countPrimes(200_000 + i * 10_000)));
    expect(report.threads).toBeLessThanOrEqual(2);
    expect(report.ticksWhileBusy).toBeGreaterThan(0);
  });
});
