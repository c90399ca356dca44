import { describe, expect, test } from 'vitest';
import { main } from '../../examples/login-chain.js';
import { VirtualClock, withClock } from '../../src/testing/index.js';

describe('examples/login-chain.ts', () => {
  test('the chain runs strictly in order while independent work runs beside it', async () => {
    const clock = new VirtualClock();
    const { result, events } = await withClock(clock, () => main(() => clock.now()));
    expect(result).toEqual({ receipt: 'receipt for 12 rows', headlines: 3, forecast: 'sunny' });
    const at = (e: string): number => events.indexOf(e);
    // Each chain step starts only after the previous one is done...
    expect(at('40 ms: token started')).toBeGreaterThan(at('40 ms: login done'));
    expect(at('60 ms: data started')).toBeGreaterThan(at('60 ms: token done'));
    expect(at('90 ms: submit started')).toBeGreaterThan(at('90 ms: data done'));
    // ...while the independent steps started at once and finished during it.
    expect(events.slice(0, 3)).toEqual(['0 ms: login started', '0 ms: news started', '0 ms: weather started']);
    expect(events).toContain('25 ms: news done');
    expect(clock.now()).toBe(100);
  });
});
