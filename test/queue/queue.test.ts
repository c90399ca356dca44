import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidStateError, LifoQueue, PriorityQueue, Queue, QueueShutDownError, sleep, taskGroup } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, nextTurn, rejection } from '../support.js';

describe('Queue', () => {
  test('FIFO; put waits while full; get waits while empty', async () => {
    const queue = new Queue<number>({ maxsize: 2 });
    await queue.put(1);
    await queue.put(2);
    expect(queue.full).toBe(true);
    const third = queue.put(3);
    expect(await isPending(third)).toBe(true);
    expect(await queue.get()).toBe(1);
    await third;
    expect([await queue.get(), await queue.get()]).toEqual([2, 3]);
    const waiting = queue.get();
    expect(await isPending(waiting)).toBe(true);
    await queue.put(4);
    expect(await waiting).toBe(4);
    expect(queue.empty).toBe(true);
  });

  test('waiting getters and putters are each served in arrival order', async () => {
    const queue = new Queue<string>({ maxsize: 1 });
    const getters = [queue.get(), queue.get(), queue.get()];
    await queue.put('a');
    await queue.put('b');
    await queue.put('c');
    expect(await Promise.all(getters)).toEqual(['a', 'b', 'c']);
    await queue.put('x');
    const putters = [queue.put('y'), queue.put('z')];
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['x', 'y', 'z']);
    await Promise.all(putters);
  });

  test('a cancelled get never swallows an item: it stays for the next getter', async () => {
    const queue = new Queue<string>();
    const controller = new AbortController();
    const cancelled = queue.get({ signal: controller.signal });
    const next = queue.get();
    controller.abort();
    await rejection(cancelled);
    expect(abortListeners(controller.signal)).toBe(0);
    await queue.put('item');
    expect(await next).toBe('item');
    expect(queue.size).toBe(0);
  });

  test('a cancelled put never enqueues', async () => {
    const queue = new Queue<string>({ maxsize: 1 });
    await queue.put('first');
    const controller = new AbortController();
    const cancelled = queue.put('never', { signal: controller.signal });
    controller.abort();
    await rejection(cancelled);
    expect(await queue.get()).toBe('first');
    expect(queue.tryGet()).toBeUndefined();
    expect(queue.unfinished).toBe(1);
  });

  test('tryPut and tryGet never wait', async () => {
    const queue = new Queue<number>({ maxsize: 1 });
    expect(queue.tryPut(1)).toBe(true);
    expect(queue.tryPut(2)).toBe(false);
    expect(queue.tryGet()).toBe(1);
    expect(queue.tryGet()).toBeUndefined();
  });

  test('join resolves when every item put has been marked done', async () => {
    const queue = new Queue<number>();
    await queue.join();
    await queue.put(1);
    await queue.put(2);
    const joined = queue.join();
    await queue.get();
    queue.taskDone();
    expect(await isPending(joined)).toBe(true);
    await queue.get();
    queue.taskDone();
    await joined;
    expect(() => queue.taskDone()).toThrow(InvalidStateError);
  });

  test('shutdown: puts fail, getters drain then fail, waiting putters fail; nothing is left pending', async () => {
    const queue = new Queue<number>({ maxsize: 1 });
    await queue.put(1);
    const blockedPut = queue.put(2);
    queue.shutdown();
    expect(await rejection(blockedPut)).toBeInstanceOf(QueueShutDownError);
    expect(await rejection(queue.put(3))).toBeInstanceOf(QueueShutDownError);
    expect(() => queue.tryPut(3)).toThrow(QueueShutDownError);
    expect(await queue.get()).toBe(1);
    expect(await rejection(queue.get())).toBeInstanceOf(QueueShutDownError);
    expect(() => queue.tryGet()).toThrow(QueueShutDownError);
    expect(queue.isShutDown).toBe(true);
  });

  test('shutdown fails getters that wait on an empty queue', async () => {
    const queue = new Queue<number>();
    const waiting = [queue.get(), queue.get()];
    queue.shutdown();
    for (const w of waiting) expect(await rejection(w)).toBeInstanceOf(QueueShutDownError);
  });

  test('shutdown({ immediate }) drops the items and releases join()', async () => {
    const queue = new Queue<number>();
    await queue.put(1);
    await queue.put(2);
    const joined = queue.join();
    queue.shutdown({ immediate: true });
    await joined;
    expect(queue.size).toBe(0);
    expect(queue.unfinished).toBe(0);
    expect(await rejection(queue.get())).toBeInstanceOf(QueueShutDownError);
  });

  test('an immediate shutdown keeps items already taken but not done outstanding for join()', async () => {
    const queue = new Queue<number>();
    await queue.put(1);
    await queue.put(2);
    await queue.get();
    const joined = queue.join();
    queue.shutdown({ immediate: true });
    expect(queue.unfinished).toBe(1);
    expect(await isPending(joined)).toBe(true);
    queue.taskDone();
    await joined;
  });

  test('for await takes items until shutdown, then ends', async () => {
    const queue = new Queue<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const n of queue) seen.push(n);
    })();
    await queue.put(1);
    await queue.put(2);
    await nextTurn();
    queue.shutdown();
    await consumer;
    expect(seen).toEqual([1, 2]);
  });

  test('bad options fail clearly', () => {
    expect(() => new Queue({ maxsize: -1 })).toThrow(new RangeError('Expected options.maxsize to be an integer >= 0 or Infinity, got -1 (number)'));
    expect(() => new Queue({ maxsize: '1' as never })).toThrow(TypeError);
    expect(() => new Queue<number>().shutdown({ immediate: 1 as never })).toThrow(/options\.immediate/);
  });

  test('Principle: with many producers and consumers and random cancellations, nothing is lost or duplicated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxsize: fc.integer({ min: 0, max: 4 }),
          producers: fc.integer({ min: 1, max: 4 }),
          consumers: fc.integer({ min: 1, max: 4 }),
          perProducer: fc.integer({ min: 1, max: 12 }),
          seed: fc.integer(),
        }),
        async ({ maxsize, producers, consumers, perProducer, seed }) => {
          let state = seed >>> 0 || 1;
          const random = (): number => {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            return (state >>> 0) / 2 ** 32;
          };
          const clock = new VirtualClock();
          const queue = new Queue<string>({ maxsize });
          const put: string[] = [];
          const got: string[] = [];
          const maybeCancel = (): AbortSignal | undefined => {
            if (random() < 0.3) {
              const controller = new AbortController();
              void sleep(Math.floor(random() * 5), { clock }).then(() => controller.abort());
              return controller.signal;
            }
            return undefined;
          };
          const producing = Array.from({ length: producers }, async (_, p) => {
            for (let i = 0; i < perProducer; i++) {
              const item = `${p}:${i}`;
              try {
                await queue.put(item, { signal: maybeCancel() });
                put.push(item);
              } catch {
                // cancelled: must never be consumed
              }
              await sleep(Math.floor(random() * 3), { clock });
            }
          });
          const consuming = Array.from({ length: consumers }, async () => {
            for (;;) {
              try {
                got.push(await queue.get({ signal: maybeCancel() }));
                queue.taskDone();
              } catch (err) {
                if (err instanceof QueueShutDownError) return;
              }
              await sleep(Math.floor(random() * 3), { clock });
            }
          });
          await Promise.all(producing);
          await queue.join();
          queue.shutdown();
          await Promise.all(consuming);
          expect([...got].sort()).toEqual([...put].sort());
          expect(new Set(got).size).toBe(got.length);
        },
      ),
      { seed: 20261125, numRuns: 60 },
    );
  });
});

