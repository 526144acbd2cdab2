/**
 * The audit log's PostgreSQL engine: tables `audit` and `audit_meta` in a schema (created if missing; the event
 * log's schema can hold them beside `events` and `meta`), shared by every node.
 *
 * Every write transaction first takes pg_advisory_xact_lock on the audit chain's own class id, then reads the head:
 * the lock is held to COMMIT, so two nodes never seal onto the same head and the chain never forks (the seq primary
 * key would refuse a fork anyway). Reads for verify run in one REPEATABLE READ transaction: a snapshot however long
 * the walk takes.
 */
import type pg from 'pg';
import type { AuditEntry } from '../../shared/audit.js';
import { makePool, onceReady, SCHEMA_NAME, schemaLockId, type PoolOptions } from '../pg-pool.js';
import { quoteIdent as quote } from '../store/pg-schema.js';
import type { ChainPoint } from './chain.js';
import { AuditChainBrokenError, AuditNotFoundError, AuditUnavailableError, AuditValidationError } from './errors.js';
import { AUDIT_COLUMNS, COLUMN_LIST, toEntry, toParams, toStoredRow, type AuditRow } from './rows.js';
import type { AuditStorage, ChainReader, ChainWriter } from './storage.js';
import type { ListQuery } from './validate.js';

/**
 * Advisory lock class ids, 'SGAu' and 'SGAd' in ASCII: apart from the event store's 'SGLa' (append) and 'SGLd'
 * (DDL) and the lease's 'SGLl', so audit appends never wait on event appends, and are recognisable in pg_locks.
 */
export const AUDIT_LOCK_CLASS = 0x53474175;
export const AUDIT_DDL_LOCK_CLASS = 0x53474164;

/** applicationName defaults to `sygl-audit`; poolSize to 3: one writes, the others list and verify. */
export interface PgAuditOptions extends PoolOptions {
  schema: string;
  /** Create the schema and tables if missing; false: AuditNotFoundError instead (for the verify CLI). */
  create: boolean;
}

