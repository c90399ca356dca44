// `npm run demo`: the scenarios of the article baton grew from (Python's
// asyncio: gather vs wait, a semaphore in front of hundreds of requests, a
// dependent chain that must stay sequential), played with baton against a
// local HTTP server the demo starts itself (demo/server.mjs). No network
// beyond 127.0.0.1 is used.
//
//   1. 500 URLs through map() at concurrency 10: results in input order,
//      never more than 10 requests (or sockets) at once.
//   2. The same with one broken URL: fail fast (the rest cancelled) versus
//      settle: true (every outcome counted).
//   3. Two mirrors raced: the slower request is aborted.
//   4. wait() with a timeout: done and pending sets, then cancel the pending.
//   5. login -> token -> data -> submit, strictly in order, beside
//      independent work that runs concurrently.
//
// On a terminal a live progress line shows the map()'s progress; piped, the
// output is plain text. The process exits by itself (code 0) once the
// server is closed: nothing baton started is left running.

/* global process -- Node's global; the lint config declares none for scripts */

import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { gather, isCancellation, map, race, spawn, wait } from 'baton';
import { DemoClient } from './client.mjs';
import { startServer } from './server.mjs';

const CONCURRENCY = 10;
const URL_COUNT = 500;
const BROKEN_INDEX = 137;

