/**
 * Pipeline benchmark (`npm run bench`; `--quick` for a ~1 minute smoke run). Measures durable ingest and
 * ingest → client receipt with 1,000 connected clients against a bare Socket.io baseline in the same run,
 * prints the table and writes it to docs/performance.md (Pipeline section). It never fails on a missed target.
 *
 *   --quick          short phases          --clients N   connected clients (default 1000)
 *   --no-write       leave docs/ alone      --only ingest|latency|risk|pg|cluster
 *   --write          write docs/ even after --quick, --only or --rates (by default only a full run does)
 *   --rates 20,200   event rates of the latency phases
 *   --cpu-prof DIR   CPU profiles of the server processes into DIR (for diagnosis; implies --no-write);
 *                    read them with bench/profile-summary.ts
 *   BENCH_DUMP=PREFIX (environment) the clients write PREFIX-<side>-clients.json: per event its send time and the
 *                    spread of its receipts, and when one client heard heartbeats (for diagnosis)
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { root, serverNodeFlags } from './pipeline/children.js';
import { measureIngest, type IngestFigures } from './pipeline/ingest.js';
import { measureLatency, type LatencyFigures, type Target } from './pipeline/latency.js';
import { waitForQuiet } from './pipeline/machine.js';
import { diagnostics, notes, tableRows } from './pipeline/summary.js';
import { consoleTable, markdownTable, rowCells, writePipelineSection } from './pipeline/report.js';
import { measurePgIngest, pgIngestTable } from './pg-ingest.js';
import { measureRiskReplay, type Figures as RiskFigures } from './risk.js';
import { clusterTable, measureCluster } from './cluster.js';

function riskRows(f: RiskFigures): string[][] {
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
  return [
    ['events replayed', f.events.toLocaleString('en'), ''],
    ['rule alert events in the log', `${f.ruleAlertEvents} (raised ${f.alertsRaised}, updated ${f.alertsUpdated}, auto-closed ${f.alertsAutoClosed})`, ''],
    ['replay ms, rules off (each run)', ms(f.offMs), ''],
    ['replay ms, rules on (each run)', ms(f.onMs), ''],
    ['µs/event off → on (best)', `${f.offUsPerEvent.toFixed(2)} → ${f.onUsPerEvent.toFixed(2)}`, ''],
    ['ratio on / off', f.ratio.toFixed(2), '≤ 2.00'],
    ['heap: projections / + engine (MB)', `${f.projectionsHeapMb.toFixed(0)} / +${f.engineHeapMb.toFixed(0)}`, ''],
  ];
}

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const only = option('--only');
const profileDir = option('--cpu-prof');
if (profileDir) serverNodeFlags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`);

const plan = {
  clients: Number(option('--clients') ?? 1000),
  rates: (option('--rates') ?? '20,200').split(',').map(Number),
  warmupSeconds: quick ? 1 : 5,
  measureSeconds: quick ? 5 : 30,
  answerWaitSeconds: quick ? 3 : 20,
  drainSeconds: quick ? 3 : 15,
  storeSeconds: quick ? 1 : 2,
  httpSeconds: quick ? 2 : 4,
  /** Each ingest figure is the median of this many runs. */
  ingestRounds: quick ? 1 : 3,
  /** Events already in the log for the second set of store runs. */
  prefill: quick ? 30_000 : 200_000,
  /**
   * A disturbed 20 ev/s phase (others took > 20 % of a core) is run again, this many times per side, while the run is
   * younger than retryUntilSeconds when the rate starts (the 200 ev/s phases saturate both cores anyway and take long).
   */
  retries: quick ? 0 : 1,
  retryUntilSeconds: 200,
  quietWaitSeconds: quick ? 3 : 15,
};

const t0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

const nproc = os.availableParallelism();
const pinned = nproc >= 2 && sh('taskset', ['-c', '0', 'true']) !== undefined;
const cores = pinned ? { server: 0, load: 1 } : {};
const fdLimit = Number(sh('sh', ['-c', 'ulimit -Hn']) ?? NaN);
const meta = {
  date: new Date().toISOString(),
  nproc,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  commit: sh('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown',
};
if (!pinned) log(`WARNING: ${nproc < 2 ? `only ${nproc} core` : 'taskset unavailable'}: processes are not pinned, figures are not comparable with docs/architecture.md §8`);
if (fdLimit < plan.clients * 2 + 200) log(`WARNING: the hard file-descriptor limit (${fdLimit}) is below what ${plan.clients} clients need`);
log(`pipeline benchmark${quick ? ' (quick)' : ''}: node ${meta.node}, ${nproc} cores (${meta.cpu}), commit ${meta.commit}`);
const quiet = () => waitForQuiet(plan.quietWaitSeconds * 1000, log);
const failures: string[] = [];
/** Runs one measurement; a failure is reported and the rest of the benchmark goes on. */
async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    log(`FAILED: ${what}: ${message}`);
    failures.push(`${what} failed: ${message}`);
    return undefined;
  }
}

let ingest: IngestFigures | undefined;
if (!only || only === 'ingest') {
  await quiet();
  ingest = await attempt('durable ingest', () => measureIngest(plan, cores, log));
}

