// `npm run bench`: runs every benchmark in fresh child processes, prints the
// tables and writes docs/benchmarks.md.
//
//   node bench/run.mjs            full run (about 3-4 minutes on 2 cores), writes docs/benchmarks.md
//   node bench/run.mjs --quick    small sizes, few rounds, a smoke test; writes nothing
//   node bench/run.mjs --no-write full run, prints only
//
// Needs a built baton (dist/) and the peers in bench/node_modules: the root
// `npm run bench` script does both.

/* global process, setTimeout, clearTimeout -- Node globals; the lint config declares none for .mjs files */

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const startedAt = Date.now();
const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const quick = args.quick;
const write = !quick && !args['no-write'];

const CONFIG = quick
  ? { sizes: [10_000, 100_000], rounds: [3, 3], budgetMs: 5_000, semOps: 20_000, semRounds: 3, memN: 1_000_000 }
  : { sizes: [100_000, 1_000_000], rounds: [7, 5], budgetMs: 12_000, semOps: 200_000, semRounds: 7, memN: 10_000_000 };
const CONCURRENCY = 16;
const MEM_CONCURRENCY = 100;
// A child that prints nothing for this long is stuck: it is killed and the
// candidate it was running is recorded as "did not finish".
const SILENCE_MS = 120_000;
const NODE_FLAGS = ['--expose-gc', '--max-old-space-size=4096'];

const BATON = new Set(['baton map', 'baton gather', 'baton mapIter', 'baton limit()']);
const REFERENCE = new Set(['hand-written streaming', 'Promise.all (no limit)']);

/**
 * `value`, typed as what the caller declares (see lib.mjs).
 *
 * @template T
 * @param {unknown} value
 * @returns {T}
 */
function unchecked(value) {
  return /** @type {T} */ (value);
}

/**
 * The median of a non-empty list of numbers.
 *
 * @param {readonly number[]} values
 */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (/** @type {number} */ i) => /** @type {number} */ (sorted[i]);
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** @param {string} message */
function log(message) {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

/**
 * One JSON line from a benchmark process. Which fields are set depends on
 * `type` ('start', 'sample', 'too-slow', 'done' from throughput.mjs and
 * semaphores.mjs; 'memory' from memory.mjs).
 *
 * @typedef {object} ChildRecord
 * @property {string} type
 * @property {string} name
 * @property {number} round
 * @property {number} ms
 * @property {number} floorMs
 * @property {string} scenario
 * @property {number} permits
 * @property {number} ops
 * @property {number} n
 * @property {number} growth
 * @property {number} peakRss
 * @typedef {{ records: ChildRecord[], done: boolean, timedOut: boolean, code: number | null, signal: string | null, stderr: string }} ChildResult
 */

/**
 * Run a benchmark script in a fresh node process and collect its JSON lines.
 *
 * @param {string} script
 * @param {string[]} scriptArgs
 * @param {(record: ChildRecord) => void} [onRecord]
 * @returns {Promise<ChildResult>}
 */
function runChild(script, scriptArgs, onRecord) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, path.join(BENCH, script), ...scriptArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BATON_DIST: snapshotUrl },
    });
    /** @type {ChildRecord[]} */
    const records = [];
    let stderr = '';
    let timedOut = false;
    let timer = setTimeout(kill, SILENCE_MS);
    function kill() {
      timedOut = true;
      child.kill('SIGKILL');
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + String(chunk)).slice(-4000);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      clearTimeout(timer);
      timer = setTimeout(kill, SILENCE_MS);
      if (!line.startsWith('{')) return;
      /** @type {ChildRecord} */
      const record = unchecked(JSON.parse(line));
      records.push(record);
      onRecord?.(record);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ records, done: records.some((r) => r.type === 'done' || r.type === 'memory'), timedOut, code, signal, stderr });
    });
  });
}

/**
 * Why a child died, in a few words.
 *
 * @param {ChildResult} result
 */
