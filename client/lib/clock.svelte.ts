/**
 * The server's clock as seen from here: "today", the hourly buckets and heat decay must follow the server, not a wall
 * PC whose clock drifted. `now` ticks once a second so figures that depend on time alone (decay, midnight) move too.
 */
export class ServerClock {
  #offset = 0;
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #local: () => number;

  constructor(local: () => number = Date.now) {
    this.#local = local;
    this.#now = local();
  }

  /** Server time (ms), as of the last tick. */
  get now(): number {
    return this.#now;
  }

  /** Server time right now, untracked by the once-a-second tick. */
  read(): number {
    return this.#local() + this.#offset;
  }

  /** Server time of a local instant. */
  toServer(localMs: number): number {
    return localMs + this.#offset;
  }

  /** `serverTime` was read by the server at about local instant `receivedAt`. */
  correct(serverTime: string, receivedAt: number): void {
    const server = Date.parse(serverTime);
    if (Number.isFinite(server)) this.#offset = server - receivedAt;
    this.tick();
  }

  tick(): void {
    this.#now = this.read();
  }

  start(intervalMs = 1000): () => void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.tick(), intervalMs);
    return () => clearInterval(this.#timer);
  }
}
