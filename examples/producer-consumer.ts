// Producer/consumer with a bounded queue: a crawler-style pipeline.
//
// One producer discovers work faster than it can be done; three workers
// take items, process them and mark them done. The queue's maxsize makes the
// producer wait when the workers fall behind (no hidden memory), join()
// tells when every item has been processed, and shutdown() ends the
// workers' loops. The tests run it (test/examples.test.ts).
import { Queue, sleep, taskGroup } from 'baton';

export interface Report {
  processed: number;
  byWorker: number[];
  peakQueued: number;
}

export async function main(items = 50, workers = 3): Promise<Report> {
  const queue = new Queue<number>({ maxsize: 5 });
  const byWorker = new Array<number>(workers).fill(0);
  let peakQueued = 0;

  await taskGroup(async (group) => {
    for (let w = 0; w < workers; w++) {
      group.spawn(async (ctx) => {
        for await (const item of queue.items({ signal: ctx.signal })) {
          await sleep(1 + (item % 3), { signal: ctx.signal }); // the "work"
          byWorker[w] = (byWorker[w] ?? 0) + 1;
          queue.taskDone(); // forget this and join() never resolves
        }
      });
    }
    for (let i = 0; i < items; i++) {
      await queue.put(i, { signal: group.signal }); // waits while 5 are queued
      peakQueued = Math.max(peakQueued, queue.size);
    }
    await queue.join({ signal: group.signal }); // every item processed
    queue.shutdown(); // the workers' loops end; the group then finishes
  });

  return { processed: byWorker.reduce((a, b) => a + b, 0), byWorker, peakQueued };
}
