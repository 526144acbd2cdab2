/**
 * The event log contract every engine implements (SQLite and PostgreSQL); tests/store runs one contract
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
   * carries the stored event instead. With `options.precondition` the append rejects with AppendConflictError,
   * writing nothing, when the log already holds an event the caller did not see (see AppendPrecondition).
   */
  append(drafts: readonly EventDraft[], options?: AppendOptions): Promise<AppendOutcome[]>;
  /**
   * The stored events with these sourceKeys (any order; keys with none are left out), so intake can compare a retry
   * with what its sourceRef first stood for before writing anything.
   */
  bySourceKeys(keys: readonly string[]): Promise<StoredEvent[]>;
  /** Events with seq > afterSeq, in seq order, at most `limit` of them. */
  readAfter(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /**
   * The events with these seqs, in seq order, in one read (seqs not in the log are left out): what a list of rows
   * needs from the log (each case's report, a timeline's steps) without one read per row.
   */
  bySeqs(seqs: readonly number[]): Promise<StoredEvent[]>;
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

/** What an event is about: a case (every case event) or an alert (alert events, and whistles blown from one). */
export interface EventSubject {
  kind: 'case' | 'alert';
  id: string;
}

/**
 * "Refuse me if the log holds any event about `subject` with seq > `afterSeq`": the caller decided against state that
 * reflects the log up to `afterSeq`, so such an event is one its decision did not see (another node's, say). It is
 * checked under the append lock, against the log and the appends ahead of this one in the same group commit, so no
 * writer can slip in between the check and the write. Ignored when every draft is a duplicate (nothing is written),
 * so a retried command still gets its first answer. Which events are about what: server/store/subjects.ts.
 */
export interface AppendPrecondition {
  subject: EventSubject;
  afterSeq: number;
}

export interface AppendOptions {
  precondition?: AppendPrecondition;
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

/**
 * Most events an engine holds waiting for their commit (its append queue; the group in flight aside). Past it an
 * append is refused at once with StoreUnavailableError (the caller answers 503, nothing stored), so a log that cannot
 * keep up never grows an unbounded queue in memory.
 */
export const MAX_QUEUED_DRAFTS = 100_000;

/** The refusal for an append that would take the queue past MAX_QUEUED_DRAFTS, or undefined when it fits. */
export function queueFull(queue: ReadonlyArray<{ drafts: readonly unknown[] }>, adding: number): StoreUnavailableError | undefined {
  let queued = adding;
  for (const pending of queue) queued += pending.drafts.length;
  if (queued <= MAX_QUEUED_DRAFTS) return undefined;
  return new StoreUnavailableError(`the event log is overloaded: more than ${MAX_QUEUED_DRAFTS} events are waiting to be written; retry shortly`);
}

/** The append's precondition failed: nothing was written for it (the rest of its group commit is unaffected). */
export class AppendConflictError extends Error {
  override name = 'AppendConflictError';

  constructor(
    readonly precondition: AppendPrecondition,
    /** The latest event about the subject, at the time of the check: the caller's state is stale until it has applied it. */
    readonly seq: number,
  ) {
    const { subject, afterSeq } = precondition;
    super(`the event log holds event ${seq} about ${subject.kind} ${subject.id}, after seq ${afterSeq}`);
  }
}

/** The data directory holds another district's log. */
export class StoreMismatchError extends Error {
  override name = 'StoreMismatchError';
}
