/**
 * Spreads heavy redraws over animation frames: each frame runs queued jobs until a time budget is spent, so five
 * charts that all have new data in the same frame are redrawn in consecutive frames instead of one long task.
 * A job queued again under the same key before it ran replaces the older one (only the newest data matters).
 */
export interface FrameQueueDeps {
  requestFrame(run: () => void): void;
  now(): number;
}

export class FrameQueue {
  readonly #jobs = new Map<string, () => void>();
  readonly #deps: FrameQueueDeps;
  readonly #budgetMs: number;
  #requested = false;

  constructor(deps: FrameQueueDeps, budgetMs = 8) {
    this.#deps = deps;
    this.#budgetMs = budgetMs;
  }

  get size(): number {
    return this.#jobs.size;
  }

  enqueue(key: string, job: () => void): void {
    this.#jobs.delete(key); // re-insert at the back: a job that just ran waits for the others
    this.#jobs.set(key, job);
    this.#request();
  }

  cancel(key: string): void {
    this.#jobs.delete(key);
  }

  /** Runs at least one job, then more while within the budget. */
  run(): void {
    this.#requested = false;
    const start = this.#deps.now();
    for (const [key, job] of this.#jobs) {
      this.#jobs.delete(key);
      job();
      if (this.#deps.now() - start >= this.#budgetMs) break;
    }
    if (this.#jobs.size > 0) this.#request();
  }

  #request(): void {
    if (this.#requested) return;
    this.#requested = true;
    this.#deps.requestFrame(() => this.run());
  }
}

const browserDeps: FrameQueueDeps = {
  requestFrame: (run) => void requestAnimationFrame(() => run()),
  now: () => performance.now(),
};

/** The wall's charts share one queue. */
export const chartFrames = new FrameQueue(browserDeps);
