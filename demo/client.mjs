// The demo's HTTP client: node:http with one keep-alive Agent, and the
// caller's AbortSignal passed straight to `http.request`, which destroys the
// request (and its socket) when the signal aborts.
//
// Why not `fetch`? It takes the same `signal` and cancels just as well, but
// in Node 20 it cannot be given an `http.Agent`, and its connection pool
// (undici's) opens a new connection when the next request is sent in the
// same turn that the previous response ended, before that connection is back
// in the pool: at concurrency 10 it opened 17-20 sockets here. The agent
// below hands a socket back before the response's 'end' reaches the caller,
// and it has no socket limit of its own (`maxSockets` is left at Infinity),
// so the number of sockets open is bounded by baton's concurrency alone.

import { Agent, request as httpRequest } from 'node:http';

/**
 * @typedef {object} RequestOptions
 * @property {string} [method] default 'GET'
 * @property {Record<string, string>} [headers]
 * @property {string} [body]
 * @property {AbortSignal} [signal] aborting it destroys the request; the call rejects with an AbortError
 */

/**
 * @typedef {object} Response
 * @property {number} status
 * @property {string} type the content-type
 * @property {string} text the body
 */

export class DemoClient {
  agent = new Agent({ keepAlive: true });
  /** Sockets this client has open right now. */
  openSockets = 0;
  /** @type {WeakSet<object>} */
  #seen = new WeakSet();

  /**
   * Send a request and read the whole response.
   * @param {string} url
   * @param {RequestOptions} [options]
   * @returns {Promise<Response>}
   */
  request(url, options = {}) {
    const { method = 'GET', headers = {}, body, signal } = options;
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent: this.agent, ...(signal ? { signal } : {}) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += String(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text }));
        res.on('error', reject);
        res.on('close', () => {
          // Cut off mid-body: by our signal, or by the other side.
          if (!res.complete) reject(signal?.aborted ? signal.reason : new Error(`${method} ${url}: connection closed`));
        });
      });
      req.on('socket', (socket) => {
        if (this.#seen.has(socket)) return;
        this.#seen.add(socket);
        this.openSockets++;
        socket.once('close', () => {
          this.openSockets--;
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Close the idle keep-alive sockets. */
  close() {
    this.agent.destroy();
  }
}
