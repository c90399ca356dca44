// The abort-aware FIFO waiter list: the one place in baton where "wait until
// X, unless the signal aborts" is written. Semaphores, locks, queues and rate
// limiters are all built on it, so they share one answer to the hard
// questions:
//
// - Fairness: waiters are kept in arrival order and woken from the head. A
//   primitive decides *whether* the head may go (a heavy semaphore request
//   at the head blocks lighter ones behind it, so it is never starved); it
//   never picks a waiter out of the middle.
// - Cancellation: a waiter whose signal aborts leaves the line at once (O(1),
//   doubly linked) and rejects with `signal.reason`. It was never granted
//   anything, so it gives nothing back; the owner's `onLeave` hook runs so it
//   can wake whoever may now go first.
// - No leaks: a waiter listens to its signal only while it waits. Every way
//   out (woken, aborted, rejected) removes the listener.
// - Allocation: the waiter object is its own abort listener (`handleEvent`),
//   so a wait costs one object and one promise, no closures.

export class Waiter<T, D> {
  prev: Waiter<T, D> | undefined = undefined;
  next: Waiter<T, D> | undefined = undefined;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;

  constructor(
    readonly list: WaiterList<T, D>,
    /** What the waiter asks for: a weight, an item to put, ... */
    readonly data: D,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Abort listener: leave the line and reject with the signal's reason. */
  handleEvent(): void {
    const list = this.list;
    const signal = this.signal as AbortSignal;
    signal.removeEventListener('abort', this);
    list.unlink(this);
    this.reject(signal.reason);
    list.onLeave?.(this);
  }
}

export class WaiterList<T, D = undefined> {
  head: Waiter<T, D> | undefined = undefined;
  tail: Waiter<T, D> | undefined = undefined;
  length = 0;

  /**
   * @param onLeave runs after a waiter left the line because its signal
   *   aborted (not when it was woken), so the owner can serve the new head.
   */
  constructor(readonly onLeave?: (waiter: Waiter<T, D>) => void) {}

  /**
   * Join the end of the line. The promise resolves when an owner wakes this
   * waiter, or rejects with `signal.reason` if the signal aborts first (at
   * once if it already has; nothing joins the line then).
   */
  wait(data: D, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const waiter = new Waiter<T, D>(this, data, signal);
    const promise = new Promise<T>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    const tail = this.tail;
    waiter.prev = tail;
    if (tail === undefined) this.head = waiter;
    else tail.next = waiter;
    this.tail = waiter;
    this.length++;
    signal?.addEventListener('abort', waiter);
    return promise;
  }

  /** Take `waiter` out of the line without settling it. */
  unlink(waiter: Waiter<T, D>): void {
    const { prev, next } = waiter;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    waiter.prev = waiter.next = undefined;
    this.length--;
  }

  /** Remove the head and resolve it with `value`. The caller checked there is a head. */
  wakeHead(value: T): Waiter<T, D> {
    const waiter = this.head as Waiter<T, D>;
    this.unlink(waiter);
    waiter.signal?.removeEventListener('abort', waiter);
    waiter.resolve(value);
    return waiter;
  }

  /** Remove `waiter` from the line and reject it with `reason`. */
  reject(waiter: Waiter<T, D>, reason: unknown): void {
    this.unlink(waiter);
    waiter.signal?.removeEventListener('abort', waiter);
    waiter.reject(reason);
  }

  /** Remove every waiter and reject each with `reason`. */
  rejectAll(reason: unknown): void {
    let waiter = this.head;
    this.head = this.tail = undefined;
    this.length = 0;
    while (waiter !== undefined) {
      const next = waiter.next;
      waiter.prev = waiter.next = undefined;
      waiter.signal?.removeEventListener('abort', waiter);
      waiter.reject(reason);
      waiter = next;
    }
  }
}
