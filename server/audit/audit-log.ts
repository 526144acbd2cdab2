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
import type { AuditAction, AuditDraft, AuditEntry } from '../../shared/audit.js';
import type { ChainPoint } from './chain.js';
import { ChainedAuditLog } from './chained-log.js';
import { PgAuditStorage, type PgAuditOptions } from './pg-storage.js';
import { SqliteAuditStorage } from './sqlite-storage.js';

export { AuditChainBrokenError, AuditNotFoundError, AuditUnavailableError, AuditValidationError } from './errors.js';
export type { ChainPoint } from './chain.js';

/** How long entries are kept when nothing else is configured: about six months. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 183;

/** The `before` for prune: entries older than `days` days at `now`. */
export function retentionCutoff(now: number, days: number = DEFAULT_AUDIT_RETENTION_DAYS): Date {
  return new Date(now - days * 86_400_000);
}

export interface AuditFilter {
  /** Entries at or after this time (a Date or an ISO 8601 string). */
  from?: Date | string;
  /** Entries before this time. */
  to?: Date | string;
  actorId?: string;
  action?: AuditAction;
  target?: string;
  /** 1 to 1000. */
  limit: number;
  /** Only entries with a smaller seq: pass the last seq of one page to get the next. */
  before?: number;
}

export type VerifyResult =
  /** `head`: the chain's last entry (or its start when empty); worth keeping elsewhere to compare later. */
  | { ok: true; entries: number; head: ChainPoint }
  /** The first entry at which the chain does not hold. */
  | { ok: false; seq: number; reason: string };

export interface AuditLog {
  /** Resolves with the stored entry once it is committed; rejects with AuditValidationError for a bad draft. */
  record(draft: AuditDraft): Promise<AuditEntry>;
  /** Up to 1000 drafts in one commit, with consecutive seqs, all or none. */
  recordMany(drafts: readonly AuditDraft[]): Promise<AuditEntry[]>;
  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Recomputes the whole chain, page by page in one snapshot, from the checkpoint (or the start) to the head. */
  verify(): Promise<VerifyResult>;
  /**
   * Deletes the oldest entries, those before the first one stamped at or after `before` (a prefix, so the chain
   * stays whole), keeps the last deleted entry's seq and hash as the chain's checkpoint, and records an
   * 'audit.pruned' entry when it deleted any. Refuses (AuditChainBrokenError) to delete a stretch that does not
   * verify: that would destroy the evidence. Resolves with how many entries it deleted.
   */
  prune(before: Date): Promise<number>;
  /** Commits what is queued, then closes the storage. */
  close(): Promise<void>;
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
