/**
 * Notices when a live client has fallen behind the log for good (issue 17). The server sends the log's head seq on
 * a heartbeat; a client that has not applied a head it was told of `stallMs` after hearing it is stalled: it asks
 * for what it lacks and says "catching up" until it holds that head. Comparing with the head heard `stallMs` ago,
 * not the latest one, keeps a client that is merely a batch behind under steady load from ever counting as stalled.
 * Plain TypeScript with an injected clock, so tests drive it step by step.
 */
export interface StallWatchDeps {
  /** The seq the client has applied (or heard of, for a console), or null before it holds anything. */
  applied(): number | null;
  /** Stalled: ask the server for what is missing. Called again every `stallMs` while still behind. */
  onStall(head: number): void;
  /** Catching up (true) or caught up again (false). */
  onChange(catchingUp: boolean): void;
  now(): number;
  /** How long a head may stay unapplied. */
  stallMs?: number;
}

/** Heads heard more than this many at once are thinned: only the newest matter once older ones are due. */
const MAX_HEARD = 16;

export class StallWatch {
  readonly #deps: StallWatchDeps;
  readonly #stallMs: number;
  /** Heads heard and not yet applied, oldest first, with when each was heard. */
  #heard: Array<{ seq: number; at: number }> = [];
  /** While catching up: the head to reach. */
  #target: number | null = null;

  constructor(deps: StallWatchDeps) {
    this.#deps = deps;
    this.#stallMs = deps.stallMs ?? 5000;
  }

  get catchingUp(): boolean {
    return this.#target !== null;
  }

  /** The server says the log holds events up to `seq`. */
  head(seq: number): void {
    const newest = this.#heard[this.#heard.length - 1];
    if (!newest || seq > newest.seq) this.#heard.push({ seq, at: this.#deps.now() });
    if (this.#heard.length > MAX_HEARD) this.#heard.splice(1, this.#heard.length - MAX_HEARD);
    this.check();
  }

  /** Re-evaluates: after a batch is applied, and on every heartbeat. */
  check(): void {
    const applied = this.#deps.applied() ?? -1;
    while (this.#heard.length && this.#heard[0]!.seq <= applied) this.#heard.shift();
    if (this.#target !== null && applied >= this.#target) {
      this.#target = null;
      this.#deps.onChange(false);
    }
    const oldest = this.#heard[0];
    if (!oldest || this.#deps.now() - oldest.at < this.#stallMs) return;
    const head = this.#heard[this.#heard.length - 1]!.seq;
    // Start the clock again from now: one request per stallMs while the server has not filled the gap.
    this.#heard = [{ seq: head, at: this.#deps.now() }];
    const was = this.#target;
    this.#target = Math.max(head, this.#target ?? head);
    if (was === null) this.#deps.onChange(true);
    this.#deps.onStall(head);
  }

  /** A new connection: its own catch-up brings the client up to date, so earlier heads no longer count. */
  reset(): void {
    this.#heard = [];
    if (this.#target !== null) {
      this.#target = null;
      this.#deps.onChange(false);
    }
  }
}
