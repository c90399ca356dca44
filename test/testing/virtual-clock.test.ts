import { describe, expect, test } from 'vitest';
import { realClock, sleep, timeout } from '../../src/index.js';
import { VirtualClock, installClock, withClock } from '../../src/testing/index.js';
import { getDefaultClock } from '../../src/core/clock.js';
import { isPending, nextTurn } from '../support.js';

describe('VirtualClock', () => {
  test('starts where asked and only moves when the test lets it', async () => {
    const clock = new VirtualClock({ start: 5_000, autojump: false });
    expect(clock.now()).toBe(5_000);
    const sleeping = sleep(10, { clock });
    expect(await isPending(sleeping)).toBe(true);
    expect(clock.now()).toBe(5_000);
    await clock.advance(10);
    await sleeping;
  });

  test('autojump: an idle program jumps to the next timer; an hour passes at once', async () => {
    const clock = new VirtualClock();
    await sleep(3_600_000, { clock });
    expect(clock.now()).toBe(3_600_000);
  });

  test('autojump: timers fire in time order, and equal times in the order they were set', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    await Promise.all([
      sleep(20, { clock }).then(() => order.push('b@20')),
      sleep(10, { clock }).then(() => order.push('a@10')),
      sleep(20, { clock }).then(() => order.push('c@20')),
      sleep(0, { clock }).then(() => order.push('z@0')),
    ]);
    expect(order).toEqual(['z@0', 'a@10', 'b@20', 'c@20']);
  });

  test('autojump waits while work is still going on between timers', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const busy = (async () => {
      // A long chain of microtasks and turns: time must not move during it.
      for (let i = 0; i < 50; i++) {
        await Promise.resolve();
        if (i % 10 === 0) await nextTurn();
        seen.push(clock.now());
      }
    })();
    const sleeping = sleep(1_000, { clock });
    await busy;
    expect(new Set(seen)).toEqual(new Set([0]));
    await sleeping;
    expect(clock.now()).toBe(1_000);
  });

  test('advance fires each due timer at its own time, including timers set on the way', async () => {
    const clock = new VirtualClock({ autojump: false });
    const log: string[] = [];
    void sleep(100, { clock }).then(async () => {
      log.push(`first at ${clock.now()}`);
      await sleep(50, { clock });
      log.push(`chained at ${clock.now()}`);
    });
    void sleep(400, { clock }).then(() => log.push(`late at ${clock.now()}`));
    await clock.advance(200);
    expect(log).toEqual(['first at 100', 'chained at 150']);
    expect(clock.now()).toBe(200);
    await clock.advance(200);
    expect(log).toEqual(['first at 100', 'chained at 150', 'late at 400']);
  });

  test('clearTimeout stops a timer and pendingTimers counts only live ones', async () => {
    const clock = new VirtualClock({ autojump: false });
    let fired = false;
    const handle = clock.setTimeout(
      () => {
        fired = true;
      },
      10,
      undefined,
    );
    clock.setTimeout(() => {}, 20, undefined);
    expect(clock.pendingTimers).toBe(2);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(30);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  test('runAll fires everything in order, jumping from timer to timer', async () => {
    const clock = new VirtualClock({ autojump: false });
    const times: number[] = [];
    for (const ms of [30, 10, 20]) clock.setTimeout(() => times.push(clock.now()), ms, undefined);
    expect(await clock.runAll()).toBe(3);
    expect(times).toEqual([10, 20, 30]);
  });

  test('runAll stops at its limit when timers re-arm forever', async () => {
    const clock = new VirtualClock({ autojump: false });
    const rearm = (): void => {
      clock.setTimeout(rearm, 1, undefined);
    };
    rearm();
    expect(await clock.runAll(25)).toBe(25);
    expect(clock.now()).toBe(25);
  });

  test('turning autojump on later resumes jumping', async () => {
    const clock = new VirtualClock({ autojump: false });
    const sleeping = sleep(10, { clock });
    expect(await isPending(sleeping)).toBe(true);
    clock.autojump = true;
    await sleeping;
    expect(clock.now()).toBe(10);
  });

  test('bad options and arguments fail clearly', async () => {
    expect(() => new VirtualClock({ start: Number.NaN })).toThrow(
      new TypeError('Expected options.start to be a finite number, got NaN (number)'),
    );
    expect(() => new VirtualClock({ autojump: 'yes' as never })).toThrow(/options\.autojump/);
    const clock = new VirtualClock({ autojump: false });
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    expect(() => clock.setTimeout(() => {}, Number.NaN, undefined)).toThrow(RangeError);
  });
});

describe('a virtual clock as the default', () => {
  test('withClock makes timed calls without a clock option use the virtual clock, then restores', async () => {
    const clock = new VirtualClock();
    const result = await withClock(clock, async () => {
      await sleep(60_000);
      return timeout(10, (ctx) => sleep(Infinity, { signal: ctx.signal })).catch((e: unknown) => (e as Error).name);
    });
    expect(result).toBe('TimeoutError');
    expect(clock.now()).toBe(60_010);
    expect(getDefaultClock()).toBe(realClock);
  });

  test('withClock restores the default even when the block fails', async () => {
    await expect(
      withClock(new VirtualClock(), () => {
        throw new Error('block failed');
      }),
    ).rejects.toThrow('block failed');
    expect(getDefaultClock()).toBe(realClock);
  });

  test('installClock works with using and restore()', async () => {
    const clock = new VirtualClock();
    {
      using installed = installClock(clock);
      expect(installed.clock).toBe(clock);
      expect(getDefaultClock()).toBe(clock);
      await sleep(1_000);
    }
    expect(getDefaultClock()).toBe(realClock);
    expect(clock.now()).toBe(1_000);
    const again = installClock(clock);
    again.restore();
    again.restore();
    expect(getDefaultClock()).toBe(realClock);
  });

  test('rejects something that is not a clock', async () => {
    await expect(withClock({} as never, () => 1)).rejects.toThrow(/Expected clock to be a Clock/);
    expect(() => installClock(null as never)).toThrow(/Expected clock to be a Clock/);
  });
});

describe('virtual clock regressions', () => {
  test('clearing a timer that already fired leaves the count alone, and the clock keeps working', async () => {
    const clock = new VirtualClock();
    // timeout() clears its timer after the deadline fired.
    await timeout(10, (ctx) => sleep(Infinity, { signal: ctx.signal }), { clock }).catch(() => undefined);
    expect(clock.pendingTimers).toBe(0);
    await sleep(100, { clock });
    expect(clock.now()).toBe(110);
  });

  test('installed clocks may be restored in any order', () => {
    const first = installClock(new VirtualClock());
    const second = installClock(new VirtualClock());
    first.restore();
    expect(getDefaultClock()).toBe(second.clock);
    second.restore();
    expect(getDefaultClock()).toBe(realClock);
  });
});
