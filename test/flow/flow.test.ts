import { describe, expect, test } from 'vitest';
import type { CancelledError} from '../../src/index.js';
import { Semaphore, TimeoutError, flow, flowFrom, sleep } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { abortListeners, nextTurn, rejection } from '../support.js';

describe('flow', () => {
  test('dependent steps run strictly in order; independent ones run beside them', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const step =
      (name: string, ms: number) =>
      async (_deps: unknown, ctx: { signal: AbortSignal }): Promise<string> => {
        log.push(`${name} start @${clock.now()}`);
        await sleep(ms, { signal: ctx.signal, clock });
        log.push(`${name} end @${clock.now()}`);
        return name;
      };
    const result = await flow()
      .step('login', step('login', 30))
      .step('token', ['login'], step('token', 20))
      .step('data', ['token'], step('data', 20))
      .step('submit', ['data'], step('submit', 10))
      .step('news', step('news', 50))
      .run();
    expect(result).toEqual({ login: 'login', token: 'token', data: 'data', submit: 'submit', news: 'news' });
    expect(log).toEqual([
      'login start @0',
      'news start @0',
      'login end @30',
      'token start @30',
      'news end @50',
      'token end @50',
      'data start @50',
      'data end @70',
      'submit start @70',
      'submit end @80',
    ]);
  });

  test('a step receives its dependencies by name', async () => {
    const result = await flow()
      .step('a', () => 2)
      .step('b', () => 3)
      .step('product', ['a', 'b'], ({ a, b }) => a * b)
      .run();
    expect(result.product).toBe(6);
  });

  test('fail fast: the first failure cancels running steps, dependants never start, rejects unchanged', async () => {
    const clock = new VirtualClock();
    const boom = new Error('token refused');
    let submitStarted = false;
    let sideCancelled = false;
    const err = await rejection(
      flow()
        .step('login', () => 'ok')
        .step('token', ['login'], async () => {
          await sleep(10, { clock });
          throw boom;
        })
        .step('submit', ['token'], () => {
          submitStarted = true;
        })
        .step('side', async (_, ctx) => {
          try {
            await sleep(1_000, { signal: ctx.signal, clock });
          } catch (e) {
            sideCancelled = (ctx.signal.reason as CancelledError).cause === boom;
            throw e;
          }
        })
        .run(),
    );
    expect(err).toBe(boom);
    expect(submitStarted).toBe(false);
    expect(sideCancelled).toBe(true);
  });

  test('keepGoing: runs every step whose dependencies succeeded and reports each outcome', async () => {
    const boom = new Error('no config');
    const report = await flow()
      .step('config', async () => {
        throw boom;
      })
      .step('build', ['config'], ({ config }) => config)
      .step('deploy', ['build'], () => 'deployed')
      .step('lint', () => 'clean')
      .run({ keepGoing: true });
    expect(report.ok).toBe(false);
    expect(report.outcomes.config).toEqual({ status: 'rejected', reason: boom });
    expect(report.outcomes.build).toEqual({ status: 'skipped', because: 'config' });
    expect(report.outcomes.deploy).toEqual({ status: 'skipped', because: 'build' });
    expect(report.outcomes.lint).toEqual({ status: 'fulfilled', value: 'clean' });
    expect(report.values).toEqual({ lint: 'clean' });
  });

  test('keepGoing with a cancelled run: running steps cancelled, the rest skipped', async () => {
    const controller = new AbortController();
    const running = flow()
      .step('slow', (_, ctx) => sleep(Infinity, { signal: ctx.signal }))
      .step('after', ['slow'], () => 1)
      .run({ keepGoing: true, signal: controller.signal });
    await nextTurn();
    controller.abort(new Error('stop'));
    const report = await running;
    expect(report.outcomes.slow.status).toBe('cancelled');
    expect(report.outcomes.after.status).toBe('skipped');
    expect(abortListeners(controller.signal)).toBe(0);
  });

  test('the caller signal cancels running steps and rejects with its reason; already aborted runs nothing', async () => {
    const controller = new AbortController();
    const running = flow()
      .step('a', (_, ctx) => sleep(Infinity, { signal: ctx.signal }))
      .run({ signal: controller.signal });
    await nextTurn();
    const reason = new Error('user cancelled');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
    let ran = false;
    expect(
      await rejection(
        flow()
          .step('x', () => {
            ran = true;
          })
          .run({ signal: controller.signal }),
      ),
    ).toBe(reason);
    expect(ran).toBe(false);
  });

  test('concurrency caps the running steps; ready steps start in definition order', async () => {
    const clock = new VirtualClock();
    const starts: string[] = [];
    let running = 0;
    let peak = 0;
    const s = (name: string) => async () => {
      starts.push(name);
      running++;
      peak = Math.max(peak, running);
      await sleep(10, { clock });
      running--;
    };
    await flow().step('a', s('a')).step('b', s('b')).step('c', s('c')).step('d', s('d')).run({ concurrency: 2 });
    expect(peak).toBe(2);
    expect(starts).toEqual(['a', 'b', 'c', 'd']);
  });

  test('per-step timeout, retry and limiter', async () => {
    const clock = new VirtualClock();
    const semaphore = new Semaphore(1);
    let attempts = 0;
    const result = await flow()
      .step(
        'flaky',
        async (_, ctx) => {
          attempts = ctx.attempt;
          if (ctx.attempt < 3) await sleep(Infinity, { signal: ctx.signal }); // times out
          return 'finally';
        },
        { timeout: 50, retry: { retries: 5, minDelay: 10, jitter: 'none' }, limiter: semaphore },
      )
      .run({ clock });
    expect(result.flaky).toBe('finally');
    expect(attempts).toBe(3);
    expect(semaphore.available).toBe(1);
    const err = await rejection(
      flow()
        .step('slow', (_, ctx) => sleep(Infinity, { signal: ctx.signal }), { timeout: 20 })
        .run({ clock }),
    );
    expect(err).toBeInstanceOf(TimeoutError);
  });

  test('a step may only name steps defined before it; names are unique', () => {
    const base = flow().step('a', () => 1);
    expect(() => base.step('b', ['zzz' as 'a'], () => 1)).toThrow(new TypeError('Step "b" depends on "zzz", which is not defined before it'));
    expect(() => base.step('a' as never, () => 2)).toThrow(/already exists/);
    expect(() => base.step('c', 5 as never)).toThrow(TypeError);
  });

  test('flows are immutable: a partial flow can be reused', async () => {
    const base = flow().step('a', () => 1);
    const one = base.step('b', ['a'], ({ a }) => a + 1);
    const two = base.step('c', ['a'], ({ a }) => a + 2);
    expect(await one.run()).toEqual({ a: 1, b: 2 });
    expect(await two.run()).toEqual({ a: 1, c: 3 });
    expect(base.steps).toEqual(['a']);
  });

  test('prints as Mermaid and DOT', () => {
    const f = flow()
      .step('login', () => 1)
      .step('token', ['login'], () => 2)
      .step('news', () => 3);
    expect(f.toMermaid()).toBe(['flowchart TD', '  s0["login"]', '  s1["token"]', '  s2["news"]', '  s0 --> s1'].join('\n'));
    expect(f.toDot()).toBe(['digraph flow {', '  rankdir=LR;', '  "login";', '  "token";', '  "news";', '  "login" -> "token";', '}'].join('\n'));
  });
});

