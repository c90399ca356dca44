/**
 * `flow`: dependent steps strictly in order, everything else concurrent.
 *
 * @packageDocumentation
 */

import type { Clock } from '../core/clock.js';
import { CancelledError } from '../core/errors.js';
import { spendingLast, type Limiter, type Permit } from '../core/limiter.js';
import { CancelScope, type TaskContext } from '../core/scope.js';
import { describe, expectDuration, expectFunction, expectInteger, expectOptions, expectSignal } from '../core/validate.js';
import { retry, type RetryOptions } from '../time/retry.js';
import { timeout } from '../time/timeout.js';

/**
 * What a step function receives besides its dependencies' results.
 *
 * @example Pass the step's signal on, and log retries
 * ```ts
 * import { flow, type StepContext } from 'baton';
 *
 * async function download(_deps: unknown, ctx: StepContext): Promise<string> {
 *   if (ctx.attempt > 1) console.log(`${ctx.name}: attempt ${ctx.attempt}`);
 *   const res = await fetch('https://example.com/', { signal: ctx.signal });
 *   return res.text();
 * }
 * await flow().step('page', download, { retry: 2 }).run();
 * ```
 */
export interface StepContext extends TaskContext {
  /** The step's name. */
  readonly name: string;
  /** The attempt number, from 1 (more than 1 only with the step's `retry`). */
  readonly attempt: number;
}

/**
 * Options of one step.
 *
 * @example Give a step a deadline and two retries
 * ```ts
 * import { flow, type StepOptions } from 'baton';
 *
 * const patient: StepOptions = { timeout: 5_000, retry: 2 };
 * await flow().step('ping', (_, ctx) => fetch('https://example.com/', { signal: ctx.signal }), patient).run();
 * ```
 */
export interface StepOptions {
  /** A deadline for the step, in ms (each attempt, with `retry`): the step fails with a `TimeoutError`. */
  timeout?: number | undefined;
  /** Retry the step on failure: a number of retries, or `retry()`'s options (without `signal`). */
  retry?: number | Omit<RetryOptions, 'signal'> | undefined;
  /** Limiters the step must get a permit from before it runs (beside the run's own). */
  limiter?: Limiter | readonly Limiter[] | undefined;
}

/**
 * Options of {@link Flow.run}.
 *
 * @example Two steps at a time, cancellable
 * ```ts
 * import { flow, type FlowRunOptions } from 'baton';
 *
 * const controller = new AbortController();
 * const options = { concurrency: 2, signal: controller.signal } satisfies FlowRunOptions;
 * const { a, b } = await flow().step('a', () => 1).step('b', () => 2).run(options);
 * ```
 */
export interface FlowRunOptions {
  /** At most this many steps run at once: an integer >= 1 or `Infinity` (the default). */
  concurrency?: number | undefined;
  /** Limiters every step must get a permit from before it runs. */
  limiter?: Limiter | readonly Limiter[] | undefined;
  /** Cancels the run. */
  signal?: AbortSignal | undefined;
  /**
   * `false` (default): fail fast. `true`: run every step whose dependencies
   * succeeded and resolve to a {@link FlowReport} of every step's outcome.
   */
  keepGoing?: boolean | undefined;
  /** The clock for step timeouts and retry waits. Defaults to the default clock. */
  clock?: Clock | undefined;
}

/**
 * How one step ended, in a {@link FlowReport}.
 *
 * @example Describe an outcome
 * ```ts
 * import type { StepOutcome } from 'baton';
 *
 * function describeOutcome(outcome: StepOutcome<unknown>): string {
 *   switch (outcome.status) {
 *     case 'fulfilled': return 'done';
 *     case 'rejected': return `failed: ${String(outcome.reason)}`;
 *     case 'cancelled': return 'cancelled';
 *     case 'skipped': return `skipped because ${outcome.because} did not succeed`;
 *   }
 * }
 * ```
 */
export type StepOutcome<T> =
  | { readonly status: 'fulfilled'; readonly value: T }
  | { readonly status: 'rejected'; readonly reason: unknown }
  | { readonly status: 'cancelled'; readonly reason: unknown }
  | { readonly status: 'skipped'; readonly because: string };

/**
 * What `run({ keepGoing: true })` resolves to: every step's outcome, and the
 * values of the steps that fulfilled.
 *
 * @example Report what failed and what it held back
 * ```ts
 * import { flow } from 'baton';
 *
 * const report = await flow()
 *   .step('config', async () => { throw new Error('no config'); })
 *   .step('build', ['config'], ({ config }) => config)
 *   .step('lint', () => 'clean')
 *   .run({ keepGoing: true });
 * console.log(report.ok, report.outcomes.config.status, report.outcomes.build.status, report.values.lint);
 * // false 'rejected' 'skipped' 'clean'
 * ```
 */
