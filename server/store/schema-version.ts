/**
 * Schema versions of the SQLite databases in a data dir (event log, audit log, report archive): each keeps its version
 * in `PRAGMA user_version` and its release's ordered steps here. At open, an older database is upgraded step by step
 * in one transaction; a newer one (written by a later release) is refused with a clear message rather than misread.
 * A database from before versioning has user_version 0 and the same tables as step 1, whose statements are
 * idempotent (`IF NOT EXISTS`), so it upgrades in place.
 */
import type Database from 'better-sqlite3';

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
