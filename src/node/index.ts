/**
 * `baton/node`: what needs Node itself. `run()` is the entry point of a
 * program (signals, exit codes), and `WorkerPool` runs CPU-bound work on a
 * bounded set of worker threads. The core (`baton`) imports nothing from
 * `node:*`; this entry point does.
 *
 * @packageDocumentation
 */

export { run, type RunOptions } from './run.js';
export {
  WorkerPool,
  type AnyWorkerModule,
  type PoolCloseOptions,
  type PoolRunOptions,
  type WorkerArgs,
  type WorkerFunctionName,
  type WorkerPoolOptions,
  type WorkerPoolStats,
  type WorkerResult,
} from './worker-pool.js';
export { PoolClosedError, PoolQueueFullError, WorkerCrashedError } from '../core/errors.js';