export interface FlowReport<R> {
  /** Whether every step fulfilled. */
  readonly ok: boolean;
  /** Every step's outcome, by name. */
  readonly outcomes: { readonly [K in keyof R]: StepOutcome<R[K]> };
  /** The values of the steps that fulfilled. */
  readonly values: Partial<R>;
}

interface StepDef {
  readonly name: string;
  readonly deps: readonly string[];
  readonly fn: (deps: Record<string, unknown>, ctx: StepContext) => unknown;
  readonly options: StepOptions;
}

/**
 * A step of a graph given as data, for {@link flowFrom}.
 *
 * @example One step of a build graph
 * ```ts
 * import { flowFrom, type StepSpec } from 'baton';
 *
 * const test: StepSpec = { deps: ['build'], run: (deps) => `testing ${String(deps['build'])}`, timeout: 60_000 };
 * await flowFrom({ build: { run: () => 'app.js' }, test }).run();
 * ```
 */
export interface StepSpec extends StepOptions {
  /** The names of the steps this one needs. */
  readonly deps?: readonly string[] | undefined;
  /** The step: receives the results of `deps` by name, and its context. */
  readonly run: (deps: Record<string, unknown>, ctx: StepContext) => unknown;
}

function readStepOptions(name: string, options: unknown): StepOptions {
  expectOptions(`options of step ${JSON.stringify(name)}`, options);
  const o = (options ?? {}) as StepOptions;
  if (o.timeout !== undefined) expectDuration(`timeout of step ${JSON.stringify(name)}`, o.timeout, true);
  if (o.retry !== undefined && typeof o.retry !== 'object') expectInteger(`retry of step ${JSON.stringify(name)}`, o.retry, 0, true);
  return o;
}

function toLimiters(limiter: Limiter | readonly Limiter[] | undefined, what: string): readonly Limiter[] {
  if (limiter === undefined) return [];
  const list = Array.isArray(limiter) ? (limiter as readonly Limiter[]) : [limiter as Limiter];
  for (const l of list) {
    if (typeof l !== 'object' || l === null || typeof (l).acquire !== 'function') {
      throw new TypeError(`Expected ${what} to be a Limiter (an object with acquire()) or an array of them, got ${describe(l)}`);
    }
  }
  return list;
}

