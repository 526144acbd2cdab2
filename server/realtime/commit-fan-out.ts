/**
 * Cross-node fan-out of committed events through the Socket.io Redis adapter (issue 7). A node that commits events
 * sends them to the other nodes at once (`serverSideEmit`, one Redis PUBLISH); each node hands what it hears to its
 * log follower, which applies every event once, in seq order, reading any gap from the log. Clients are then served
 * by their own node from its ordered fold (`io.local`), so however many nodes there are, every client sees one
 * gapless sequence.
 *
 * Redis is the fast path, not the only one: a message lost while Redis is away (PUBLISH is fire-and-forget) is
 * made good by PostgreSQL's NOTIFY and the follower's poll, which read the log itself.
 */
import type { StoredEvent } from '../../shared/events.js';
import type { RedisClient } from '../redis.js';
import type { IoServer } from './io.js';

export const COMMITTED = 'log:committed' as const;

export interface FanOutStats {
  /** Batches this node sent to the others. */
  sent: number;
  /** Batches it heard from the others. */
  heard: number;
  /** Batches it did not send because Redis was not ready. */
  skipped: number;
}

export class CommitFanOut {
  readonly stats: FanOutStats = { sent: 0, heard: 0, skipped: 0 };

  constructor(
    private readonly io: IoServer,
    private readonly redis: RedisClient,
    onHeard: (events: readonly StoredEvent[]) => void,
  ) {
    io.on(COMMITTED, (text) => {
      this.stats.heard++;
      onHeard(JSON.parse(text) as StoredEvent[]);
    });
  }

  get ready(): boolean {
    return this.redis.isReady;
  }

  /** This node committed `events`: tell the others. Never throws; while Redis is away the log's own paths serve. */
  announce(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    // The client would queue the PUBLISH until Redis returns; by then the events are stale and the queue unbounded.
    if (!this.redis.isReady) {
      this.stats.skipped++;
      return;
    }
    this.stats.sent++;
    // As JSON text, the form the log itself returns: msgpack would turn an absent field into null.
    this.io.serverSideEmit(COMMITTED, JSON.stringify(events));
  }
}
