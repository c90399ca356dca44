import { describe, expect, test } from 'vitest';
import { TimeoutError, shield, sleep, timeout } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { rejection } from '../support.js';

describe('shield', () => {
  test('the shielded work is not cancelled when the caller signal aborts, and its value is returned', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let innerAborted: boolean | undefined;
    const running = shield(
      async (ctx) => {
        await sleep(100, { signal: ctx.signal, clock });
        innerAborted = ctx.signal.aborted;
        return 'rolled back';
      },
      { signal: controller.signal },
    );
    controller.abort();
    expect(await running).toBe('rolled back');
    expect(innerAborted).toBe(false);
    expect(clock.now()).toBe(100);
  });

  test('runs even when the caller signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await shield(async () => 'cleanup ran', { signal: controller.signal })).toBe('cleanup ran');
  });

  test('an outer deadline does not cut the shielded work short; the caller sees it at its next step', async () => {
    const clock = new VirtualClock();
    const steps: string[] = [];
    const err = await rejection(
      timeout(
        10,
        async (ctx) => {
          await shield(async (inner) => {
            await sleep(500, { signal: inner.signal, clock });
            steps.push('shielded work finished');
          });
          steps.push('next step');
          await sleep(1, { signal: ctx.signal, clock });
          steps.push('not reached');
        },
        { clock },
      ),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(steps).toEqual(['shielded work finished', 'next step']);
    expect(clock.now()).toBe(500);
  });

  test('the shielded failure is returned to the caller', async () => {
    const boom = new Error('rollback failed');
    expect(await rejection(shield(() => Promise.reject(boom)))).toBe(boom);
  });

  test('bad arguments fail at the call', async () => {
    await expect(shield(undefined as never)).rejects.toThrow(new TypeError('Expected fn to be a function, got undefined'));
  });
});
