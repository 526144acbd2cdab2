/**
 * Turns committed events into room emits, coalescing only under load (issue 17). Emits are paced by a token bucket:
 * one token per emit, refilled at one per `windowMs`, holding at most `burst`. While a token is there a commit goes
 * out at once, in the commit's own tick (a quiet stream adds no delay: at 20 events/s nearly every event travels alone
 * and none waits); once the bucket is empty, events wait for the next token and travel together, at most one batch
 * per window (at 200 events/s one emit carries several, which is what keeps 1,000 sockets fed, docs/performance.md).
 *
 * Bounded: past `maxPending` events waiting, they go out at once regardless of the window (one emit more is cheaper
 * than holding an unbounded backlog), counted in streamCounters.publisherOverflows.
 */
import type { PublicEvent } from '../../shared/events.js';
import { streamCounters } from './stream-health.js';

export interface BatchEmitter {
  (batch: PublicEvent[]): void;
}

export const DEFAULT_BURST = 8;
export const DEFAULT_MAX_PENDING = 50_000;

export class CoalescingPublisher {
  #pending: PublicEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tokens: number;
  #refilledAt: number;
  readonly #burst: number;
  readonly #maxPending: number;

  constructor(
    private readonly emit: BatchEmitter,
    private readonly options: { windowMs: number; burst?: number; maxPending?: number; clock?: () => number },
  ) {
    this.#burst = Math.max(1, options.burst ?? DEFAULT_BURST);
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#tokens = this.#burst;
    this.#refilledAt = this.#now();
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  publish(events: readonly PublicEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.#pending.push(event);
    if (this.#pending.length > this.#maxPending) {
      streamCounters.publisherOverflows++;
      this.flush();
      return;
    }
    if (this.#timer) return;
    this.#refill();
    if (this.#tokens >= 1) {
      this.flush();
      return;
    }
    const wait = Math.ceil((1 - this.#tokens) * this.options.windowMs);
    this.#timer = setTimeout(() => this.flush(), wait);
  }

  #now(): number {
    return (this.options.clock ?? performance.now.bind(performance))();
  }

  #refill(): void {
    const now = this.#now();
    const { windowMs } = this.options;
    this.#tokens = windowMs <= 0 ? this.#burst : Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) / windowMs);
    this.#refilledAt = now;
  }

  /** Sends whatever is pending now (a catch-up about to join a socket to the room calls it first). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#refill();
    this.#tokens = Math.max(0, this.#tokens - 1);
    this.emit(batch);
  }

  close(): void {
    this.flush();
  }
}
