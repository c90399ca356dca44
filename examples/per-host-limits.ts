// Per-host limits: at most 4 requests at once to each host, whatever the
// connection pool would allow.
//
// A connection pool limit (undici's `connections`, an http.Agent's
// `maxSockets`) is a transport setting: it says how many sockets to open, and
// requests beyond it queue inside the pool, where your code cannot see,
// cancel or order them. "At most 4 requests at once per host" is a rule of
// the application, so it belongs in the application: `keyed()` gives each
// host its own `Semaphore(4)`, made on first use and dropped once the host is
// idle, and `map` asks it for each URL's host.
//
// The example starts one local HTTP server per "host" (127.0.0.1 on ports it
// gets from the system), each counting the requests it has in flight, fetches
// URLs spread over them, and closes the servers. The tests run it
// (test/examples.test.ts) on a virtual clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Semaphore, keyed, map, sleep, type Clock } from 'baton';

export interface Options {
  /** How many hosts (local servers). Default 3. */
  hosts?: number | undefined;
  /** Requests to each host. Default 12. */
  requestsPerHost?: number | undefined;
  /** The semantic limit: requests at once per host. Default 4. */
  perHost?: number | undefined;
  /** How many URLs are worked on at once (waiting for a permit counts). Default 16. */
  concurrency?: number | undefined;
  /** How long each server takes to answer, in ms. Default 20. */
  latency?: number | undefined;
  /** The clock the servers' latency runs on. Default: the default clock. */
  clock?: Clock | undefined;
}

export interface HostReport {
  host: string;
  /** Requests the host's server answered. */
  served: number;
  /** The most requests the server had in flight at once. */
  peakInFlight: number;
}

export interface Report {
  requests: number;
  /** Responses with status 200. */
  ok: number;
  hosts: HostReport[];
  /** The most requests in flight at once, over all hosts. */
  peakInFlight: number;
  /** Per-host limiters still held after the run (idle hosts are dropped). */
  limitersLeft: number;
}

interface Books {
  inFlight: number;
  peakInFlight: number;
}

interface Host {
  readonly server: Server;
  readonly origin: string;
  readonly report: HostReport;
}

// A slow server that counts the requests it is answering right now.
async function startHost(latency: number, clock: Clock | undefined, overall: Books): Promise<Host> {
  const report: HostReport = { host: '', served: 0, peakInFlight: 0 };
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    overall.inFlight++;
    report.peakInFlight = Math.max(report.peakInFlight, inFlight);
    overall.peakInFlight = Math.max(overall.peakInFlight, overall.inFlight);
    res.on('close', () => {
      inFlight--;
      overall.inFlight--;
    });
    void sleep(latency, { clock }).then(() => {
      report.served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  report.host = `127.0.0.1:${port}`;
  return { server, origin: `http://${report.host}`, report };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections(); // fetch keeps connections alive: close them too
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function main(options: Options = {}): Promise<Report> {
  const { hosts = 3, requestsPerHost = 12, perHost = 4, concurrency = 16, latency = 20, clock } = options;
  const overall: Books = { inFlight: 0, peakInFlight: 0 };
  const started: Host[] = [];
  try {
    for (let h = 0; h < hosts; h++) started.push(await startHost(latency, clock, overall));

    // Round-robin over the hosts, as a crawler's frontier would hand them
    // out: a worker waiting for a busy host's permit keeps its place in the
    // `concurrency` budget, so a list sorted by host would let the first
    // host take every worker while the others sit idle.
    const urls: string[] = [];
    for (let i = 0; i < requestsPerHost; i++) for (const host of started) urls.push(`${host.origin}/items/${i}`);

    // The semantic limit: one Semaphore per host, keyed by the URL's host.
    const limits = keyed(() => new Semaphore(perHost), { key: (url: string) => new URL(url).host });

    const statuses = await map(
      urls,
      async (url, ctx) => {
        const res = await fetch(url, { signal: ctx.signal });
        await res.arrayBuffer(); // read the body, so the connection is free again
        return res.status;
      },
      { concurrency, limiter: limits },
    );

    return {
      requests: urls.length,
      ok: statuses.filter((status) => status === 200).length,
      hosts: started.map((host) => ({ ...host.report })),
      peakInFlight: overall.peakInFlight,
      limitersLeft: limits.size,
    };
  } finally {
    await Promise.all(started.map((host) => close(host.server)));
  }
}
