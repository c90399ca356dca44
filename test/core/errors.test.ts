import { describe, expect, test } from 'vitest';
import { BatonError, CancelledError, InvalidStateError, TimeoutError, isCancellation } from '../../src/index.js';

describe('error classes', () => {
  test('each has a name, a stable code and is a BatonError', () => {
    const cancelled = new CancelledError();
    expect(cancelled).toBeInstanceOf(BatonError);
    expect(cancelled).toBeInstanceOf(Error);
    expect(cancelled.name).toBe('CancelledError');
    expect(cancelled.code).toBe('BATON_CANCELLED');
    expect(cancelled.message).toBe('The operation was cancelled');

    const timeout = new TimeoutError(250);
    expect(timeout.name).toBe('TimeoutError');
    expect(timeout.code).toBe('BATON_TIMEOUT');
    expect(timeout.ms).toBe(250);
    expect(timeout.message).toBe('Timed out after 250 ms');

    const state = new InvalidStateError('nope');
    expect(state.name).toBe('InvalidStateError');
    expect(state.code).toBe('BATON_INVALID_STATE');
  });

  test('a cause is kept', () => {
    const cause = new Error('root');
    expect(new CancelledError('stopped', { cause }).cause).toBe(cause);
  });
});

describe('isCancellation', () => {
  test("recognises baton's cancellations", () => {
    expect(isCancellation(new CancelledError())).toBe(true);
    expect(isCancellation(new TimeoutError(1))).toBe(true);
  });

  test("recognises the platform's AbortError and TimeoutError", () => {
    const controller = new AbortController();
    controller.abort();
    expect(isCancellation(controller.signal.reason)).toBe(true);
    expect(isCancellation(new DOMException('late', 'TimeoutError'))).toBe(true);
    expect(isCancellation(new DOMException('stop', 'AbortError'))).toBe(true);
  });

  test('recognises errors named AbortError, as Node and many libraries raise them', () => {
    const err = new Error('The operation was aborted');
    err.name = 'AbortError';
    expect(isCancellation(err)).toBe(true);
  });

  test('rejects failures and non-errors', () => {
    expect(isCancellation(new Error('boom'))).toBe(false);
    expect(isCancellation(new DOMException('x', 'NotFoundError'))).toBe(false);
    expect(isCancellation({ name: 'AbortError' })).toBe(false);
    expect(isCancellation('AbortError')).toBe(false);
    expect(isCancellation(null)).toBe(false);
    expect(isCancellation(undefined)).toBe(false);
  });
});

describe('isCancellation across copies of baton', () => {
  test("recognises another copy's cancellations by their stable code", () => {
    const foreign = Object.assign(new Error('cancelled elsewhere'), { name: 'CancelledError', code: 'BATON_CANCELLED' });
    expect(isCancellation(foreign)).toBe(true);
    const foreignTimeout = Object.assign(new Error('late'), { code: 'BATON_TIMEOUT' });
    expect(isCancellation(foreignTimeout)).toBe(true);
    expect(isCancellation(Object.assign(new Error('x'), { code: 'BATON_INVALID_STATE' }))).toBe(false);
  });
});
