/**
 * Feeds the projections every committed event exactly once, in seq order, whichever node committed it (issue 7).
 * This process's own commits arrive through `store.onCommit`; when they are contiguous with what is applied and no
 * catch-up is running, they are applied at once, in the commit listener (so on SQLite, where they always are,
 * nothing changes). A batch after a gap, or word from `onRemoteCommit` (PostgreSQL NOTIFY) or the periodic poll
 * that the log has grown, starts the one serialized catch-up: it reads the missing range with `readAfter` and
 * applies it, then whatever own commits were held back meanwhile. For a batch held back that way the listener
 * returns the catch-up, and the store resolves the appends after it: a 2xx still means the node's projections hold
 * the event (unless the log became unreachable in between; the catch-up then retries on its own).
 */
import type { StoredEvent } from '../shared/events.js';
import type { Logger } from './log.js';
import type { EventStore } from './store/event-store.js';
import { streamCounters } from './realtime/stream-health.js';

const PAGE = 1000;
/**
 * Most events held back while a catch-up runs. Past it the newest are let go (counted in streamCounters): they are in
 * the log, and the catch-up, which reads up to the highest seq it has heard of, reads them back instead.
 */
export const MAX_HELD = 50_000;
/** After a failed read (the log unreachable) the next try waits this long, unless the poll comes first. */
const RETRY_MS = 1000;

export interface LogFollowerDeps {
  store: EventStore;
  /** The seq the projections have applied. */
  appliedSeq: () => number;
  /** Applies events; they always start at appliedSeq() + 1 and are contiguous. */
  apply: (events: readonly StoredEvent[]) => void;
  log: Logger;
}

