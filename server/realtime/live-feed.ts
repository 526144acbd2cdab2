/**
 * The live route (docs/architecture.md §4): every committed event, from this node or another, once and in seq order,
 * into this node's projections and out to its screens. One way in — `LogFollower` hands each run of events to
 * `#apply` — and one step per stream out of it:
 *   - the wall stream: the public events the projections return, coalesced by the publisher into `events` batches;
 *   - the consoles: `case:changed` notices per room (duty, leader, each department);
 *   - the duty desk and leaders: `alert:changed` notices;
 *   - the risk rules, told that the log moved;
 *   - the heartbeat, told what each room last heard, so a screen never stays silently behind.
 * On several nodes the commit fan-out (Redis) announces this node's commits to the others before it applies them and
 * hands the others' to the follower; PostgreSQL's NOTIFY and a poll are the safety net under it.
 * Every emit is `io.local`: each node streams its own clients from its own ordered fold.
 */
import type { PublicEvent, StoredEvent } from '../../shared/events.js';
import { rooms } from '../../shared/rooms.js';
import type { Lease } from '../lease.js';
import { LogFollower } from '../log-follower.js';
import type { Logger } from '../log.js';
import type { Projections } from '../projections.js';
import type { RedisClient } from '../redis.js';
import { RiskService } from '../risk-service.js';
import type { EventStore } from '../store/event-store.js';
import { CatchUp } from './catch-up.js';
import { CommitFanOut } from './commit-fan-out.js';
import type { IoServer } from './io.js';
import { alertNotices, caseNotices } from './notices.js';
import { CoalescingPublisher } from './publisher.js';
import { StreamHeartbeat } from './stream-health.js';

/** While Redis carries other nodes' commits, a NOTIFY waits this long for their batch before the log is read. */
const REMOTE_GRACE_MS = 200;
/** This node's fold behind the log's head for longer than this is a stall: logged and counted (stream-health.ts). */
const STREAM_STALL_MS = 5000;

export interface LiveFeedDeps {
  io: IoServer;
  store: EventStore;
  projections: Projections;
  log: Logger;
  clock: () => number;
  /** Time-based risk sweeps run only while this node holds it; absent, always (one node). */
  lease?: Lease;
  /** A cluster's Redis: commits cross between nodes through it. */
  redis?: RedisClient;
}

export interface LiveFeedOptions {
  /** The publisher's token interval: quiet streams send each commit at once, busy ones about one batch per interval. */
  streamBatchMs: number;
  /** Further behind than this, a connecting client gets a snapshot instead of a replay. */
  replayLimit: number;
  /** How often every client hears the log's head seq (0: never). */
  heartbeatMs: number;
  riskSweepMs: number;
  /** How often to look for events other nodes committed (a safety net under NOTIFY); only on a shared log. */
  followPollMs?: number;
}

export class LiveFeed {
  /** A connecting client's snapshot or replay (connection.ts), read from the same projections and log. */
  readonly catchUp: CatchUp;
  readonly risk: RiskService;
  /** Redis fan-out between nodes, with its state for /readyz; absent on one node. */
  readonly fanOut: CommitFanOut | undefined;
  readonly #publisher: CoalescingPublisher;
  readonly #heartbeat: StreamHeartbeat;
  readonly #follower: LogFollower;
  readonly #stopAnnouncing: (() => void) | undefined;

  constructor(
    private readonly deps: LiveFeedDeps,
    options: LiveFeedOptions,
  ) {
    const { io, store, projections, log, clock } = deps;
    this.catchUp = new CatchUp({ store, projections, replayLimit: options.replayLimit, clock });
    this.#heartbeat = new StreamHeartbeat({ io, store, appliedSeq: () => projections.seq, log, clock }, { intervalMs: options.heartbeatMs, stallMs: STREAM_STALL_MS });
    this.#publisher = new CoalescingPublisher((batch) => this.#streamWall(batch), { windowMs: options.streamBatchMs });
    this.risk = new RiskService({ store, projections, clock, log, ...(deps.lease && { lease: deps.lease }) }, { sweepMs: options.riskSweepMs });
    this.#follower = new LogFollower(
      { store, log, appliedSeq: () => projections.seq, apply: (events) => this.#apply(events) },
      { pollMs: options.followPollMs ?? 2000, remoteGraceMs: () => (this.fanOut?.ready ? REMOTE_GRACE_MS : 0) },
    );
    this.fanOut = deps.redis && new CommitFanOut(io, deps.redis, (events) => this.#follower.receive(events));
    // Told before this node applies its own commits (listeners run in order), so the others start a moment sooner.
    this.#stopAnnouncing = this.fanOut && store.onCommit((events) => this.fanOut!.announce(events));
  }

  start(): void {
    this.#follower.start();
    this.#heartbeat.start();
  }

  /** Sends what the publisher holds now: a connecting client's catch-up goes after it, never before (connection.ts). */
  flush(): void {
    this.#publisher.flush();
  }

  /** Committed events, gapless and in seq order (the follower's promise): the one way into the projections. */
  #apply(events: readonly StoredEvent[]): void {
    const { io, projections } = this.deps;
    this.#publisher.publish(projections.apply(events));
    // The consoles: each room's notices; the heartbeat names the room's last one from now on.
    for (const [room, notices] of caseNotices(events, projections.cases)) {
      io.local.to(room).emit('case:changed', notices);
      this.#heartbeat.noticed(room, notices[notices.length - 1]!.seq);
    }
    const alerts = alertNotices(events);
    if (alerts.length) {
      const desks = [rooms.role('duty'), rooms.role('leader')];
      io.local.to(desks).emit('alert:changed', alerts);
      for (const room of desks) this.#heartbeat.noticed(room, alerts[alerts.length - 1]!.seq);
    }
    this.risk.afterCommit();
  }

  /** The wall stream: one batch to the wall room; a beat that would only repeat what it told is left out. */
  #streamWall(batch: PublicEvent[]): void {
    this.deps.io.local.to(rooms.wall).emit('events', batch);
    this.#heartbeat.streamed(batch[batch.length - 1]!.seq);
  }

  async close(): Promise<void> {
    await this.risk.stop();
    this.#stopAnnouncing?.();
    this.#follower.close();
    this.#heartbeat.stop();
    this.#publisher.close();
  }
}
