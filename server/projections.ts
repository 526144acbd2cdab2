/**
 * The in-memory read models, folded from the log in seq order: the wall's figures (shared with the client)
 * and the case index. Rebuilt from the store at start-up, then fed by the store's commit listener.
 */
import { toPublicEvent, type PublicEvent, type StoredEvent } from '../shared/events.js';
import { applyEvent, emptyWallState, type WallState } from '../shared/wall-state.js';
import { CaseIndex } from './domain/case-index.js';
import type { EventStore } from './store/event-store.js';

const REBUILD_PAGE = 20_000;

export class Projections {
  readonly wall: WallState;
  readonly cases = new CaseIndex();

  constructor(options: { tzOffsetMinutes: number; halfLifeHours: number }) {
    this.wall = emptyWallState(options);
  }

  get seq(): number {
    return this.wall.seq;
  }

  /** Folds committed events; returns their public views for the stream. */
  apply(events: readonly StoredEvent[]): PublicEvent[] {
    const published: PublicEvent[] = [];
    for (const event of events) {
      if (event.seq <= this.wall.seq) continue;
      if (event.seq !== this.wall.seq + 1) throw new Error(`event log gap: expected seq ${this.wall.seq + 1}, got ${event.seq}`);
      this.cases.apply(event);
      const pub = toPublicEvent(event);
      applyEvent(this.wall, pub);
      published.push(pub);
    }
    return published;
  }

  async rebuild(store: EventStore, onProgress?: (seq: number, last: number) => void): Promise<void> {
    const last = await store.lastSeq();
    for (;;) {
      const page = await store.readAfter(this.seq, REBUILD_PAGE);
      if (page.length === 0) break;
      this.apply(page);
      onProgress?.(this.seq, last);
    }
  }
}
