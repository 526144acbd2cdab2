/**
 * Embedded event log on SQLite (better-sqlite3): WAL with synchronous=FULL, so a committed transaction survives
 * power loss. Commits run in a writer thread (sqlite-writer.ts). Appends that arrive while a commit is in flight
 * wait and then share the next one (group commit); each append is a savepoint, so one failing append never sinks
 * another. Reads use their own connection on this thread: WAL lets them run beside the writer.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import {
  AppendConflictError,
  StoreMismatchError,
  StoreUnavailableError,
  queueFull,
  type AppendOptions,
  type AppendOutcome,
  type AppendPrecondition,
  type CommitListener,
  type EventStore,
} from './event-store.js';
import { migrateSqlite } from './schema-version.js';
import type { AppendReply, CommitReply, CommitRequest, StoredRow } from './sqlite-writer.js';
import { invalidPrecondition } from './subjects.js';

interface Pending {
  drafts: readonly EventDraft[];
  precondition: AppendPrecondition | undefined;
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (error: unknown) => void;
}

export interface SqliteStoreOptions {
  dataDir: string;
  district: string;
  clock?: () => number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    source_key TEXT UNIQUE,
    data TEXT NOT NULL
  );`;

/** The event log's schema, one step per version (store/schema-version.ts); add steps, never edit one. */
export const SCHEMA_STEPS: readonly string[] = [SCHEMA];

function toEvent(row: StoredRow): StoredEvent {
  const event = { seq: row.seq, id: row.id, at: row.at, type: row.type, data: JSON.parse(row.data) } as StoredEvent;
  if (row.source_key !== null) event.sourceKey = row.source_key;
  return event;
}

/**
 * The writer is TypeScript like the rest of the server; a worker thread does not inherit tsx's loader, so its
 * entry registers tsx first (through tsx's public API) and then imports the writer.
 */
function tsxEsmApiPath(): string {
  // require.resolve would pick the package's CommonJS build; read the ESM entry from its exports map instead.
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default);
}

