// Shared helpers for baton's tests. None of them waits on real time: a
// "turn" is one pass of the event loop (setImmediate).
import { getEventListeners } from 'node:events';

/** One full turn of the event loop: microtasks drain, then this resolves. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Let `n` turns pass. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

/** Whether `promise` is still pending after the event loop has gone round a few times. */
export async function isPending(promise: PromiseLike<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await turns(3);
  return !settled;
}

/** The outcome of a promise, without throwing. */
export async function outcome<T>(
  promise: PromiseLike<T>,
): Promise<{ status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown }> {
  try {
    return { status: 'fulfilled', value: await promise };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/** The error a promise rejects with; fails if it fulfils. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  const result = await outcome(promise);
  if (result.status === 'fulfilled') throw new Error(`expected a rejection, got ${String(result.value)}`);
  return result.reason;
}

/** How many 'abort' listeners `signal` has. */
export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** A promise with its settle functions, for tasks the test finishes by hand. */
export function manual<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A generator over `items` that records what was pulled and whether it was closed. */
export function tracked<T>(items: Iterable<T>): { iterable: Generator<T>; log: { pulled: number; closed: boolean } } {
  const log = { pulled: 0, closed: false };
  function* gen(): Generator<T> {
    try {
      for (const item of items) {
        log.pulled++;
        yield item;
      }
    } finally {
      log.closed = true;
    }
  }
  return { iterable: gen(), log };
}

/** 0, 1, 2, ... forever. */
export function* naturals(): Generator<number> {
  for (let i = 0; ; i++) yield i;
}
