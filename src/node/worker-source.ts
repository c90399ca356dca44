// The code every WorkerPool thread runs, kept as a string and started with
// `new Worker(WORKER_SOURCE, { eval: true, workerData: { url } })`.
//
// Why a string rather than a worker file next to this one: a worker needs
// plain JavaScript it can load by itself. A `worker.js` compiled from
// TypeScript exists only in dist/, so the pool would not work from the
// sources (Vitest maps `baton/node` to src/, where a Worker cannot load a
// `.ts` file), and tsc copies no hand-written `.js` or `.mjs` file to dist/.
// A string works the same from src/ and from dist/, needs no build step and
// no file-system lookup. An eval'd worker is a CommonJS script, so it uses
// `require` for worker_threads and a dynamic `import()` for the user's ES
// module.
//
// The protocol is as small as it can be, because on tiny tasks the cost of a
// message is the cost of the task:
//
//   main -> worker   [name, args]        one task at a time per worker
//   worker -> main   [0, value]          the function returned (or resolved)
//                    [1, errorRecord]    it threw an Error (or rejected with one)
//                    [2, value]          it threw something else
//
// No task id is needed: a worker runs one task at a time, and a worker whose
// task was aborted is terminated, never reused, so a late reply cannot be
// taken for the next task's.
//
// Errors are sent as records ({ name, message, stack, props, cause }) rather
// than as Error objects: the structured clone of an Error keeps only the
// standard names (a custom `name` becomes 'Error') and drops own properties
// such as `code`. If a record cannot be cloned (a property holds a function,
// say), it is sent again without the properties, so the caller always learns
// the name, message and stack.
//
// Keep this code ES2020 and free of template literals: it is the body of a
// template literal itself.

export const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const url = workerData.url;
let fns;
let loaded = false;
let loadError;
let waiting = [];

import(url).then(
  (namespace) => { fns = namespace; loaded = true; },
  (err) => { loadError = err; },
).then(() => {
  const early = waiting;
  waiting = undefined;
  for (let i = 0; i < early.length; i++) call(early[i]);
});

parentPort.on('message', (message) => {
  if (waiting !== undefined) waiting.push(message);
  else call(message);
});

function call(message) {
  if (!loaded) {
    fail(loadError);
    return;
  }
  const name = message[0];
  const fn = fns[name];
  if (typeof fn !== 'function') {
    const names = Object.keys(fns).filter((key) => typeof fns[key] === 'function');
    fail(new TypeError('The worker module ' + url + ' exports no function named ' + JSON.stringify(name) +
      ' (its functions: ' + (names.length === 0 ? 'none' : names.join(', ')) + ')'));
    return;
  }
  let result;
  try {
    result = fn(...message[1]);
  } catch (err) {
    fail(err);
    return;
  }
  if (result !== null && (typeof result === 'object' || typeof result === 'function')) {
    let then;
    try {
      then = result.then;
    } catch (err) {
      fail(err);
      return;
    }
    if (typeof then === 'function') {
      Promise.resolve(result).then(done, fail);
      return;
    }
  }
  done(result);
}

function done(value) {
  try {
    parentPort.postMessage([0, value]);
  } catch (err) {
    // The value cannot be cloned (a function, a class instance with private
    // state, ...): the task fails with the DataCloneError.
    fail(err);
  }
}

function fail(err) {
  try {
    parentPort.postMessage(encode(err, true, 0));
    return;
  } catch {}
  try {
    parentPort.postMessage(encode(err, false, 0));
    return;
  } catch {}
  parentPort.postMessage([2, String(err)]);
}

function encode(err, withProps, depth) {
  if (!(err instanceof Error)) return withProps ? [2, err] : [2, String(err)];
  const record = { name: String(err.name), message: String(err.message), stack: err.stack };
  if (withProps) {
    const keys = Object.keys(err);
    if (keys.length > 0) {
      const props = {};
      for (let i = 0; i < keys.length; i++) props[keys[i]] = err[keys[i]];
      record.props = props;
    }
  }
  if ('cause' in err && depth < 16) record.cause = encode(err.cause, withProps, depth + 1);
  return [1, record];
}
`;
