/**
 * Projection snapshots while the server runs, so a crash after a long uptime restarts as fast as a clean stop: every
 * SNAPSHOT_EVERY_EVENTS committed events, or every SNAPSHOT_EVERY_MINUTES when anything was committed since the last.
 * Saving runs on a timer, after the commit that crossed the threshold has been answered, never inside a request; the
 * state is serialised a slice at a time (server/projection-snapshot.ts), so the event loop is held only for the last,
 * synchronous step (docs/performance.md has the figures).
 */
import type { Logger } from '../log.js';
import type { Projections } from '../projections.js';
import { saveSnapshot } from '../projection-snapshot.js';
import type { EventStore } from '../store/event-store.js';

export class SnapshotSchedule {
  #savedSeq: number;
  #saving: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  /** Saves made since start, and how long the last took (for /metrics). */
  readonly stats = { saves: 0, lastMs: 0 };

  constructor(
    private readonly deps: { dataDir: string; projections: Projections; store: EventStore; log: Logger },
    /** `savedSeq`: the seq of the snapshot on disk (the one start-up loaded, 0 for none); default the current seq. */
    private readonly settings: { everyEvents: number; everyMinutes: number; savedSeq?: number },
  ) {
    this.#savedSeq = settings.savedSeq ?? deps.projections.seq;
  }

  start(): void {
    if (this.settings.everyEvents > 0) {
      this.#unsubscribe = this.deps.store.onCommit(() => {
        if (this.deps.projections.seq - this.#savedSeq >= this.settings.everyEvents) this.#soon();
      });
    }
    if (this.settings.everyMinutes > 0) {
      this.#timer = setInterval(() => {
        if (this.deps.projections.seq > this.#savedSeq) this.#soon();
      }, this.settings.everyMinutes * 60_000);
      this.#timer.unref();
    }
  }

  #soon(): void {
    if (this.#pending || this.#saving || this.#stopped) return;
    // After the commit's listeners and the replies to its requests.
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      void this.save();
    }, 10);
  }

  /** Saves now unless a save is running (then waits for it). */
  save(): Promise<void> {
    this.#saving ??= (async () => {
      const { dataDir, projections, store, log } = this.deps;
      const started = performance.now();
      try {
        const seq = projections.seq;
        if (seq > this.#savedSeq && (await saveSnapshot(dataDir, projections, store))) {
          this.#savedSeq = seq;
          this.stats.saves++;
          this.stats.lastMs = Math.round(performance.now() - started);
          log.info({ seq, ms: this.stats.lastMs }, 'projection snapshot saved');
        }
      } catch (error) {
        log.warn({ err: error }, 'could not save the projection snapshot');
      } finally {
        this.#saving = undefined;
      }
    })();
    return this.#saving;
  }

  /** Stops the schedule; a save in progress finishes first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    await this.#saving;
  }
}
