// `npm run bench`: runs every benchmark in fresh child processes, prints the
// tables and writes docs/benchmarks.md.
//
//   node bench/run.mjs            full run (about 5-7 minutes on 2 cores), writes docs/benchmarks.md
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
  ? {
      sizes: [10_000, 100_000],
      rounds: [3, 3],
      budgetMs: 5_000,
      semOps: 20_000,
      semRounds: 3,
      memN: 1_000_000,
      queueN: 10_000,
      queueRounds: 3,
      rateOps: 20_000,
      rateRounds: 3,
      poolTiny: 2_000,
      poolCpu: 40,
      poolRounds: 3,
    }
  : {
      sizes: [100_000, 1_000_000],
      rounds: [7, 5],
      budgetMs: 12_000,
      semOps: 200_000,
      semRounds: 7,
      memN: 10_000_000,
      queueN: 100_000,
      queueRounds: 5,
      rateOps: 200_000,
      rateRounds: 7,
      poolTiny: 20_000,
      poolCpu: 400,
      poolRounds: 5,
    };
const POOL_THREADS = 2;
// bench/ratelimit.mjs: bottleneck runs this fraction of the operations.
const BOTTLENECK_DIVISOR = 1_000;
const CONCURRENCY = 16;
const MEM_CONCURRENCY = 100;
// A child that prints nothing for this long is stuck: it is killed and the
// candidate it was running is recorded as "did not finish".
const SILENCE_MS = 120_000;
// The same for queue.mjs, ratelimit.mjs and workers.mjs, whose single runs
// are shorter.
const ROUNDS_SILENCE_MS = 60_000;
const NODE_FLAGS = ['--expose-gc', '--max-old-space-size=4096'];

const BATON = new Set(['baton map', 'baton gather', 'baton mapIter', 'baton limit()']);
/** @param {string} name */
const bold = (name) => (name.startsWith('baton') ? `**${name}**` : name);
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
 * @property {number} iterations
 * @typedef {{ records: ChildRecord[], done: boolean, timedOut: boolean, silenceMs: number, code: number | null, signal: string | null, stderr: string }} ChildResult
 */

/**
 * Run a benchmark script in a fresh node process and collect its JSON lines.
 *
 * @param {string} script
 * @param {string[]} scriptArgs
 * @param {(record: ChildRecord) => void} [onRecord]
 * @param {number} [silenceMs] kill the child after this long without a line on stdout
 * @returns {Promise<ChildResult>}
 */
function runChild(script, scriptArgs, onRecord, silenceMs = SILENCE_MS) {
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
    let timer = setTimeout(kill, silenceMs);
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
      timer = setTimeout(kill, silenceMs);
      if (!line.startsWith('{')) return;
      /** @type {ChildRecord} */
      const record = unchecked(JSON.parse(line));
      records.push(record);
      onRecord?.(record);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ records, done: records.some((r) => r.type === 'done' || r.type === 'memory'), timedOut, silenceMs, code, signal, stderr });
    });
  });
}

/**
 * Why a child died, in a few words.
 *
 * @param {ChildResult} result
 */