function deathReason(result) {
  if (result.timedOut) return `no progress for ${SILENCE_MS / 1000} s`;
  if (/heap out of memory|Allocation failed/i.test(result.stderr)) return 'out of memory (4 GB heap)';
  const last = result.stderr.trim().split('\n').filter(Boolean).pop();
  return `crashed (${result.signal ?? `exit ${String(result.code)}`}${last === undefined ? '' : `: ${last.slice(0, 120)}`})`;
}

/**
 * The throughput benchmark at one size. A candidate that crashes the child
 * (out of memory) or hangs is recorded as "did not finish" and the child is
 * started again without it.
 *
 * @param {number} n
 * @param {number} rounds
 */
async function throughput(n, rounds) {
  /** @type {Map<string, string>} */
  const dnf = new Map();
  for (;;) {
    log(`throughput: N = ${n.toLocaleString('en-US')}, ${rounds} rounds${dnf.size > 0 ? `, without ${[...dnf.keys()].join(', ')}` : ''}`);
    const result = await runChild(
      'throughput.mjs',
      ['--n', String(n), '--rounds', String(rounds), '--skip', [...dnf.keys()].join(','), '--budget-ms', String(CONFIG.budgetMs)],
      (r) => {
        if (r.type === 'sample') log(`  round ${r.round + 1}/${rounds}  ${String(r.name).padEnd(28)} ${(r.ms / r.floorMs).toFixed(2)}x`);
        if (r.type === 'too-slow') log(`  ${r.name}: ${(r.ms / 1000).toFixed(1)} s for one run, over the budget: not run again`);
      },
    );
    if (result.done) {
      const tooSlow = new Map(result.records.filter((r) => r.type === 'too-slow').map((r) => [String(r.name), Number(r.ms)]));
      return { n, rounds, samples: result.records.filter((r) => r.type === 'sample'), dnf, tooSlow };
    }
    const started = result.records.filter((r) => r.type === 'start').pop();
    const finished = started !== undefined && result.records.some((r) => r.type === 'sample' && r.name === started.name && r.round === started.round);
    if (started === undefined || finished) {
      throw new Error(`bench/throughput.mjs failed outside a measurement: ${deathReason(result)}\n${result.stderr}`);
    }
    dnf.set(String(started.name), deathReason(result));
    log(`  ${started.name} did not finish: ${dnf.get(String(started.name))}`);
  }
}

async function semaphores() {
  log(`semaphores: ${CONFIG.semOps.toLocaleString('en-US')} acquire + release per run, ${CONFIG.semRounds} rounds`);
  const result = await runChild('semaphores.mjs', ['--ops', String(CONFIG.semOps), '--rounds', String(CONFIG.semRounds)], (r) => {
    if (r.type === 'sample') log(`  round ${r.round + 1}/${CONFIG.semRounds}  ${r.scenario.padEnd(11)} ${String(r.name).padEnd(32)} ${(r.ms / r.floorMs).toFixed(2)}x`);
  });
  if (!result.done) throw new Error(`bench/semaphores.mjs failed: ${deathReason(result)}\n${result.stderr}`);
  return result.records.filter((r) => r.type === 'sample');
}

