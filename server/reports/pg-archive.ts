/**
 * The report archive's PostgreSQL engine: the table `report_archive` in the schema every node of the log shares
 * (created if missing, under an advisory lock of its own so two nodes starting together do not race the DDL).
 * Only the node holding the lease generates reports, and ON CONFLICT DO NOTHING keeps the first of any two.
 */
import type pg from 'pg';
import { makePool, onceReady, SCHEMA_NAME, schemaLockId, type PoolOptions } from '../pg-pool.js';
import { quoteIdent as quote } from '../store/pg-schema.js';
import { ARCHIVE_ORDER, ReportArchiveUnavailableError, type ArchiveFilter, type ArchiveRow, type ReportStorage } from './archive-storage.js';

/** Advisory lock class id of the archive's DDL: 'SGRp' in ASCII, beside the store's 'SGL*' and the audit's 'SGA*'. */
export const REPORT_DDL_LOCK_CLASS = 0x53475270;

export interface PgReportOptions extends PoolOptions {
  schema: string;
}

const COLUMNS = `id, kind, scope_level AS "scopeLevel", scope_code AS "scopeCode", scope_name AS "scopeName", period_from AS "from", period_to AS "to", generated_at AS "generatedAt", cases, resolved, alerts`;

function unavailable(error: unknown, what: string): Error {
  if (error instanceof ReportArchiveUnavailableError) return error;
  return new ReportArchiveUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

export class PgReportStorage implements ReportStorage {
  readonly #options: PgReportOptions;
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #lockId: number;
  readonly #ready = onceReady(() => this.#prepare());

  constructor(options: PgReportOptions) {
    if (!SCHEMA_NAME.test(options.schema)) throw new ReportArchiveUnavailableError(`schema "${options.schema}" is not a lower-case SQL identifier`);
    this.#options = options;
    this.#table = `${quote(options.schema)}.report_archive`;
    this.#lockId = schemaLockId(options.schema);
    this.#pool = makePool(options, { poolSize: 2, applicationName: 'sygl-reports' });
  }

  /** Prepares the table once; a failed attempt is tried again by the next call. */
  ready(): Promise<void> {
    return this.#ready();
  }

  async #prepare(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw unavailable(error, 'cannot reach PostgreSQL for the report archive');
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [REPORT_DDL_LOCK_CLASS, this.#lockId]);
      const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [this.#table]);
      if (!rows[0]!.t) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.#options.schema)}`);
        await client.query(`
          CREATE TABLE IF NOT EXISTS ${this.#table} (
            id text PRIMARY KEY,
            kind text NOT NULL,
            scope_level text NOT NULL,
            scope_code text NOT NULL,
            scope_name text NOT NULL,
            period_from text NOT NULL,
            period_to text NOT NULL,
            generated_at text NOT NULL,
            cases integer NOT NULL,
            resolved integer NOT NULL,
            alerts integer NOT NULL,
            body text NOT NULL
          );
          CREATE INDEX IF NOT EXISTS report_archive_period ON ${this.#table} (period_from DESC);
          CREATE INDEX IF NOT EXISTS report_archive_scope ON ${this.#table} (scope_code, period_from DESC);`);
      }
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw unavailable(error, 'cannot prepare the report archive in PostgreSQL');
    }
  }

  async #query<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    await this.ready();
    try {
      return await this.#pool.query<R>(text, values);
    } catch (error) {
      throw unavailable(error, what);
    }
  }

  async insert(r: ArchiveRow): Promise<boolean> {
    const result = await this.#query(
      'the report archive could not store a report',
      `INSERT INTO ${this.#table} (id, kind, scope_level, scope_code, scope_name, period_from, period_to, generated_at, cases, resolved, alerts, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
      [r.id, r.kind, r.scopeLevel, r.scopeCode, r.scopeName, r.from, r.to, r.generatedAt, r.cases, r.resolved, r.alerts, r.body],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async has(id: string): Promise<boolean> {
    const result = await this.#query('the report archive could not be read', `SELECT 1 FROM ${this.#table} WHERE id = $1`, [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async body(id: string): Promise<string | undefined> {
    const result = await this.#query<{ body: string }>('the report archive could not be read', `SELECT body FROM ${this.#table} WHERE id = $1`, [id]);
    return result.rows[0]?.body;
  }

  async list(filter: ArchiveFilter): Promise<Array<Omit<ArchiveRow, 'body'>>> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.kind) {
      values.push(filter.kind);
      where.push(`kind = $${values.length}`);
    }
    if (filter.street) {
      values.push(filter.street);
      where.push(`scope_level = 'street' AND scope_code = $${values.length}`);
    }
    values.push(filter.limit);
    const sql = `SELECT ${COLUMNS} FROM ${this.#table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${ARCHIVE_ORDER} LIMIT $${values.length}`;
    const result = await this.#query<Omit<ArchiveRow, 'body'>>('the report archive could not be listed', sql, values);
    return result.rows;
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
