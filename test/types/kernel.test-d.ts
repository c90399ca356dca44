import { describe, expectTypeOf, test } from 'vitest';
import type {
  Task,
  TaskGroup} from '../../src/index.js';
import {
  shield,
  sleep,
  spawn,
  taskGroup,
  timeout,
  type Clock,
  type TaskContext,
  type TaskState,
} from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('kernel types', () => {
  test('spawn infers the task value from the function, sync or async', () => {
    expectTypeOf(spawn(async () => 42)).toEqualTypeOf<Task<number>>();
    expectTypeOf(spawn(() => 'x')).toEqualTypeOf<Task<string>>();
    expectTypeOf(spawn(async () => 1).state).toEqualTypeOf<TaskState>();
    expectTypeOf(spawn(async () => 1).result()).toEqualTypeOf<number>();
  });

  test('a task is awaitable: awaiting gives its value', () => {
    const task = spawn(async () => ({ id: 1 }));
    expectTypeOf(task).toMatchTypeOf<PromiseLike<{ id: number }>>();
    expectTypeOf<Awaited<typeof task>>().toEqualTypeOf<{ id: number }>();
  });

  test('task functions receive a context with a signal', () => {
    spawn((ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
      expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
    });
  });

  test('taskGroup resolves to the body value; group.spawn returns typed tasks', () => {
    const result = taskGroup(async (group) => {
      expectTypeOf(group).toEqualTypeOf<TaskGroup>();
      expectTypeOf(group.spawn(async () => true)).toEqualTypeOf<Task<boolean>>();
      return [1, 'a'] as const;
    });
    expectTypeOf(result).toEqualTypeOf<Promise<readonly [1, 'a']>>();
  });

  test('timeout and shield keep the function value type', () => {
    expectTypeOf(timeout(10, async () => 5)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(shield(() => 'done')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(sleep(1)).toEqualTypeOf<Promise<void>>();
  });

  test('VirtualClock is a Clock', () => {
    expectTypeOf(new VirtualClock()).toMatchTypeOf<Clock>();
  });

  test('options are checked', () => {
    // @ts-expect-error signal must be an AbortSignal
    void sleep(1, { signal: 'stop' });
    // @ts-expect-error name must be a string
    spawn(() => 1, { name: 1 });
    // @ts-expect-error the task's state is read-only
    spawn(() => 1).state = 'fulfilled';
  });
});
