// Regressions found in review: each one a promise that never settled or a
// failure that was dropped.
import { describe, expect, test } from 'vitest';
import { any, asCompleted, gather, limit, map, mapIter, race, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextTurn, rejection } from '../support.js';

async function* stalls(): AsyncGenerator<number> {
  yield 1;
  await new Promise(() => {});
}

describe('review regressions', () => {
  test('an aborted signal settles gather, race and any while a promise input is still pending', async () => {
    for (const call of [gather, race, any] as ((inputs: unknown[], options: { signal: AbortSignal }) => Promise<unknown>)[]) {
      const controller = new AbortController();
      const running = call([new Promise(() => {})], { signal: controller.signal });
      await nextTurn();
      controller.abort(new Error('stop'));
      expect(((await rejection(running)) as Error).message).toBe('stop');
    }
  });

  test('leaving mapIter or asCompleted early does not hang while the async input is between items', async () => {
    for await (const x of mapIter(stalls(), async (x) => x)) {
      expect(x).toBe(1);
      break;
    }
    for await (const task of asCompleted(stalls())) {
      expect(task.state).toBe('fulfilled');
      break;
    }
  });

  test('aborting map settles while the async input is between items', async () => {
    const controller = new AbortController();
    const running = map(stalls(), async (x) => x, { signal: controller.signal });
    await nextTurn();
    controller.abort(new Error('stop'));
    expect(((await rejection(running)) as Error).message).toBe('stop');
  });

  test('a failure that happened before the loop left early is thrown, not dropped', async () => {
    const clock = new VirtualClock();
    const real = new Error('real');
    const loop = async (): Promise<void> => {
      for await (const x of mapIter(
        [1, 2],
        async (x) => {
          if (x === 2) {
            await sleep(5, { clock });
            throw real;
          }
          return x;
        },
        { concurrency: 2 },
      )) {
        void x;
        await sleep(30, { clock });
        break;
      }
    };
    expect(await rejection(loop())).toBe(real);
  });

  test("race reports a loser's failed cleanup", async () => {
    const cleanup = new Error('loser cleanup failed');
    const err = await rejection(
      race([
        async () => 'win',
        async (ctx) => {
          try {
            await sleep(Infinity, { signal: ctx.signal });
          } catch {
            throw cleanup;
          }
        },
      ]),
    );
    expect(err).toBe(cleanup);
  });

  test('limit(): a failure nobody awaits is reported as unhandled, not hidden', async () => {
    const seen: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      seen.push(reason);
    };
    const listeners = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onUnhandled);
    try {
      const lost = new Error('lost');
      void limit(2)(async () => {
        throw lost;
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(seen).toEqual([lost]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const l of listeners) process.on('unhandledRejection', l);
    }
  });
});
