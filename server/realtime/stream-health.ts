/**
 * The stream's own health (issue 17): the heartbeat that tells every client how far the log goes, and the counters of
 * what went wrong. A wall or console behind the heartbeat's head for longer than a few seconds syncs and says it is
 * catching up (client/lib/stall-watch.ts) and reports the stall with its sync; this node watches its own fold the
 * same way. Every stall is logged and counted here; ops exposes the counters as metrics.
 */
import { rooms } from '../../shared/rooms.js';
import type { Logger } from '../log.js';
import type { EventStore } from '../store/event-store.js';
import type { IoServer } from './io.js';

/** Plain counters since start-up; read them, never reset them (a scraper takes differences). */
export const streamCounters = {
  /** Clients that stayed behind the heartbeat's head past their stall time and synced (each one reported once a stall). */
  clientStalls: 0,
  /** Times this node's own fold stayed behind the log's head for longer than the stall time. */
  nodeStalls: 0,
  /** Catch-ups sent on connection: replays and snapshots. */
  replays: 0,
  snapshots: 0,
  /** Connections that ended before their catch-up was read (the client reconnects and gets a new one). */
  catchUpsAbandoned: 0,
  /** Batches the log follower held and let go of past its bound (read back from the log instead). */
  followerHeldDropped: 0,
  /** Times the publisher's pending events passed its bound and were sent without waiting for the window. */
  publisherOverflows: 0,
};

export interface HeartbeatDeps {
  io: IoServer;
  store: Pick<EventStore, 'lastSeq'>;
  /** The seq this node's projections have applied. */
  appliedSeq: () => number;
  log: Logger;
  clock?: () => number;
}

export class StreamHeartbeat {
  /** Per console room (duty, each department, leader): the seq of the last notice this node sent it. */
  readonly #notices = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The head this node was behind, and since when; `reported` once logged as a stall. */
  #behind: { head: number; since: number; reported: boolean } | undefined;
  #beating = false;
  /** The highest seq the live stream sent the wall room, and whether it sent any since the last beat. */
  #streamed = 0;
  #streamedSinceBeat = false;

  constructor(
    private readonly deps: HeartbeatDeps,
    private readonly options: { intervalMs: number; stallMs: number },
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.#timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** A notice went to `room`: its heartbeat names it from now on. */
  noticed(room: string, seq: number): void {
    if (seq > (this.#notices.get(room) ?? 0)) this.#notices.set(room, seq);
  }

  /**
   * The live stream sent the wall room a batch ending at `seq` (the publisher's emit). Every wall in the room then
   * holds the log up to `seq` as surely as a heartbeat would have told it, so the next beat to the wall room is left
   * out when it would only repeat that: under a steady stream the walls hear no heartbeat, saving a write to every
   * wall socket each interval (1,000 writes every 2 s on a full centre, a burst that delayed the events behind it,
   * docs/performance.md); a quiet stream, or a node behind the log, still beats every interval.
   */
  streamed(seq: number): void {
    if (seq > this.#streamed) this.#streamed = seq;
    this.#streamedSinceBeat = true;
  }

  /** One heartbeat: the log's head to the wall room, and with each console room's last notice to that room. */
  async beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    // What the stream carried since the last beat counts for this one; what it carries from here, for the next.
    const streamedSinceBeat = this.#streamedSinceBeat;
    this.#streamedSinceBeat = false;
    try {
      const applied = this.deps.appliedSeq();
      let head = applied;
      try {
        head = Math.max(applied, await this.deps.store.lastSeq());
      } catch {
        // The log is unreachable: this node's own fold is the best head it knows.
      }
      const { io } = this.deps;
      // A wall is told the head unless a batch since the last beat already reached it: it cannot have missed that
      // batch unnoticed (a later batch shows a gap; a quiet next interval brings this beat back), and a head the
      // stream has not reached (a node behind the log) is always sent.
      if (!(streamedSinceBeat && this.#streamed >= head)) io.local.to(rooms.wall).emit('head', { seq: head });
      for (const [room, notice] of this.#notices) io.local.to(room).emit('head', { seq: head, notice });
      this.#watchSelf(head);
    } finally {
      this.#beating = false;
    }
  }

  /** This node's fold behind the log's head for longer than the stall time is logged and counted once. */
  #watchSelf(head: number): void {
    const now = (this.deps.clock ?? Date.now)();
    const applied = this.deps.appliedSeq();
    if (this.#behind && applied >= this.#behind.head) {
      if (this.#behind.reported) this.deps.log.info({ applied, stalledMs: now - this.#behind.since }, 'stream: this node caught up with the log again');
      this.#behind = undefined;
    }
    if (applied >= head) return;
    if (!this.#behind) {
      this.#behind = { head, since: now, reported: false };
      return;
    }
    if (!this.#behind.reported && now - this.#behind.since >= this.options.stallMs) {
      this.#behind.reported = true;
      streamCounters.nodeStalls++;
      this.deps.log.warn({ applied, head: this.#behind.head, behindMs: now - this.#behind.since }, 'stream stalled: this node has not applied what the log holds');
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A client reported that it stayed behind the heartbeat's head: logged and counted. */
export function clientStalled(log: Logger, detail: { lastSeq: number; appliedSeq: number; principal: string; role: string }): void {
  streamCounters.clientStalls++;
  log.warn(detail, 'stream stalled at a client: it stayed behind the log and asked to catch up');
}
