/**
 * The hash chain, pure: sealing new entries onto a chain's end, and checking stored entries one by one.
 *
 * hash = sha256(prevHash + canonicalJson(entry without prevHash and hash)), hex. The first entry's prevHash is 64
 * zeros; after pruning, the chain starts from a checkpoint (the seq and hash of the last pruned entry). The log also
 * records its head (the seq and hash of the last entry) on every append, so cutting entries off the end shows too.
 *
 * What this proves: that nobody changed, removed or reordered entries without also rewriting every hash after them
 * and the head. Someone with write access to the database can do exactly that; to catch it, keep a copy of the
 * head elsewhere now and then (a log line, a printed report) and compare.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../../shared/audit.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

/** A position in the chain: an entry's seq and hash (seq 0 and 64 zeros before the first). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

export const GENESIS: ChainPoint = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/** What the hash covers: everything but the chain links themselves. */
export type AuditContent = Omit<AuditEntry, 'prevHash' | 'hash'>;

export function hashEntry(prevHash: string, content: AuditContent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}

/** The hashed fields of an entry, in a fresh object (an entry read back from storage may carry nothing else). */
export function contentOf(entry: AuditEntry): AuditContent {
  const { prevHash: _prev, hash: _hash, ...content } = entry;
  return content;
}

/** Numbers and links `records` after `head`, all stamped `at`. */
export function seal(head: ChainPoint, records: readonly AuditRecord[], at: string): AuditEntry[] {
  let prev = head;
  return records.map((record) => {
    const content: AuditContent = { seq: prev.seq + 1, at, ...record };
    const entry: AuditEntry = { ...content, prevHash: prev.hash, hash: hashEntry(prev.hash, content) };
    prev = { seq: entry.seq, hash: entry.hash };
    return entry;
  });
}

/** The first place the chain does not hold, and why. */
export interface ChainBreak {
  seq: number;
  reason: string;
}

/** A stored row: its entry, or why it could not be read (a tampered column that no longer parses). */
export type StoredRow = { seq: number; entry: AuditEntry } | { seq: number; unreadable: string };

/**
 * Walks a chain in seq order from its start (genesis or the checkpoint). Feed it every stored row after the start,
 * then `end` with the recorded head. Each call returns the first break it finds, or undefined.
 */
export class ChainVerifier {
  #last: ChainPoint;
  #count = 0;

  constructor(readonly start: ChainPoint) {
    this.#last = start;
  }

  get entries(): number {
    return this.#count;
  }

  get last(): ChainPoint {
    return this.#last;
  }

  check(row: StoredRow): ChainBreak | undefined {
    const expected = this.#last.seq + 1;
    if (row.seq > expected) {
      const missing = row.seq - 1 === expected ? `entry ${expected} is` : `entries ${expected}–${row.seq - 1} are`;
      return { seq: expected, reason: `${missing} missing (deleted): the next stored entry is ${row.seq}` };
    }
    if (row.seq < expected) return { seq: row.seq, reason: `entry ${row.seq} is out of order (expected ${expected})` };
    if ('unreadable' in row) return { seq: row.seq, reason: `the stored entry cannot be read (${row.unreadable})` };
    const { entry } = row;
    if (entry.prevHash !== this.#last.hash) {
      const before = this.#last.seq === this.start.seq ? (this.start.seq === 0 ? 'the chain start (64 zeros)' : `the checkpoint (entry ${this.start.seq})`) : `entry ${this.#last.seq}`;
      return { seq: entry.seq, reason: `its prevHash does not match the hash of ${before}` };
    }
    if (hashEntry(entry.prevHash, contentOf(entry)) !== entry.hash) {
      return { seq: entry.seq, reason: 'its hash does not match its contents: the entry was altered' };
    }
    this.#last = { seq: entry.seq, hash: entry.hash };
    this.#count++;
    return undefined;
  }

  /** After the last row: the chain must end exactly at the head the log recorded with its last append. */
  end(head: ChainPoint | undefined): ChainBreak | undefined {
    const last = this.#last;
    if (!head) {
      return last.seq === this.start.seq ? undefined : { seq: last.seq, reason: 'the recorded head of the log is missing' };
    }
    if (head.seq > last.seq) {
      const missing = head.seq === last.seq + 1 ? `entry ${head.seq} is` : `entries ${last.seq + 1}–${head.seq} are`;
      return { seq: last.seq + 1, reason: `${missing} missing (deleted): the log's recorded head is entry ${head.seq}` };
    }
    if (head.seq < last.seq) return { seq: head.seq + 1, reason: `entries after the recorded head (entry ${head.seq}) were added outside the log` };
    if (head.hash !== last.hash) return { seq: last.seq, reason: 'its hash does not match the recorded head of the log' };
    return undefined;
  }
}
