/**
 * Turns committed events into room emits. Events are coalesced: the first event after a quiet spell goes out at
 * once (on the next tick, with whatever else committed in that tick); after that, at most one batch per window.
 * At 20 events/s nearly every event travels alone; at 200 events/s one emit carries several, which is what keeps
 * 1,000 sockets fed (DESIGN.md §8).
 */
import type { PublicEvent } from '../../shared/events.js';

export interface BatchEmitter {
  (batch: PublicEvent[]): void;
}

export class CoalescingPublisher {
  #pending: PublicEvent[] = [];
  #cancel: (() => void) | undefined;
  #lastEmit = -Infinity;

  constructor(
    private readonly emit: BatchEmitter,
    private readonly options: { windowMs: number; clock?: () => number },
  ) {}

  publish(events: readonly PublicEvent[]): void {
    if (events.length === 0) return;
    this.#pending.push(...events);
    if (this.#cancel) return;
    const wait = this.#lastEmit + this.options.windowMs - this.#now();
    if (wait > 0) {
      const timer = setTimeout(() => this.flush(), wait);
      this.#cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.flush());
      this.#cancel = () => clearImmediate(immediate);
    }
  }

  #now(): number {
    return (this.options.clock ?? performance.now.bind(performance))();
  }

  flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#lastEmit = this.#now();
    this.emit(batch);
  }

  close(): void {
    this.flush();
  }
}