/** An HTTP answer other than 2xx, thrown by the task that got it. */
class HttpError extends Error {
  /**
   * @param {string} method
   * @param {string} path
   * @param {number} status
   */
  constructor(method, path, status) {
    super(`${method} ${path} answered ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.path = path;
  }
}

/**
 * Send a request, read the body, throw an HttpError unless the status is
 * 2xx. The signal goes straight to the HTTP client (as it would to `fetch`):
 * that is all cancellation takes.
 * @param {string} url
 * @param {AbortSignal} signal
 * @param {{ method?: string, body?: unknown, token?: string }} [options]
 * @returns {Promise<Record<string, unknown>>}
 */
async function request(url, signal, options = {}) {
  const method = options.method ?? 'GET';
  /** @type {Record<string, string>} */
  const headers = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await client.request(url, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal,
  });
  if (res.status < 200 || res.status > 299) throw new HttpError(method, new URL(url).pathname, res.status);
  if (!res.type.startsWith('application/json')) return { text: res.text };
  /** @type {unknown} */
  const json = JSON.parse(res.text);
  return typeof json === 'object' && json !== null ? { ...json } : { value: json };
}

// --- output --------------------------------------------------------------

const tty = process.stdout.isTTY === true;
const demoStart = performance.now();
/** Claims the demo checked and found false (it then exits with code 1). */
let failedChecks = 0;

/** @param {string} [line] */
function say(line = '') {
  process.stdout.write(`${line}\n`);
}

/** @param {number} since a performance.now() reading */
function ms(since) {
  return `${Math.round(performance.now() - since)} ms`;
}

/**
 * A claim the demo checks: 'yes', or 'NO', which also fails the run.
 * @param {boolean} ok
 */
function yesNo(ok) {
  if (!ok) failedChecks++;
  return ok ? 'yes' : 'NO';
}

/**
 * A live progress line, redrawn in place on a terminal (at most every 40 ms)
 * and absent when the output is piped.
 * @param {string} label
 * @param {number} total
 */
function progress(label, total) {
  let last = 0;
  return {
    /**
     * @param {number} done
     * @param {number} inFlight
     */
    update(done, inFlight) {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 40 && done < total) return;
      last = now;
      process.stdout.write(`\r[${label}] ${done}/${total} done, ${inFlight} in flight\x1b[K`);
    },
    end() {
      if (tty) process.stdout.write('\r\x1b[K');
    },
  };
}

/**
 * Count what the task functions of one map() call do, client side.
 * @param {string} label
 * @param {number} total
 */
function tracker(label, total) {
  const bar = progress(label, total);
  const t = {
    started: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    inFlight: 0,
    peakInFlight: 0,
    /** @type {number[]} */
    completionOrder: [],
    /**
     * Run `work` as one tracked task.
     * @template T
     * @param {number} index
     * @param {AbortSignal} signal
     * @param {() => Promise<T>} work
     * @returns {Promise<T>}
     */
    async run(index, signal, work) {
      t.started++;
      t.inFlight++;
      if (t.inFlight > t.peakInFlight) t.peakInFlight = t.inFlight;
      bar.update(t.completed + t.failed + t.cancelled, t.inFlight);
      try {
        const value = await work();
        t.completed++;
        t.completionOrder.push(index);
        return value;
      } catch (err) {
        if (signal.aborted && isCancellation(err)) t.cancelled++;
        else t.failed++;
        throw err;
      } finally {
        t.inFlight--;
        bar.update(t.completed + t.failed + t.cancelled, t.inFlight);
      }
    },
    end: () => bar.end(),
  };
  return t;
}

// --- the scenarios ---------------------------------------------------------

const server = await startServer();
const client = new DemoClient();
const origin = server.origin;

/**
 * Resolves once the server has caught up with the client: no request in
 * flight, and every socket the client closed (an aborted request closes its
 * socket) closed at the server too. Only then are its abort counts final.
 * Polls, for at most 2 s.
 * @returns {Promise<void>}
 */
async function serverCaughtUp() {
  const deadline = performance.now() + 2_000;
  while (
    (server.inFlight !== 0 || server.openSockets !== client.openSockets) &&
    performance.now() < deadline
  ) {
    await delay(2);
  }
}
/** @type {string[]} */
const report = [];

say(`baton demo: a local HTTP server on ${origin}, each path answering after 5-40 ms`);
say();

// 1. ---------------------------------------------------------------------
{
  say(`1. ${URL_COUNT} URLs through map(), concurrency ${CONCURRENCY}`);
  server.reset();
  const urls = Array.from({ length: URL_COUNT }, (_, i) => `${origin}/items/${i}`);
  const t = tracker('map', urls.length);
  const t0 = performance.now();
  const items = await map(urls, (url, ctx) => t.run(ctx.index, ctx.signal, () => request(url, ctx.signal)), {
    concurrency: CONCURRENCY,
  });
  t.end();
  const elapsed = ms(t0);
  const inOrder = items.length === urls.length && items.every((item, i) => item['id'] === i);
  const completionInOrder = t.completionOrder.every((index, i) => index === i);
  const s = server.stats;
  const ordered = yesNo(inOrder);
  if (s.peakInFlight > CONCURRENCY) failedChecks++;
  say(`   results: ${items.length}, in order: ${ordered} (result i is the answer of URL i, for every i)`);
  say(`   completion order, first 12: ${t.completionOrder.slice(0, 12).join(', ')}${completionInOrder ? '' : ' (not input order)'}`);
  say(`   peak concurrent requests: ${s.peakInFlight} (limit ${CONCURRENCY}), as seen by the server`);
  say(`   peak open sockets: ${s.peakSockets}; ${s.connections} connections for ${s.requests} requests (keep-alive)`);
  say(`   elapsed: ${elapsed}`);
  say();
  report.push(
    `map: ${items.length} results in order: ${ordered}; peak concurrent requests: ${s.peakInFlight} (limit ${CONCURRENCY}); peak open sockets: ${s.peakSockets}`,
  );
}

// 2. ---------------------------------------------------------------------
{
  const urls = Array.from({ length: URL_COUNT }, (_, i) =>
    i === BROKEN_INDEX ? `${origin}/broken/${i}` : `${origin}/items/${i}`,
  );
  say(`2. The same ${URL_COUNT} URLs, one broken: /broken/${BROKEN_INDEX} answers 500`);

  server.reset();
  const t = tracker('fail-fast', urls.length);
  /** @type {unknown} */
  let thrown;
  /** @type {unknown} */
  let caught;
  try {
    await map(
      urls,
      (url, ctx) =>
        t.run(ctx.index, ctx.signal, async () => {
          try {
            return await request(url, ctx.signal);
          } catch (err) {
            if (err instanceof HttpError) thrown = err;
            throw err;
          }
        }),
      { concurrency: CONCURRENCY },
    );
  } catch (err) {
    caught = err;
  }
  t.end();
  await serverCaughtUp(); // the server hears of the aborts a moment after the client
  const s = server.stats;
  const neverStarted = urls.length - t.started;
  const message = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  say('   fail fast (the default):');
  say(`     map() rejected with ${message}`);
  const sameError = yesNo(caught !== undefined && caught === thrown);
  say(`     the very error the task threw: ${sameError}`);
  say(
    `     started ${t.started}, completed ${t.completed}, failed ${t.failed}, cancelled ${t.cancelled}, never started ${neverStarted}`,
  );
  const answeredLate = t.cancelled - s.aborted;
  say(
    `     the server saw ${s.aborted} of the ${t.cancelled} cancelled requests aborted mid-flight${answeredLate > 0 ? ` (it had just answered the other ${answeredLate})` : ''}`,
  );
  say(`     peak concurrent requests: ${s.peakInFlight}`);

  server.reset();
  const u = tracker('settle', urls.length);
  const outcomes = await map(urls, (url, ctx) => u.run(ctx.index, ctx.signal, () => request(url, ctx.signal)), {
    concurrency: CONCURRENCY,
    settle: true,
  });
  u.end();
  const fulfilled = outcomes.filter((o) => o.status === 'fulfilled').length;
  const rejected = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [{ index: i, reason: /** @type {unknown} */ (o.reason) }] : []));
  const settleInOrder = outcomes.every((o, i) => o.status === 'rejected' || o.value['id'] === i);
  const first = rejected[0];
  const firstReason = first?.reason instanceof Error ? first.reason.message : String(first?.reason);
  say('   settle: true:');
  say(`     ${outcomes.length} outcomes, in order: ${yesNo(settleInOrder)}`);
  say(`     ${fulfilled} fulfilled, ${rejected.length} rejected${first ? ` (#${first.index}: ${firstReason})` : ''}`);
  say(`     peak concurrent requests: ${server.stats.peakInFlight}, aborted: ${server.stats.aborted}`);
  say();
  report.push(
    `fail-fast: rejected with the failing task's own error: ${sameError}; started ${t.started}, cancelled ${t.cancelled}, never started ${neverStarted}`,
    `settle: ${fulfilled} fulfilled, ${rejected.length} rejected`,
  );
}

// 3. ---------------------------------------------------------------------
{
  const mirrors = [
    { name: 'a', ms: 30 },
    { name: 'b', ms: 2000 },
  ];
  say(`3. Two mirrors raced: mirror a answers in ${mirrors[0]?.ms} ms, mirror b in ${mirrors[1]?.ms} ms`);
  server.reset();
  /** @type {Record<string, string>} */
  const fates = {};
  const t0 = performance.now();
  const winner = await race(
    mirrors.map((mirror) => async (/** @type {{ signal: AbortSignal }} */ ctx) => {
      try {
        const { text } = await request(`${origin}/mirror/${mirror.name}?ms=${mirror.ms}`, ctx.signal);
        fates[mirror.name] = 'answered';
        return { mirror: mirror.name, text: String(text) };
      } catch (err) {
        fates[mirror.name] = isCancellation(err) ? `cancelled (${/** @type {Error} */ (err).name})` : 'failed';
        throw err;
      }
    }),
  );
  const elapsed = ms(t0);
  await serverCaughtUp();
  const loser = mirrors.find((m) => m.name !== winner.mirror)?.name ?? '?';
  const serverSawAbort = server.stats.abortedPaths.includes(`/mirror/${loser}`);
  say(`   winner: mirror ${winner.mirror} ("${winner.text}"), race() returned after ${elapsed}`);
  const sawAbort = yesNo(serverSawAbort);
  const loserCancelled = yesNo(serverSawAbort && (fates[loser] ?? '').startsWith('cancelled'));
  say(`   loser: mirror ${loser} ${fates[loser] ?? 'still running?!'}; the server saw its request aborted: ${sawAbort}`);
  say();
  report.push(`race: mirror ${winner.mirror} won; mirror ${loser} cancelled: ${loserCancelled}`);
}

// 4. ---------------------------------------------------------------------
{
  const limit = 250;
  const jobs = [10, 30, 60, 1500, 3000];
  say(`4. wait() with a ${limit} ms timeout over ${jobs.length} jobs taking ${jobs.join(', ')} ms`);
  server.reset();
  const tasks = jobs.map((d) =>
    spawn((ctx) => request(`${origin}/jobs/${d}ms?ms=${d}`, ctx.signal), { name: `job-${d}ms` }),
  );
  const t0 = performance.now();
  const { done, pending } = await wait(tasks, { timeout: limit });
  const elapsed = ms(t0);
  const names = (/** @type {Set<import('baton').Task<unknown>>} */ set) => [...set].map((task) => task.name).join(', ') || '-';
  say(`   after ${elapsed}: done ${done.size} (${names(done)}), pending ${pending.size} (${names(pending)})`);
  const stillRunning = [...pending].every((task) => task.state === 'running');
  say(`   wait() cancelled nothing: the pending tasks are still running: ${yesNo(stillRunning)}`);
  await Promise.all([...pending].map((task) => task.cancel()));
  await serverCaughtUp();
  const allCancelled = [...pending].every((task) => task.state === 'cancelled');
  say(
    `   then task.cancel() on each pending task: ${[...pending].map((task) => `${task.name} ${task.state}`).join(', ') || '-'}`,
  );
  say(`   the server saw ${server.stats.aborted} requests aborted`);
  say();
  report.push(`wait: done ${done.size}, pending ${pending.size}; pending cancelled: ${yesNo(allCancelled)}`);
}

// 5. ---------------------------------------------------------------------
{
  say('5. A dependent chain, login -> token -> data -> submit, beside independent work');
  server.reset();
  const t0 = performance.now();
  /** @type {{ at: number, who: string, what: string }[]} */
  const events = [];
  /** @type {{ name: string, start: number, end: number }[]} */
  const steps = [];
  /** @type {{ name: string, start: number, end: number }[]} */
  const side = [];
  const now = () => performance.now() - t0;

  /**
   * @template T
   * @param {{ name: string, start: number, end: number }[]} log
   * @param {string} who
   * @param {string} name
   * @param {() => Promise<T>} work
   * @returns {Promise<T>}
   */
  async function step(log, who, name, work) {
    const entry = { name, start: now(), end: NaN };
    events.push({ at: entry.start, who, what: `${name} started` });
    const value = await work();
    entry.end = now();
    events.push({ at: entry.end, who, what: `${name} done` });
    log.push(entry);
    return value;
  }

  // Each step needs what the previous one returned: awaiting them one after
  // another is the correct program, not a missed chance for concurrency.
  /** @param {AbortSignal} signal */
  async function chain(signal) {
    const api = `${origin}/api`;
    const { session } = await step(steps, 'chain', 'login', () =>
      request(`${api}/login?ms=25`, signal, { method: 'POST', body: { user: 'ada', password: 'hunter2' } }),
    );
    const { token } = await step(steps, 'chain', 'token', () =>
      request(`${api}/token?ms=25`, signal, { method: 'POST', body: { session } }),
    );
    const auth = String(token);
    const { records } = await step(steps, 'chain', 'data', () => request(`${api}/data?ms=25`, signal, { token: auth }));
    const { receipt } = await step(steps, 'chain', 'submit', () =>
      request(`${api}/submit?ms=25`, signal, { method: 'POST', token: auth, body: { records } }),
    );
    return String(receipt);
  }

  // Work that depends on nothing: all of it at once.
  const feeds = [
    { name: 'news', ms: 40 },
    { name: 'weather', ms: 60 },
    { name: 'prices', ms: 80 },
    { name: 'alerts', ms: 100 },
  ];
  /** @param {AbortSignal} signal */
  const independent = (signal) =>
    gather(
      feeds.map((feed) => (/** @type {{ signal: AbortSignal }} */ ctx) =>
        step(side, 'side ', feed.name, () => request(`${origin}/feeds/${feed.name}?ms=${feed.ms}`, ctx.signal)),
      ),
      { signal },
    );

  // Both branches run concurrently; a failure in either would cancel the other.
  const [receipt, feedResults] = await gather([
    (/** @type {{ signal: AbortSignal }} */ ctx) => chain(ctx.signal),
    (/** @type {{ signal: AbortSignal }} */ ctx) => independent(ctx.signal),
  ]);

  events.sort((a, b) => a.at - b.at);
  for (const e of events) say(`   +${String(Math.round(e.at)).padStart(4)} ms  ${e.who}  ${e.what}`);
  const order = steps.map((s) => s.name).join(' -> ');
  const sequential = steps.every((s, i) => i === 0 || s.start >= (steps[i - 1]?.end ?? Infinity));
  const latestStart = Math.max(...side.map((s) => s.start));
  const earliestEnd = Math.min(...side.map((s) => s.end));
  const overlapped = side.length === feeds.length && latestStart < earliestEnd;
  const chainStart = steps[0]?.start ?? NaN;
  const chainEnd = steps[steps.length - 1]?.end ?? NaN;
  const beside = side.every((s) => s.start < chainEnd && s.end > chainStart);
  const wasSequential = yesNo(sequential);
  const didOverlap = yesNo(overlapped && beside);
  say(`   chain order: ${order}; sequential: ${wasSequential} (each step started after the previous one ended)`);
  say(`   submitted: receipt ${receipt}`);
  say(
    `   independent work overlapped: ${didOverlap} (all ${feedResults.length} feeds in flight at once, while the chain ran)`,
  );
  say();
  report.push(
    `chain: ${order}; sequential: ${wasSequential}; independent work overlapped: ${didOverlap}`,
  );
}

// --- the end ---------------------------------------------------------------

client.close();
await server.close();
say('Report');
for (const line of report) say(`  ${line}`);
say(`  total: ${ms(demoStart)}; server closed, nothing left running`);
if (failedChecks > 0) {
  say(`  ${failedChecks} check(s) answered NO`);
  process.exitCode = 1;
}
