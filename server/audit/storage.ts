/**
 * What the chained log needs from an engine (SQLite, PostgreSQL): transactions that hold the chain alone, a
 * consistent snapshot to read it in, and the filtered list. All chain logic lives above this, in chained-log.ts,
 * so both engines seal, verify and prune by the same code.
 */
import type { AuditEntry } from '../../shared/audit.js';
import type { ListQuery } from './validate.js';
import type { ChainPoint, StoredRow } from './chain.js';

export interface ChainReader {
  /** The start of the stored chain: the last pruned entry, or undefined before any pruning. */
  checkpoint(): Promise<ChainPoint | undefined>;
  /** The last entry appended, as recorded with it; undefined before the first. */
  head(): Promise<ChainPoint | undefined>;
  /** Up to `limit` stored rows with seq in (`after`, `through`], in seq order. */
  rows(after: number, limit: number, through?: number): Promise<StoredRow[]>;
}

export interface ChainWriter extends ChainReader {
  /** The first seq whose time is `at` or later, if any. */
  firstSeqAtOrAfter(at: string): Promise<number | undefined>;
  insert(entries: readonly AuditEntry[]): Promise<void>;
  setHead(head: ChainPoint): Promise<void>;
  /** Deletes every entry up to and including `checkpoint.seq` and makes it the chain's start. */
  cut(checkpoint: ChainPoint): Promise<number>;
}

export interface AuditStorage {
  /** One transaction that no other writer, in this process or another node, interleaves with. */
  write<T>(work: (chain: ChainWriter) => Promise<T>): Promise<T>;
  /** One consistent snapshot: rows and head as of one moment, however long the reading takes. */
  read<T>(work: (chain: ChainReader) => Promise<T>): Promise<T>;
  list(query: ListQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
