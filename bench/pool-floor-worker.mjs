// The worker of the hand-written pool (MinimalPool in lib.mjs): one message
// [name, arg] in, the function's return value out. No error handling: an
// uncaught error ends the worker, and the pool rejects the task with it.

import { parentPort } from 'node:worker_threads';
import { echo, spin } from './pool-tasks.mjs';

/** @type {Record<string, (arg: number) => number>} */
const functions = { echo, spin };
const port = parentPort;
if (port === null) throw new Error('pool-floor-worker.mjs runs as a worker thread');
port.on('message', (/** @type {[string, number]} */ [name, arg]) => {
  port.postMessage(/** @type {(arg: number) => number} */ (functions[name])(arg));
});
