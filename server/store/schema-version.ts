/**
 * Schema versions of the SQLite databases in a data dir (event log, audit log, report archive): each keeps its version
 * in `PRAGMA user_version` and its release's ordered steps here. At open, an older database is upgraded step by step
 * in one transaction; a newer one (written by a later release) is refused with a clear message rather than misread.
 * A database from before versioning has user_version 0 and the same tables as step 1, whose statements are
 * idempotent (`IF NOT EXISTS`), so it upgrades in place.
 *
 * The PostgreSQL event log does the same with a `schema_version` row in its schema's `meta` table (migratePg): the
 * steps run inside the caller's transaction, under its DDL lock, so nodes starting together upgrade once.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/** Brings `db` to version `steps.length`; `what` names it in the message (e.g. "the event log /x/events.db"). */
export function migrateSqlite(db: Database.Database, what: string, steps: readonly string[]): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const to = steps.length;
  if (from > to) {
    throw new SchemaVersionError(`${what} has schema version ${from}, newer than this release knows (${to}): it was written by a later release; run that release, or restore a backup made by this one`);
  }
  if (from < to) {
    db.transaction(() => {
      for (let v = from; v < to; v++) db.exec(steps[v]!);
      db.pragma(`user_version = ${to}`);
    })();
  }
  return { from, to };
}

/**
 * Brings a PostgreSQL log to version `steps.length`, recorded as `key` in `metaTable` (a `key text PRIMARY KEY, value
 * text` table that must exist). Call inside a transaction (BEGIN … COMMIT is the caller's): a failing step leaves
 * the version and every step before it as they were.
 */
export async function migratePg(client: pg.ClientBase, what: string, metaTable: string, steps: readonly string[], key = 'schema_version'): Promise<{ from: number; to: number }> {
  const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${metaTable} WHERE key = $1`, [key]);
  const from = rows[0] ? Number(rows[0].value) : 0;
  const to = steps.length;
  if (!Number.isInteger(from) || from < 0) throw new SchemaVersionError(`${what} has an unreadable schema version "${rows[0]!.value}"`);
  if (from > to) {
    throw new SchemaVersionError(`${what} has schema version ${from}, newer than this release knows (${to}): it was written by a later release; run that release, or restore a backup made by this one`);
  }
  for (let v = from; v < to; v++) await client.query(steps[v]!);
  if (from < to) await client.query(`INSERT INTO ${metaTable} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, String(to)]);
  return { from, to };
}