describe('PriorityQueue', () => {
  test('lowest first by default; equal priorities leave in insertion order', async () => {
    const queue = new PriorityQueue<number>();
    for (const n of [5, 1, 3, 1, 4]) await queue.put(n);
    const out: number[] = [];
    while (!queue.empty) out.push(await queue.get());
    expect(out).toEqual([1, 1, 3, 4, 5]);
  });

  test('stable with a custom compare', async () => {
    const queue = new PriorityQueue<{ p: number; name: string }>({ compare: (a, b) => a.p - b.p });
    const items = [
      { p: 2, name: 'a' },
      { p: 1, name: 'b' },
      { p: 2, name: 'c' },
      { p: 1, name: 'd' },
      { p: 2, name: 'e' },
    ];
    for (const item of items) queue.tryPut(item);
    const names: string[] = [];
    while (!queue.empty) names.push((queue.tryGet() as { name: string }).name);
    expect(names).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  test('Principle: stable for any sequence of priorities', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }), (priorities) => {
        const queue = new PriorityQueue<{ p: number; i: number }>({ compare: (a, b) => a.p - b.p });
        priorities.forEach((p, i) => queue.tryPut({ p, i }));
        const out: { p: number; i: number }[] = [];
        while (!queue.empty) out.push(queue.tryGet() as { p: number; i: number });
        const expected = priorities.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
        expect(out).toEqual(expected);
      }),
      { seed: 20261125 },
    );
  });

  test('compare must be a function', () => {
    expect(() => new PriorityQueue({ compare: 1 as never })).toThrow(new TypeError('Expected options.compare to be a function, got 1 (number)'));
  });
});

describe('LifoQueue', () => {
  test('last in, first out, with the same waiting rules', async () => {
    const queue = new LifoQueue<string>({ maxsize: 2 });
    await queue.put('a');
    await queue.put('b');
    const blocked = queue.put('c');
    expect(await queue.get()).toBe('b');
    await blocked;
    expect(await queue.get()).toBe('c');
    expect(await queue.get()).toBe('a');
  });
});

describe('Queue.items', () => {
  test('a consumer loop with a signal stops when its task group is cancelled', async () => {
    const queue = new Queue<number>();
    const boom = new Error('producer failed');
    const err = await rejection(
      taskGroup(async (group) => {
        group.spawn(async (ctx) => {
          for await (const n of queue.items({ signal: ctx.signal })) {
            void n;
            queue.taskDone();
          }
        });
        await queue.put(1, { signal: group.signal });
        throw boom;
      }),
    );
    expect(err).toBe(boom);
  });
});
