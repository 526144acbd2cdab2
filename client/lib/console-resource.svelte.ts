/**
 * A console's view of one read route, refetched when the server says something changed. Refetches are throttled
 * (leading + trailing, ≤ 2 a second by default) so a burst of `case:changed` notices costs a couple of requests, and a
 * newer request aborts the older one so a slow answer never overwrites a fresher one. A failed refetch keeps the last
 * good data and says so (`stale`) instead of blanking the panel.
 */
import type { Loadable, Loaded } from './api.js';
import { throttle, type Throttled, type Timers } from './throttle.js';

export const REFRESH_MS = 500;

export class Resource<T> {
  #value = $state.raw<Loadable<T>>({ status: 'loading' });
  #stale = $state.raw<Loadable<T> | null>(null);
  #controller: AbortController | null = null;
  #load: (signal: AbortSignal) => Promise<Loaded<T>>;
  readonly #throttled: Throttled;
  readonly #onData: ((data: T) => void) | undefined;
  #disposed = false;

  constructor(load: (signal: AbortSignal) => Promise<Loaded<T>>, options: { intervalMs?: number; timers?: Timers; onData?: (data: T) => void } = {}) {
    this.#load = load;
    this.#throttled = throttle(options.intervalMs ?? REFRESH_MS, options.timers);
    this.#onData = options.onData;
  }

  get value(): Loadable<T> {
    return this.#value;
  }

  /** The data, if any has arrived (also while a refetch failed). */
  get data(): T | undefined {
    return this.#value.status === 'ready' ? this.#value.data : undefined;
  }

  /** The last refetch failed; `value` still holds the data before it. */
  get stale(): Loadable<T> | null {
    return this.#stale;
  }

  /** Refetch soon (throttled). */
  refresh(): void {
    if (!this.#disposed) this.#throttled(() => void this.reload());
  }

  /** Point at another source (e.g. another case): forget what was shown and fetch at once. */
  replace(load: (signal: AbortSignal) => Promise<Loaded<T>>): Promise<void> {
    this.#load = load;
    this.#throttled.cancel();
    this.#value = { status: 'loading' };
    this.#stale = null;
    return this.reload();
  }

  /** Fetch now, unthrottled (after the user's own command, or on first load). */
  async reload(): Promise<void> {
    if (this.#disposed) return;
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    let result: Loaded<T>;
    try {
      result = await this.#load(controller.signal);
    } catch {
      return; // aborted by a newer request, which will set the value
    }
    if (controller.signal.aborted || this.#disposed) return;
    this.#controller = null;
    if (result.ok) {
      this.#value = { status: 'ready', data: result.data };
      this.#stale = null;
      this.#onData?.(result.data);
    } else if (this.#value.status === 'ready') {
      this.#stale = { status: 'error', error: result.error };
    } else {
      this.#value = { status: 'error', error: result.error };
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#throttled.cancel();
    this.#controller?.abort();
  }
}