async function memory() {
  const names = ['baton mapIter', 'baton mapIter (ordered: false)', 'hand-written streaming', 'p-map pMapIterable'];
  /** @type {{ name: string, record?: ChildRecord, failure?: string }[]} */
  const out = [];
  for (const name of names) {
    log(`memory: ${name}, ${CONFIG.memN.toLocaleString('en-US')} items, concurrency ${MEM_CONCURRENCY}`);
    const result = await runChild('memory.mjs', ['--candidate', name, '--n', String(CONFIG.memN), '--concurrency', String(MEM_CONCURRENCY)]);
    const record = result.records.find((r) => r.type === 'memory');
    if (record === undefined) out.push({ name, failure: deathReason(result) });
    else out.push({ name, record });
    log(record === undefined ? `  did not finish: ${deathReason(result)}` : `  peak RSS growth ${mb(record.growth)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Summaries and tables

/** @param {number} bytes */
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** @param {number} ratio */
const fmtRatio = (ratio) => `${ratio < 10 ? ratio.toFixed(2) : ratio < 100 ? ratio.toFixed(1) : ratio.toFixed(0)}x`;
/** @param {number} perSecond */
function fmtRate(perSecond) {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/**
 * Median ratio (paired with the floor of the same round), its range, and
 * the median time of each candidate.
 *
 * @param {ChildRecord[]} samples
 * @param {(r: ChildRecord) => string} key
 */
function summarize(samples, key) {
  /** @type {Map<string, { ratios: number[], ms: number[], floorMs: number[], ops: number }>} */
  const groups = new Map();
  for (const s of samples) {
    const k = key(s);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = { ratios: [], ms: [], floorMs: [], ops: Number(s.ops ?? 0) }));
    g.ratios.push(s.ms / s.floorMs);
    g.ms.push(s.ms);
    g.floorMs.push(s.floorMs);
  }
  /** @type {Map<string, { ratio: number, min: number, max: number, ms: number, floorMs: number, rounds: number, ops: number }>} */
  const out = new Map();
  for (const [k, g] of groups) {
    out.set(k, {
      ratio: median(g.ratios),
      min: Math.min(...g.ratios),
      max: Math.max(...g.ratios),
      ms: median(g.ms),
      floorMs: median(g.floorMs),
      rounds: g.ratios.length,
      ops: g.ops,
    });
  }
  return out;
}

/**
 * @param {string[]} header
 * @param {string[][]} rows
 */
function table(header, rows) {
  const line = (/** @type {string[]} */ cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** @param {Awaited<ReturnType<typeof throughput>>[]} sizes */
function throughputTable(sizes) {
  const summaries = sizes.map((s) => summarize(s.samples, (r) => String(r.name)));
  const names = new Set(['hand-written floor']);
  for (const name of BATON) names.add(name);
  for (const name of REFERENCE) names.add(name);
  // Peers, fastest first at the largest size.
  const last = /** @type {(typeof summaries)[number]} */ (summaries[summaries.length - 1]);
  /** @type {Set<string>} */
  const peers = new Set();
  for (const s of sizes) for (const r of s.samples) if (!names.has(r.name)) peers.add(String(r.name));
  for (const s of sizes) for (const name of s.dnf.keys()) if (!names.has(name)) peers.add(name);
  const ratioAtLast = (/** @type {string} */ name) => last.get(name)?.ratio ?? Infinity;
  for (const name of [...peers].sort((a, b) => ratioAtLast(a) - ratioAtLast(b))) names.add(name);

  const header = ['candidate'];
  for (const s of sizes) header.push(`N = ${s.n.toLocaleString('en-US')}: ratio (range)`, 'tasks/s');
  /** @type {string[][]} */
  const rows = [];
  for (const name of names) {
    const row = [BATON.has(name) ? `**${name}**` : name];
    sizes.forEach((size, i) => {
      const summary = /** @type {(typeof summaries)[number]} */ (summaries[i]);
      if (name === 'hand-written floor') {
        const floorMs = median(size.samples.map((r) => Number(r.floorMs)));
        row.push('1.00x (floor)', fmtRate((size.n / floorMs) * 1000));
        return;
      }
      const dnf = size.dnf.get(name);
      const s = summary.get(name);
      if (dnf !== undefined) row.push(`did not finish: ${dnf}`, '');
      else if (s === undefined) row.push('not run', '');
      else {
        const note = size.tooSlow.has(name) ? `, ${s.rounds} round${s.rounds === 1 ? '' : 's'} (over the time budget)` : '';
        row.push(`${fmtRatio(s.ratio)} (${fmtRatio(s.min)}-${fmtRatio(s.max)}${note})`, fmtRate((size.n / s.ms) * 1000));
      }
    });
    rows.push(row);
  }
  return { markdown: table(header, rows), summaries };
}

/** @param {ChildRecord[]} samples */
function semaphoreTable(samples) {
  const summary = summarize(samples, (r) => `${r.scenario}\u0000${r.name}`);
  const names = [...new Set(samples.map((r) => String(r.name)))];
  /** @param {string} scenario @param {number} permits */
  const floorRate = (scenario, permits) => {
    const ms = median(samples.filter((r) => r.scenario === scenario && r.permits === permits).map((r) => Number(r.floorMs)));
    const ops = Number(samples.find((r) => r.scenario === scenario && r.permits === permits)?.ops ?? 0);
    return fmtRate((ops / ms) * 1000);
  };
  const rows = [
    ['hand-written semaphore (4 permits)', '1.00x (floor)', floorRate('uncontended', 4), '1.00x (floor)', floorRate('contended', 4)],
    ['hand-written semaphore (1 permit)', '1.00x (floor)', floorRate('uncontended', 1), '1.00x (floor)', floorRate('contended', 1)],
  ];
  for (const name of names) {
    const row = [name.startsWith('baton') ? `**${name}**` : name === 'hand-written + permit object' ? `${name} (reference)` : name];
    for (const scenario of ['uncontended', 'contended']) {
      const s = summary.get(`${scenario}\u0000${name}`);
      if (s === undefined) row.push('not run', '');
      else row.push(`${fmtRatio(s.ratio)} (${fmtRatio(s.min)}-${fmtRatio(s.max)})`, fmtRate((s.ops / s.ms) * 1000));
    }
    rows.push(row);
  }
  return {
    markdown: table(['candidate', 'uncontended: ratio (range)', 'acquire+release/s', 'contended: ratio (range)', 'acquire+release/s'], rows),
    summary,
  };
}

/** @param {Awaited<ReturnType<typeof memory>>} results */
function memoryTable(results) {
  const rows = results.map(({ name, record, failure }) => {
    const label = name.startsWith('baton') ? `**${name}**` : name;
    if (record === undefined) return [label, `did not finish: ${failure ?? ''}`, '', '', ''];
    return [label, mb(record.growth), mb(record.peakRss), `${(record.ms / 1000).toFixed(1)} s`, fmtRate((record.n / record.ms) * 1000)];
  });
  return table(['candidate', 'peak RSS growth', 'peak RSS in all', 'time', 'items/s'], rows);
}

// ---------------------------------------------------------------------------

function environment() {
  let commit = 'unknown';
  try {
    const git = (/** @type {string[]} */ gitArgs) =>
      execFileSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--', 'src']);
    if (dirty !== '') commit += ' (with uncommitted changes in src/)';
  } catch {
    // not a git checkout
  }
  /** @type {{ devDependencies?: Record<string, string> }} */
  const manifest = unchecked(JSON.parse(readFileSync(path.join(BENCH, 'package.json'), 'utf8')));
  const peers = manifest.devDependencies ?? {};
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GB`,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
    commit,
    peers,
  };
}

// Measure one snapshot of dist/: a rebuild while the benchmark runs (by a
// watcher, or another terminal) cannot change what the later children load.
if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  log('dist/ is missing: run `npm run build` first (`npm run bench` does).');
  process.exit(1);
}
for (const peer of ['p-limit', 'p-map', 'p-queue', 'async', '@supercharge/promise-pool', 'effect', 'async-sema', 'async-mutex']) {
  if (!existsSync(path.join(BENCH, 'node_modules', peer, 'package.json'))) {
    log(`bench/node_modules/${peer} is missing: run \`npm ci --prefix bench\` first (\`npm run bench\` does).`);
    process.exit(1);
  }
}
const snapshot = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-'));
cpSync(path.join(ROOT, 'dist'), path.join(snapshot, 'dist'), { recursive: true });
writeFileSync(path.join(snapshot, 'package.json'), '{ "type": "module" }\n');
const snapshotUrl = pathToFileURL(path.join(snapshot, 'dist', 'index.js')).href;
process.on('exit', () => rmSync(snapshot, { recursive: true, force: true }));

