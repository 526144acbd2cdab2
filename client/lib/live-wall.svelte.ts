/**
 * The wall's live read model: the shared `WallState` fold fed by the socket through a `DeltaQueue`. The state is
 * mutated in place by `applyEvent` (hundreds of events a second), so it is not deeply reactive; a version rune
 * bumps once per applied batch and every reader depends on it through the `state` getter.
 */
import type { PublicEvent } from '../../shared/events.js';
import type { WallSnapshot } from '../../shared/socket.js';
import { applyEvent, type WallState } from '../../shared/wall-state.js';
import { ServerClock } from './clock.svelte.js';
import { DeltaQueue } from './delta-queue.js';
import { probe } from './probe.js';
import type { ConnectionStatus, WallConnection } from './socket.js';

export interface LiveWallDeps {
  connect(lastSeq: () => number | null): WallConnection;
  scheduleFrame?(flush: () => void): void;
  scheduleRetry?(retry: () => void, ms: number): void;
  now?: () => number;
}

const frame = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => run());
  else setTimeout(run, 16);
};

export class LiveWall {
  readonly clock: ServerClock;
  #state: WallState | null = null;
  #version = $state(0);
  #status = $state.raw<ConnectionStatus>({ state: 'connecting', since: 0 });
  #fresh = $state.raw<PublicEvent[]>([]);
  #lastLiveAt = $state<number | null>(null);
  readonly #deps: LiveWallDeps;
  readonly #queue: DeltaQueue;
  readonly #now: () => number;
  #connection: WallConnection | null = null;

  constructor(deps: LiveWallDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.clock = new ServerClock(this.#now);
    this.#status = { state: 'connecting', since: this.#now() };
    this.#queue = new DeltaQueue({
      target: {
        seq: () => this.#state?.seq ?? null,
        replace: (snapshot) => this.#replace(snapshot),
        apply: (events) => this.#apply(events),
      },
      sync: (lastSeq, stalled) => this.#connection?.sync(lastSeq, stalled) ?? Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'not connected' } }),
      scheduleFrame: deps.scheduleFrame ?? frame,
      scheduleRetry: deps.scheduleRetry ?? ((retry, ms) => void setTimeout(retry, ms)),
    });
  }

  /** The folded state, or null before the first snapshot; reading it subscribes to every applied batch. */
  get state(): WallState | null {
    void this.#version;
    return this.#state;
  }

  /** Increments once per applied snapshot or batch. */
  get version(): number {
    return this.#version;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Events applied by the latest batch, for pulses and alerts; never the contents of a snapshot. */
  get fresh(): readonly PublicEvent[] {
    return this.#fresh;
  }

  /** Server time up to which the figures are known to be complete: now while live, else when the link was lost or the stream stalled. */
  get asOf(): number | null {
    if (this.state === null) return null;
    return this.#status.state === 'live' ? this.clock.now : this.#lastLiveAt;
  }

  /**
   * Whether the figures on screen may be out of date: there are figures, but the link is not live (connecting again,
   * offline, or catching up after a gap). The wall dims and marks every live figure and stops its countdowns.
   */
  get stale(): boolean {
    return this.state !== null && this.#status.state !== 'live';
  }

  get syncCount(): number {
    return this.#queue.syncCount;
  }

  start(): () => void {
    const connection = this.#deps.connect(() => this.#state?.seq ?? null);
    this.#connection = connection;
    const offs = [
      connection.onStatus((status) => {
        if (this.#status.state === 'live' && status.state !== 'live') this.#lastLiveAt = this.clock.toServer(status.since);
        this.#status = status;
      }),
      connection.onStall(() => this.#queue.resync(true)),
      connection.on('snapshot', (snapshot) => this.receiveSnapshot(snapshot)),
      connection.on('events', (batch) => this.receiveEvents(batch)),
    ];
    const stopClock = this.clock.start();
    return () => {
      for (const off of offs) off();
      stopClock();
      connection.close();
      this.#connection = null;
    };
  }

  /** What the socket delivers; public so tests can drive the store without a socket. */
  receiveSnapshot(snapshot: WallSnapshot): void {
    this.clock.correct(snapshot.serverTime, this.#now());
    this.#queue.pushSnapshot(snapshot);
  }

  receiveEvents(batch: readonly PublicEvent[]): void {
    probe()?.received?.(batch, performance.now());
    this.#queue.pushEvents(batch);
  }

  flush(): void {
    this.#queue.flush();
  }

  #replace(snapshot: WallSnapshot): void {
    this.#state = snapshot.state;
    this.#fresh = [];
    this.#version += 1;
    this.#connection?.progress();
  }

  #apply(events: PublicEvent[]): void {
    const state = this.#state!;
    const applied = events.filter((event) => applyEvent(state, event));
    this.#connection?.progress();
    if (applied.length === 0) return;
    this.#fresh = applied;
    this.#version += 1;
    probe()?.applied?.(applied, performance.now());
  }
}
