// A client for a rate-limited API: at most 5 requests per second, and a 429
// retried after the server's Retry-After.
//
// The API (a local server this example starts on 127.0.0.1 and closes)
// allows `allow` requests per fixed window of `window` ms and answers any
// more with 429 Too Many Requests and a Retry-After header (in seconds), as
// most APIs do. The client limits itself with a RateLimiter, and wraps each
// call in retry(), which waits as long as the server said before trying
// again.
//
// The client's token bucket allows 5 per second *on average*, but the server
// counts fixed windows: after a quiet spell the bucket's 5 go at once and the
// refill sends 4 more before the server's first window has ended. Those get a
// 429, wait, and succeed on their next attempt. (`strict: true` never starts
// more than 5 in any second, and on a real network gets no 429 here. But a
// request held up in transit lands in the server's next window, on top of
// that window's own 5, which is why the retry stays.)
// The report counts the 429s seen and retried. The tests run it
// (test/examples.test.ts) on a virtual clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter, map, realClock, retry, type Clock } from 'baton';

export interface Options {
  /** Requests to make. Default 12. */
  requests?: number | undefined;
  /** Requests the server allows per window. Default 5. */
  allow?: number | undefined;
  /** The server's window, in ms. Default 1,000. */
  window?: number | undefined;
  /** The client's RateLimiter in strict (sliding window) mode. Default `false` (token bucket). */
  strict?: boolean | undefined;
  /** The clock of the limiter, the retries and the server's windows. Default: the real clock. */
  clock?: Clock | undefined;
}

export interface Report {
  requests: number;
  /** Requests that ended with their item. */
  succeeded: number;
  /** 429 responses the client received. */
  seen429: number;
  /** Retries made after a 429. */
  retried: number;
  /** For each retry: the server's Retry-After and the delay retry() waited, in ms. */
  waits: { retryAfter: number | undefined; delay: number }[];
  /** The most attempts one request needed. */
  maxAttempts: number;
  /** What the server counted: requests served (200) and refused (429). */
  server: { served: number; refused: number };
}

/** An HTTP failure. `retryAfter` (ms) is the hint `retry()` honours. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: number | undefined = undefined,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** A Retry-After header in ms: delta-seconds, or an HTTP date. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1_000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// The API: `allow` requests per fixed window (the first one starting now),
// 429 beyond that.
async function startApi(allow: number, window: number, clock: Clock): Promise<{ server: Server; origin: string; books: Report['server'] }> {
  const books = { served: 0, refused: 0 };
  const epoch = clock.now();
  let current = -1;
  let used = 0;
  const server = createServer((req, res) => {
    const now = clock.now() - epoch;
    const index = Math.floor(now / window);
    if (index !== current) {
      current = index;
      used = 0;
    }
    if (used >= allow) {
      books.refused++;
      const seconds = Math.ceil(((index + 1) * window - now) / 1_000);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(seconds) });
      res.end(JSON.stringify({ error: 'too many requests' }));
      return;
    }
    used++;
    books.served++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: Number(req.url?.split('/').pop()) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, books };
}

export async function main(options: Options = {}): Promise<Report> {
  const { requests = 12, allow = 5, window = 1_000, strict = false, clock = realClock } = options;
  const api = await startApi(allow, window, clock);
  try {
    // What the API documents: 5 per second.
    const limiter = new RateLimiter({ limit: allow, interval: window, strict, clock });
    const waits: Report['waits'] = [];
    let seen429 = 0;
    let maxAttempts = 0;

    async function getItem(id: number, signal: AbortSignal): Promise<{ id: number }> {
      return retry(
        async (attempt) => {
          maxAttempts = Math.max(maxAttempts, attempt.attempt);
          // Inside the attempt: a retry waits for its turn like any request.
          await limiter.acquire({ signal: attempt.signal });
          const res = await fetch(`${api.origin}/items/${id}`, { signal: attempt.signal });
          if (res.status === 429) {
            seen429++;
            await res.arrayBuffer(); // read the body: the connection is reused
            throw new HttpError(429, parseRetryAfter(res.headers.get('retry-after')));
          }
          if (!res.ok) {
            await res.arrayBuffer();
            throw new HttpError(res.status);
          }
          return (await res.json()) as { id: number };
        },
        {
          retries: 5,
          // 429 and 5xx are worth another try; a 404 is not.
          retryIf: (err) => err instanceof HttpError && (err.status === 429 || err.status >= 500),
          onRetry: (err, _attempt, delay) => {
            waits.push({ retryAfter: err instanceof HttpError ? err.retryAfter : undefined, delay });
          },
          signal,
          clock,
        },
      );
    }

    const ids = Array.from({ length: requests }, (_, i) => i);
    const items = await map(ids, (id, ctx) => getItem(id, ctx.signal), { concurrency: 8 });

    return {
      requests,
      succeeded: items.filter((item, i) => item.id === i).length,
      seen429,
      retried: waits.length,
      waits,
      maxAttempts,
      server: { ...api.books },
    };
  } finally {
    api.server.closeAllConnections();
    await new Promise<void>((resolve) => api.server.close(() => resolve()));
  }
}