const env = environment();
log(`baton benchmarks: node ${env.node}, ${env.cpu}, ${env.cores} cores, load ${env.load}${quick ? ' (quick run)' : ''}`);

/** @type {Awaited<ReturnType<typeof throughput>>[]} */
const sizes = [];
for (let i = 0; i < CONFIG.sizes.length; i++) {
  sizes.push(await throughput(/** @type {number} */ (CONFIG.sizes[i]), /** @type {number} */ (CONFIG.rounds[i])));
}
const semSamples = await semaphores();
const memResults = await memory();
const elapsed = (Date.now() - startedAt) / 1000;
const loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' / ');

const tp = throughputTable(sizes);
const sem = semaphoreTable(semSamples);
const memMarkdown = memoryTable(memResults);

// Targets from issue 3.
/** @type {string[][]} */
const targetRows = [];
/**
 * @param {string} what
 * @param {string} target
 * @param {number | undefined} value
 * @param {number} limit
 * @param {(v: number) => string} fmt
 */
function target(what, target, value, limit, fmt) {
  const verdict = value === undefined ? 'MISS (not measured)' : value <= limit ? 'PASS' : 'MISS';
  targetRows.push([what, target, value === undefined ? '-' : fmt(value), `**${verdict}**`]);
}
sizes.forEach((size, i) => {
  const summary = /** @type {(typeof tp.summaries)[number]} */ (tp.summaries[i]);
  const label = `N = ${size.n.toLocaleString('en-US')}`;
  for (const name of ['baton map', 'baton gather', 'baton mapIter']) {
    target(`${name.slice(6)}, ${label}`, '<= 1.5x floor', summary.get(name)?.ratio, 1.5, fmtRatio);
  }
  target(`limit(), ${label}`, '<= 3x floor', summary.get('baton limit()')?.ratio, 3, fmtRatio);
});
for (const scenario of ['uncontended', 'contended']) {
  target(`Semaphore acquire+release, ${scenario}`, '<= 1.2x hand-written', sem.summary.get(`${scenario}\u0000baton Semaphore acquire/release`)?.ratio, 1.2, fmtRatio);
  target(`Lock acquire+release, ${scenario}`, '<= 1.2x hand-written', sem.summary.get(`${scenario}\u0000baton Lock`)?.ratio, 1.2, fmtRatio);
}
const memBaton = memResults.find((r) => r.name === 'baton mapIter')?.record;
target(
  `mapIter, ${CONFIG.memN.toLocaleString('en-US')} items, concurrency ${MEM_CONCURRENCY}`,
  '< 50 MB peak RSS growth',
  memBaton?.growth,
  50 * 1024 * 1024 - 1,
  mb,
);
const targetsMarkdown = table(['target (issue 3)', 'goal', 'measured', 'verdict'], targetRows);

