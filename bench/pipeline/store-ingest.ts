/**
 * Durable ingest at store level: SqliteEventStore.append of batches of 100 drafts, sequentially and with several
 * concurrent appenders (group commit), on an empty log and on a log that already holds many events, against a
 * baseline of raw better-sqlite3 on the same schema, pragmas and log committing one transaction per batch.
 * Each run works on a fresh copy in a temp directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { serve } from './children.js';
import { caseDraft } from './payloads.js';

export interface IngestResult {
  events: number;
  seconds: number;
  perSecond: number;
  commits?: number;
  /** Events in the log before the run. */
  logEvents: number;
  /** CPU of this process (all its threads) over the run, % of one core. */
  cpuPct: number;
  /** Set by the parent: the highest share of a benchmark core other programs took during the run. */
  othersPct?: number;
  /** Set by the parent: % of the run in which some task on the machine waited for I/O (PSI). */
  ioStallPct?: number;
}

/** Runs `fn` and adds the CPU this process used meanwhile. */
async function timed(fn: () => Promise<Omit<IngestResult, 'cpuPct'>> | Omit<IngestResult, 'cpuPct'>): Promise<IngestResult> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { ...result, cpuPct: ((used.user + used.system) / 1000 / (performance.now() - started)) * 100 };
}

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bench-store-'));
  temps.push(dir);
  return dir;
}
function remove(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh data dir: empty, or a copy of a prepared log. */
function freshDir(from: string | undefined): string {
  const dir = tempDir();
  if (from) {
    const file = path.join(dir, 'events.db');
    fs.copyFileSync(path.join(from, 'events.db'), file);
    // Write the copy out now, so the run's first fsync does not pay for it.
    const fd = fs.openSync(file, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  return dir;
}

/** Makes a log holding `events` case.reported events, written the fast way (one transaction, no fsync). */
function prepare(args: { events: number }): { dir: string; seconds: number; megabytes: number } {
  const started = performance.now();
  const dir = tempDir();
  void new SqliteEventStore({ dataDir: dir, district: 'longgang' }).close(); // the store's own schema
  const db = new Database(path.join(dir, 'events.db'));
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const insert = db.prepare('INSERT INTO events (seq, id, at, type, source_key, data) VALUES (?, ?, ?, ?, ?, ?)');
  const at = new Date().toISOString();
  db.transaction(() => {
    for (let seq = 1; seq <= args.events; seq++) {
      const d = caseDraft('prefill');
      insert.run(seq, d.id, at, d.type, d.sourceKey ?? null, JSON.stringify(d.data));
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { dir, seconds: (performance.now() - started) / 1000, megabytes: fs.statSync(path.join(dir, 'events.db')).size / 2 ** 20 };
}

function raw(args: { seconds: number; batch: number; from?: string }): Omit<IngestResult, 'cpuPct'> {
  const dir = freshDir(args.from);
  try {
    const db = new Database(path.join(dir, 'events.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL,
      type TEXT NOT NULL, source_key TEXT UNIQUE, data TEXT NOT NULL)`);
    const insert = db.prepare('INSERT INTO events (seq, id, at, type, source_key, data) VALUES (?, ?, ?, ?, ?, ?)');
    const logEvents = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
    let seq = logEvents;
    const write = db.transaction((drafts: ReturnType<typeof caseDraft>[]) => {
      const at = new Date().toISOString();
      for (const d of drafts) insert.run(++seq, d.id, at, d.type, d.sourceKey ?? null, JSON.stringify(d.data));
    });
    const started = performance.now();
    const end = started + args.seconds * 1000;
    let commits = 0;
    while (performance.now() < end) {
      write(Array.from({ length: args.batch }, () => caseDraft('raw')));
      commits++;
    }
    const seconds = (performance.now() - started) / 1000;
    db.close();
    const events = seq - logEvents;
    return { events, seconds, perSecond: events / seconds, commits, logEvents };
  } finally {
    remove(dir);
  }
}

async function store(args: { seconds: number; batch: number; concurrency: number; from?: string }): Promise<Omit<IngestResult, 'cpuPct'>> {
  const dir = freshDir(args.from);
  try {
    const s = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
    // One append first, so the clock starts with the store ready (its writer thread takes a moment to start).
    await s.append(Array.from({ length: args.batch }, () => caseDraft('store')));
    const logEvents = await s.lastSeq();
    let commits = 0;
    s.onCommit(() => commits++);
    let events = 0;
    const started = performance.now();
    const end = started + args.seconds * 1000;
    const appender = async () => {
      while (performance.now() < end) {
        const outcomes = await s.append(Array.from({ length: args.batch }, () => caseDraft('store')));
        events += outcomes.length;
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, appender));
    const seconds = (performance.now() - started) / 1000;
    await s.close();
    return { events, seconds, perSecond: events / seconds, commits, logEvents };
  } finally {
    remove(dir);
  }
}

serve(
  {
    prepare,
    raw: (args: Parameters<typeof raw>[0]) => timed(() => raw(args)),
    store: (args: Parameters<typeof store>[0]) => timed(() => store(args)),
  },
  () => temps.forEach(remove),
);