describe('flowFrom (graphs as data)', () => {
  test('runs a graph listed in any order', async () => {
    const order: string[] = [];
    const results = await flowFrom({
      deploy: { deps: ['build', 'test'], run: (deps) => (order.push('deploy'), `after ${String(deps['test'])}`) },
      test: { deps: ['build'], run: () => (order.push('test'), 'tested') },
      build: { run: () => (order.push('build'), 'built') },
    }).run();
    expect(order).toEqual(['build', 'test', 'deploy']);
    expect(results['deploy']).toBe('after tested');
  });

  test('an unknown dependency is reported before anything runs', () => {
    let ran = false;
    expect(() =>
      flowFrom({
        a: {
          deps: ['missing'],
          run: () => {
            ran = true;
          },
        },
      }),
    ).toThrow(new TypeError('Step "a" depends on "missing", which is not a step'));
    expect(ran).toBe(false);
  });

  test('a cycle is reported with its full path', () => {
    expect(() =>
      flowFrom({
        a: { deps: ['c'], run: () => 1 },
        b: { deps: ['a'], run: () => 1 },
        c: { deps: ['b'], run: () => 1 },
        d: { run: () => 1 },
      }),
    ).toThrow(new TypeError('The steps form a cycle: a -> b -> c -> a'));
    expect(() => flowFrom({ self: { deps: ['self'], run: () => 1 } })).toThrow('The steps form a cycle: self -> self');
  });

  test('malformed steps fail clearly', () => {
    expect(() => flowFrom({ a: { run: 1 as never } })).toThrow(/the run function of step "a"/);
    expect(() => flowFrom({ a: { deps: 'b' as never, run: () => 1 } })).toThrow(/deps of step "a"/);
    expect(() => flowFrom({ a: { run: () => 1, timeout: -1 } })).toThrow(RangeError);
  });
});
