// Argument checks shared by every public call. A bad argument fails at the
// call, with a message that names the parameter, says what was expected and
// shows what was received: `Expected concurrency to be an integer >= 1 or
// Infinity, got 0 (number)`.

/** Render a received value for an error message: `0 (number)`, `"4" (string)`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value)} (string)`;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
      return `${String(value)} (${typeof value})`;
    case 'function':
      return `a function`;
    default: {
      const ctor = (value).constructor;
      return typeof ctor === 'function' && ctor.name !== '' && ctor.name !== 'Object'
        ? `an instance of ${ctor.name}`
        : 'an object';
    }
  }
}

export function expectFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new TypeError(`Expected ${name} to be a function, got ${describe(value)}`);
  }
}

/** A duration in milliseconds: a finite number >= 0, or Infinity when `allowInfinity`. */
export function expectDuration(name: string, value: unknown, allowInfinity: boolean): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected ${name} to be a number of milliseconds >= 0${allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`,
    );
  }
  if (!(value >= 0) || (!allowInfinity && value === Infinity)) {
    throw new RangeError(
      `Expected ${name} to be a number of milliseconds >= 0${allowInfinity ? ' or Infinity' : ''}, got ${describe(value)}`,
    );
  }
}

/** An integer >= `min`, or Infinity when `allowInfinity`. */
export function expectInteger(name: string, value: unknown, min: number, allowInfinity: boolean): asserts value is number {
  const expected = `an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}`;
  if (typeof value !== 'number') {
    throw new TypeError(`Expected ${name} to be ${expected}, got ${describe(value)}`);
  }
  if (value === Infinity ? !allowInfinity : !(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`Expected ${name} to be ${expected}, got ${describe(value)}`);
  }
}

export function expectSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value !== undefined && !isAbortSignal(value)) {
    throw new TypeError(`Expected ${name} to be an AbortSignal, got ${describe(value)}`);
  }
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal === 'function' && value instanceof AbortSignal) return true;
  // Signals from another realm or a polyfill: accept the shape baton uses.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function'
  );
}

export function expectOptions(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError(`Expected ${name} to be an options object, got ${describe(value)}`);
  }
}

/**
 * The `{ signal }` options of a waiting call: checked, and the signal (if
 * any) returned. The one place the waiting calls read their options.
 */
export function waitSignal(options: unknown): AbortSignal | undefined {
  expectOptions('options', options);
  const signal = (options as { signal?: unknown } | undefined)?.signal;
  expectSignal('options.signal', signal);
  return signal;
}
