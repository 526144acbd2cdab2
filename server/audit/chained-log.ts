/**
 * The audit log over any storage: validation, group commit, sealing, verifying and pruning, the same for both engines.
 *
 * Records that arrive while a commit is in flight wait and share the next one (one fsync or one PostgreSQL
 * transaction for a burst of logins). Every write, records and prune steps alike, runs one at a time in this
 * process; across nodes the storage's own lock serialises them.
 */
import type { AuditDraft, AuditEntry, AuditRecord } from '../../shared/audit.js';
import type { AuditFilter, AuditLog, VerifyResult } from './contract.js';
import { ChainVerifier, GENESIS, seal, type ChainPoint } from './chain.js';
import { AuditChainBrokenError, AuditUnavailableError, AuditValidationError } from './errors.js';
import type { AuditStorage, ChainWriter } from './storage.js';
import { parseDrafts, parseFilter } from './validate.js';

/** Records per commit at most; the rest wait for the next. */
const MAX_GROUP = 500;
/** Rows per read while verifying: memory stays flat however long the chain. */
const VERIFY_PAGE = 1000;
/** Entries deleted per prune transaction, so a first prune of months of entries holds the lock only briefly. */
const PRUNE_CHUNK = 1000;

interface Waiting {
  records: AuditRecord[];
  resolve: (entries: AuditEntry[]) => void;
  reject: (error: unknown) => void;
}

export class ChainedAuditLog implements AuditLog {
  readonly #storage: AuditStorage;
  readonly #clock: () => number;
  #queue: Waiting[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  /** The end of this process's chain of writes. */
  #tail: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(storage: AuditStorage, clock: () => number) {
    this.#storage = storage;
    this.#clock = clock;
  }

  record(draft: AuditDraft): Promise<AuditEntry> {
    return this.recordMany([draft]).then((entries) => entries[0]!);
  }

  recordMany(drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    if (this.#closing) return Promise.reject(new AuditUnavailableError('the audit log is closed'));
    let records: AuditRecord[];
    try {
      records = parseDrafts(drafts);
    } catch (error) {
      return Promise.reject(error);
    }
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ records, resolve, reject });
      this.#schedule();
    });
  }

  /** Waits for the current turn of the event loop, so records made together commit together. */
  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#flushing || this.#queue.length === 0) return;
    let count = 0;
    let take = 0;
    while (take < this.#queue.length && (take === 0 || count + this.#queue[take]!.records.length <= MAX_GROUP)) {
      count += this.#queue[take]!.records.length;
      take++;
    }
    const group = this.#queue.splice(0, take);
    this.#flushing = this.#serial(() => this.#storage.write((chain) => this.#append(chain, group.flatMap((w) => w.records))))
      .then(
        (entries) => {
          let at = 0;
          for (const waiting of group) waiting.resolve(entries.slice(at, (at += waiting.records.length)));
        },
        (error: unknown) => {
          for (const waiting of group) waiting.reject(error);
        },
      )
      .finally(() => {
        this.#flushing = undefined;
        this.#flush();
      });
  }

  /** Runs writes one after another, whatever became of the one before. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Inside a write: the head is read under the chain lock, and the clock too, so `at` follows commit order on a node. */
  async #append(chain: ChainWriter, records: readonly AuditRecord[]): Promise<AuditEntry[]> {
    const head = (await chain.head()) ?? (await chain.checkpoint()) ?? GENESIS;
    const entries = seal(head, records, new Date(this.#clock()).toISOString());
    await chain.insert(entries);
    const last = entries[entries.length - 1]!;
    await chain.setHead({ seq: last.seq, hash: last.hash });
    return entries;
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    this.#assertOpen();
    return this.#storage.list(parseFilter(filter));
  }

  async verify(): Promise<VerifyResult> {
    this.#assertOpen();
    return this.#storage.read(async (chain) => {
      const start = (await chain.checkpoint()) ?? GENESIS;
      const head = await chain.head();
      const verifier = new ChainVerifier(start);
      for (let after = start.seq; ; ) {
        const rows = await chain.rows(after, VERIFY_PAGE);
        for (const row of rows) {
          const broken = verifier.check(row);
          if (broken) return { ok: false, ...broken };
        }
        if (rows.length < VERIFY_PAGE) break;
        after = rows[rows.length - 1]!.seq;
      }
      const broken = verifier.end(head);
      return broken ? { ok: false, ...broken } : { ok: true, entries: verifier.entries, head: verifier.last };
    });
  }

  async prune(before: Date): Promise<number> {
    this.#assertOpen();
    if (!(before instanceof Date) || Number.isNaN(before.getTime())) throw new AuditValidationError(['before: must be a valid Date']);
    const at = before.toISOString();
    // Fixed by the first step: entries appended while pruning are never part of it.
    let cutoff: number | undefined;
    let total = 0;
    for (;;) {
      const step = await this.#serial(() =>
        this.#storage.write(async (chain) => {
          const start = (await chain.checkpoint()) ?? GENESIS;
          cutoff ??= (await chain.firstSeqAtOrAfter(at)) ?? ((await chain.head()) ?? start).seq + 1;
          const rows = await chain.rows(start.seq, PRUNE_CHUNK, cutoff - 1);
          const verifier = new ChainVerifier(start);
          for (const row of rows) {
            const broken = verifier.check(row);
            if (broken) throw new AuditChainBrokenError(broken.seq, `${broken.reason}; nothing from there on was pruned`);
          }
          if (rows.length) await chain.cut(verifier.last);
          const done = rows.length < PRUNE_CHUNK;
          const deleted = total + rows.length;
          // In the same transaction as the last deletion: no prune without its entry.
          if (done && deleted > 0) await this.#append(chain, [prunedRecord(at, deleted, verifier.last)]);
          return { deleted: rows.length, done };
        }),
      );
      total += step.deleted;
      if (step.done) return total;
    }
  }

  #assertOpen(): void {
    if (this.#closing) throw new AuditUnavailableError('the audit log is closed');
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#flush();
      while (this.#flushing) await this.#flushing;
      await this.#tail;
      await this.#storage.close();
    })();
    return this.#closing;
  }
}

function prunedRecord(before: string, deleted: number, checkpoint: ChainPoint): AuditRecord {
  return {
    actor: { kind: 'system', name: 'retention' },
    action: 'audit.pruned',
    outcome: 'ok',
    ip: '',
    details: { before, deleted, checkpointSeq: checkpoint.seq, checkpointHash: checkpoint.hash },
  };
}