/**
 * A graph of named steps, built with {@link flow} (typed) or
 * {@link flowFrom} (from data). Each step runs as soon as, and only when,
 * the steps it depends on have fulfilled; independent steps run
 * concurrently.
 *
 * @example The article's chain beside independent work
 * ```ts
 * import { flow } from 'baton';
 *
 * const login = async (signal: AbortSignal) => ({ session: 's1' });
 * const result = await flow()
 *   .step('login', (_, ctx) => login(ctx.signal))
 *   .step('token', ['login'], ({ login }) => `token-for-${login.session}`)
 *   .step('data', ['token'], ({ token }) => ({ rows: 3, token }))
 *   .step('submit', ['data'], ({ data }) => `submitted ${data.rows} rows`)
 *   .step('news', async () => ['independent', 'work'])
 *   .run({ concurrency: 4 });
 * console.log(result.submit, result.news.length); // 'submitted 3 rows' 2
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the empty flow has no results yet
export class Flow<R extends Record<string, unknown> = {}> {
  readonly #steps: readonly StepDef[];

  /** @internal Use {@link flow} or {@link flowFrom}. */
  constructor(steps: readonly StepDef[]) {
    this.#steps = steps;
  }

  /** The step names, in definition order. */
  get steps(): readonly string[] {
    return this.#steps.map((s) => s.name);
  }

  /**
   * Add a step with no dependencies. Returns a new flow (flows are
   * immutable, so a partial flow can be reused).
   *
   * @throws TypeError if the name is taken or `fn` is not a function.
   */
  step<N extends string, T>(
    name: N & (N extends keyof R ? never : N),
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a step without dependencies receives none
    fn: (deps: {}, ctx: StepContext) => T | PromiseLike<T>,
    options?: StepOptions,
  ): Flow<R & { [K in N]: Awaited<T> }>;
  /**
   * Add a step that runs once every step named in `deps` has fulfilled, and
   * receives their results by name. `deps` may only name steps already
   * added, so a flow built this way cannot have a cycle.
   *
   * @throws TypeError if the name is taken, a dependency is unknown, or `fn` is not a function.
   */
  step<N extends string, const D extends readonly (keyof R & string)[], T>(
    name: N & (N extends keyof R ? never : N),
    deps: D,
    fn: (deps: { [K in D[number]]: R[K] }, ctx: StepContext) => T | PromiseLike<T>,
    options?: StepOptions,
  ): Flow<R & { [K in N]: Awaited<T> }>;
  step(name: string, a: unknown, b?: unknown, c?: unknown): Flow<Record<string, unknown>> {
    const hasDeps = Array.isArray(a);
    const deps = (hasDeps ? a : []) as readonly string[];
    const fn = (hasDeps ? b : a) as StepDef['fn'];
    const options = hasDeps ? c : b;
    if (typeof name !== 'string' || name === '') throw new TypeError(`Expected the step name to be a non-empty string, got ${describe(name)}`);
    expectFunction(`the function of step ${JSON.stringify(name)}`, fn);
    const known = new Set(this.#steps.map((s) => s.name));
    if (known.has(name)) throw new TypeError(`A step named ${JSON.stringify(name)} already exists`);
    for (const dep of deps) {
      if (!known.has(dep)) {
        throw new TypeError(`Step ${JSON.stringify(name)} depends on ${JSON.stringify(dep)}, which is not defined before it`);
      }
    }
    const def: StepDef = { name, deps: [...deps], fn, options: readStepOptions(name, options) };
    return new Flow([...this.#steps, def]);
  }

  /**
   * Run the flow. Resolves to every step's result by name.
   *
   * - **Fail fast** (default): the first failure cancels the running steps
   *   (their `ctx.signal` aborts), no dependant starts, and `run` rejects
   *   with that failure, unchanged, once the running steps have settled.
   * - `keepGoing: true`: every step whose dependencies fulfilled runs; the
   *   dependants of a failed step are skipped; resolves to a
   *   {@link FlowReport}. If `signal` aborts meanwhile, the report marks the
   *   running steps `cancelled` and the rest `skipped`.
   * - `signal`: aborting cancels the running steps; in fail-fast mode `run`
   *   rejects with `signal.reason` once they have settled. An
   *   already-aborted signal rejects at once and runs nothing.
   * - `concurrency` caps the steps running at once; ready steps start in
   *   definition order.
   */
  run(options?: FlowRunOptions & { keepGoing?: false | undefined }): Promise<{ [K in keyof R]: R[K] }>;
  run(options: FlowRunOptions & { keepGoing: true }): Promise<FlowReport<R>>;
  run(options?: FlowRunOptions): Promise<{ [K in keyof R]: R[K] } | FlowReport<R>>;
  run(options?: FlowRunOptions): Promise<unknown> {
    let execution: Execution;
    try {
      expectOptions('options', options);
      const concurrency = options?.concurrency ?? Infinity;
      expectInteger('concurrency', concurrency, 1, true);
      const signal = options?.signal;
      expectSignal('options.signal', signal);
      const keepGoing = options?.keepGoing ?? false;
      if (typeof keepGoing !== 'boolean') throw new TypeError(`Expected options.keepGoing to be a boolean, got ${describe(keepGoing)}`);
      const limiters = toLimiters(options?.limiter, 'limiter');
      if (signal?.aborted) return Promise.reject(signal.reason);
      execution = new Execution(this.#steps, concurrency, limiters, signal, keepGoing, options?.clock);
    } catch (err) {
      return Promise.reject(err);
    }
    return execution.start();
  }

  /**
   * The graph as a Mermaid flowchart (paste it into a Markdown code block
   * tagged `mermaid`).
   */
  toMermaid(): string {
    const id = new Map(this.#steps.map((s, i) => [s.name, `s${i}`]));
    const lines = ['flowchart TD'];
    for (const s of this.#steps) lines.push(`  ${id.get(s.name) as string}["${s.name.replace(/"/g, '#quot;')}"]`);
    for (const s of this.#steps) for (const d of s.deps) lines.push(`  ${id.get(d) as string} --> ${id.get(s.name) as string}`);
    return lines.join('\n');
  }

  /** The graph in Graphviz DOT (`dot -Tsvg`). */
  toDot(): string {
    const quote = (name: string): string => JSON.stringify(name);
    const lines = ['digraph flow {', '  rankdir=LR;'];
    for (const s of this.#steps) lines.push(`  ${quote(s.name)};`);
    for (const s of this.#steps) for (const d of s.deps) lines.push(`  ${quote(d)} -> ${quote(s.name)};`);
    lines.push('}');
    return lines.join('\n');
  }
}

/**
 * Start a typed flow: add steps with `.step(name, fn)` or
 * `.step(name, deps, fn)`, then `.run()`. Every field of the result is typed
 * from its step, with no casts.
 *
 * @example Log in, get a token, fetch with it, submit: strictly in order
 * ```ts
 * import { flow } from 'baton';
 *
 * const { result } = await flow()
 *   .step('token', async (_, ctx) => { ctx.signal.throwIfAborted(); return 'secret'; })
 *   .step('data', ['token'], async ({ token }) => ({ token, items: [1, 2, 3] }))
 *   .step('result', ['data'], ({ data }) => data.items.length)
 *   .run();
 * console.log(result); // 3
 * ```
 * @see flowFrom for graphs that come from data.
 */
export function flow(): Flow {
  return new Flow([]);
}

/**
 * Build a flow from a graph given as data (a config file, the command
 * line). Validated before anything runs: an unknown dependency, or a cycle
 * (reported with its full path, `a -> b -> c -> a`), throws a `TypeError`.
 * Steps may be listed in any order; ready steps start in the order listed.
 *
 * @example A graph from a config file
 * ```ts
 * import { flowFrom } from 'baton';
 *
 * const pipeline = flowFrom({
 *   test: { deps: ['build'], run: () => 'tests passed' },
 *   build: { run: () => 'built' },
 *   deploy: { deps: ['build', 'test'], run: (deps) => `deploying after ${String(deps['test'])}` },
 * });
 * const results = await pipeline.run();
 * console.log(results['deploy']); // 'deploying after tests passed'
 * ```
 * @throws TypeError for an unknown dependency, a cycle, or a malformed step.
 */
export function flowFrom(graph: Readonly<Record<string, StepSpec>>): Flow<Record<string, unknown>> {
  if (typeof graph !== 'object' || graph === null) throw new TypeError(`Expected graph to be an object of steps, got ${describe(graph)}`);
  const names = Object.keys(graph);
  const defs: StepDef[] = [];
  for (const name of names) {
    const spec = graph[name];
    if (typeof spec !== 'object' || spec === null) throw new TypeError(`Expected step ${JSON.stringify(name)} to be an object, got ${describe(spec)}`);
    expectFunction(`the run function of step ${JSON.stringify(name)}`, spec.run);
    const deps = spec.deps ?? [];
    if (!Array.isArray(deps)) throw new TypeError(`Expected deps of step ${JSON.stringify(name)} to be an array of step names, got ${describe(deps)}`);
    for (const dep of deps) {
      if (!Object.prototype.hasOwnProperty.call(graph, dep)) {
        throw new TypeError(`Step ${JSON.stringify(name)} depends on ${JSON.stringify(dep)}, which is not a step`);
      }
    }
    const { run, deps: _deps, ...options } = spec;
    defs.push({ name, deps: [...new Set(deps)], fn: run, options: readStepOptions(name, options) });
  }
  const cycle = findCycle(defs);
  if (cycle !== undefined) throw new TypeError(`The steps form a cycle: ${cycle.join(' -> ')}`);
  return new Flow(defs);
}

/** A cycle's path (first node repeated at the end), or undefined. */
function findCycle(defs: readonly StepDef[]): string[] | undefined {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of (byName.get(name) as StepDef).deps) {
      const found = visit(dep);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const d of defs) {
    const found = visit(d.name);
    if (found !== undefined) return found.reverse();
  }
  return undefined;
}

type Status = 'waiting' | 'running' | 'fulfilled' | 'rejected' | 'cancelled' | 'skipped';

class StepRun {
  status: Status = 'waiting';
  remaining: number;
  readonly dependants: StepRun[] = [];
  value: unknown = undefined;
  reason: unknown = undefined;
  because = '';
  constructor(readonly def: StepDef) {
    this.remaining = def.deps.length;
  }
  get name(): string {
    return this.def.name;
  }
}

class Execution {
  readonly scope: CancelScope;
  readonly runs: StepRun[];
  readonly byName: Map<string, StepRun>;
  readonly ready: StepRun[] = [];
  running = 0;
  finished = false;
  failed = false;
  failure: unknown = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;

  constructor(
    steps: readonly StepDef[],
    readonly concurrency: number,
    readonly limiters: readonly Limiter[],
    signal: AbortSignal | undefined,
    readonly keepGoing: boolean,
    readonly clock: Clock | undefined,
  ) {
    this.scope = new CancelScope(signal);
    this.runs = steps.map((d) => new StepRun(d));
    this.byName = new Map(this.runs.map((r) => [r.def.name, r]));
    for (const r of this.runs) for (const d of r.def.deps) (this.byName.get(d) as StepRun).dependants.push(r);
  }

  start(): Promise<unknown> {
    const promise = new Promise<unknown>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    for (const r of this.runs) if (r.remaining === 0) this.ready.push(r);
    this.#pump();
    this.#maybeFinish();
    return promise;
  }

  #pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0 && !this.scope.cancelled) {
      const r = this.ready.shift() as StepRun;
      this.running++;
      r.status = 'running';
      void this.#run(r);
    }
  }

  async #run(r: StepRun): Promise<void> {
    const own = new CancelScope(this.scope);
    const deps: Record<string, unknown> = {};
    for (const d of r.def.deps) deps[d] = (this.byName.get(d) as StepRun).value;
    const permits: Permit[] = [];
    try {
      for (const l of spendingLast([...this.limiters, ...toLimiters(r.def.options.limiter, `limiter of step ${JSON.stringify(r.name)}`)])) {
        permits.push(await l.acquire({ signal: own.signal }));
      }
      r.value = await this.#attempts(r, deps, own.signal);
      r.status = 'fulfilled';
    } catch (err) {
      r.reason = err;
      r.status = own.isCancellationOf(err) ? 'cancelled' : 'rejected';
    } finally {
      for (const p of permits) p.release();
      own.close();
    }
    this.running--;
    this.#settled(r);
  }

  #attempts(r: StepRun, deps: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const { timeout: ms, retry: retryOption } = r.def.options;
    const clock = this.clock;
    const once = (attemptSignal: AbortSignal, attempt: number): Promise<unknown> => {
      if (ms === undefined || ms === Infinity) {
        const ctx: StepContext = { signal: attemptSignal, name: r.name, attempt };
        return Promise.resolve(r.def.fn(deps, ctx));
      }
      return timeout(ms, (t) => r.def.fn(deps, { signal: t.signal, name: r.name, attempt }), { signal: attemptSignal, clock });
    };
    if (retryOption === undefined) return once(signal, 1);
    const retryOptions: RetryOptions = typeof retryOption === 'number' ? { retries: retryOption } : { ...retryOption };
    return retry((ctx) => once(ctx.signal, ctx.attempt), { ...retryOptions, signal, clock: retryOptions.clock ?? clock });
  }

  #settled(r: StepRun): void {
    if (r.status === 'fulfilled') {
      for (const d of r.dependants) if (--d.remaining === 0 && d.status === 'waiting') this.ready.push(d);
    } else if (r.status === 'rejected') {
      if (!this.keepGoing) {
        if (!this.failed) {
          this.failed = true;
          this.failure = r.reason;
          this.scope.cancel(new CancelledError(`Cancelled because step ${JSON.stringify(r.name)} failed`, { cause: r.reason }));
        }
      } else {
        this.#skipDependants(r);
      }
    } else if (this.keepGoing) {
      this.#skipDependants(r);
    }
    this.#pump();
    this.#maybeFinish();
  }

  #skipDependants(r: StepRun): void {
    for (const d of r.dependants) {
      if (d.status !== 'waiting') continue;
      d.status = 'skipped';
      d.because = r.name;
      this.#skipDependants(d);
    }
  }

  #maybeFinish(): void {
    if (this.finished || this.running > 0) return;
    if (this.ready.length > 0 && !this.scope.cancelled) return;
    this.finished = true;
    this.scope.close();
    for (const r of this.runs) {
      if (r.status === 'waiting') {
        r.status = 'skipped';
        r.because = this.scope.cancelled ? 'the run was cancelled' : 'a dependency did not run';
      }
    }
    if (this.keepGoing) {
      const outcomes: Record<string, StepOutcome<unknown>> = {};
      const values: Record<string, unknown> = {};
      let ok = true;
      for (const r of this.runs) {
        if (r.status === 'fulfilled') values[r.name] = r.value;
        else ok = false;
        outcomes[r.name] =
          r.status === 'fulfilled'
            ? { status: 'fulfilled', value: r.value }
            : r.status === 'skipped'
              ? { status: 'skipped', because: r.because }
              : { status: r.status as 'rejected' | 'cancelled', reason: r.reason };
      }
      this.resolve({ ok, outcomes, values });
      return;
    }
    if (this.failed) this.reject(this.failure);
    else if (this.scope.cancelled) this.reject(this.scope.reason);
    else {
      const result: Record<string, unknown> = {};
      for (const r of this.runs) result[r.name] = r.value;
      this.resolve(result);
    }
  }
}