function storageError(error: unknown, what: string): Error {
  if (error instanceof AuditChainBrokenError || error instanceof AuditValidationError || error instanceof AuditUnavailableError || error instanceof AuditNotFoundError) return error;
  return new AuditUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

export class PgAuditStorage implements AuditStorage {
  readonly #options: PgAuditOptions;
  readonly #pool: pg.Pool;
  readonly #audit: string;
  readonly #meta: string;
  readonly #lockId: number;
  readonly #ready = onceReady(() => this.#prepare());

  constructor(options: PgAuditOptions) {
    if (!SCHEMA_NAME.test(options.schema)) throw new AuditValidationError([`schema: "${options.schema}" is not a lower-case SQL identifier`]);
    this.#options = options;
    const schema = quote(options.schema);
    this.#audit = `${schema}.audit`;
    this.#meta = `${schema}.audit_meta`;
    this.#lockId = schemaLockId(options.schema);
    this.#pool = makePool(options, {
      poolSize: 3,
      applicationName: 'sygl-audit',
      // A node frozen mid-append must not hold the chain lock for ever.
      extra: { idle_in_transaction_session_timeout: 15_000 },
    });
  }

  /** Prepares the tables once; a failed attempt (PostgreSQL away) is tried again by the next call. */
  ready(): Promise<void> {
    return this.#ready();
  }

  async #prepare(): Promise<void> {
    await this.#transaction('cannot prepare the PostgreSQL audit log', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [AUDIT_DDL_LOCK_CLASS, this.#lockId]);
      const { rows } = await client.query<{ audit: string | null; meta: string | null }>(
        'SELECT to_regclass($1) AS audit, to_regclass($2) AS meta',
        [this.#audit, this.#meta],
      );
      if (rows[0]!.audit && rows[0]!.meta) return;
      if (!this.#options.create) throw new AuditNotFoundError(`no audit log in PostgreSQL schema "${this.#options.schema}"`);
      await this.#ensureSchema(client);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.#meta} (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE IF NOT EXISTS ${this.#audit} (
          seq bigint PRIMARY KEY,
          at timestamptz NOT NULL,
          actor_kind text NOT NULL,
          actor_id text,
          actor_name text,
          actor_role text,
          action text NOT NULL,
          target text,
          outcome text NOT NULL,
          ip text NOT NULL,
          user_agent text,
          details json,
          prev_hash text NOT NULL,
          hash text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_at ON ${this.#audit} (at);
        CREATE INDEX IF NOT EXISTS audit_actor ON ${this.#audit} (actor_id, seq);
        CREATE INDEX IF NOT EXISTS audit_target ON ${this.#audit} (target, seq);`);
    });
  }

  /**
   * CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists, and races with the event
   * store creating the same schema under its own lock: ask first, and take "already exists" as success.
   */
  async #ensureSchema(client: pg.ClientBase): Promise<void> {
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.#options.schema]);
    if (exists.rowCount) return;
    await client.query('SAVEPOINT create_schema');
    try {
      await client.query(`CREATE SCHEMA ${quote(this.#options.schema)}`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '42P06' && code !== '23505') throw error;
      await client.query('ROLLBACK TO SAVEPOINT create_schema');
    }
  }

  /** One transaction on one pooled connection; a connection that failed mid-way is discarded, not reused. */
  async #transaction<T>(what: string, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storageError(error, `${what}: cannot reach PostgreSQL`);
    }
    // pg emits 'error' on a checked-out client whose socket dies; the failing query reports it too.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', ignore);
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw storageError(error, what);
    }
  }

  #reader(client: pg.ClientBase): ChainReader {
    const point = async (key: string): Promise<ChainPoint | undefined> => {
      const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${this.#meta} WHERE key = $1`, [key]);
      return rows[0] ? (JSON.parse(rows[0].value) as ChainPoint) : undefined;
    };
    return {
      checkpoint: () => point('checkpoint'),
      head: () => point('head'),
      rows: async (after, limit, through = Number.MAX_SAFE_INTEGER) => {
        const { rows } = await client.query<AuditRow>(
          `SELECT ${COLUMN_LIST} FROM ${this.#audit} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
          [after, through, limit],
        );
        return rows.map(toStoredRow);
      },
    };
  }

  #writer(client: pg.ClientBase): ChainWriter {
    const setMeta = (key: string, value: ChainPoint) =>
      client.query(`INSERT INTO ${this.#meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, JSON.stringify(value)]);
    return {
      ...this.#reader(client),
      firstSeqAtOrAfter: async (at) => {
        const { rows } = await client.query<{ seq: string | null }>(`SELECT min(seq) AS seq FROM ${this.#audit} WHERE at >= $1`, [at]);
        return rows[0]!.seq === null ? undefined : Number(rows[0]!.seq);
      },
      insert: async (entries: readonly AuditEntry[]) => {
        const width = AUDIT_COLUMNS.length;
        const tuples = entries.map((_, i) => `(${AUDIT_COLUMNS.map((__, j) => `$${i * width + j + 1}`).join(', ')})`);
        await client.query(`INSERT INTO ${this.#audit} (${COLUMN_LIST}) VALUES ${tuples.join(', ')}`, entries.flatMap(toParams));
      },
      setHead: async (head) => void (await setMeta('head', head)),
      cut: async (checkpoint) => {
        const { rowCount } = await client.query(`DELETE FROM ${this.#audit} WHERE seq <= $1`, [checkpoint.seq]);
        await setMeta('checkpoint', checkpoint);
        return rowCount ?? 0;
      },
    };
  }

  async write<T>(work: (chain: ChainWriter) => Promise<T>): Promise<T> {
    await this.ready();
    return this.#transaction('the audit log could not commit', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [AUDIT_LOCK_CLASS, this.#lockId]);
      return work(this.#writer(client));
    });
  }

  async read<T>(work: (chain: ChainReader) => Promise<T>): Promise<T> {
    await this.ready();
    return this.#transaction('the audit log could not be read', (client) => work(this.#reader(client)), 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async list(query: ListQuery): Promise<AuditEntry[]> {
    await this.ready();
    const where: string[] = [];
    const values: Array<string | number> = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      values.push(value);
      where.push(clause.replace('?', `$${values.length}`));
    };
    add('at >= ?', query.from);
    add('at < ?', query.to);
    add('actor_id = ?', query.actorId);
    add('action = ?', query.action);
    add('target = ?', query.target);
    add('seq < ?', query.before);
    values.push(query.limit);
    const sql = `SELECT ${COLUMN_LIST} FROM ${this.#audit} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`;
    try {
      return (await this.#pool.query<AuditRow>(sql, values)).rows.map(toEntry);
    } catch (error) {
      throw storageError(error, 'the audit log could not be listed');
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