const lastSize = sizes[sizes.length - 1];
const lastSummary = tp.summaries[tp.summaries.length - 1];
const promiseAll = lastSummary?.get('Promise.all (no limit)')?.ratio;
const promiseAllNote =
  promiseAll === undefined || lastSize === undefined
    ? ''
    : `\n\`limit()\` is measured the way p-limit is used, \`Promise.all(items.map((x) => limited(fn, x)))\`: that shape creates every promise up front, and raw \`Promise.all\` over the same N promises, with no limit at all, already costs ${fmtRatio(promiseAll)} the floor at N = ${lastSize.n.toLocaleString('en-US')}. The 3x goal is below that cost, so the shape itself, not only the limiter, decides this row.\n`;

const tables = `## Throughput: N tasks that resolve at once, concurrency ${CONCURRENCY}

Ratio = candidate time / hand-written floor time in the same round (median over the rounds; range = fastest-slowest round). Lower is better; 1.00x is the floor. tasks/s from the median time.

${tp.markdown}
${promiseAllNote}
## Semaphores: acquire + release

Ratio to a hand-written minimal semaphore with the same number of permits (4; 1 for the locks), measured in the same round. Uncontended: one caller, ${CONFIG.semOps.toLocaleString('en-US')} sequential acquire + release. Contended: 100 concurrent callers share the semaphore, ${CONFIG.semOps.toLocaleString('en-US')} acquire + release in all (async-mutex Mutex: a tenth of that, it is slow; its ratio is per operation against a floor run with the same count). The reference row is the hand-written semaphore with the shape of baton's API, where \`acquire()\` resolves to a permit object with an idempotent \`release()\`: the difference between it and the floor is the cost of that object.

${sem.markdown}

## Memory: mapIter over a ${CONFIG.memN.toLocaleString('en-US')}-item generator, concurrency ${MEM_CONCURRENCY}

One fresh process per candidate; growth = peak RSS during the run - RSS after imports and a full GC.

${memMarkdown}

## Targets

${targetsMarkdown}
`;