// Per rate, bare then ours back to back (fresh processes each), so both meet much the same machine.
const latency: Array<Record<Target, LatencyFigures>> = [];
// Each side has its own retries, and whether the run is still young enough for them is decided once per rate: a
// budget shared by both was spent by bare, measured first, and left ours its first (disturbed) run every time.
const retriesLeft: Record<Target, number> = { bare: plan.retries, ours: plan.retries };
if (!only || only === 'latency') {
  for (const rate of plan.rates) {
    const pair: Partial<Record<Target, LatencyFigures>> = {};
    const young = performance.now() - t0 < plan.retryUntilSeconds * 1000;
    for (const target of ['bare', 'ours'] as const) {
      await quiet();
      let figures = await attempt(`${target}, ${rate} events/s`, () => measureLatency(target, rate, plan, cores, log));
      const mayRetry = () => rate <= 20 && retriesLeft[target] > 0 && young;
      while (figures && figures.othersPct > 20 && mayRetry()) {
        retriesLeft[target]--;
        log(`${target}, ${rate} events/s: other programs or the hypervisor took ${figures.othersPct.toFixed(0)} % of a core; running it again`);
        await quiet();
        const again = await attempt(`${target}, ${rate} events/s (again)`, () => measureLatency(target, rate, plan, cores, log));
        if (again && again.othersPct < figures.othersPct) figures = again;
      }
      pair[target] = figures;
    }
    if (pair.bare && pair.ours) latency.push(pair as Record<Target, LatencyFigures>);
  }
}

// Replay of a long log with the risk rules on and off (issue 5: rules add at most 100 %), then durable ingest on
// PostgreSQL against SQLite (issue 7: ≥ 5,000 events/s). Both print their own tables.
if (!only || only === 'risk') {
  await quiet();
  const risk = await attempt('risk rules replay', () => measureRiskReplay({ events: quick ? 100_000 : 1_000_000, log }));
  if (risk) console.log(`\n${consoleTable(riskRows(risk), ['risk rules replay', 'value', 'target'])}\n`);
}
if (!only || only === 'pg') {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pg = await attempt('PostgreSQL ingest', () => measurePgIngest({ url, seconds: quick ? 2 : 5 }, log));
  if (pg) console.log(`\n${pgIngestTable(pg)}\n`);
}
// Three nodes on PostgreSQL and Redis against one node (issue 7: the Redis hop adds ≤ 5 ms at p99).
if (!only || only === 'cluster') {
  await quiet();
  const plan = {
    url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    clients: quick ? 150 : 300,
    rate: 20,
    warmupSeconds: quick ? 2 : 5,
    measureSeconds: quick ? 8 : 30,
  };
  const cluster = await attempt('three-node latency', () => measureCluster(plan, cores, log));
  if (cluster) console.log(`\n${clusterTable(cluster)}\n`);
}

const rows = tableRows(plan, ingest, latency);
const diag = diagnostics(latency, pinned);
const remarks = [...failures, ...notes(plan, ingest, latency)];
if (rows.length) console.log(`\n${consoleTable(rowCells(rows))}\n`);
if (diag.rows.length) console.log(`${consoleTable(diag.rows, diag.head)}\n`);
for (const n of remarks) console.log(`- ${n}`);

if (failures.length) log('docs/performance.md left as it was: a measurement failed');
else if (!rows.length || flag('--no-write') || profileDir) {
  // nothing to write, or asked not to
} else if ((quick || only || option('--rates') || option('--clients')) && !flag('--write')) {
  log('docs/performance.md left as it was: not a full run (add --write to record it anyway)');
} else {
  const file = path.join(root, 'docs', 'performance.md');
  const setup =
    `${plan.clients} clients; per rate ${plan.warmupSeconds} s warm-up + ${plan.measureSeconds} s measured, bare and ours each with fresh processes; ` +
    (pinned ? 'server pinned to core 0, clients and generator (two processes) to core 1' : 'no pinning (fewer than 2 cores or no taskset)');
  writePipelineSection(
    file,
    [
      '## Pipeline',
      '',
      `Measured ${meta.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\`${quick ? ' `--quick` (short phases: indicative only)' : ''} — commit \`${meta.commit}\`, ` +
        `Node ${meta.node}, \`nproc\` ${meta.nproc} (${meta.cpu}). ${setup}. Latency = receipt time at each client − send time ` +
        'at the generator (same clock), over every (client, event) receipt. "bare" = plain `http` + `socket.io` emitting each ' +
        'event on its own to one room, no store or validation; for ingest, raw better-sqlite3 on the same schema, pragmas and log, one transaction per batch.',
      '',
      markdownTable(rowCells(rows)),
      '',
      ...(diag.rows.length
        ? ['Where the time went (CPU in % of one core; ELU = event-loop utilisation, ELD = event-loop delay; "others" = what other programs and the hypervisor took of a benchmark core; "I/O stall" = time in which some task on the machine waited for I/O):', '', markdownTable(diag.rows, diag.head), '']
        : []),
      ...remarks.map((n) => `- ${n}`),
    ].join('\n'),
  );
  log(`wrote ${path.relative(root, file)}`);
}
log('done');
if (failures.length) process.exitCode = 1;
