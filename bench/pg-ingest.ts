/**
 * Durable ingest on PostgreSQL (issue 7 target: ≥ 5,000 events/s), with the SQLite store doing the same work in the
 * same run as the baseline. Store level (`append` resolves after COMMIT), no HTTP: batches of 1,000 one after
 * another, 50 concurrent appends of 20 (group commit), and for PostgreSQL also two stores on one log (two nodes).
 *
 *   npx tsx bench/pg-ingest.ts [--seconds 3] [--url postgres://…]     (url default: DATABASE_URL, then the test server)
 *
 * `measurePgIngest` is exported for bench/run.ts. It never fails on a missed target; it says so in the table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { EventStore } from '../server/store/event-store.js';
import { PgEventStore } from '../server/store/pg-store.js';
import { SqliteEventStore } from '../server/store/sqlite-store.js';
import { caseDraft } from './pipeline/payloads.js';
import { consoleTable } from './pipeline/report.js';

export const PG_INGEST_TARGET = 5_000;

export interface IngestRun {
  events: number;
  seconds: number;
  perSecond: number;
  /** Group commits (transactions) per second. */
  commitsPerSecond: number;
}

export interface PgIngestRow {
  workload: string;
  postgresql: IngestRun;
  /** Undefined where SQLite has no counterpart (two nodes on one log). */
  sqlite?: IngestRun;
  met: boolean;
}

export interface PgIngestFigures {
  rows: PgIngestRow[];
  /** What "durable" means for the PostgreSQL figures. */
  server: { version: string; synchronousCommit: string; fsync: string; walSyncMethod: string };
  target: number;
}

interface Workload {
  name: string;
  batch: number;
  /** Concurrent appenders per store. */
  concurrency: number;
  /** Stores (pools) on the one log: 2 = two nodes. */
  nodes: number;
}

const workloads: Workload[] = [
  { name: 'batches of 1,000, sequential', batch: 1000, concurrency: 1, nodes: 1 },
  { name: '50 concurrent appends of 20', batch: 20, concurrency: 50, nodes: 1 },
  { name: 'two nodes × 25 concurrent appends of 20', batch: 20, concurrency: 25, nodes: 2 },
];

/** Appends for `seconds` from `concurrency` loops per store, all against one log. */
async function drive(stores: EventStore[], workload: Workload, seconds: number): Promise<IngestRun> {
  let commits = 0;
  const offs = stores.map((s) => s.onCommit(() => commits++));
  let events = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async (store: EventStore) => {
    while (performance.now() < end) {
      const outcomes = await store.append(Array.from({ length: workload.batch }, () => caseDraft('pg-bench')));
      events += outcomes.length;
    }
  };
  await Promise.all(stores.flatMap((s) => Array.from({ length: workload.concurrency }, () => loop(s))));
  const elapsed = (performance.now() - started) / 1000;
  offs.forEach((off) => off());
  return { events, seconds: elapsed, perSecond: events / elapsed, commitsPerSecond: commits / elapsed };
}

/** One append first on each store, so the clock starts with connections (or the writer thread) ready. */
async function warm(stores: EventStore[], batch: number): Promise<void> {
  await Promise.all(stores.map((s) => s.append(Array.from({ length: batch }, () => caseDraft('pg-bench-warm')))));
}

async function onPostgres(url: string, workload: Workload, seconds: number): Promise<IngestRun> {
  const schema = `sygl_bench_${process.pid}_${Date.now()}`;
  const stores: PgEventStore[] = [];
  try {
    for (let i = 0; i < workload.nodes; i++) stores.push(await PgEventStore.open({ url, district: 'longgang', schema, applicationName: `sygl-bench-${i}` }));
    await warm(stores, workload.batch);
    return await drive(stores, workload, seconds);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
}

async function onSqlite(workload: Workload, seconds: number): Promise<IngestRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bench-pg-baseline-'));
  try {
    const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
    try {
      await warm([store], workload.batch);
      return await drive([store], workload, seconds);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function measurePgIngest(plan: { url: string; seconds: number }, log: (s: string) => void = () => undefined): Promise<PgIngestFigures> {
  const server = await withClient(plan.url, async (c) => {
    const show = async (name: string) => ((await c.query(`SHOW ${name}`)).rows[0] as Record<string, string>)[name]!;
    return {
      version: (await show('server_version')).split(' ')[0]!,
      synchronousCommit: await show('synchronous_commit'),
      fsync: await show('fsync'),
      walSyncMethod: await show('wal_sync_method'),
    };
  });
  const rows: PgIngestRow[] = [];
  for (const workload of workloads) {
    log(`postgresql: ${workload.name} (${plan.seconds} s)`);
    const postgresql = await onPostgres(plan.url, workload, plan.seconds);
    let sqlite: IngestRun | undefined;
    if (workload.nodes === 1) {
      log(`sqlite: ${workload.name} (${plan.seconds} s)`);
      sqlite = await onSqlite(workload, plan.seconds);
    }
    rows.push({ workload: workload.name, postgresql, ...(sqlite && { sqlite }), met: postgresql.perSecond >= PG_INGEST_TARGET });
  }
  return { rows, server, target: PG_INGEST_TARGET };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function pgIngestTable(figures: PgIngestFigures): string {
  const head = ['workload', 'PostgreSQL ev/s', 'commits/s', 'SQLite ev/s', 'commits/s', 'PG / SQLite', 'target', 'met'];
  const cells = figures.rows.map((r) => [
    r.workload,
    int(r.postgresql.perSecond),
    int(r.postgresql.commitsPerSecond),
    r.sqlite ? int(r.sqlite.perSecond) : '—',
    r.sqlite ? int(r.sqlite.commitsPerSecond) : '—',
    r.sqlite ? `${(r.postgresql.perSecond / r.sqlite.perSecond).toFixed(2)}×` : '—',
    `≥ ${int(figures.target)}`,
    r.met ? 'yes' : 'NO',
  ]);
  return consoleTable(cells, head);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const argv = process.argv.slice(2);
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const plan = {
    url: option('--url') ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    seconds: Number(option('--seconds') ?? 3),
  };
  const t0 = performance.now();
  const figures = await measurePgIngest(plan, (s) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`));
  const s = figures.server;
  console.log(`\nDurable ingest, store level (node ${process.version}, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'})`);
  console.log(`PostgreSQL ${s.version}: synchronous_commit=${s.synchronousCommit}, fsync=${s.fsync}, wal_sync_method=${s.walSyncMethod}; SQLite: WAL, synchronous=FULL\n`);
  console.log(pgIngestTable(figures));
}
