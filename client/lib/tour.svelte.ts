/**
 * Tour mode: with nobody touching the wall, the map visits the whole district and then each street in turn, every
 * `seconds`. Any interaction pauses it for `pauseMs`; so does a held focus (an open panel, an alert fly-to).
 */
export interface TourOptions {
  /** Seconds per stop (read on every tick: it arrives with the client config). */
  seconds(): number;
  pauseMs?: number;
  /** Where the map is now: a street code, or null for the whole district. */
  current(): string | null;
  /** The stops in order; null is the whole district. */
  stops(): readonly (string | null)[];
  /** True while something else holds the map (panel open, alert on screen). */
  held?(): boolean;
  go(stop: string | null): void;
  now?: () => number;
}

export class Tour {
  readonly #options: TourOptions;
  readonly #now: () => number;
  readonly pauseMs: number;
  #lastInteraction = $state(-Infinity);
  #lastMove = 0;
  #clock = $state(0);

  constructor(options: TourOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.pauseMs = options.pauseMs ?? 60_000;
    this.#clock = this.#now();
    this.#lastMove = this.#clock;
  }

  get seconds(): number {
    return this.#options.seconds();
  }

  get paused(): boolean {
    return this.#clock - this.#lastInteraction < this.pauseMs || (this.#options.held?.() ?? false);
  }

  /** Whole seconds until the tour resumes after the last interaction (0 when not paused by one). */
  get resumesIn(): number {
    return Math.max(0, Math.ceil((this.#lastInteraction + this.pauseMs - this.#clock) / 1000));
  }

  interacted(): void {
    this.#lastInteraction = this.#now();
    this.#clock = this.#lastInteraction;
  }

  /** Advances when a stop has been shown for `seconds`; call about once a second. */
  tick(): void {
    this.#clock = this.#now();
    if (this.paused) {
      this.#lastMove = this.#clock;
      return;
    }
    if (this.#clock - this.#lastMove < this.#options.seconds() * 1000) return;
    const stops = this.#options.stops();
    if (stops.length === 0) return;
    const at = stops.indexOf(this.#options.current());
    this.#lastMove = this.#clock;
    this.#options.go(stops[(at + 1) % stops.length] ?? null);
  }

  start(intervalMs = 1000): () => void {
    const timer = setInterval(() => this.tick(), intervalMs);
    return () => clearInterval(timer);
  }
}
