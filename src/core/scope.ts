// The cancel scope: the one notion of "work that can be cancelled, and whose
// cancellation flows down to the work it started". Tasks, task groups,
// timeouts and the combinators all hold one.
//
// Why lazy: an AbortController (plus the listener that links it to its
// parent) costs more than running a small task. A scope therefore creates its
// controller only when someone reads `signal`; until then, cancellation is a
// flag and a reason, and children are reached through an intrusive list
// instead of signal listeners.
//
// Invariants:
// - `cancelled` never goes back to false; `reason` is fixed by the first
//   cancel().
// - A scope listens to a caller's AbortSignal at most once, and `close()`
//   removes that listener; every owner calls `close()` when it settles, so
//   no caller's signal ever keeps a listener for finished work.
// - A child scope is in its parent's child list exactly while it is open.

import { CancelledError, isCancellation } from './errors.js';

/**
 * What a task function receives.
 *
 * @example Check for cancellation between steps of CPU-bound work
 * ```ts
 * import { sleep, spawn, type TaskContext } from 'baton';
 *
 * async function sumChunks(ctx: TaskContext, chunks: number[][]): Promise<number> {
 *   let total = 0;
 *   for (const chunk of chunks) {
 *     ctx.signal.throwIfAborted(); // stop between chunks once cancelled
 *     for (const n of chunk) total += n;
 *     await sleep(0); // let other work run
 *   }
 *   return total;
 * }
 * const task = spawn((ctx) => sumChunks(ctx, [[1, 2], [3, 4]]));
 * console.log(await task); // 10
 * ```
 */
export interface TaskContext {
  /**
   * Aborts when the task is cancelled: by its caller's signal, by
   * `task.cancel()`, by a failing sibling or by a deadline. `signal.reason`
   * says why. Pass it on to `fetch`, `fs`, `child_process`, `sleep`, ...
   */
  readonly signal: AbortSignal;
}

export class CancelScope implements TaskContext {
  cancelled = false;
  /** True when the cancellation came from the parent (a caller's signal or an enclosing scope). */
  cancelledByParent = false;
  reason: unknown = undefined;

  #controller: AbortController | undefined = undefined;
  #parentSignal: AbortSignal | undefined = undefined;
  #parentScope: CancelScope | undefined = undefined;
  // Intrusive doubly linked list of open child scopes: O(1) add and remove,
  // no allocation per child.
  #firstChild: CancelScope | undefined = undefined;
  #prev: CancelScope | undefined = undefined;
  #next: CancelScope | undefined = undefined;

  constructor(parent?: AbortSignal | CancelScope) {
    if (parent === undefined) return;
    if (parent instanceof CancelScope) {
      if (parent.cancelled) {
        this.cancelled = true;
        this.cancelledByParent = true;
        this.reason = parent.reason;
        return;
      }
      this.#parentScope = parent;
      const first = parent.#firstChild;
      this.#next = first;
      if (first !== undefined) first.#prev = this;
      parent.#firstChild = this;
    } else if (parent.aborted) {
      this.cancelled = true;
      this.cancelledByParent = true;
      this.reason = parent.reason;
    } else {
      // The scope itself is the listener (handleEvent): no closure per scope.
      parent.addEventListener('abort', this);
      this.#parentSignal = parent;
    }
  }

  /** Called by the parent signal when it aborts. */
  handleEvent(): void {
    const parent = this.#parentSignal;
    if (parent !== undefined) this.#cancel(parent.reason, true);
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.cancelled) controller.abort(this.reason);
    }
    return controller.signal;
  }

  /** Cancel this scope and every open scope below it. The first reason sticks. */
  cancel(reason: unknown = new CancelledError()): void {
    this.#cancel(reason, false);
  }

  #cancel(reason: unknown, byParent: boolean): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.cancelledByParent = byParent;
    this.reason = reason;
    this.#controller?.abort(reason);
    let child = this.#firstChild;
    while (child !== undefined) {
      const next = child.#next;
      child.#cancel(reason, true);
      child = next;
    }
    this.onCancel();
  }

  /** Runs once, right after the scope is cancelled. Subclasses hook in here. */
  protected onCancel(): void {}

  /**
   * The scope's work has settled: stop listening to the parent and leave the
   * parent's child list. Idempotent.
   */
  close(): void {
    const signal = this.#parentSignal;
    if (signal !== undefined) {
      signal.removeEventListener('abort', this);
      this.#parentSignal = undefined;
    }
    const parent = this.#parentScope;
    if (parent !== undefined) {
      const prev = this.#prev;
      const next = this.#next;
      if (prev !== undefined) prev.#next = next;
      else parent.#firstChild = next;
      if (next !== undefined) next.#prev = prev;
      this.#prev = this.#next = this.#parentScope = undefined;
    }
  }

  /**
   * Whether `err`, thrown by this scope's work, is the work being cancelled
   * rather than failing: the scope was cancelled and the error is its reason
   * or any recognised cancellation.
   */
  isCancellationOf(err: unknown): boolean {
    return this.cancelled && (err === this.reason || isCancellation(err));
  }
}
