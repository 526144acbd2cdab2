/**
 * A red alert takes over the wall: a banner for `bannerMs` and the map held on the area for `flyMs`. Only alerts
 * raised recently take over, so a replay after a long outage does not fly the map to yesterday's news.
 */
import type { PublicAlertRaised, PublicEvent } from '../../shared/events.js';

export interface TakeoverOptions {
  flyMs?: number;
  bannerMs?: number;
  freshForMs?: number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class AlertTakeover {
  #banner = $state.raw<PublicAlertRaised | null>(null);
  #flyTo = $state.raw<{ streetCode: string; communityCode?: string } | null>(null);
  readonly #flyMs: number;
  readonly #bannerMs: number;
  readonly #freshForMs: number;
  readonly #set: (run: () => void, ms: number) => unknown;
  readonly #clear: (handle: unknown) => void;
  #timers: unknown[] = [];

  constructor(options: TakeoverOptions = {}) {
    this.#flyMs = options.flyMs ?? 8000;
    this.#bannerMs = options.bannerMs ?? 30_000;
    this.#freshForMs = options.freshForMs ?? 10 * 60_000;
    this.#set = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.#clear = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  get banner(): PublicAlertRaised | null {
    return this.#banner;
  }

  get flyTo(): { streetCode: string; communityCode?: string } | null {
    return this.#flyTo;
  }

  /** Looks at newly applied events; `serverNow` is the server-corrected time. */
  consider(events: readonly PublicEvent[], serverNow: number): void {
    const red = events.findLast((e): e is PublicAlertRaised => e.type === 'alert.raised' && e.level === 'red' && serverNow - Date.parse(e.raisedAt) < this.#freshForMs);
    if (!red) return;
    this.dispose();
    this.#banner = red;
    this.#flyTo = red.communityCode ? { streetCode: red.streetCode, communityCode: red.communityCode } : { streetCode: red.streetCode };
    this.#timers = [this.#set(() => (this.#flyTo = null), this.#flyMs), this.#set(() => (this.#banner = null), this.#bannerMs)];
  }

  dispose(): void {
    for (const timer of this.#timers) this.#clear(timer);
    this.#timers = [];
  }
}
