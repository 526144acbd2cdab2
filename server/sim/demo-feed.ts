/**
 * The demo feed: a client of the public intake API (never a back door into the store). It writes
 * `backfillDays` of history at a realistic daily volume so charts are full at once, then posts each elapsed
 * second of a busier live district. Every event has a deterministic sourceRef, so retries and restarts on the same
 * data directory are idempotent: the server answers repeats with the original result and appends nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CategoryInfo, DistrictInfo } from '../../shared/geo.js';
import { MAX_BATCH, type FieldError, type IntakeEvent, type IntakeResult } from '../../shared/intake.js';
import { DAY_MS, type Clock } from '../../shared/time.js';
import { createSimulation, isDispatchedHistory, SLOT_MS } from './generator.js';

export const DEMO_FEED_DEFAULTS = Object.freeze({
  seed: 42,
  /** Live: a wall full of life, one new case every few seconds at peak hours. */
  ratePerHour: 600,
  /** History: ~190 cases a day, what a district centre of this size actually sees, so 30 days ≈ 5.7k cases. */
  backfillRatePerHour: 8,
  backfillDays: 30,
  tickMs: 1000,
  batchSize: 500,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
});

/** The subset of pino's API the feed uses, so the server can pass its own logger. */
export interface FeedLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface DemoFeedOptions {
  baseUrl: string;
  apiKey?: string;
  seed: number;
  ratePerHour: number;
  backfillRatePerHour?: number;
  backfillDays: number;
  district: DistrictInfo;
  categories: readonly CategoryInfo[];
  clock?: Clock;
  log?: FeedLogger;
  tzOffsetMinutes?: number;
  tickMs?: number;
  batchSize?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Post no intake resolution for live cases: the dispatch simulation (dispatch-sim.ts) takes them through the closed
   * loop instead. History keeps its intake resolutions.
   */
  leaveLiveOpen?: boolean;
  /**
   * The centre's own dispatch history (dispatch-history.ts): a seeded `share` of the cases reported up to
   * `handoverMs` before the live start get no intake resolution; after each window of history is stored, `write`
   * gets those cases and writes their steps up to the window's end.
   */
  history?: { share: number; handoverMs: number; write(reported: IntakeEvent[], until: number): Promise<void> };
}

export interface DemoFeed {
  stop(): Promise<void>;
  /** Settles when all history is posted; rejects if the feed is stopped first. */
  backfilled: Promise<void>;
  /** Cases reported from this instant on are live; earlier ones are history. */
  liveFrom: number;
  /** Settles with what the backfill wrote and how long it took, once it is done. */
  summary: Promise<BackfillSummary>;
}

export interface BackfillSummary {
  days: number;
  events: number;
  /** Cases the history writer took through the loop. */
  dispatched: number;
  ms: number;
}

export interface FeedStats {
  posted: number;
  duplicates: number;
  rejected: number;
  /** Resolutions the server refused because their case is unknown or already closed (see `staleResolutions`). */
  dropped: number;
}

const consoleLogger: FeedLogger = {
  info: (fields, msg) => console.log(msg, JSON.stringify(fields)),
  warn: (fields, msg) => console.warn(msg, JSON.stringify(fields)),
  error: (fields, msg) => console.error(msg, JSON.stringify(fields)),
};

class Stopped extends Error {}

/** The dispatch history is written a day at a time, after that day's intake is stored. */
const HISTORY_STEP_MS = 24 * 3_600_000;

