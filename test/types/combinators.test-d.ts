import { describe, expectTypeOf, test } from 'vitest';
import {
  Semaphore,
  any,
  asCompleted,
  gather,
  limit,
  map,
  mapIter,
  race,
  spawn,
  wait,
  type CompletedTask,
  type GatherOptions,
  type ItemContext,
  type Permit,
  type Task,
  type WaitResult,
} from '../../src/index.js';

interface User {
  name: string;
}

describe('combinator types', () => {
  test('gather infers a tuple from task functions, promises and values; ctx is typed', async () => {
    const [user, posts, n, s] = await gather([
      async (ctx) => {
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        return { name: 'a' };
      },
      async () => ['p'],
      Promise.resolve(1),
      'plain',
    ]);
    expectTypeOf(user).toEqualTypeOf<User>();
    expectTypeOf(posts).toEqualTypeOf<string[]>();
    expectTypeOf(n).toEqualTypeOf<number>();
    expectTypeOf(s).toEqualTypeOf<string>();
  });

  test('gather with settle returns settled results per position', async () => {
    const [a, b] = await gather([async () => 1, async () => 'x'], { settle: true });
    expectTypeOf(a).toEqualTypeOf<PromiseSettledResult<number>>();
    expectTypeOf(b).toEqualTypeOf<PromiseSettledResult<string>>();
  });

  test('map returns an array of the function results; settle changes the element type', async () => {
    const lengths = await map(['a', 'bb'], async (s, ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<ItemContext>();
      expectTypeOf(ctx.index).toEqualTypeOf<number>();
      return s.length;
    });
    expectTypeOf(lengths).toEqualTypeOf<number[]>();
    const settled = await map(['a'], async (s) => s.length, { settle: true });
    expectTypeOf(settled).toEqualTypeOf<PromiseSettledResult<number>[]>();
  });

  test('mapIter yields awaited results', () => {
    expectTypeOf(mapIter([1, 2], async (n) => String(n))).toEqualTypeOf<AsyncIterableIterator<string>>();
  });

  test('asCompleted yields completed tasks, typed so that for await keeps them', async () => {
    for await (const task of asCompleted([async () => 1, async () => 2])) {
      expectTypeOf(task).toEqualTypeOf<CompletedTask<number>>();
      expectTypeOf(task.result()).toEqualTypeOf<number>();
    }
  });

  test('race and any resolve to the union of the input values', () => {
    expectTypeOf(race([async () => 1, async () => 'a'])).toEqualTypeOf<Promise<number | string>>();
    expectTypeOf(any([async () => true])).toEqualTypeOf<Promise<boolean>>();
  });

  test('wait returns sets of the given tasks', () => {
    const tasks: Task<number>[] = [spawn(async () => 1)];
    expectTypeOf(wait(tasks)).toEqualTypeOf<Promise<WaitResult<Task<number>>>>();
  });

  test('Semaphore and limit', () => {
    const semaphore = new Semaphore(2);
    expectTypeOf(semaphore.acquire()).toEqualTypeOf<Promise<Permit>>();
    expectTypeOf(semaphore.run(async () => 5)).toEqualTypeOf<Promise<number>>();
    const limited = limit(2);
    expectTypeOf(limited(async (a: string, b: number) => a.length + b, 'x', 1)).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error arguments must match the function
    void limited(async (a: string) => a, 1);
  });
});

describe('combinator types, continued', () => {
  test('gather accepts an options value of type GatherOptions', async () => {
    const options: GatherOptions = { settle: Math.random() > 0.5 };
    const [a] = await gather([async () => 1], options);
    expectTypeOf(a).toEqualTypeOf<number | PromiseSettledResult<number>>();
  });

  test('wait accepts the tasks asCompleted hands out', async () => {
    const seen: CompletedTask<number>[] = [];
    for await (const task of asCompleted([async () => 1])) seen.push(task);
    expectTypeOf(wait(seen)).toEqualTypeOf<Promise<WaitResult<CompletedTask<number>>>>();
  });
});
