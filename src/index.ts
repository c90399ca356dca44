/**
 * baton: structured concurrency for TypeScript. Run async work concurrently
 * while keeping control of order, limits, failure and cancellation, with the
 * platform's `AbortSignal` as the one cancellation mechanism.
 *
 * @packageDocumentation
 */

export {
  BatonError,
  BrokenBarrierError,
  CancelledError,
  PoolClosedError,
  PoolQueueFullError,
  QueueShutDownError,
  WorkerCrashedError,
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
export type { AcquireOptions, ItemLimiter, Limiter, Permit } from './core/limiter.js';
export { Semaphore, type SemaphoreRunOptions } from './sync/semaphore.js';
export { limit, type LimitFunction } from './sync/limit.js';
export { gather, type AnyInput, type GatherInput, type GatherOptions, type GatherValue } from './combinators/gather.js';
export { map, mapIter, type ItemContext, type MapFunction, type MapIterOptions, type MapOptions } from './combinators/map.js';
export { asCompleted, type AsCompletedOptions, type CompletedTask } from './combinators/as-completed.js';
export { race, any, type RaceOptions } from './combinators/race.js';
export { wait, type ReturnWhen, type WaitOptions, type WaitResult } from './combinators/wait.js';
export { Lock, LockHandle, type LockOptions } from './sync/lock.js';
export { Event, type EventWaitOptions } from './sync/event.js';
export { Condition } from './sync/condition.js';
export { Barrier, type BarrierWaitOptions } from './sync/barrier.js';
export { Queue, type QueueOptions, type QueueWaitOptions, type ShutdownOptions } from './queue/queue.js';
export { PriorityQueue, type PriorityQueueOptions } from './queue/priority-queue.js';
export { LifoQueue } from './queue/lifo-queue.js';
export { RateLimiter, type RateLimiterOptions, type RateLimiterStats } from './time/rate-limiter.js';
export { keyed, Keyed, type KeyedOptions } from './sync/keyed.js';
export { retry, type RetryContext, type RetryOptions } from './time/retry.js';
export {
  TaskQueue,
  type AddOptions,
  type JobContext,
  type TaskQueueEvents,
  type TaskQueueOptions,
  type TaskQueueStats,
} from './queue/task-queue.js';
export {
  Flow,
  flow,
  flowFrom,
  type FlowReport,
  type FlowRunOptions,
  type StepContext,
  type StepOptions,
  type StepOutcome,
  type StepSpec,
} from './flow/flow.js';