export function startDemoFeed(options: DemoFeedOptions): DemoFeed {
  const o = resolveOptions(options);
  const clock = o.clock ?? Date.now;
  const log = o.log ?? consoleLogger;
  const batchSize = Math.max(1, Math.min(o.batchSize, MAX_BATCH));
  const url = `${o.baseUrl.replace(/\/+$/, '')}/api/events`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;

  const liveFrom = clock();
  const start = liveFrom - Math.max(0, o.backfillDays) * DAY_MS;
  const rateSwitch = Math.floor(liveFrom / SLOT_MS) * SLOT_MS;
  const sim = createSimulation({
    seed: o.seed,
    district: o.district,
    categories: o.categories,
    startMs: start,
    // History at a realistic volume, the live district busier so the wall is never still. The simulation reads
    // the rate once per one-minute slot, so switch at the slot boundary or the first live minute would be quiet.
    ratePerHour: (ms) => (ms < rateSwitch ? o.backfillRatePerHour : o.ratePerHour),
    ...(o.leaveLiveOpen ? { openFrom: liveFrom } : {}),
    ...(o.history ? { dispatchedHistory: { share: o.history.share, before: liveFrom - o.history.handoverMs } } : {}),
    ...(o.tzOffsetMinutes !== undefined ? { tzOffsetMinutes: o.tzOffsetMinutes } : {}),
  });

  const abort = new AbortController();
  const stats: FeedStats = { posted: 0, duplicates: 0, rejected: 0, dropped: 0 };
  let resolveBackfill!: () => void;
  let rejectBackfill!: (e: Error) => void;
  const backfilled = new Promise<void>((resolve, reject) => {
    resolveBackfill = resolve;
    rejectBackfill = reject;
  });
  // Callers that never await `backfilled` must not see an unhandled rejection when they stop early.
  backfilled.catch(() => {});
  let resolveSummary!: (s: BackfillSummary) => void;
  const summary = new Promise<BackfillSummary>((resolve) => (resolveSummary = resolve));

  async function post(batch: IntakeEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (abort.signal.aborted) throw new Stopped();
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ events: batch }), signal: abort.signal });
        const text = await res.text();
        if (res.ok) {
          stats.posted += batch.length;
          stats.duplicates += resultsOf(text).filter((r) => r.duplicate).length;
          return;
        }
        if (res.status === 413 && batch.length > 1) {
          // The server's body limit is smaller than our batch: halve it rather than drop events.
          const half = Math.ceil(batch.length / 2);
          await post(batch.slice(0, half));
          await post(batch.slice(half));
          return;
        }
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          const error = parseError(text);
          const stale = res.status === 400 ? staleResolutions(batch, error.details) : undefined;
          if (stale) {
            stats.dropped += stale.size;
            log.info({ dropped: stale.size, firstRef: batch.find((_, i) => stale.has(i))?.sourceRef }, 'demo feed: resolutions of cases the centre already closed, dropped');
            const rest = batch.filter((_, i) => !stale.has(i));
            if (rest.length > 0) await post(rest);
            return;
          }
          // Any other 4xx means the feed produced something the contract refuses: a bug to fix, not to retry.
          stats.rejected += batch.length;
          log.error({ status: res.status, ...error, firstRef: batch[0]?.sourceRef, events: batch.length }, 'demo feed: batch rejected, skipped');
          return;
        }
        retryAfterMs = Math.min(o.retryMaxMs, Number(res.headers.get('retry-after')) * 1000) || undefined;
        log.warn({ status: res.status, attempt, events: batch.length }, 'demo feed: server unavailable, retrying');
      } catch (e) {
        if (abort.signal.aborted) throw new Stopped();
        log.warn({ err: (e as Error).message, attempt, events: batch.length }, 'demo feed: network error, retrying');
      }
      const backoff = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.min(attempt, 16));
      await pause(retryAfterMs ?? backoff);
    }
  }

  async function pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: abort.signal });
    } catch {
      throw new Stopped();
    }
  }

  async function postAll(events: IntakeEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += batchSize) await post(events.slice(i, i + batchSize));
  }

  async function backfill(): Promise<void> {
    const began = performance.now();
    const span = liveFrom - start;
    // Six simulated hours at a time keeps memory flat and gives progress steps finer than 10 %.
    const step = 6 * 3_600_000;
    let buffer: IntakeEvent[] = [];
    let nextPct = 10;
    let generated = 0;
    let dispatched = 0;
    let pickedSince: IntakeEvent[] = [];
    let writtenTo = start;
    for (let t = start; t < liveFrom; ) {
      const to = Math.min(liveFrom, t + step);
      const events = sim.eventsBetween(t, to);
      generated += events.length;
      buffer.push(...events);
      t = to;
      // With a history to write, the window's cases must be stored before their steps: post the window whole.
      const full = o.history ? buffer.length : buffer.length - (buffer.length % batchSize);
      await postAll(buffer.slice(0, full));
      buffer = buffer.slice(full);
      if (o.history) {
        const before = liveFrom - o.history.handoverMs;
        const picked = events.filter((e) => e.type === 'case.reported' && Date.parse(e.reportedAt ?? '') < before && isDispatchedHistory(o.seed, e.sourceRef, o.history!.share));
        dispatched += picked.length;
        pickedSince.push(...picked);
        // A day of history at a time: many cases' steps are written side by side, sharing the store's group commits.
        if (t - writtenTo >= HISTORY_STEP_MS || t >= liveFrom) {
          await o.history.write(pickedSince, Math.min(t, liveFrom));
          pickedSince = [];
          writtenTo = t;
        }
      }
      const pct = Math.floor(((t - start) / span) * 100);
      if (pct >= nextPct && t < liveFrom) {
        log.info({ pct, generated, ...stats }, 'demo feed: backfilling');
        nextPct = Math.floor(pct / 10) * 10 + 10;
      }
    }
    await postAll(buffer);
    if (o.history) await o.history.write(pickedSince, liveFrom);
    const ms = Math.round(performance.now() - began);
    log.info({ days: o.backfillDays, ...stats, dispatched, ms }, 'demo feed: backfill done');
    resolveSummary({ days: o.backfillDays, events: generated, dispatched, ms });
  }

  async function live(): Promise<void> {
    let last = liveFrom;
    let lastReport = liveFrom;
    for (;;) {
      await pause(o.tickMs);
      const now = clock();
      if (now <= last) continue;
      // However long the last post took (retries included), this window covers all of it: nothing is skipped.
      await postAll(sim.eventsBetween(last, now));
      last = now;
      if (now - lastReport >= 10 * 60_000) {
        lastReport = now;
        log.info({ ...stats, pending: sim.pending }, 'demo feed: live');
      }
    }
  }

  const running = (async () => {
    log.info({ url, district: o.district.id, seed: o.seed, ratePerHour: o.ratePerHour, backfillDays: o.backfillDays }, 'demo feed: starting');
    try {
      if (start < liveFrom) await backfill();
      resolveBackfill();
      await live();
    } catch (e) {
      if (!(e instanceof Stopped)) log.error({ err: (e as Error).message }, 'demo feed: crashed');
      rejectBackfill(e instanceof Stopped ? new Error('demo feed stopped before the backfill finished') : (e as Error));
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    backfilled,
    liveFrom,
    summary,
    stop: () =>
      (stopping ??= (async () => {
        abort.abort();
        await running;
      })()),
  };
}

/** The events are stored once the server said 2xx; an unreadable body only costs us the duplicate count. */
function resultsOf(text: string): IntakeResult[] {
  try {
    return (JSON.parse(text) as { results?: IntakeResult[] }).results ?? [];
  } catch {
    return [];
  }
}

/**
 * The indexes of a refused batch's events when every refusal is a resolution pointing at its case (unknown, or
 * already closed), else undefined. That happens after a restart on the same data: the cases that were live last time
 * are history now and get their intake resolutions, but the dispatch simulation may have closed them meanwhile. Such a
 * resolution is stale, not a bug, and must not take the rest of its batch down with it.
 */
function staleResolutions(batch: readonly IntakeEvent[], details: FieldError[] | undefined): Set<number> | undefined {
  if (!details?.length) return undefined;
  const indexes = new Set<number>();
  for (const d of details) {
    const m = /^events\[(\d+)\]\.(caseSourceRef|caseId)$/.exec(d.path);
    if (!m || batch[Number(m[1])]?.type !== 'case.resolved') return undefined;
    indexes.add(Number(m[1]));
  }
  return indexes;
}

function parseError(text: string): { code?: string; message?: string; details?: FieldError[] } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: FieldError[] } };
    return body.error ?? { message: text.slice(0, 500) };
  } catch {
    return { message: text.slice(0, 500) };
  }
}

function resolveOptions(options: DemoFeedOptions) {
  const d = DEMO_FEED_DEFAULTS;
  return {
    ...options,
    backfillRatePerHour: options.backfillRatePerHour ?? d.backfillRatePerHour,
    tickMs: options.tickMs ?? d.tickMs,
    batchSize: options.batchSize ?? d.batchSize,
    retryBaseMs: options.retryBaseMs ?? d.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? d.retryMaxMs,
  };
}
