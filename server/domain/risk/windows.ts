/**
 * Case times per key (a respondent, a person) within a sliding span of days, kept sorted so a late case still lands
 * in place. Each key's window moves with its own newest case; keys whose newest case has left the span of the
 * newest case seen anywhere are dropped through a FIFO of additions, so memory stays bounded by the span and each
 * addition costs O(1) amortised (plus an insertion into one key's short list).
 */
import { MAX_ALERT_CASES } from '../../../shared/risk.js';

/** Sorted times with their case ids; entries before `start` have left the window (compacted now and then). */
interface Entry {
  times: number[];
  ids: string[];
  start: number;
}

export interface WindowsSnapshot {
  entries: Array<[key: string, times: number[], ids: string[]]>;
  fifo: Array<[time: number, key: string]>;
  latest: number | null;
}

export class KeyedWindows {
  readonly #span: number;
  readonly #byKey = new Map<string, Entry>();
  /** Additions in the order they were made, for pruning. */
  #fifo: Array<[number, string]> = [];
  #head = 0;
  #latest = -Infinity;

  constructor(spanMs: number) {
    this.#span = spanMs;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Adds one case at `time`; returns how many cases the key's window then holds, or undefined for a case too old to count. */
  add(key: string, time: number, id: string): number | undefined {
    let entry = this.#byKey.get(key);
    const newest = entry?.times.at(-1) ?? -Infinity;
    if (time < newest - this.#span) return undefined;
    if (!entry) this.#byKey.set(key, (entry = { times: [], ids: [], start: 0 }));
    const { times, ids } = entry;
    let at = times.length;
    while (at > entry.start && times[at - 1]! > time) at--;
    if (at === times.length) {
      times.push(time);
      ids.push(id);
    } else {
      times.splice(at, 0, time);
      ids.splice(at, 0, id);
    }
    const from = Math.max(newest, time) - this.#span;
    while (times[entry.start]! < from) entry.start++;
    if (entry.start > 32 && entry.start * 2 > times.length) {
      times.splice(0, entry.start);
      ids.splice(0, entry.start);
      entry.start = 0;
    }
    this.#fifo.push([time, key]);
    this.#prune(time);
    return times.length - entry.start;
  }

  /** Cases of `key` with from ≤ time ≤ to. */
  count(key: string, from: number, to: number): number {
    const entry = this.#byKey.get(key);
    return entry ? firstAbove(entry, to) - firstAtLeast(entry, from) : 0;
  }

  /** The key's cases in its window, oldest first, at most MAX_ALERT_CASES (the newest). */
  caseIds(key: string): string[] {
    const entry = this.#byKey.get(key);
    return entry ? entry.ids.slice(Math.max(entry.start, entry.ids.length - MAX_ALERT_CASES)) : [];
  }

  #prune(time: number): void {
    if (time <= this.#latest) return;
    this.#latest = time;
    const limit = time - this.#span;
    while (this.#head < this.#fifo.length && this.#fifo[this.#head]![0] < limit) {
      const key = this.#fifo[this.#head++]![1];
      const entry = this.#byKey.get(key);
      if (entry && entry.times.at(-1)! < limit) this.#byKey.delete(key);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#fifo.length) {
      this.#fifo = this.#fifo.slice(this.#head);
      this.#head = 0;
    }
  }

  snapshot(): WindowsSnapshot {
    return {
      entries: [...this.#byKey].map(([key, e]) => [key, e.times.slice(e.start), e.ids.slice(e.start)]),
      fifo: this.#fifo.slice(this.#head),
      latest: Number.isFinite(this.#latest) ? this.#latest : null,
    };
  }

  static restore(data: WindowsSnapshot, spanMs: number): KeyedWindows {
    const w = new KeyedWindows(spanMs);
    for (const [key, times, ids] of data.entries) w.#byKey.set(key, { times: [...times], ids: [...ids], start: 0 });
    w.#fifo = data.fifo.map(([t, k]) => [t, k]);
    w.#latest = data.latest ?? -Infinity;
    return w;
  }
}

/** Index of the first live time ≥ t (binary search: one key's window can hold many cases of a large employer). */
function firstAtLeast(e: Entry, t: number): number {
  let lo = e.start;
  let hi = e.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (e.times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAbove(e: Entry, t: number): number {
  let lo = e.start;
  let hi = e.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (e.times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
