/**
 * baton: structured concurrency for TypeScript. Run async work concurrently
 * while keeping control of order, limits, failure and cancellation, with the
 * platform's `AbortSignal` as the one cancellation mechanism.
 *
 * @packageDocumentation
 */

export {
  BatonError,
  CancelledError,
  InvalidStateError,
  TimeoutError,
  isCancellation,
  type BatonErrorCode,
} from './core/errors.js';
export { realClock, type Clock } from './core/clock.js';
export {
  Task,
  spawn,
  type SpawnOptions,
  type TaskContext,
  type TaskFunction,
  type TaskState,
} from './core/task.js';
export { TaskGroup, taskGroup, type GroupSpawnOptions, type TaskGroupOptions } from './core/task-group.js';
export { sleep, type SleepOptions } from './time/sleep.js';
export { timeout, type TimeoutOptions } from './time/timeout.js';
export { shield, type ShieldOptions } from './time/shield.js';
