/**
 * Overdue timers (督办 at a deadline, 升级 at twice it). Nothing is scheduled in memory that the log does not imply:
 * each sweep derives what is due from the cases with an active whistle, so a restart simply finds what fell due
 * while it was down. Each timer's event has its own source key and the lifecycle refuses a repeat, so it fires once.
 * With several nodes only the one holding the lease sweeps (lease.ts), so they do not race for the same timer.
 */
import { systemActor } from '../shared/dispatch.js';
import { dueTimers } from '../shared/lifecycle.js';
import type { CommandService } from './commands.js';
import type { CaseIndex } from './domain/case-index.js';
import type { Lease } from './lease.js';
import type { Logger } from './log.js';

export class OverdueTimers {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<number> | undefined;
  /** While set, sweeps fire nothing: the demo's history writer fires the timers of its past itself, at their time. */
  #held: Promise<unknown> | undefined;

  constructor(
    private readonly deps: { index: CaseIndex; commands: CommandService; clock: () => number; log: Logger; lease?: Lease },
    private readonly options: { sweepMs: number },
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.sweep(), this.options.sweepMs);
    this.#timer.unref();
    void this.sweep();
  }

  /**
   * Fires nothing until `until` settles (the demo's backfill, which dates each 督办 and 升级 of its history at the
   * moment it fell due); a sweep then finds whatever is still due.
   */
  holdUntil(until: Promise<unknown>): void {
    const held = until.then(
      () => undefined,
      () => undefined,
    );
    this.#held = held;
    void held.then(() => {
      if (this.#held === held) this.#held = undefined;
      if (this.#timer) void this.sweep();
    });
  }

  /** How many timers are due by now and not fired yet (a sweep fires them; /metrics shows what waits). */
  overdue(): number {
    const now = this.deps.clock();
    let count = 0;
    for (const record of this.deps.index.whistled()) for (const t of dueTimers(record)) if (t.at <= now) count += 1;
    return count;
  }

  /** Fires every timer due by now; returns how many events it appended. Overlapping calls share one sweep. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(): Promise<number> {
    if (this.#held) return 0;
    if (this.deps.lease && !(await this.deps.lease.hold())) return 0;
    const now = this.deps.clock();
    const due = [...this.deps.index.whistled()].flatMap((record) =>
      dueTimers(record)
        .filter((t) => t.at <= now)
        .map((t) => ({ caseId: record.id, ...t })),
    );
    due.sort((a, b) => a.at - b.at);
    let fired = 0;
    for (const t of due) {
      try {
        const outcome = await this.deps.commands.execute(t.caseId, t.command, systemActor);
        if (outcome.ok && !outcome.result.duplicate) fired += 1;
      } catch (error) {
        // The log is unavailable: the timer stays due and the next sweep retries it.
        this.deps.log.warn({ err: error, caseId: t.caseId, timer: t.command }, 'overdue timer could not fire');
        break;
      }
    }
    return fired;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