process.stdout.write(`\n${tables}\nnode ${env.node}, ${env.cpu}, ${env.cores} cores, load average ${env.load} before, ${loadAfter} after; ${elapsed.toFixed(0)} s\n`);

if (write) {
  const peerList = Object.entries(env.peers)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const doc = `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs); do not edit by hand. What each benchmark measures and how to read it: [bench/README.md](../bench/README.md).

## How to run

\`\`\`sh
npm ci
npm run bench          # builds dist/, installs the peers into bench/node_modules on first use, runs everything (about ${Math.max(1, Math.round(elapsed / 60))} min), rewrites this page
node bench/run.mjs --quick   # a smoke test with small sizes; prints only
\`\`\`

The peers are dev dependencies of the benchmark only (bench/package.json, exact versions); the root \`npm ci\` does not install them.

## Method

- Every benchmark runs in a fresh \`node --expose-gc --max-old-space-size=4096\` child process; the candidates of one benchmark run in the same process, interleaved.
- Each candidate first runs its job unmeasured (warm-up, and a check that the results are complete and in input order).
- Then ${CONFIG.rounds.join(' / ')} rounds (N = ${CONFIG.sizes.map((n) => n.toLocaleString('en-US')).join(' / ')}) and ${CONFIG.semRounds} rounds for the semaphores: each round runs every candidate once, in a rotated order, and runs the hand-written floor right before each candidate. A candidate's ratio in a round is its time over that floor time; the table shows the median of those paired ratios. A full GC runs before every measurement.
- The task is \`async (x) => x\`: it resolves at once, so the tables measure the libraries' own overhead per task, which is what matters when tasks are short and many. With real I/O the differences shrink to nothing per task but stay in CPU time and memory.
- The floor is the fastest correct way to write it by hand: ${CONCURRENCY} async worker loops, each taking the next index and storing the result into a preallocated array (\`floorMap\` in bench/lib.mjs).
- Timings are wall-clock. Other work on the machine widens the ranges more than it moves the paired medians; the load average before and after the run is recorded below.
- A candidate whose single run takes more than ${CONFIG.budgetMs / 1000} s is not run again (its table cell says how many rounds it ran); one that runs out of memory or stops making progress is recorded as "did not finish".
- Peers: ${peerList}. p-queue 9.3.5 is the newest p-queue that supports Node 20 (10.x needs Node 22).

## Environment

| | |
| --- | --- |
| date | ${env.date} |
| node | ${env.node} (V8 ${env.v8}) |
| CPU | ${env.cpu}, ${env.cores} cores |
| memory | ${env.memory} |
| OS | ${env.platform} |
| baton | ${env.commit} |
| load average (1 / 5 / 15 min) | ${env.load} before, ${loadAfter} after |
| duration | ${elapsed.toFixed(0)} s |

${tables}`;
  writeFileSync(DOC, doc);
  log(`wrote ${path.relative(ROOT, DOC)}`);
}
