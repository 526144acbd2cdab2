/**
 * What a (re)connecting client needs to be exactly up to date: the events after its last applied seq, read back
 * from the log, or a fresh snapshot when it is too far behind (or ahead: a wiped data directory).
 */
import type { WallSnapshot, SyncResult } from '../../shared/socket.js';
import { toPublicEvent, type PublicEvent } from '../../shared/events.js';
import type { Projections } from '../projections.js';
import type { EventStore } from '../store/event-store.js';

export class CatchUp {
  #cachedSeq = -1;
  #cachedState = '';

  constructor(private readonly deps: { store: EventStore; projections: Projections; replayLimit: number; clock: () => number }) {}

  /** The seq this node's projections have applied. */
  get appliedSeq(): number {
    return this.deps.projections.seq;
  }

  snapshot(): WallSnapshot {
    const { projections, clock } = this.deps;
    // One serialisation per seq, however many clients connect in between.
    if (this.#cachedSeq !== projections.seq) {
      this.#cachedState = JSON.stringify(projections.wall);
      this.#cachedSeq = projections.seq;
    }
    return { serverTime: new Date(clock()).toISOString(), state: JSON.parse(this.#cachedState) };
  }

  /**
   * Resolves with events up to the projections' current seq. Reads loop until no event committed during the
   * last read is left out. `current` is called with the result in the very tick it is complete up to the
   * projections' seq, before any other commit can be applied: a caller that joins the live room there misses
   * nothing and gets nothing twice (server/realtime/connection.ts).
   */
  async since(lastSeq: number | undefined, current?: (result: SyncResult) => void): Promise<SyncResult> {
    const { projections, store, replayLimit } = this.deps;
    const done = (result: SyncResult) => {
      current?.(result);
      return result;
    };
    if (lastSeq === undefined || lastSeq > projections.seq || projections.seq - lastSeq > replayLimit) {
      return done({ mode: 'snapshot', snapshot: this.snapshot() });
    }
    const events: PublicEvent[] = [];
    let cursor = lastSeq;
    while (cursor < projections.seq) {
      const page = await store.readAfter(cursor, Math.min(1000, projections.seq - cursor));
      if (page.length === 0) break;
      for (const e of page) events.push(toPublicEvent(e));
      cursor = page[page.length - 1]!.seq;
      if (events.length > replayLimit) return done({ mode: 'snapshot', snapshot: this.snapshot() });
    }
    return done({ mode: 'replay', events });
  }
}
