/**
 * One audit entry as a table row, the same columns in both engines. The actor is spread over columns so lists can
 * filter by actor id with an index; `details` is JSON text. Nothing here checks the chain: a row read back is handed
 * to the verifier as it is, and one whose JSON no longer parses is reported as unreadable, not thrown.
 */
import type { AuditAction, AuditEntry, AuditOutcome, JsonObject } from '../../shared/audit.js';
import type { StoredRow } from './chain.js';

export const AUDIT_COLUMNS = [
  'seq', 'at', 'actor_kind', 'actor_id', 'actor_name', 'actor_role', 'action', 'target', 'outcome', 'ip', 'user_agent', 'details', 'prev_hash', 'hash',
] as const;
export const COLUMN_LIST = AUDIT_COLUMNS.join(', ');

export interface AuditRow {
  /** PostgreSQL's bigint arrives as a string. */
  seq: number | string;
  /** SQLite: ISO text; PostgreSQL: timestamptz as a Date. */
  at: string | Date;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string;
  user_agent: string | null;
  /** SQLite: text; PostgreSQL: `json`, parsed by the driver. */
  details: string | JsonObject | null;
  prev_hash: string;
  hash: string;
}

/** The row's values in AUDIT_COLUMNS order. */
export function toParams(entry: AuditEntry): Array<string | number | null> {
  return [
    entry.seq, entry.at, entry.actor.kind, entry.actor.id ?? null, entry.actor.name ?? null, entry.actor.role ?? null, entry.action,
    entry.target ?? null, entry.outcome, entry.ip, entry.userAgent ?? null, entry.details === undefined ? null : JSON.stringify(entry.details),
    entry.prevHash, entry.hash,
  ];
}

export function toStoredRow(row: AuditRow): StoredRow {
  const seq = Number(row.seq);
  let details: JsonObject | undefined;
  try {
    details = row.details === null ? undefined : typeof row.details === 'string' ? (JSON.parse(row.details) as JsonObject) : row.details;
  } catch (error) {
    return { seq, unreadable: `details: ${(error as Error).message}` };
  }
  const actor: AuditEntry['actor'] = { kind: row.actor_kind as AuditEntry['actor']['kind'] };
  if (row.actor_id !== null) actor.id = row.actor_id;
  if (row.actor_name !== null) actor.name = row.actor_name;
  if (row.actor_role !== null) actor.role = row.actor_role;
  const entry: AuditEntry = {
    seq,
    at: row.at instanceof Date ? row.at.toISOString() : row.at,
    actor,
    action: row.action as AuditAction,
    outcome: row.outcome as AuditOutcome,
    ip: row.ip,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.target !== null) entry.target = row.target;
  if (row.user_agent !== null) entry.userAgent = row.user_agent;
  if (details !== undefined) entry.details = details;
  return { seq, entry };
}

/** For lists: a row that cannot be read is the chain's business (verify), but a list cannot show it. */
export function toEntry(row: AuditRow): AuditEntry {
  const stored = toStoredRow(row);
  if ('unreadable' in stored) throw new Error(`audit entry ${stored.seq} cannot be read (${stored.unreadable}); run the audit verify`);
  return stored.entry;
}