export class LogFollower {
  /** The highest seq known to be committed. */
  #target = 0;
  /** Own commits that arrived after a gap, waiting for the catch-up to reach them. */
  #held: StoredEvent[] = [];
  #catching: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** A remote-commit signal waiting out its grace (see options.remoteGraceMs), and the highest seq it named. */
  #grace: ReturnType<typeof setTimeout> | undefined;
  #graceTarget = 0;
  #poll: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly deps: LogFollowerDeps,
    private readonly options: {
      /** How often to ask the log for its last seq when other processes write it; a safety net under NOTIFY. */
      pollMs: number;
      /**
       * How long a remote-commit signal (NOTIFY) waits before the follower reads the log itself. While other nodes'
       * batches come over Redis they arrive within this time (NOTIFY fires at COMMIT, a moment before the committing
       * node can send the batch), so the log is read only for what Redis lost. 0 (default): read at once.
       */
      remoteGraceMs?: () => number;
      /** Bound on events held back during a catch-up (default MAX_HELD). */
      maxHeld?: number;
    },
  ) {}

  start(): void {
    const { store } = this.deps;
    this.#unsubscribe.push(store.onCommit((events) => this.#onCommit(events)));
    if (store.onRemoteCommit) {
      this.#unsubscribe.push(store.onRemoteCommit((lastSeq) => this.#remoteCommitted(lastSeq)));
      this.#poll = setInterval(() => void this.#checkLog(), this.options.pollMs);
      this.#poll.unref();
    }
  }

  /**
   * Events another node committed, heard over the cluster's fan-out (server/realtime/commit-fan-out.ts): applied
   * at once when they follow on, else held until the catch-up has read what lies before them.
   */
  receive(events: readonly StoredEvent[]): void {
    void this.#onCommit(events);
  }

  #onCommit(events: readonly StoredEvent[]): Promise<void> | undefined {
    if (this.#closed || events.length === 0) return;
    const applied = this.deps.appliedSeq();
    const fresh = events[0]!.seq <= applied ? events.filter((e) => e.seq > applied) : events;
    if (fresh.length === 0) return;
    if (!this.#catching && this.#held.length === 0 && fresh[0]!.seq === applied + 1) {
      this.deps.apply(fresh);
      return;
    }
    this.#hold(fresh);
    this.#behind(fresh[fresh.length - 1]!.seq);
    return this.#catching;
  }

  #remoteCommitted(lastSeq: number): void {
    const grace = this.options.remoteGraceMs?.() ?? 0;
    if (grace <= 0) {
      this.#behind(lastSeq);
      return;
    }
    this.#graceTarget = Math.max(this.#graceTarget, lastSeq);
    this.#grace ??= setTimeout(() => {
      this.#grace = undefined;
      this.#behind(this.#graceTarget);
    }, grace);
    this.#grace.unref();
  }

  /** Keeps #held in seq order without repeats: own commits and other nodes' batches arrive interleaved. */
  #hold(events: readonly StoredEvent[]): void {
    const last = this.#held[this.#held.length - 1];
    if (!last || events[0]!.seq > last.seq) {
      for (const event of events) this.#held.push(event);
    } else {
      const bySeq = new Map(this.#held.map((e) => [e.seq, e]));
      for (const event of events) bySeq.set(event.seq, event);
      this.#held = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    }
    if (this.#held.length > (this.options.maxHeld ?? MAX_HELD)) {
      const dropped = this.#held.length - (this.options.maxHeld ?? MAX_HELD);
      this.#held.length = this.options.maxHeld ?? MAX_HELD;
      streamCounters.followerHeldDropped += dropped;
      this.deps.log.warn({ dropped, applied: this.deps.appliedSeq(), target: this.#target }, 'log follower: too many events held during a catch-up; the newest will be read back from the log');
    }
  }

  /** The log holds events up to `lastSeq`: catch up if the projections lack some. */
  #behind(lastSeq: number): void {
    if (lastSeq > this.#target) this.#target = lastSeq;
    if (this.#closed || this.#target <= this.deps.appliedSeq()) return;
    this.#catching ??= this.#catchUp().finally(() => {
      this.#catching = undefined;
      if (this.#target > this.deps.appliedSeq() && !this.#retry) this.#behind(this.#target);
    });
  }

  async #checkLog(): Promise<void> {
    try {
      this.#behind(await this.deps.store.lastSeq());
    } catch {
      // The log is unreachable: the store's callers report it; the next poll tries again.
    }
  }

  async #catchUp(): Promise<void> {
    try {
      while (!this.#closed && this.deps.appliedSeq() < this.#target) {
        if (this.#applyHeld()) continue;
        const applied = this.deps.appliedSeq();
        const until = this.#held[0]?.seq ?? this.#target + 1;
        const page = await this.deps.store.readAfter(applied, Math.min(PAGE, Math.max(1, until - applied - 1)));
        if (this.#closed) return;
        const fresh = page.filter((e) => e.seq > this.deps.appliedSeq());
        if (page.length === 0) {
          // Held commits are in the log, so it cannot be empty past them: read again after a pause.
          if (this.#held.length) throw new Error(`the event log has nothing after seq ${applied}, though seq ${this.#held[0]!.seq} committed`);
          this.#target = applied;
          return;
        }
        if (fresh.length) this.#applyContiguous(fresh);
        if (page[page.length - 1]!.seq > this.#target) this.#target = page[page.length - 1]!.seq;
      }
      this.#applyHeld();
    } catch (error) {
      this.deps.log.warn({ err: error, applied: this.deps.appliedSeq(), target: this.#target }, 'could not read the event log to catch up; retrying');
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#behind(this.#target);
      }, RETRY_MS);
      this.#retry.unref();
    }
  }

  /** Applies the held own commits that now follow on; true if it applied any. */
  #applyHeld(): boolean {
    const applied = this.deps.appliedSeq();
    this.#held = this.#held.filter((e) => e.seq > applied);
    let run = 0;
    while (run < this.#held.length && this.#held[run]!.seq === applied + run + 1) run++;
    if (run === 0) return false;
    this.deps.apply(this.#held.splice(0, run));
    return true;
  }

  #applyContiguous(events: readonly StoredEvent[]): void {
    const applied = this.deps.appliedSeq();
    if (events[0]!.seq !== applied + 1) throw new Error(`event log gap: expected seq ${applied + 1}, read ${events[0]!.seq}`);
    this.deps.apply(events);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#poll);
    clearTimeout(this.#retry);
    clearTimeout(this.#grace);
    this.#retry = undefined;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }
}
