/**
 * Embedded event log on SQLite (better-sqlite3): WAL with synchronous=FULL, so a committed transaction survives
 * power loss. Writes are group-committed: every append requested in the same turn of the event loop shares one
 * transaction (one fsync), and each append is a savepoint inside it, so one failing append never sinks another.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import { StoreMismatchError, StoreUnavailableError, type AppendOutcome, type CommitListener, type EventStore } from './event-store.js';

interface Row {
  seq: number;
  id: string;
  at: string;
  type: string;
  source_key: string | null;
  data: string;
}

interface Pending {
  drafts: readonly EventDraft[];
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (error: unknown) => void;
}

export interface SqliteStoreOptions {
  dataDir: string;
  district: string;
  clock?: () => number;
}

function toEvent(row: Row): StoredEvent {
  const event = { seq: row.seq, id: row.id, at: row.at, type: row.type, data: JSON.parse(row.data) } as StoredEvent;
  if (row.source_key !== null) event.sourceKey = row.source_key;
  return event;
}

export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #clock: () => number;
  #queue: Pending[] = [];
  #flushScheduled = false;
  #lastSeq: number;
  readonly #insert: Database.Statement;
  readonly #byKey: Database.Statement<[string], Row>;
  readonly #after: Database.Statement<[number, number], Row>;
  #closed = false;
  readonly #listeners = new Set<CommitListener>();

  constructor(options: SqliteStoreOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.#db = new Database(path.join(options.dataDir, 'events.db'));
    this.#clock = options.clock ?? Date.now;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        source_key TEXT UNIQUE,
        data TEXT NOT NULL
      );`);
    this.#checkDistrict(options.district);
    this.#insert = this.#db.prepare('INSERT INTO events (seq, id, at, type, source_key, data) VALUES (?, ?, ?, ?, ?, ?)');
    this.#byKey = this.#db.prepare('SELECT * FROM events WHERE source_key = ?');
    this.#after = this.#db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#lastSeq = (this.#db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  }

  #checkDistrict(district: string): void {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'district'").get() as { value: string } | undefined;
    if (!row) this.#db.prepare("INSERT INTO meta (key, value) VALUES ('district', ?)").run(district);
    else if (row.value !== district) {
      throw new StoreMismatchError(`the data directory holds the event log of district "${row.value}", not "${district}": use another DATA_DIR`);
    }
  }

  append(drafts: readonly EventDraft[]): Promise<AppendOutcome[]> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the event store is closed'));
    if (drafts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ drafts, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const committedSeq = this.#lastSeq;
    const results = new Map<Pending, { ok: true; outcomes: AppendOutcome[] } | { ok: false; error: unknown }>();
    const at = new Date(this.#clock()).toISOString();
    try {
      this.#db.transaction(() => {
        for (const pending of batch) {
          const before = this.#lastSeq;
          try {
            results.set(pending, { ok: true, outcomes: this.#db.transaction(() => this.#appendOne(pending.drafts, at))() });
          } catch (error) {
            this.#lastSeq = before;
            results.set(pending, { ok: false, error });
          }
        }
      })();
    } catch (error) {
      this.#lastSeq = committedSeq;
      const unavailable = new StoreUnavailableError('the event log could not commit', { cause: error });
      for (const pending of batch) pending.reject(unavailable);
      return;
    }
    const committed = [...results.values()].flatMap((r) => (r.ok ? r.outcomes.filter((o) => !o.duplicate).map((o) => o.event) : []));
    if (committed.length) for (const listener of this.#listeners) listener(committed);
    for (const pending of batch) {
      const result = results.get(pending)!;
      if (result.ok) pending.resolve(result.outcomes);
      else pending.reject(result.error);
    }
  }

  #appendOne(drafts: readonly EventDraft[], at: string): AppendOutcome[] {
    return drafts.map((draft) => {
      if (draft.sourceKey !== undefined) {
        const existing = this.#byKey.get(draft.sourceKey);
        if (existing) return { event: toEvent(existing), duplicate: true };
      }
      const seq = ++this.#lastSeq;
      this.#insert.run(seq, draft.id, at, draft.type, draft.sourceKey ?? null, JSON.stringify(draft.data));
      const event = { seq, id: draft.id, at, type: draft.type, data: draft.data } as StoredEvent;
      if (draft.sourceKey !== undefined) event.sourceKey = draft.sourceKey;
      return { event, duplicate: false };
    });
  }

  async readAfter(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    if (this.#closed) throw new StoreUnavailableError('the event store is closed');
    return this.#after.all(afterSeq, limit).map(toEvent);
  }

  async lastSeq(): Promise<number> {
    return this.#lastSeq;
  }

  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let appends already queued commit before the handle goes away.
    if (this.#queue.length) this.#flush();
    this.#closed = true;
    this.#db.close();
  }
}
