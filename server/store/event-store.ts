/**
 * The event log contract every engine implements (SQLite now, PostgreSQL later); tests/store runs one contract
 * suite against each. The log is the record: seq is gapless and commit-ordered, and append resolves only once the
 * events are durable.
 */
import type { EventDraft, StoredEvent } from '../../shared/events.js';

export interface AppendOutcome {
  event: StoredEvent;
  /** True when a stored event already had the draft's sourceKey: nothing was appended for it. */
  duplicate: boolean;
}

export interface EventStore {
  /**
   * Appends the drafts in order, all or none. Concurrent calls may share one commit (group commit).
   * A draft whose sourceKey is already stored (or earlier in the same call) is not appended; its outcome
   * carries the stored event instead.
   */
  append(drafts: readonly EventDraft[]): Promise<AppendOutcome[]>;
  /** Events with seq > afterSeq, in seq order, at most `limit` of them. */
  readAfter(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  lastSeq(): Promise<number>;
  /**
   * Calls `listener` with every batch of newly committed events, in seq order, before the appends that wrote
   * them resolve: whoever got a 2xx can already read their event from the projections. A store that reports
   * remote commits (below) lets a listener return a promise, for a batch that follows events other processes
   * committed: its appends resolve once that settles, so the listener can read and apply those first.
   */
  onCommit(listener: CommitListener): () => void;
  /**
   * Only on a log several processes write (PostgreSQL): calls `listener` with the log's last seq when another
   * process may have committed, so this one reads the new events with readAfter (server/log-follower.ts). Such a
   * store's onCommit batches may then start after a gap that only readAfter fills. Absent: onCommit alone sees
   * every event, contiguously.
   */
  onRemoteCommit?(listener: RemoteCommitListener): () => void;
  close(): Promise<void>;
}

/** What it returns is ignored unless it is a promise and the store reports remote commits (see onCommit). */
export type CommitListener = (events: readonly StoredEvent[]) => unknown;
export type RemoteCommitListener = (lastSeq: number) => void;

/** The store could not take or serve the write (disk, connection): callers answer 503, never a false 2xx. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The data directory holds another district's log. */
export class StoreMismatchError extends Error {
  override name = 'StoreMismatchError';
}
