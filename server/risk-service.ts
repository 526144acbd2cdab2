/**
 * Puts the risk rules' decisions into the log. The rules decide inside the projection fold (pure, in seq order);
 * this service appends what they decided after each commit, and on a sweep runs the time-based rules and records the
 * leader's heat frames. Every draft has a deterministic source key, so a retry or a restart never doubles an alert.
 * With several nodes every node folds and records its own heat frames, but only the lease holder (lease.ts) runs the
 * time-based rules; what a fold decides is appended by every node that folds it, and the source keys keep it once.
 */
import type { EventDraft } from '../shared/events.js';
import type { Lease } from './lease.js';
import type { Logger } from './log.js';
import type { Projections } from './projections.js';
import type { EventStore } from './store/event-store.js';

export class RiskService {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Appends run one after another, so a sweep sees the effect of what was decided before it. */
  #chain: Promise<unknown> = Promise.resolve();
  #sweeping: Promise<number> | undefined;
  #stopped = false;

  constructor(
    private readonly deps: { store: EventStore; projections: Projections; clock: () => number; log: Logger; lease?: Lease },
    private readonly options: { sweepMs: number },
  ) {}

  /** Called after each committed batch has been folded: appends the alerts it made the rules decide. */
  afterCommit(): void {
    const drafts = this.deps.projections.takeDecided();
    if (drafts.length && !this.#stopped) void this.#append(drafts);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.sweep(), this.options.sweepMs);
    this.#timer.unref();
    void this.sweep();
  }

  /**
   * Time-based rules at the clock's now, plus any decided alert whose event never made it into the log (a crash or
   * an unavailable store between a commit and its alert). Returns how many events it appended.
   */
  sweep(): Promise<number> {
    this.#sweeping ??= (this.#chain = this.#chain.then(() => this.#sweep())).finally(() => (this.#sweeping = undefined)) as Promise<number>;
    return this.#sweeping;
  }

  async #sweep(): Promise<number> {
    const { projections, clock } = this.deps;
    const now = clock();
    projections.leader.tick(now, projections.wall);
    if (!projections.risk) return 0;
    if (this.deps.lease && !(await this.deps.lease.hold())) return 0;
    const drafts = [...projections.risk.unconfirmed(), ...projections.risk.sweep(now)];
    return drafts.length ? this.#write(drafts) : 0;
  }

  #append(drafts: EventDraft[]): Promise<unknown> {
    this.#chain = this.#chain.then(() => this.#write(drafts));
    return this.#chain;
  }

  async #write(drafts: EventDraft[]): Promise<number> {
    try {
      const outcomes = await this.deps.store.append(drafts);
      return outcomes.filter((o) => !o.duplicate).length;
    } catch (error) {
      // The log is unavailable: the engine still holds these as unconfirmed, and the next sweep retries them.
      this.deps.log.warn({ err: error, alerts: drafts.length }, 'risk alerts could not be appended');
      return 0;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }
}
