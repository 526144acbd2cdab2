/**
 * The dispatch simulation's diary: tasks due at instants of the injected clock, run once the clock reaches them. A
 * tick through injected setTimeout-style functions checks what is due, so a test drives the whole simulation with an
 * accelerated clock (or fake timers). Stopping starts nothing new and waits for the tasks already running.
 */
import type { Clock } from '../../shared/time.js';
import { EventQueue } from './event-queue.js';

export interface SimTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: SimTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type Task = () => Promise<void>;

export class Agenda {
  readonly #queue = new EventQueue<Task>();
  readonly #running = new Set<Promise<void>>();
  #handle: unknown;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: SimTimers,
    /** Real milliseconds between checks: the diary's resolution. */
    private readonly tickMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.#queue.size;
  }

  start(): void {
    if (this.#stopped || this.#handle !== undefined) return;
    this.#arm();
  }

  /** Runs `task` once the clock reads `t` or later (at the next tick). */
  at(t: number, task: Task): void {
    if (!this.#stopped) this.#queue.push(t, task);
  }

  /** `ms` of clock time from now. */
  after(ms: number, task: Task): void {
    this.at(this.clock() + ms, task);
  }

  /** Starts nothing new; settles when every task already running has settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#handle !== undefined) this.timers.clearTimeout(this.#handle);
    this.#handle = undefined;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #arm(): void {
    this.#handle = this.timers.setTimeout(() => this.#tick(), this.tickMs);
  }

  #tick(): void {
    this.#handle = undefined;
    if (this.#stopped) return;
    for (const task of this.#queue.popBefore(this.clock() + 1)) {
      const running: Promise<void> = Promise.resolve()
        .then(task)
        .catch(this.onError)
        .finally(() => this.#running.delete(running));
      this.#running.add(running);
    }
    this.#arm();
  }
}
