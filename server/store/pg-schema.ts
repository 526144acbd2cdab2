/**
 * The PostgreSQL event log's tables, locks and row mapping. Everything lives in one schema (default `public`), so a
 * database can hold several logs side by side (tests use a fresh schema each) and the schema name is the log's name.
 */
import type pg from 'pg';
import type { StoredEvent } from '../../shared/events.js';
import { StoreMismatchError } from './event-store.js';
import { migratePg } from './schema-version.js';

export interface PgTables {
  schema: string;
  events: string;
  meta: string;
  /** pg_advisory_xact_lock(classid, objid) that serialises appends to this log across every process. */
  appendLock: readonly [number, number];
  /** Serialises table creation, so nodes starting together do not race on CREATE TABLE IF NOT EXISTS. */
  ddlLock: readonly [number, number];
}

/** The columns every read selects, in `PgRow` order. */
export const COLUMNS = 'seq, id, at, type, source_key, data';

export interface PgRow {
  /** bigint: node-postgres hands it over as a string. */
  seq: string;
  id: string;
  at: Date;
  type: string;
  source_key: string | null;
  /** `json` arrives parsed. */
  data: unknown;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** FNV-1a, as a signed 32-bit int: advisory lock ids are int4 pairs, and every node must derive the same one. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  return h | 0;
}

/** Advisory lock class ids: 'SGLa' and 'SGLd' in ASCII, so they are recognisable in pg_locks. */
const APPEND_LOCK_CLASS = 0x53474c61;
const DDL_LOCK_CLASS = 0x53474c64;

export function pgTables(schema: string): PgTables {
  const s = quoteIdent(schema);
  const objid = hash32(schema);
  return { schema, events: `${s}.events`, meta: `${s}.meta`, appendLock: [APPEND_LOCK_CLASS, objid], ddlLock: [DDL_LOCK_CLASS, objid] };
}

/*
 * `at` is timestamptz (the store writes millisecond ISO strings, which read back as the same string); `data` is
 * `json` rather than `jsonb`: it keeps the text as written and accepts "\u0000" in strings, which jsonb refuses
 * and SQLite's TEXT takes, so both engines accept the same drafts. `id` is text like SQLite's (any unique string).
 */
const tableDdl = (t: PgTables) => `
  CREATE TABLE IF NOT EXISTS ${t.meta} (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE IF NOT EXISTS ${t.events} (
    seq bigint PRIMARY KEY,
    id text NOT NULL UNIQUE,
    at timestamptz NOT NULL,
    type text NOT NULL,
    source_key text UNIQUE,
    data json NOT NULL
  );`;

/**
 * The log's schema versions, in order (server/store/schema-version.ts): step v brings version v to v + 1. A schema
 * made before versioning has no `schema_version` row (version 0) and the tables of step 1, whose statements are
 * idempotent, so it upgrades in place. Add steps at the end; never change one a release has run.
 */
export const pgEventSteps: ReadonlyArray<(t: PgTables) => string> = [tableDdl];

/**
 * Creates the schema and tables if missing (or upgrades them, refusing a schema written by a later release with
 * SchemaVersionError) and records the district, or throws StoreMismatchError when the schema already holds another
 * district's log. One transaction under the DDL lock.
 */
export async function ensureSchema(client: pg.ClientBase, t: PgTables, district: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...t.ddlLock]);
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: ask first.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [t.schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(t.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${t.meta} (key text PRIMARY KEY, value text NOT NULL)`);
    await migratePg(client, `the PostgreSQL event log (schema "${t.schema}")`, t.meta, pgEventSteps.map((step) => step(t)));
    await client.query(`INSERT INTO ${t.meta} (key, value) VALUES ('district', $1) ON CONFLICT (key) DO NOTHING`, [district]);
    const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${t.meta} WHERE key = 'district'`);
    const stored = rows[0]!.value;
    if (stored !== district) {
      throw new StoreMismatchError(`PostgreSQL schema "${t.schema}" holds the event log of district "${stored}", not "${district}": use another schema`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export function toEvent(row: PgRow): StoredEvent {
  const event = { seq: Number(row.seq), id: row.id, at: row.at.toISOString(), type: row.type, data: row.data } as StoredEvent;
  if (row.source_key !== null) event.sourceKey = row.source_key;
  return event;
}
