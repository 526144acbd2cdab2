/**
 * The audit log's SQLite engine: `audit.db` in the node's data dir, its own file beside the event log's, in WAL
 * mode with synchronous=FULL, so a resolved record survives a power cut.
 *
 * Commits run on the main thread (the event log's writer has a thread of its own): audit entries come a few at a
 * time (sign-ins, commands, unmaskings), and group commit turns a burst into one fsync. Writes use one connection,
 * lists another, and each verify a fresh one holding a read transaction: WAL gives it one snapshot for the whole
 * walk while appends go on.
 */
import fs from 'node:fs';
import { migrateSqlite, SchemaVersionError } from '../store/schema-version.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEntry } from '../../shared/audit.js';
import type { ChainPoint, StoredRow } from './chain.js';
import { AuditChainBrokenError, AuditNotFoundError, AuditUnavailableError, AuditValidationError } from './errors.js';
import { AUDIT_COLUMNS, COLUMN_LIST, toEntry, toParams, toStoredRow, type AuditRow } from './rows.js';
import type { AuditStorage, ChainReader, ChainWriter } from './storage.js';
import type { ListQuery } from './validate.js';

export const AUDIT_DB_FILE = 'audit.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT,
    details TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
  CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor_id, seq);
  CREATE INDEX IF NOT EXISTS audit_target ON audit (target, seq);`;

/** Errors of the work itself pass through; anything else is the storage failing. */
function storageError(error: unknown, what: string): Error {
  if (error instanceof AuditChainBrokenError || error instanceof AuditValidationError || error instanceof AuditUnavailableError) return error;
  return new AuditUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * better-sqlite3 answers synchronously, so an await on it never lets the event loop run: a verify of a million
 * entries, or a long prune, would hold up every socket for seconds. Each page and each write waits its turn.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function reader(db: Database.Database): ChainReader {
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM audit_meta WHERE key = ?');
  const point = (key: string): ChainPoint | undefined => {
    const row = meta.get(key);
    return row ? (JSON.parse(row.value) as ChainPoint) : undefined;
  };
  const rows = db.prepare<[number, number, number], AuditRow>(`SELECT ${COLUMN_LIST} FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
  return {
    checkpoint: async () => point('checkpoint'),
    head: async () => point('head'),
    rows: async (after, limit, through = Number.MAX_SAFE_INTEGER): Promise<StoredRow[]> => {
      await nextTurn();
      return rows.all(after, through, limit).map(toStoredRow);
    },
  };
}

function writer(db: Database.Database): ChainWriter {
  const setMeta = db.prepare<[string, string]>('INSERT INTO audit_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const insert = db.prepare(`INSERT INTO audit (${COLUMN_LIST}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')})`);
  const first = db.prepare<[string], { seq: number | null }>('SELECT min(seq) AS seq FROM audit WHERE at >= ?');
  const cut = db.prepare<[number]>('DELETE FROM audit WHERE seq <= ?');
  return {
    ...reader(db),
    firstSeqAtOrAfter: async (at) => first.get(at)?.seq ?? undefined,
    insert: async (entries: readonly AuditEntry[]) => {
      for (const entry of entries) insert.run(toParams(entry));
    },
    setHead: async (head) => void setMeta.run('head', JSON.stringify(head)),
    cut: async (checkpoint) => {
      const { changes } = cut.run(checkpoint.seq);
      setMeta.run('checkpoint', JSON.stringify(checkpoint));
      return changes;
    },
  };
}

export class SqliteAuditStorage implements AuditStorage {
  readonly #file: string;
  readonly #db: Database.Database;
  readonly #chain: ChainWriter;
  readonly #lists: Database.Database;
  readonly #snapshots = new Set<Database.Database>();

  constructor(dataDir: string, create: boolean) {
    this.#file = path.join(dataDir, AUDIT_DB_FILE);
    if (!create && !fs.existsSync(this.#file)) throw new AuditNotFoundError(`no audit log at ${this.#file}`);
    fs.mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(this.#file);
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      // A verify from the command line may hold the file for a moment.
      this.#db.pragma('busy_timeout = 5000');
      migrateSqlite(this.#db, `the audit log ${this.#file}`, [SCHEMA]);
      this.#chain = writer(this.#db);
      this.#lists = this.#connect();
    } catch (error) {
      this.#db.close();
      if (error instanceof SchemaVersionError) throw error;
      throw storageError(error, `cannot open the audit log ${this.#file}`);
    }
  }

  #connect(): Database.Database {
    const db = new Database(this.#file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  }

  async write<T>(work: (chain: ChainWriter) => Promise<T>): Promise<T> {
    // The caller runs writes one at a time, so nothing else uses this connection until COMMIT or ROLLBACK.
    await nextTurn();
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw storageError(error, 'the audit log could not begin a write');
    }
    try {
      const result = await work(this.#chain);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw storageError(error, 'the audit log could not commit');
    }
  }

  async read<T>(work: (chain: ChainReader) => Promise<T>): Promise<T> {
    const db = this.#connect();
    this.#snapshots.add(db);
    try {
      db.exec('BEGIN');
      return await work(reader(db));
    } catch (error) {
      throw storageError(error, 'the audit log could not be read');
    } finally {
      this.#snapshots.delete(db);
      db.close();
    }
  }

  async list(query: ListQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const values: Array<string | number> = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      values.push(value);
    };
    add('at >= ?', query.from);
    add('at < ?', query.to);
    add('actor_id = ?', query.actorId);
    add('action = ?', query.action);
    add('target = ?', query.target);
    add('seq < ?', query.before);
    const sql = `SELECT ${COLUMN_LIST} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    try {
      return this.#lists.prepare<Array<string | number>, AuditRow>(sql).all(...values, query.limit).map(toEntry);
    } catch (error) {
      throw storageError(error, 'the audit log could not be listed');
    }
  }

  async close(): Promise<void> {
    for (const db of this.#snapshots) db.close();
    this.#lists.close();
    this.#db.close();
  }
}