function deathReason(result) {
  if (result.timedOut) return `no progress for ${result.silenceMs / 1000} s`;
  if (/heap out of memory|Allocation failed/i.test(result.stderr)) return 'out of memory (4 GB heap)';
  // Node's exit code for a top-level await that can never settle: the event
  // loop ran dry while the candidate's promise was still pending.
  if (result.code === 13) return 'hung: a promise that never settles (the event loop ran dry)';
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

/**
 * A benchmark written with runRounds (lib.mjs): queue.mjs, ratelimit.mjs,
 * workers.mjs. A candidate that crashes the child (out of memory, a failed
 * check) or stops making progress is recorded as "did not finish" in its
 * scenario, and the child is started again without it.
 *
 * @param {string} script
 * @param {string} label
 * @param {string[]} scriptArgs
 * @param {number} rounds
 */
async function supervised(script, label, scriptArgs, rounds) {
  /** @type {Map<string, string>} scenario \t name -> why it did not finish */
  const dnf = new Map();
  for (;;) {
    log(`${label}, ${rounds} rounds${dnf.size > 0 ? `, without ${[...dnf.keys()].map((k) => k.replace('\t', ': ')).join(', ')}` : ''}`);
    const result = await runChild(
      script,
      [...scriptArgs, '--rounds', String(rounds), '--skip', JSON.stringify([...dnf.keys()]), '--budget-ms', String(CONFIG.budgetMs)],
      (r) => {
        if (r.type === 'sample') {
          log(`  round ${r.round + 1}/${rounds}  ${r.scenario.padEnd(12)} ${String(r.name).padEnd(44)} ${(r.ms / r.floorMs).toFixed(2)}x`);
        }
        if (r.type === 'too-slow') log(`  ${r.scenario}: ${r.name}: ${(r.ms / 1000).toFixed(1)} s for one run, over the budget: not run again`);
        if (r.type === 'calibration') log(`  CPU task: ${r.iterations.toLocaleString('en-US')} iterations, ${r.ms.toFixed(2)} ms on the main thread`);
      },
      ROUNDS_SILENCE_MS,
    );
    if (result.done) {
      const tooSlow = new Map(result.records.filter((r) => r.type === 'too-slow').map((r) => [`${r.scenario}\t${r.name}`, Number(r.ms)]));
      return { records: result.records, samples: result.records.filter((r) => r.type === 'sample'), dnf, tooSlow };
    }
    const started = result.records.filter((r) => r.type === 'start').pop();
    const finished =
      started !== undefined &&
      result.records.some((r) => r.type === 'sample' && r.scenario === started.scenario && r.name === started.name && r.round === started.round);
    if (started === undefined || finished) {
      throw new Error(`bench/${script} failed outside a measurement: ${deathReason(result)}\n${result.stderr}`);
    }
    const key = `${started.scenario}\t${started.name}`;
    dnf.set(key, deathReason(result));
    log(`  ${started.scenario}: ${started.name} did not finish: ${dnf.get(key)}`);
  }
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

/**
 * The table of a {@link supervised} benchmark: one row per candidate (the
 * floor first, then in the order the script defines them), two columns per
 * scenario: the median paired ratio (range) and the rate.
 *
 * @param {Awaited<ReturnType<typeof supervised>>} result
 * @param {{ key: string, label: string }[]} scenarios
 * @param {string} floorName
 * @param {string} rateLabel
 */
function roundsTable(result, scenarios, floorName, rateLabel) {
  const summary = summarize(result.samples, (r) => `${r.scenario}\t${r.name}`);
  /** @type {string[]} */
  const names = [];
  for (const r of result.records) if (r.type === 'start' && !names.includes(String(r.name))) names.push(String(r.name));
  for (const key of result.dnf.keys()) {
    const name = key.slice(key.indexOf('\t') + 1);
    if (!names.includes(name)) names.push(name);
  }
  /** @param {string} scenario */
  const floorRate = (scenario) => {
    // The floor at the scenario's full count (a slow candidate's floor runs fewer operations).
    const full = Math.max(...result.samples.filter((r) => r.scenario === scenario).map((r) => Number(r.ops)));
    const floors = result.samples.filter((r) => r.scenario === scenario && r.ops === full).map((r) => Number(r.floorMs));
    return floors.length === 0 ? '' : fmtRate((full / median(floors)) * 1000);
  };
  /** @type {string[][]} */
  const rows = [[floorName, ...scenarios.flatMap(({ key }) => ['1.00x (floor)', floorRate(key)])]];
  for (const name of names) {
    const row = [bold(name)];
    for (const { key } of scenarios) {
      const dnf = result.dnf.get(`${key}\t${name}`);
      const s = summary.get(`${key}\t${name}`);
      if (dnf !== undefined) row.push(`did not finish: ${dnf}`, '');
      else if (s === undefined) row.push('not run', '');
      else {
        const note = result.tooSlow.has(`${key}\t${name}`) ? `, ${s.rounds} round${s.rounds === 1 ? '' : 's'} (over the time budget)` : '';
        row.push(`${fmtRatio(s.ratio)} (${fmtRatio(s.min)}-${fmtRatio(s.max)}${note})`, fmtRate((s.ops / s.ms) * 1000));
      }
    }
    rows.push(row);
  }
  const header = ['candidate', ...scenarios.flatMap(({ label }) => [`${label}: ratio (range)`, rateLabel])];
  return { markdown: table(header, rows), summary };
}

/**
 * The median over the rounds of `a`'s time over `b`'s time in the same
 * round and scenario (a direct comparison of two candidates).
 *
 * @param {ChildRecord[]} samples
 * @param {string} scenario
 * @param {string} a
 * @param {string} b
 */
function pairedRatio(samples, scenario, a, b) {
  /** @type {number[]} */
  const ratios = [];
  for (const x of samples) {
    if (x.scenario !== scenario || x.name !== a) continue;
    const y = samples.find((r) => r.scenario === scenario && r.name === b && r.round === x.round);
    if (y !== undefined) ratios.push(x.ms / y.ms);
  }
  return ratios.length === 0 ? undefined : { ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
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
for (const entry of ['index.js', 'node/index.js']) {
  if (!existsSync(path.join(ROOT, 'dist', entry))) {
    log(`dist/${entry} is missing: run \`npm run build\` first (\`npm run bench\` does).`);
    process.exit(1);
  }
}
const PEERS = ['p-limit', 'p-map', 'p-queue', 'async', '@supercharge/promise-pool', 'effect', 'async-sema', 'async-mutex', 'bottleneck', 'p-throttle', 'piscina', 'tinypool'];
for (const peer of PEERS) {
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

/** The output of `uptime` (load averages over 1, 5 and 15 minutes), or the load averages alone. */
function uptime() {
  try {
    return execFileSync('uptime', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/\s+/g, ' ');
  } catch {
    return `load average: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
}

const env = environment();
const uptimeBefore = uptime();
log(`baton benchmarks: node ${env.node}, ${env.cpu}, ${env.cores} cores${quick ? ' (quick run)' : ''}`);
log(`uptime: ${uptimeBefore}`);
/** @type {[string, string][]} the 1-minute load average when each benchmark started */
const loads = [];
const markLoad = (/** @type {string} */ what) => loads.push([what, (os.loadavg()[0] ?? 0).toFixed(2)]);

/** @type {Awaited<ReturnType<typeof throughput>>[]} */
const sizes = [];
for (let i = 0; i < CONFIG.sizes.length; i++) {
  const n = /** @type {number} */ (CONFIG.sizes[i]);
  markLoad(`throughput, N = ${n.toLocaleString('en-US')}`);
  sizes.push(await throughput(n, /** @type {number} */ (CONFIG.rounds[i])));
}
markLoad('semaphores');
const semSamples = await semaphores();
markLoad('TaskQueue');
const queueResult = await supervised(
  'queue.mjs',
  `TaskQueue: ${CONFIG.queueN.toLocaleString('en-US')} jobs per run, concurrency ${CONCURRENCY}`,
  ['--n', String(CONFIG.queueN)],
  CONFIG.queueRounds,
);
markLoad('RateLimiter');
const rateResult = await supervised(
  'ratelimit.mjs',
  `RateLimiter: ${CONFIG.rateOps.toLocaleString('en-US')} starts per run`,
  ['--ops', String(CONFIG.rateOps)],
  CONFIG.rateRounds,
);
markLoad('WorkerPool');
const poolResult = await supervised(
  'workers.mjs',
  `worker pools: ${CONFIG.poolTiny.toLocaleString('en-US')} tiny tasks and ${CONFIG.poolCpu} CPU tasks per run, ${POOL_THREADS} threads`,
  ['--tiny', String(CONFIG.poolTiny), '--cpu', String(CONFIG.poolCpu)],
  CONFIG.poolRounds,
);
markLoad('memory');
const memResults = await memory();
const elapsed = (Date.now() - startedAt) / 1000;
const loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const uptimeAfter = uptime();
log(`uptime: ${uptimeAfter}`);

const tp = throughputTable(sizes);
const sem = semaphoreTable(semSamples);
const queueTable = roundsTable(
  queueResult,
  [
    { key: 'fifo', label: 'FIFO' },
    { key: 'priorities', label: '5 priorities' },
    { key: 'rate-limited', label: 'FIFO + rate limit' },
  ],
  'hand-written queue',
  'jobs/s',
);
const rateTable = roundsTable(
  rateResult,
  [
    { key: 'sequential', label: 'one caller' },
    { key: 'concurrent', label: '100 callers' },
  ],
  'hand-written token bucket',
  'starts/s',
);
const poolTable = roundsTable(
  poolResult,
  [
    { key: 'tiny', label: `${CONFIG.poolTiny.toLocaleString('en-US')} tiny tasks` },
    { key: 'cpu', label: `${CONFIG.poolCpu} ~5 ms tasks` },
  ],
  'hand-written pool',
  'tasks/s',
);
const calibration = poolResult.records.find((r) => r.type === 'calibration');
const memMarkdown = memoryTable(memResults);

// Targets from issues 3 and 6 (issue 5 sets none for TaskQueue and RateLimiter).
/** @type {string[][]} */
const targetRows = [];
/**
 * @param {string} issue
 * @param {string} what
 * @param {string} target
 * @param {number | undefined} value
 * @param {number} limit
 * @param {(v: number) => string} fmt
 */
function target(issue, what, target, value, limit, fmt) {
  const verdict = value === undefined ? 'MISS (not measured)' : value <= limit ? 'PASS' : 'MISS';
  targetRows.push([issue, what, target, value === undefined ? '-' : fmt(value), `**${verdict}**`]);
}
sizes.forEach((size, i) => {
  const summary = /** @type {(typeof tp.summaries)[number]} */ (tp.summaries[i]);
  const label = `N = ${size.n.toLocaleString('en-US')}`;
  for (const name of ['baton map', 'baton gather', 'baton mapIter']) {
    target('3', `${name.slice(6)}, ${label}`, '<= 1.5x floor', summary.get(name)?.ratio, 1.5, fmtRatio);
  }
  target('3', `limit(), ${label}`, '<= 3x floor', summary.get('baton limit()')?.ratio, 3, fmtRatio);
});
for (const scenario of ['uncontended', 'contended']) {
  target('3', `Semaphore acquire+release, ${scenario}`, '<= 1.2x hand-written', sem.summary.get(`${scenario}\u0000baton Semaphore acquire/release`)?.ratio, 1.2, fmtRatio);
  target('3', `Lock acquire+release, ${scenario}`, '<= 1.2x hand-written', sem.summary.get(`${scenario}\u0000baton Lock`)?.ratio, 1.2, fmtRatio);
}
const memBaton = memResults.find((r) => r.name === 'baton mapIter')?.record;
target(
  '3',
  `mapIter, ${CONFIG.memN.toLocaleString('en-US')} items, concurrency ${MEM_CONCURRENCY}`,
  '< 50 MB peak RSS growth',
  memBaton?.growth,
  50 * 1024 * 1024 - 1,
  mb,
);
target(
  '6',
  `WorkerPool, ${CONFIG.poolTiny.toLocaleString('en-US')} tiny tasks, ${POOL_THREADS} threads`,
  '<= 1.5x hand-written pool',
  poolTable.summary.get('tiny\tbaton WorkerPool')?.ratio,
  1.5,
  fmtRatio,
);
const cpuVsPiscina = pairedRatio(poolResult.samples, 'cpu', 'baton WorkerPool', 'piscina');
target(
  '6',
  `WorkerPool, ${CONFIG.poolCpu} ~5 ms tasks, ${POOL_THREADS} threads`,
  'at least as fast as piscina: time / piscina time <= 1.00x',
  cpuVsPiscina?.ratio,
  1,
  (v) => `${v.toFixed(3)}x (${fmtRatio(cpuVsPiscina?.min ?? v)}-${fmtRatio(cpuVsPiscina?.max ?? v)})`,
);
const targetsMarkdown = table(['issue', 'target', 'goal', 'measured', 'verdict'], targetRows);

const lastSize = sizes[sizes.length - 1];
const lastSummary = tp.summaries[tp.summaries.length - 1];
const promiseAll = lastSummary?.get('Promise.all (no limit)')?.ratio;
const promiseAllNote =
  promiseAll === undefined || lastSize === undefined
    ? ''
    : `\n\`limit()\` is measured the way p-limit is used, \`Promise.all(items.map((x) => limited(fn, x)))\`: that shape creates every promise up front, and raw \`Promise.all\` over the same N promises, with no limit at all, already costs ${fmtRatio(promiseAll)} the floor at N = ${lastSize.n.toLocaleString('en-US')}. The 3x goal is below that cost, so the shape itself, not only the limiter, decides this row.\n`;

const calibrationNote =
  calibration === undefined
    ? ''
    : ` The CPU task is ${calibration.iterations.toLocaleString('en-US')} rounds of a hash loop, calibrated at the start of the run to ${calibration.ms.toFixed(2)} ms on the main thread.`;

const tables = `## Throughput: N tasks that resolve at once, concurrency ${CONCURRENCY}

Ratio = candidate time / hand-written floor time in the same round (median over the rounds; range = fastest-slowest round). Lower is better; 1.00x is the floor. tasks/s from the median time.

${tp.markdown}
${promiseAllNote}
## Semaphores: acquire + release

Ratio to a hand-written minimal semaphore with the same number of permits (4; 1 for the locks), measured in the same round. Uncontended: one caller, ${CONFIG.semOps.toLocaleString('en-US')} sequential acquire + release. Contended: 100 concurrent callers share the semaphore, ${CONFIG.semOps.toLocaleString('en-US')} acquire + release in all (async-mutex Mutex: a tenth of that, it is slow; its ratio is per operation against a floor run with the same count). The reference row is the hand-written semaphore with the shape of baton's API, where \`acquire()\` resolves to a permit object with an idempotent \`release()\`: the difference between it and the floor is the cost of that object.

${sem.markdown}

## TaskQueue: add ${CONFIG.queueN.toLocaleString('en-US')} jobs, then onIdle(), concurrency ${CONCURRENCY}

Each run makes a queue, adds ${CONFIG.queueN.toLocaleString('en-US')} jobs in a loop (\`void queue.add(job)\`, the promises not awaited) and awaits \`onIdle()\`. A job records when it started and returns \`Promise.resolve(i)\`, so what is measured is the queue's own cost per job. The floor is a minimal queue written for the job (\`MinimalQueue\` in bench/lib.mjs): \`add()\` returns a promise, a FIFO array with a moving head (a binary heap for priorities), no cancellation, deadlines, pause or events. **FIFO**: every job at the default priority; checked to start in the order added. **5 priorities**: job i has priority \`(7 i) mod 5\`; checked to start by priority, then in the order added. **FIFO + rate limit**: the queue also takes a permit from a rate limit of a billion per second, which is never reached: baton \`TaskQueue({ concurrency: 16, limiter: new RateLimiter(...) })\`, p-queue \`{ concurrency: 16, intervalCap, interval }\`, the floor a token bucket consulted before each start.

${queueTable.markdown}

## RateLimiter: the cost of a start when the rate is never reached

Every limiter allows 10^9 starts per 1,000 ms (strict ones: in any window of 1,000 ms), far beyond what any candidate can do, so nobody ever waits for the rate; a fresh limiter per run. One caller: ${CONFIG.rateOps.toLocaleString('en-US')} starts, one after the other. 100 callers: ${CONFIG.rateOps.toLocaleString('en-US')} starts in all. Each start runs a function that counts the starts (checked). The floor is a minimal token bucket (\`MinimalTokenBucket\` in bench/lib.mjs) used as \`await bucket.acquire(); work()\`, the shape of the \`acquire()\` rows; \`run()\`, p-throttle, p-queue and bottleneck take the function instead. p-throttle calls the function inside the one promise it returns, a microtask hop less than an \`async\` caller awaiting \`acquire()\`, which is how it can go below 1.00x. bottleneck runs 1/${BOTTLENECK_DIVISOR.toLocaleString('en-US')} of the operations against a floor run with the same count: its local datastore yields to the event loop with a \`setTimeout\` on every call, so each job takes several milliseconds whatever the limits. The strict row with a limit of 10^9 has a second row with the same cap of 10^7 per second expressed as 10^6 per 100 ms: a strict limiter keeps the time of each of the last \`limit\` starts in an array of \`limit\` slots (\`new Array(limit)\`, src/time/rate-limiter.ts), and V8 makes an array of more than 2^25 (33,554,432) elements a dictionary, much slower to write.

${rateTable.markdown}

## WorkerPool: ${POOL_THREADS} threads, tasks submitted at once

Each candidate's pool is made once per benchmark process, with ${POOL_THREADS} threads (piscina and tinypool: \`minThreads = maxThreads = ${POOL_THREADS}\`), warmed up, and kept: the timings are of a warm pool, not of starting threads. A run submits every task at once and awaits them all (\`Promise.all\`), checking every result. Tiny: \`echo(i)\`, which returns its argument: the pool's own cost per task. CPU: about 5 ms of CPU per task, so ${CONFIG.poolCpu} tasks take about ${((CONFIG.poolCpu * 5) / POOL_THREADS / 1000).toFixed(1)} s on ${POOL_THREADS} threads.${calibrationNote} The floor is a minimal \`postMessage\` pool (\`MinimalPool\` in bench/lib.mjs, worker bench/pool-floor-worker.mjs): ${POOL_THREADS} workers, one task per worker at a time, a FIFO array, one message each way; no cancellation, timeouts, worker replacement or error records. All the functions are in bench/pool-tasks.mjs. On a 2-core machine the main thread and the two workers share the cores, and other load on the machine weighs more on the CPU scenario than anywhere else.

${poolTable.markdown}

## Memory: mapIter over a ${CONFIG.memN.toLocaleString('en-US')}-item generator, concurrency ${MEM_CONCURRENCY}

One fresh process per candidate; growth = peak RSS during the run - RSS after imports and a full GC.

${memMarkdown}

## Targets

${targetsMarkdown}

Issue 5 sets no number for TaskQueue and RateLimiter: their tables above are the record. The CPU-task target compares baton with piscina directly: the median over the rounds of baton's time over piscina's time in the same round (range in brackets).
`;

process.stdout.write(`\n${tables}\nnode ${env.node}, ${env.cpu}, ${env.cores} cores; uptime before: ${uptimeBefore}; after: ${uptimeAfter}; ${elapsed.toFixed(0)} s\n`);

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
- Each candidate first runs its job unmeasured (warm-up, and a check that the results are complete and in the right order).
- Then the rounds: ${CONFIG.rounds.join(' / ')} for the throughput (N = ${CONFIG.sizes.map((n) => n.toLocaleString('en-US')).join(' / ')}), ${CONFIG.semRounds} for the semaphores, ${CONFIG.queueRounds} for TaskQueue, ${CONFIG.rateRounds} for the rate limiters, ${CONFIG.poolRounds} for the worker pools. Each round runs every candidate once, in a rotated order, and runs the hand-written floor right before each candidate. A candidate's ratio in a round is its time over that floor time; the table shows the median of those paired ratios. A full GC runs before every measurement.
- The throughput task is \`async (x) => x\`: it resolves at once, so the tables measure the libraries' own overhead per task, which is what matters when tasks are short and many. With real I/O the differences shrink to nothing per task but stay in CPU time and memory.
- Each floor is the fastest correct way to write that job by hand (bench/lib.mjs): for the throughput, ${CONCURRENCY} async worker loops, each taking the next index and storing the result into a preallocated array (\`floorMap\`); a minimal semaphore, queue, token bucket and worker pool for the others.
- Timings are wall-clock. Other work on the machine widens the ranges more than it moves the paired medians; \`uptime\` before and after the run, and the load average when each benchmark started, are recorded below.
- A candidate whose single run takes more than ${CONFIG.budgetMs / 1000} s is not run again (its table cell says how many rounds it ran); one that runs out of memory, fails its check or stops making progress is recorded as "did not finish".
- Peers: ${peerList}. p-queue 9.3.5 is the newest p-queue that supports Node 20 (10.x needs Node 22); p-throttle 8.1.1, piscina 5.3.2 and tinypool 2.2.0 are the newest releases and support Node 20; bottleneck 2.19.5 is its newest release (2019, no engine constraint).

## Environment

| | |
| --- | --- |
| date | ${env.date} |
| node | ${env.node} (V8 ${env.v8}) |
| CPU | ${env.cpu}, ${env.cores} cores |
| memory | ${env.memory} |
| OS | ${env.platform} |
| baton | ${env.commit} |
| \`uptime\` before | ${uptimeBefore} |
| \`uptime\` after | ${uptimeAfter} |
| load average (1 / 5 / 15 min) | ${env.load} before, ${loadAfter} after |
| load average (1 min) as each benchmark started | ${loads.map(([what, load]) => `${what}: ${load}`).join('; ')} |
| duration | ${elapsed.toFixed(0)} s |

${tables}`;
  writeFileSync(DOC, doc);
  log(`wrote ${path.relative(ROOT, DOC)}`);
}
