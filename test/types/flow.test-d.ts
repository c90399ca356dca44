import { describe, expectTypeOf, test } from 'vitest';
import { flow, type FlowReport, type StepContext } from '../../src/index.js';

describe('flow types', () => {
  test('every result field is typed from its step, with no casts', async () => {
    const result = await flow()
      .step('token', async (_, ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<StepContext>();
        return 'secret';
      })
      .step('data', ['token'], async ({ token }) => {
        expectTypeOf(token).toEqualTypeOf<string>();
        return { items: [1, 2] };
      })
      .step('result', ['data'], ({ data }) => data.items.length)
      .run();
    expectTypeOf(result).toEqualTypeOf<{ token: string; data: { items: number[] }; result: number }>();
  });

  test('a step may only depend on steps defined before it, and names are unique', () => {
    const base = flow().step('a', () => 1);
    // @ts-expect-error 'b' is not defined yet
    base.step('c', ['b'], () => 1);
    // @ts-expect-error 'a' is taken
    base.step('a', () => 2);
    // @ts-expect-error dependencies other than the ones named are not passed
    base.step('c', ['a'], ({ missing }) => String(missing));
  });

  test('keepGoing resolves to a report', () => {
    const f = flow().step('a', () => 1);
    expectTypeOf(f.run({ keepGoing: true })).toEqualTypeOf<Promise<FlowReport<{ a: number }>>>();
  });
});
