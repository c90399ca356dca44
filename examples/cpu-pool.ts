// CPU-bound work off the event loop, on a bounded pool of threads: the
// article's point about asyncio.to_thread, done with a limit. Many jobs are
// handed to map() at once; the pool never runs more threads than `size`,
// queues the rest in order, and the event loop stays free meanwhile (the
// ticker below keeps ticking). The tests run it (test/node/example.test.ts).
import { map, sleep } from 'baton';
import { WorkerPool } from 'baton/node';

export interface Report {
  counts: number[];
  threads: number;
  ticksWhileBusy: number;
}

/** What cpu-worker.mjs exports, so pool.run() is typed. */
interface CpuWorker {
  countPrimes(limit: number): number;
}

export async function main(jobs = 8, size = 2): Promise<Report> {
  await using pool = new WorkerPool<CpuWorker>({ module: new URL('./cpu-worker.mjs', import.meta.url), size });
  const limits = Array.from({ length: jobs }, (_, i) => 200_000 + i * 10_000);

  // Proof that the main thread stays responsive while the workers compute.
  let ticks = 0;
  const ticking = new AbortController();
  const ticker = (async () => {
    while (!ticking.signal.aborted) {
      await sleep(1, { signal: ticking.signal }).catch(() => undefined);
      ticks++;
    }
  })();

  const counts = await map(limits, (limit, ctx) => pool.run('countPrimes', [limit], { signal: ctx.signal }));
  const threads = pool.stats().threads;
  ticking.abort();
  await ticker;
  return { counts, threads, ticksWhileBusy: ticks };
}
