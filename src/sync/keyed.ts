/**
 * Keyed limits: one limiter per key (per host, per user, per tenant).
 *
 * @packageDocumentation
 */

import type { AcquireOptions, ItemLimiter, Limiter, Permit } from '../core/limiter.js';
import { describe, expectFunction, expectOptions } from '../core/validate.js';

/**
 * Options of {@link keyed}.
 *
 * @example Key each URL by its host
 * ```ts
 * import { Semaphore, keyed, map, type KeyedOptions } from 'baton';
 *
 * const byHost: KeyedOptions<string, string> = { key: (url) => new URL(url).host };
 * const perHost = keyed(() => new Semaphore(4), byHost); // 4 at once per host
 * const urls = ['https://a.example.com/1', 'https://a.example.com/2', 'https://b.example.com/1'];
 * const statuses = await map(urls, async (url, ctx) => (await fetch(url, { signal: ctx.signal })).status, {
 *   concurrency: 16,
 *   limiter: perHost,
 * });
 * ```
 */
export interface KeyedOptions<I, K> {
  /**
   * Maps an item to its key when the keyed limiter is used as a `limiter`
   * in `map`, `gather`, `mapIter` or `asCompleted` (for example a URL to its
   * host). Default: the item itself is the key.
   */
  key?: ((item: I) => K) | undefined;
}

interface Entry<L> {
  readonly limiter: L;
  /** Acquires in flight plus permits held. */
  refs: number;
}

class KeyedPermit implements Permit {
  #inner: Permit | undefined;
  constructor(
    inner: Permit,
    readonly owner: Keyed<unknown, Limiter, unknown>,
    readonly key: unknown,
  ) {
    this.#inner = inner;
  }

  release(): void {
    const inner = this.#inner;
    if (inner === undefined) return;
    this.#inner = undefined;
    inner.release();
    this.owner.unref(this.key);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * One limiter per key, made by `factory(key)` on first use and dropped
 * again once the key is idle, so memory follows the keys in use, not every
 * key ever seen. See {@link keyed}.
 *
 * @example Four requests at once per host
 * ```ts
 * import { Semaphore, keyed, type Keyed } from 'baton';
 *
 * const perHost: Keyed<string, Semaphore, string> = keyed((host: string) => new Semaphore(4), {
 *   key: (url: string) => new URL(url).host,
 * });
 * const permit = await perHost.acquireFor('example.com');
 * permit.release();
 * console.log(perHost.size); // 0: idle keys are dropped
 * ```
 */
export class Keyed<K, L extends Limiter, I = K> implements ItemLimiter<I> {
  readonly #factory: (key: K) => L;
  readonly #keyOf: (item: I) => K;
  readonly #entries = new Map<K, Entry<L>>();
  // Keys no longer in use whose limiter still remembers something (a rate
  // limiter's recent starts): checked again later, a few at a time.
  readonly #lingering = new Set<K>();

  /** @internal Use {@link keyed}. */
  constructor(factory: (key: K) => L, keyOf: (item: I) => K) {
    this.#factory = factory;
    this.#keyOf = keyOf;
  }

  /** How many keys have a limiter now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The limiter for `key`, made if needed. It may be dropped once idle: hold a permit, not the limiter. */
  get(key: K): L {
    return this.#entry(key).limiter;
  }

  /**
   * Wait for a permit from `key`'s limiter. Rejects with `signal.reason` if
   * the signal aborts first. (Not named `acquire`: a keyed limiter is not a
   * plain `Limiter`, and must not pass for one where a key is never given.)
   */
  async acquireFor(key: K, options?: AcquireOptions): Promise<Permit> {
    this.#sweep();
    const entry = this.#entry(key);
    entry.refs++;
    let inner: Permit;
    try {
      inner = await entry.limiter.acquire(options);
    } catch (err) {
      this.unref(key);
      throw err;
    }
    return new KeyedPermit(inner, this as unknown as Keyed<unknown, Limiter, unknown>, key);
  }

  /** As a `limiter` in `map` and friends: the permit for `item`'s key. */
  acquireItem(item: I, options?: AcquireOptions): Promise<Permit> {
    return this.acquireFor(this.#keyOf(item), options);
  }

  /** @internal A permit or a failed acquire let go of `key`. */
  unref(key: unknown): void {
    const k = key as K;
    const entry = this.#entries.get(k);
    if (entry === undefined) return;
    if (--entry.refs > 0) return;
    if (entry.limiter.idle === false) this.#lingering.add(k);
    else this.#entries.delete(k);
  }

  #entry(key: K): Entry<L> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      const limiter = this.#factory(key);
      if (typeof limiter !== 'object' || limiter === null || typeof (limiter as Limiter).acquire !== 'function') {
        throw new TypeError(`Expected the keyed factory to return a Limiter, got ${describe(limiter)}`);
      }
      entry = { limiter, refs: 0 };
      this.#entries.set(key, entry);
    } else {
      this.#lingering.delete(key);
    }
    return entry;
  }

  // Drop lingering keys that have become idle. Amortised: a handful per call.
  #sweep(): void {
    if (this.#lingering.size === 0) return;
    let budget = 8;
    const batch: K[] = [];
    for (const key of this.#lingering) {
      if (budget-- === 0) break;
      batch.push(key);
    }
    for (const key of batch) {
      const entry = this.#entries.get(key);
      if (entry === undefined || entry.refs > 0) {
        this.#lingering.delete(key);
        continue;
      }
      if (entry.limiter.idle !== false) {
        this.#lingering.delete(key);
        this.#entries.delete(key);
      }
    }
  }
}

/**
 * Give each key its own limiter: `keyed((host) => new Semaphore(4))` limits
 * each host to 4 at once, `keyed((user) => new RateLimiter({ limit: 10,
 * interval: 1_000 }))` each user to 10 per second. Limiters are made on
 * first use and dropped once idle (nothing held, nobody waiting, nothing
 * worth remembering), so memory follows the active keys.
 *
 * With `{ key }`, the result is also an item-aware `limiter` for `map`,
 * `gather`, `mapIter` and `asCompleted`: each item waits for its own key's
 * permit (after it is taken from the input), while items of other keys go
 * ahead.
 *
 * @example At most 2 requests at once per host, 16 overall
 * ```ts
 * import { Semaphore, keyed, map } from 'baton';
 *
 * const perHost = keyed(() => new Semaphore(2), { key: (url: string) => new URL(url).host });
 * const urls = ['https://a.example.com/1', 'https://a.example.com/2', 'https://b.example.com/1'];
 * const pages = await map(urls, (url, ctx) => fetch(url, { signal: ctx.signal }), {
 *   concurrency: 16,
 *   limiter: perHost,
 * });
 * ```
 * @throws TypeError if `factory` or `key` is not a function.
 */
export function keyed<K, L extends Limiter, I = K>(factory: (key: K) => L, options?: KeyedOptions<I, K>): Keyed<K, L, I> {
  expectFunction('factory', factory);
  expectOptions('options', options);
  const keyOf = options?.key;
  if (keyOf !== undefined) expectFunction('options.key', keyOf);
  return new Keyed<K, L, I>(factory, keyOf ?? ((item: I) => item as unknown as K));
}
