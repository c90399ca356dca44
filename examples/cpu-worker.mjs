// The functions examples/cpu-pool.ts runs on worker threads: plain ES module
// exports, called by name. CPU-bound on purpose.

/** How many primes are below `limit` (a simple sieve). */
export function countPrimes(limit) {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}
