/**
 * State of the leader view: the overview (refetched every 30 s and, throttled, whenever the socket says something
 * changed), the heat history behind the replay (refetched when the hour turns), and the explanation of the hotspot
 * the leader opened. Failed refetches keep the last good data and say so (Resource.stale).
 */
import type { HeatHistory, LeaderOverview, RiskExplanation } from '../../shared/risk.js';
import { HOUR_MS } from '../../shared/time.js';
import { ServerClock } from './clock.svelte.js';
import { Resource } from './console-resource.svelte.js';
import { leaderApi } from './leader-api.js';
import { connectLeader, type LeaderConnectOptions } from './leader-socket.js';
import type { ConnectionStatus } from './socket.js';

export const OVERVIEW_EVERY_MS = 30_000;
/** A burst of events costs one overview request per this long (the overview is ~20 ms of server work). */
const CHANGE_THROTTLE_MS = 3_000;
export const replayDays = [1, 3, 7] as const;
export type ReplayDays = (typeof replayDays)[number];

export interface LeaderDeskDeps {
  connect?: (options: LeaderConnectOptions) => { close(): void };
  api?: typeof leaderApi;
}

export class LeaderDesk {
  readonly clock = new ServerClock();
  readonly overview: Resource<LeaderOverview>;
  readonly history: Resource<HeatHistory>;
  readonly explanation: Resource<RiskExplanation>;
  #status = $state.raw<ConnectionStatus>({ state: 'connecting', since: Date.now() });
  #selected = $state<string | null>(null);
  #days = $state<ReplayDays>(7);
  readonly #api: typeof leaderApi;
  readonly #connect: (options: LeaderConnectOptions) => { close(): void };

  constructor(deps: LeaderDeskDeps = {}) {
    this.#api = deps.api ?? leaderApi;
    this.#connect = deps.connect ?? connectLeader;
    this.overview = new Resource((signal) => this.#api.overview(signal), { intervalMs: CHANGE_THROTTLE_MS });
    this.history = new Resource((signal) => this.#api.heatHistory(this.#days, signal));
    this.explanation = new Resource(() => Promise.resolve({ ok: false, error: { kind: 'network' } }), { intervalMs: CHANGE_THROTTLE_MS });
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The community or street whose explanation is open. */
  get selected(): string | null {
    return this.#selected;
  }

  get days(): ReplayDays {
    return this.#days;
  }

  select(code: string | null): void {
    if (code === this.#selected) return;
    this.#selected = code;
    if (code) void this.explanation.replace((signal) => this.#api.risk(code, signal));
  }

  setDays(days: ReplayDays): void {
    if (days === this.#days) return;
    this.#days = days;
    void this.history.replace((signal) => this.#api.heatHistory(days, signal));
  }

  #changed(): void {
    this.overview.refresh();
    if (this.#selected) this.explanation.refresh();
  }

  start(): () => void {
    const stopClock = this.clock.start();
    const connection = this.#connect({
      onChange: () => this.#changed(),
      onStatus: (status) => (this.#status = status),
      onServerTime: (serverTime, receivedAt) => this.clock.correct(serverTime, receivedAt),
    });
    let hour = Math.floor(this.clock.read() / HOUR_MS);
    const timer = setInterval(() => {
      this.#changed();
      // The replay gains a frame each hour; between hours its last frame ("now") is fresh enough at 30 s.
      const current = Math.floor(this.clock.read() / HOUR_MS);
      if (current !== hour) {
        hour = current;
        void this.history.reload();
      }
    }, OVERVIEW_EVERY_MS);
    void this.overview.reload();
    void this.history.reload();
    return () => {
      clearInterval(timer);
      connection.close();
      stopClock();
      this.overview.dispose();
      this.history.dispose();
      this.explanation.dispose();
    };
  }
}
