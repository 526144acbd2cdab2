/**
 * The in-memory read models, folded from the log in seq order: the wall's figures (shared with the client), the
 * case index, the risk engine's alerts and the leader's statistics. Rebuilt from the store at start-up, then fed by
 * the store's commit listener.
 */
import { isAccessEvent, toPublicEvent, type EventDraft, type PublicEvent, type StoredEvent } from '../shared/events.js';
import { applyEvent, emptyWallState, type WallState } from '../shared/wall-state.js';
import { CaseIndex } from './domain/case-index.js';
import { Directory } from './domain/directory.js';
import { LeaderStats } from './domain/leader-stats.js';
import { RiskEngine, type RiskEngineOptions } from './domain/risk/engine.js';
import type { EventStore } from './store/event-store.js';

const REBUILD_PAGE = 20_000;

export interface ProjectionSettings {
  tzOffsetMinutes: number;
  halfLifeHours: number;
  /** The risk rules; without them no rule alerts are decided (alerts from intake are still folded). */
  risk?: RiskEngineOptions;
}

export class Projections {
  readonly wall: WallState;
  readonly cases = new CaseIndex();
  readonly risk: RiskEngine | null;
  readonly leader: LeaderStats;
  /** Users, kiosks, integration keys and ended sessions. */
  readonly directory: Directory;
  /** Alert drafts the rules decided and nobody has taken yet (the risk service appends them). */
  #decided: EventDraft[] = [];

  constructor(
    readonly settings: ProjectionSettings,
    restored?: { risk?: RiskEngine; leader?: LeaderStats; directory?: Directory },
  ) {
    this.wall = emptyWallState(settings);
    this.risk = restored?.risk ?? (settings.risk ? new RiskEngine(settings.risk) : null);
    this.leader = restored?.leader ?? new LeaderStats({ tzOffsetMinutes: settings.tzOffsetMinutes });
    this.directory = restored?.directory ?? new Directory();
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
      if (isAccessEvent(event)) this.directory.apply(event);
      if (this.risk) {
        const decided = this.risk.apply(event);
        if (decided.length) this.#decided.push(...decided);
      }
      const pub = toPublicEvent(event);
      this.leader.apply(pub, this.wall);
      applyEvent(this.wall, pub);
      published.push(pub);
    }
    return published;
  }

  /** Hands over the alert drafts decided since the last call. */
  takeDecided(): EventDraft[] {
    const drafts = this.#decided;
    this.#decided = [];
    return drafts;
  }

  async rebuild(store: EventStore, onProgress?: (seq: number, last: number) => void): Promise<void> {
    const last = await store.lastSeq();
    for (;;) {
      const page = await store.readAfter(this.seq, REBUILD_PAGE);
      if (page.length === 0) break;
      this.apply(page);
      // What a replay decides is already in the log (or is found by `risk.unconfirmed()` afterwards).
      this.#decided = [];
      onProgress?.(this.seq, last);
      // A page read from SQLite resolves at once: without this the replay would hold the event loop to its end, and
      // the server, listening already, could not answer /readyz `starting` (or anything) meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
