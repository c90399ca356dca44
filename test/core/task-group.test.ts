import { describe, expect, test } from 'vitest';
import { CancelledError, InvalidStateError, TaskGroup, sleep, taskGroup } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, isPending, manual, nextTurn, rejection } from '../support.js';

describe('taskGroup', () => {
  test('resolves with the body value once every child has settled', async () => {
    const clock = new VirtualClock();
    const finished: string[] = [];
    const value = await taskGroup(async (group) => {
      group.spawn(async (ctx) => {
        await sleep(30, { signal: ctx.signal, clock });
        finished.push('slow');
      });
      group.spawn(async (ctx) => {
        await sleep(10, { signal: ctx.signal, clock });
        finished.push('fast');
      });
      return 'body done';
    });
    expect(value).toBe('body done');
    expect(finished).toEqual(['fast', 'slow']);
    expect(clock.now()).toBe(30);
  });

  test('children can be awaited in the body', async () => {
    const sum = await taskGroup(async (group) => {
      const a = group.spawn(async () => 1);
      const b = group.spawn(async () => 2);
      return (await a) + (await b);
    });
    expect(sum).toBe(3);
  });

  test('a failing body cancels the children and the group rejects with its error', async () => {
    const boom = new Error('body failed');
    let childSignal: AbortSignal | undefined;
    const err = await rejection(
      taskGroup(async (group) => {
        group.spawn(async (ctx) => {
          childSignal = ctx.signal;
          await sleep(Infinity, { signal: ctx.signal });
        });
        await nextTurn();
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(childSignal?.aborted).toBe(true);
    expect(childSignal?.reason).toBeInstanceOf(CancelledError);
    expect((childSignal?.reason as CancelledError).cause).toBe(boom);
  });

  test('a child cancelled on its own is not a failure; its siblings go on', async () => {
    const result = await taskGroup(async (group) => {
      const doomed = group.spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
      const other = group.spawn(async () => 'other');
      await doomed.cancel();
      expect(doomed.state).toBe('cancelled');
      expect(group.signal.aborted).toBe(false);
      return other;
    });
    expect(result).toBe('other');
  });

  test('group.cancel() cancels the children and ends the group normally', async () => {
    const states: string[] = [];
    const result = await taskGroup(async (group) => {
      const child = group.spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
      group.cancel();
      await child.settled();
      states.push(child.state);
      return 'ended';
    });
    expect(result).toBe('ended');
    expect(states).toEqual(['cancelled']);
  });

  test('a body cancelled by group.cancel() makes the group reject with that cancellation', async () => {
    const err = await rejection(
      taskGroup(async (group) => {
        group.cancel();
        await sleep(Infinity, { signal: group.signal });
      }),
    );
    expect(err).toBeInstanceOf(CancelledError);
  });

  test('spawning into a cancelled, unfinished group returns a task that never runs', async () => {
    let ran = false;
    await rejection(
      taskGroup(async (group) => {
        group.spawn(async () => {
          throw new Error('first');
        });
        await nextTurn();
        expect(group.signal.aborted).toBe(true);
        const late = group.spawn(() => {
          ran = true;
        });
        expect(late.state).toBe('cancelled');
      }),
    );
    expect(ran).toBe(false);
  });

  test('spawning into a finished group throws InvalidStateError', async () => {
    let saved: TaskGroup | undefined;
    await taskGroup((group) => {
      saved = group;
    });
    expect(saved?.finished).toBe(true);
    expect(() => saved?.spawn(() => 1, { name: 'late' })).toThrow(InvalidStateError);
    expect(() => saved?.spawn(() => 1, { name: 'late' })).toThrow(/Cannot spawn "late": the task group has finished/);
  });

  test('children may spawn more children while the group closes', async () => {
    const seen: number[] = [];
    await taskGroup((group) => {
      group.spawn(async () => {
        await nextTurn();
        group.spawn(async () => {
          await nextTurn();
          seen.push(2);
        });
        seen.push(1);
      });
    });
    expect(seen).toEqual([1, 2]);
  });

  test('nested groups: an inner failure fails the outer group with the same error', async () => {
    const inner = new Error('inner');
    const err = await rejection(
      taskGroup(async (outer) => {
        outer.spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
        await taskGroup(async (group) => {
          group.spawn(async () => {
            throw inner;
          });
        });
      }),
    );
    expect(err).toBe(inner);
  });

  test('the caller signal keeps one listener while the group runs, none after', async () => {
    const controller = new AbortController();
    const gate = manual();
    const running = taskGroup(
      (group) => {
        for (let i = 0; i < 20; i++) group.spawn((ctx) => Promise.race([gate.promise, sleep(Infinity, { signal: ctx.signal })]));
      },
      { signal: controller.signal },
    );
    await nextTurn();
    expect(abortListeners(controller.signal)).toBe(1);
    gate.resolve();
    await running;
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('bad arguments fail at the call', async () => {
    await expect(taskGroup(null as never)).rejects.toThrow(new TypeError('Expected body to be a function, got null'));
    await expect(taskGroup(() => 1, { signal: {} as never })).rejects.toThrow(
      new TypeError('Expected options.signal to be an AbortSignal, got an object'),
    );
  });
});

describe('TaskGroup with await using', () => {
  test('disposal waits for the children', async () => {
    const clock = new VirtualClock();
    const done: string[] = [];
    {
      await using group = new TaskGroup();
      group.spawn(async () => {
        await sleep(50, { clock });
        done.push('child');
      });
      expect(group.activeCount).toBe(1);
    }
    done.push('after block');
    expect(done).toEqual(['child', 'after block']);
  });

  test('disposal throws the first failure after cancelling the siblings', async () => {
    const boom = new Error('boom');
    let sibling: AbortSignal | undefined;
    const run = async (): Promise<void> => {
      await using group = new TaskGroup();
      group.spawn(async (ctx) => {
        sibling = ctx.signal;
        await sleep(Infinity, { signal: ctx.signal });
      });
      group.spawn(async () => {
        await nextTurn();
        throw boom;
      });
    };
    expect(await rejection(run())).toBe(boom);
    expect(sibling?.aborted).toBe(true);
  });

  test('disposal rejects with the caller signal reason when it aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const run = async (): Promise<void> => {
      await using group = new TaskGroup({ signal: controller.signal });
      group.spawn((ctx) => sleep(Infinity, { signal: ctx.signal }));
      controller.abort(reason);
    };
    expect(await rejection(run())).toBe(reason);
  });

  test('disposing twice returns the same promise', async () => {
    const group = new TaskGroup();
    const gate = manual();
    group.spawn(() => gate.promise);
    const first = group[Symbol.asyncDispose]();
    expect(group[Symbol.asyncDispose]()).toBe(first);
    expect(await isPending(first)).toBe(true);
    gate.resolve();
    await first;
  });
});

describe('task group regressions', () => {
  test('a child spawned as the last one settles is still awaited', async () => {
    let lateDone = false;
    let saved: TaskGroup | undefined;
    await taskGroup((group) => {
      saved = group;
      const first = group.spawn(async () => 1);
      void first.then(() => {
        group.spawn(async () => {
          await nextTurn();
          lateDone = true;
        });
      });
    });
    expect(lateDone).toBe(true);
    expect(saved?.activeCount).toBe(0);
  });
});
