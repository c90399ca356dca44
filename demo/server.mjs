// The demo's own HTTP server: loopback only, started on a free port, so the
// demo needs no network. It plays a slow, uneven remote service and keeps the
// books the demo reports from:
//
// - latency: every path gets a small deterministic delay (5-40 ms, a hash of
//   the path), so requests finish in a different order than they started;
//   `?ms=N` sets the delay explicitly;
// - concurrency: requests in flight right now, and the peak;
// - sockets: connections open right now, the peak, and how many were opened;
// - cancellation: a request whose client went away before the response was
//   sent (the client aborted its request) is counted as aborted, by path.
//
// Routes:
//   GET  /items/:n          -> 200 { id: n }
//   GET  /broken/:n         -> 500
//   GET  /mirror/:name      -> 200 text
//   GET  /jobs/:name        -> 200 { job: name }
//   GET  /feeds/:name       -> 200 { feed: name }
//   POST /api/login         { user, password }  -> { session }
//   POST /api/token         { session }         -> { token }
//   GET  /api/data          Authorization: Bearer <token> -> { records }
//   POST /api/submit        Authorization + { records }   -> { receipt, count }

/* global setTimeout, clearTimeout -- Node globals; the lint config declares none for scripts */

import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

/**
 * A deterministic latency for a path: a hash of it, folded into 5..40 ms.
 * @param {string} path
 * @returns {number}
 */
export function latencyOf(path) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    hash ^= path.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV-1a barely mixes the last character, and paths differ mostly there:
  // finish with MurmurHash3's avalanche step.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return 5 + ((hash >>> 0) % 36);
}

/**
 * The books of one phase of the demo (see `reset()`).
 * @typedef {object} ServerStats
 * @property {number} requests requests received
 * @property {number} peakInFlight the most requests in flight at once
 * @property {number} answered responses fully sent
 * @property {number} aborted requests whose client went away before the response was sent
 * @property {string[]} abortedPaths the paths of the aborted requests
 * @property {number} peakSockets the most connections open at once
 * @property {number} connections connections accepted
 */

/** @returns {ServerStats} */
function freshStats() {
  return {
    requests: 0,
    peakInFlight: 0,
    answered: 0,
    aborted: 0,
    abortedPaths: [],
    peakSockets: 0,
    connections: 0,
  };
}

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {unknown} body a string is sent as text, anything else as JSON
 */

/**
 * @param {string} text
 * @returns {Record<string, unknown>}
 */
function parseObject(text) {
  try {
    /** @type {unknown} */
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null ? /** @type {Record<string, unknown>} */ (value) : {};
  } catch {
    return {};
  }
}

/**
 * Start the server on 127.0.0.1 and a free port.
 * @returns {Promise<DemoServer>}
 */
export async function startServer() {
  const server = new DemoServer();
  await server.listen();
  return server;
}

export class DemoServer {
  /** @type {ServerStats} */
  stats = freshStats();
  /** Requests received and not yet answered or aborted. */
  inFlight = 0;
  /** Connections open right now. */
  openSockets = 0;
  origin = '';
  /** @type {Map<string, string>} session -> user */
  #sessions = new Map();
  /** @type {Set<string>} */
  #tokens = new Set();
  #nextId = 1;
  #http = createServer((req, res) => this.#handle(req, res));

  constructor() {
    // The demo's client reuses its sockets; the server must not close them
    // under it while they are idle between two scenarios.
    this.#http.keepAliveTimeout = 60_000;
    this.#http.on('connection', (socket) => {
      this.stats.connections++;
      this.openSockets++;
      if (this.openSockets > this.stats.peakSockets) this.stats.peakSockets = this.openSockets;
      socket.on('close', () => {
        this.openSockets--;
      });
    });
  }

  /** @returns {Promise<void>} */
  listen() {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(0, '127.0.0.1', () => {
        const address = this.#http.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the demo server has no TCP address'));
          return;
        }
        this.origin = `http://127.0.0.1:${address.port}`;
        resolve();
      });
    });
  }

  /**
   * Start a new phase of the books: counters from zero, peaks from what is
   * open now (sockets kept alive by an earlier phase still count).
   */
  reset() {
    this.stats = { ...freshStats(), peakInFlight: this.inFlight, peakSockets: this.openSockets };
  }

  /**
   * Close every connection (idle keep-alive ones included) and stop listening.
   * @returns {Promise<void>}
   */
  close() {
    return new Promise((resolve, reject) => {
      this.#http.close((err) => (err ? reject(err) : resolve()));
      this.#http.closeAllConnections();
    });
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  #handle(req, res) {
    const url = new URL(req.url ?? '/', this.origin);
    // The books of the phase the request arrived in.
    const stats = this.stats;
    stats.requests++;
    this.inFlight++;
    if (this.inFlight > stats.peakInFlight) stats.peakInFlight = this.inFlight;

    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    res.on('close', () => {
      clearTimeout(timer);
      this.inFlight--;
      if (res.writableFinished) {
        stats.answered++;
      } else {
        stats.aborted++;
        stats.abortedPaths.push(url.pathname);
      }
    });

    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += String(chunk);
    });
    req.on('end', () => {
      const reply = this.#route(req.method ?? 'GET', url, req.headers.authorization, body);
      const ms = url.searchParams.has('ms') ? Number(url.searchParams.get('ms')) : latencyOf(url.pathname);
      timer = setTimeout(() => {
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      }, ms);
    });
  }

  /**
   * @param {string} method
   * @param {URL} url
   * @param {string | undefined} authorization
   * @param {string} body
   * @returns {Reply}
   */
  #route(method, url, authorization, body) {
    const [, area = '', name = ''] = url.pathname.split('/');
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const authorized = bearer !== undefined && this.#tokens.has(bearer);
    switch (`${method} /${area}`) {
      case 'GET /items':
        return { status: 200, body: { id: Number(name) } };
      case 'GET /broken':
        return { status: 500, body: 'internal server error' };
      case 'GET /mirror':
        return { status: 200, body: `the file, from mirror ${name}` };
      case 'GET /jobs':
        return { status: 200, body: { job: name } };
      case 'GET /feeds':
        return { status: 200, body: { feed: name } };
      case 'POST /api':
        break;
      case 'GET /api':
        break;
      default:
        return { status: 404, body: 'not found' };
    }
    const input = parseObject(body);
    switch (`${method} ${name}`) {
      case 'POST login': {
        if (input['password'] !== 'hunter2') return { status: 401, body: 'bad password' };
        const session = `s-${this.#nextId++}`;
        this.#sessions.set(session, String(input['user']));
        return { status: 200, body: { session } };
      }
      case 'POST token': {
        const session = String(input['session']);
        if (!this.#sessions.has(session)) return { status: 401, body: 'no such session' };
        const token = `t-${this.#nextId++}`;
        this.#tokens.add(token);
        return { status: 200, body: { token } };
      }
      case 'GET data':
        if (!authorized) return { status: 401, body: 'no token' };
        return { status: 200, body: { records: [3, 1, 4, 1, 5] } };
      case 'POST submit': {
        if (!authorized) return { status: 401, body: 'no token' };
        const records = Array.isArray(input['records']) ? input['records'] : [];
        return { status: 200, body: { receipt: `r-${this.#nextId++}`, count: records.length } };
      }
      default:
        return { status: 404, body: 'not found' };
    }
  }
}

