/**
 * The last-in, first-out queue.
 *
 * @packageDocumentation
 */

import { Queue } from './queue.js';

/**
 * A {@link Queue} that hands out the most recently put item first (a stack),
 * asyncio's `LifoQueue`. Everything else (waiting, cancellation, `join`,
 * `shutdown`, `for await`) is as on `Queue`.
 *
 * @example Depth-first work
 * ```ts
 * import { LifoQueue } from 'baton';
 *
 * const stack = new LifoQueue<string>();
 * await stack.put('a');
 * await stack.put('b');
 * console.log(await stack.get(), await stack.get()); // 'b' 'a'
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  readonly #items: T[] = [];

  protected override storeItem(item: T): void {
    this.#items.push(item);
  }

  protected override takeItem(): T {
    return this.#items.pop() as T;
  }

  protected override itemCount(): number {
    return this.#items.length;
  }
}
