/**
 * What the audit log promises its callers (audit-log.ts opens one): the contract alone, so the engines and the chained
 * log implement it without importing the module that chooses between them.
 */
import type { AuditAction, AuditDraft, AuditEntry } from '../../shared/audit.js';
import type { ChainPoint } from './chain.js';

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
