/**
 * The audit log: who signed in, who was refused, who unmasked whose case and why, who exported, commanded or
 * changed users, kiosks and keys. Append-only and hash-chained (chain.ts), kept apart from the event log: it has
 * its own retention, and the event log's readers (projections, the wall, replays) have no business in it.
 *
 * Engines: SQLite (`audit.db` in the node's data dir; WAL, synchronous=FULL) for one node, or a table `audit` in a
 * PostgreSQL schema shared by several nodes, whose appends take one advisory lock so the chain never forks.
 *
 * Never record passwords, session tokens, API keys or cookies, in any field (see shared/audit.ts).
 */
import type { AuditLog } from './contract.js';
import { ChainedAuditLog } from './chained-log.js';
import { PgAuditStorage, type PgAuditOptions } from './pg-storage.js';
import { SqliteAuditStorage } from './sqlite-storage.js';

export { AuditChainBrokenError, AuditNotFoundError, AuditUnavailableError, AuditValidationError } from './errors.js';
export type { ChainPoint } from './chain.js';
export type { AuditFilter, AuditLog, VerifyResult } from './contract.js';

/** How long entries are kept when nothing else is configured: about six months. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 183;

/** The `before` for prune: entries older than `days` days at `now`. */
export function retentionCutoff(now: number, days: number = DEFAULT_AUDIT_RETENTION_DAYS): Date {
  return new Date(now - days * 86_400_000);
}

export type AuditLocation =
  /** The node's data dir (`path.join(DATA_DIR, DISTRICT)`): the log is `audit.db` in it. */
  | { dataDir: string; create?: boolean }
  /** A PostgreSQL schema (created if missing) shared by every node of the log. */
  | ({ url: string; schema: string; create?: boolean } & Omit<PgAuditOptions, 'url' | 'schema' | 'create'>);

/**
 * Opens (and with `create`, the default, creates) the audit log. `clock` stamps `at` on each entry.
 * Rejects with AuditNotFoundError when `create` is false and there is no log, AuditUnavailableError when the
 * storage cannot be reached.
 */
export async function openAuditLog(location: AuditLocation, clock: () => number = Date.now): Promise<AuditLog> {
  if ('dataDir' in location) return new ChainedAuditLog(new SqliteAuditStorage(location.dataDir, location.create ?? true), clock);
  const storage = new PgAuditStorage({ ...location, create: location.create ?? true });
  try {
    await storage.ready();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return new ChainedAuditLog(storage, clock);
}
