/**
 * Orders what the socket delivers into the wall state (docs/architecture.md §4, realtime protocol): snapshots replace the state,
 * events are applied strictly in seq order, once. Bursts are held until the next frame and applied in one go; a gap
 * (an event beyond applied + 1) asks the server for what is missing with one `sync` at a time. Plain TypeScript with
 * injected scheduling so tests drive it frame by frame.
 */
import type { PublicEvent } from '../../shared/events.js';
import type { Response, SyncResult, WallSnapshot } from '../../shared/socket.js';

export interface DeltaTarget {
  /** Seq of the state held, or null before the first snapshot. */
  seq(): number | null;
  replace(snapshot: WallSnapshot): void;
  /** Events in ascending, gapless seq order, each beyond `seq()`. */
  apply(events: PublicEvent[]): void;
}

export interface DeltaQueueDeps {
  target: DeltaTarget;
  /** `stalled`: asked because the client stayed behind the server's heartbeat (the server counts those). */
  sync(lastSeq: number, stalled?: boolean): Promise<Response<SyncResult>>;
  /** Runs `flush` before the next paint: requestAnimationFrame in the browser. */
  scheduleFrame(flush: () => void): void;
  /** Runs `retry` later: setTimeout in the browser. */
  scheduleRetry(retry: () => void, ms: number): void;
  retryMs?: number;
  /** Bound on events held while waiting for a gap to fill; past it they are dropped and a sync refetches them. */
  maxPending?: number;
}

export class DeltaQueue {
  readonly #deps: DeltaQueueDeps;
  readonly #maxPending: number;
  #pending = new Map<number, PublicEvent>();
  #snapshot: WallSnapshot | null = null;
  #frameRequested = false;
  #syncing = false;
  #retryPending = false;
  #syncCount = 0;

  constructor(deps: DeltaQueueDeps) {
    this.#deps = deps;
    this.#maxPending = deps.maxPending ?? 20_000;
  }

  /** Number of sync requests sent so far. */
  get syncCount(): number {
    return this.#syncCount;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  pushSnapshot(snapshot: WallSnapshot): void {
    this.#snapshot = snapshot;
    this.#requestFrame();
  }

  pushEvents(batch: readonly PublicEvent[]): void {
    const floor = this.#floor();
    for (const event of batch) {
      if (floor !== null && event.seq <= floor) continue;
      this.#pending.set(event.seq, event);
    }
    if (this.#pending.size > this.#maxPending) this.#pending.clear();
    if (this.#pending.size > 0) this.#requestFrame();
  }

  /** Applies everything that is ready; called once per frame by the scheduler. */
  flush(): void {
    this.#frameRequested = false;
    const { target } = this.#deps;
    if (this.#snapshot) {
      // Always taken, even behind what is held: the server sends one when this client is ahead of its log (a wiped
      // data directory), and if it were merely late, the next live event shows a gap that a sync closes.
      target.replace(this.#snapshot);
      this.#snapshot = null;
    }
    const applied = target.seq();
    if (applied === null) return; // nothing to apply events to until the first snapshot arrives
    const ready: PublicEvent[] = [];
    let next = applied + 1;
    for (const seq of [...this.#pending.keys()].sort((a, b) => a - b)) {
      if (seq < next) this.#pending.delete(seq);
      else if (seq === next) {
        ready.push(this.#pending.get(seq)!);
        this.#pending.delete(seq);
        next += 1;
      } else break;
    }
    if (ready.length > 0) target.apply(ready);
    if (this.#pending.size > 0) this.#requestSync();
  }

  /** Asks for what followed the applied seq even without a visible gap (the stall watch: behind the log's head). */
  resync(stalled = false): void {
    this.#requestSync(stalled);
  }

  /** Events at or below this are already reflected (or will be, by the snapshot waiting for the next frame). */
  #floor(): number | null {
    return this.#snapshot ? this.#snapshot.state.seq : this.#deps.target.seq();
  }

  #requestFrame(): void {
    if (this.#frameRequested) return;
    this.#frameRequested = true;
    this.#deps.scheduleFrame(() => this.flush());
  }

  #requestSync(stalled = false): void {
    const lastSeq = this.#deps.target.seq();
    if (this.#syncing || this.#retryPending || lastSeq === null) return;
    this.#syncing = true;
    this.#syncCount += 1;
    const settle = (response: Response<SyncResult>): void => {
      this.#syncing = false;
      if (!response.ok) {
        this.#retryLater();
        return;
      }
      const result = response.data;
      if (result.mode === 'snapshot') this.pushSnapshot(result.snapshot);
      else {
        this.pushEvents(result.events);
        // An empty replay means the server has nothing past lastSeq: the events held beyond the gap are
        // ahead of what the server committed for us, so they can only be retried, not applied.
        if (result.events.length === 0 && this.#pending.size > 0) this.#retryLater();
      }
      this.#requestFrame();
    };
    (stalled ? this.#deps.sync(lastSeq, true) : this.#deps.sync(lastSeq)).then(settle, () => settle({ ok: false, error: { code: 'unavailable', message: 'sync failed' } }));
  }

  #retryLater(): void {
    if (this.#retryPending) return;
    this.#retryPending = true;
    this.#deps.scheduleRetry(() => {
      this.#retryPending = false;
      this.#requestFrame();
      if (this.#pending.size > 0) this.#requestSync();
    }, this.#deps.retryMs ?? 1000);
  }
}
