/** The report archive's SQLite engine: `reports.db` in the node's data dir, apart from the event log and the audit log. */
import fs from 'node:fs';
import { migrateSqlite, SchemaVersionError } from '../store/schema-version.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ARCHIVE_ORDER, ReportArchiveUnavailableError, type ArchiveFilter, type ArchiveRow, type ReportStorage } from './archive-storage.js';

export const REPORTS_DB_FILE = 'reports.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS report_archive (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    scope_level TEXT NOT NULL,
    scope_code TEXT NOT NULL,
    scope_name TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    cases INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    alerts INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS report_archive_period ON report_archive (period_from DESC);
  CREATE INDEX IF NOT EXISTS report_archive_scope ON report_archive (scope_code, period_from DESC);`;

const COLUMNS = `id, kind, scope_level AS scopeLevel, scope_code AS scopeCode, scope_name AS scopeName, period_from AS "from", period_to AS "to", generated_at AS generatedAt, cases, resolved, alerts`;

function unavailable(error: unknown, what: string): Error {
  return new ReportArchiveUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

export class SqliteReportStorage implements ReportStorage {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, string, string, string, string, string, string, string, number, number, number, string]>;
  readonly #has: Database.Statement<[string], { one: number }>;
  readonly #body: Database.Statement<[string], { body: string }>;

  constructor(dataDir: string) {
    const file = path.join(dataDir, REPORTS_DB_FILE);
    fs.mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(file);
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      migrateSqlite(this.#db, `the report archive ${file}`, [SCHEMA]);
      this.#insert = this.#db.prepare(
        `INSERT INTO report_archive (id, kind, scope_level, scope_code, scope_name, period_from, period_to, generated_at, cases, resolved, alerts, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      );
      this.#has = this.#db.prepare('SELECT 1 AS one FROM report_archive WHERE id = ?');
      this.#body = this.#db.prepare('SELECT body FROM report_archive WHERE id = ?');
    } catch (error) {
      this.#db.close();
      if (error instanceof SchemaVersionError) throw error;
      throw unavailable(error, `cannot open the report archive ${file}`);
    }
  }

  async insert(r: ArchiveRow): Promise<boolean> {
    try {
      return this.#insert.run(r.id, r.kind, r.scopeLevel, r.scopeCode, r.scopeName, r.from, r.to, r.generatedAt, r.cases, r.resolved, r.alerts, r.body).changes > 0;
    } catch (error) {
      throw unavailable(error, 'the report archive could not store a report');
    }
  }

  async has(id: string): Promise<boolean> {
    return this.#has.get(id) !== undefined;
  }

  async body(id: string): Promise<string | undefined> {
    return this.#body.get(id)?.body;
  }

  async list(filter: ArchiveFilter): Promise<Array<Omit<ArchiveRow, 'body'>>> {
    const where: string[] = [];
    const values: Array<string | number> = [];
    if (filter.kind) {
      where.push('kind = ?');
      values.push(filter.kind);
    }
    if (filter.street) {
      where.push("scope_level = 'street' AND scope_code = ?");
      values.push(filter.street);
    }
    const sql = `SELECT ${COLUMNS} FROM report_archive ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ARCHIVE_ORDER} LIMIT ?`;
    return this.#db.prepare<Array<string | number>, Omit<ArchiveRow, 'body'>>(sql).all(...values, filter.limit);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