function startWriter(file: string): Worker {
  const self = fileURLToPath(import.meta.url);
  const writer = pathToFileURL(path.join(path.dirname(self), `sqlite-writer${path.extname(self)}`)).href;
  if (!writer.endsWith('.ts')) return new Worker(new URL(writer), { workerData: { file } });
  const tsxApi = pathToFileURL(tsxEsmApiPath()).href;
  const entry = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(writer)}); });`;
  return new Worker(entry, { eval: true, workerData: { file } });
}

export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #writer: Worker;
  readonly #clock: () => number;
  readonly #after: Database.Statement<[number, number], StoredRow>;
  readonly #byKey: Database.Statement<[string, number], StoredRow>;
  readonly #bySeqs: Database.Statement<[string, number], StoredRow>;
  readonly #listeners = new Set<CommitListener>();
  #queue: Pending[] = [];
  #inFlight: { id: number; batch: Pending[]; at: string } | undefined;
  #nextRequestId = 1;
  #lastSeq: number;
  #failure: Error | undefined;
  #closed = false;
  #drained: (() => void) | undefined;

  constructor(options: SqliteStoreOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, 'events.db');
    this.#db = new Database(file);
    this.#clock = options.clock ?? Date.now;
    this.#db.pragma('journal_mode = WAL');
    try {
      migrateSqlite(this.#db, `the event log ${file}`, SCHEMA_STEPS);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#checkDistrict(options.district);
    this.#after = this.#db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#byKey = this.#db.prepare('SELECT * FROM events WHERE source_key = ? AND seq <= ?');
    this.#bySeqs = this.#db.prepare('SELECT * FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND seq <= ? ORDER BY seq');
    this.#lastSeq = (this.#db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
    this.#writer = startWriter(file);
    this.#writer.on('message', (reply: CommitReply) => this.#settle(reply));
    this.#writer.on('error', (error) => this.#fail(new StoreUnavailableError('the event log writer failed', { cause: error })));
    this.#writer.on('exit', () => this.#fail(new StoreUnavailableError('the event log writer stopped')));
  }

  #checkDistrict(district: string): void {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'district'").get() as { value: string } | undefined;
    if (!row) this.#db.prepare("INSERT INTO meta (key, value) VALUES ('district', ?)").run(district);
    else if (row.value !== district) {
      this.#db.close();
      throw new StoreMismatchError(`the data directory holds the event log of district "${row.value}", not "${district}": use another DATA_DIR`);
    }
  }

  append(drafts: readonly EventDraft[], options: AppendOptions = {}): Promise<AppendOutcome[]> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the event store is closed'));
    if (this.#failure) return Promise.reject(this.#failure);
    const invalid = invalidPrecondition(options.precondition);
    if (invalid) return Promise.reject(new TypeError(invalid));
    if (drafts.length === 0) return Promise.resolve([]);
    const full = queueFull(this.#queue, drafts.length);
    if (full) return Promise.reject(full);
    return new Promise((resolve, reject) => {
      this.#queue.push({ drafts, precondition: options.precondition, resolve, reject });
      this.#send();
    });
  }

  #send(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    const request: CommitRequest = {
      id: this.#nextRequestId++,
      at: new Date(this.#clock()).toISOString(),
      appends: batch.map((p) => ({
        rows: p.drafts.map((d) => ({ id: d.id, type: d.type, sourceKey: d.sourceKey ?? null, data: JSON.stringify(d.data) })),
        ...(p.precondition && { precondition: p.precondition }),
      })),
    };
    this.#inFlight = { id: request.id, batch, at: request.at };
    this.#writer.postMessage(request);
  }

  #settle(reply: CommitReply): void {
    const flight = this.#inFlight;
    if (!flight || flight.id !== reply.id) return;
    this.#inFlight = undefined;
    if ('failed' in reply) {
      const error = new StoreUnavailableError('the event log could not commit', { cause: new Error(reply.failed) });
      for (const pending of flight.batch) pending.reject(error);
    } else {
      const results = flight.batch.map((pending, i) => this.#outcomes(pending, reply.replies[i]!, flight.at));
      const committed = results.flatMap((r) => (Array.isArray(r) ? r.filter((o) => !o.duplicate).map((o) => o.event) : []));
      if (committed.length) {
        this.#lastSeq = committed[committed.length - 1]!.seq;
        for (const listener of this.#listeners) listener(committed);
      }
      flight.batch.forEach((pending, i) => {
        const result = results[i]!;
        if (Array.isArray(result)) pending.resolve(result);
        else pending.reject(result);
      });
    }
    this.#send();
    if (!this.#inFlight) this.#drained?.();
  }

  #outcomes(pending: Pending, reply: AppendReply, at: string): AppendOutcome[] | Error {
    if ('conflict' in reply) return new AppendConflictError(pending.precondition!, reply.conflict);
    if (!reply.ok) return new Error(`append refused by the event log: ${reply.message}`);
    return reply.outcomes.map((outcome, i) => {
      if (outcome.duplicate) return { event: toEvent(outcome.row), duplicate: true };
      const draft = pending.drafts[i]!;
      const event = { seq: outcome.seq, id: draft.id, at, type: draft.type, data: draft.data } as StoredEvent;
      if (draft.sourceKey !== undefined) event.sourceKey = draft.sourceKey;
      return { event, duplicate: false };
    });
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#failure ??= error;
    const waiting = [...(this.#inFlight?.batch ?? []), ...this.#queue];
    this.#inFlight = undefined;
    this.#queue = [];
    for (const pending of waiting) pending.reject(this.#failure);
    this.#drained?.();
  }

  async readAfter(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    if (this.#closed) throw new StoreUnavailableError('the event store is closed');
    // Only what the commit listeners have seen: a reader never gets ahead of the projections.
    const upTo = Math.min(limit, Math.max(0, this.#lastSeq - afterSeq));
    return upTo === 0 ? [] : this.#after.all(afterSeq, upTo).map(toEvent);
  }

  async bySeqs(seqs: readonly number[]): Promise<StoredEvent[]> {
    if (this.#closed) throw new StoreUnavailableError('the event store is closed');
    if (seqs.length === 0) return [];
    // Like readAfter, only what the commit listeners have seen.
    return this.#bySeqs.all(JSON.stringify([...new Set(seqs)]), this.#lastSeq).map(toEvent);
  }

  async bySourceKeys(keys: readonly string[]): Promise<StoredEvent[]> {
    if (this.#closed) throw new StoreUnavailableError('the event store is closed');
    return [...new Set(keys)].flatMap((key) => {
      const row = this.#byKey.get(key, this.#lastSeq);
      return row ? [toEvent(row)] : [];
    });
  }

  async lastSeq(): Promise<number> {
    return this.#lastSeq;
  }

  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Why an append would fail now (closed, writer thread gone), or undefined (/readyz, server/ops/health.ts). */
  problem(): string | undefined {
    if (this.#closed) return 'closed';
    return this.#failure?.message;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Appends already accepted commit before the handles go away.
    if (this.#inFlight || this.#queue.length) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#closed = true;
    const exited = new Promise((resolve) => this.#writer.once('exit', resolve));
    this.#writer.postMessage('close');
    await exited;
    this.#db.close();
  }
}
