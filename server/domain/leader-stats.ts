/**
 * The leader view's read model (issue 5): new cases per category per week and per weekday × hour (重点领域、重点时段),
 * and hourly frames of every community's heat for the time slider that replays the last 7 days. A fold over the
 * public events in seq order; every figure is placed by the event's own time, so the order of arrival (a backfill, a
 * late integration) changes nothing. Memory is bounded: 13 weeks of categories, 5 weeks of hours, 7 days + 1 h of
 * hourly sums per community.
 */
import { z } from 'zod';
import type { HeatHistory, LeaderOverview } from '../../shared/risk.js';
import type { PublicEvent } from '../../shared/events.js';
import { DAY_MS, HOUR_MS, dayKey, hourKey } from '../../shared/time.js';
import { alertHeatWeight, communityView, type Decayed, type WallState } from '../../shared/wall-state.js';

export const CATEGORY_WEEKS_KEPT = 13;
export const HOUR_WEEKS_KEPT = 5;
export const FRAME_DAYS = 7;
/** One frame more than 7 days, so the oldest hour of a 7-day history can borrow the frame before it. */
const FRAMES_KEPT = FRAME_DAYS * 24 + 1;
const HOURS_PER_WEEK = 7 * 24;
const SNAPSHOT_VERSION = 3;

export interface LeaderStatsOptions {
  tzOffsetMinutes: number;
}

/** Local day number since the epoch (1970-01-01 was a Thursday). */
function localDay(ms: number, tz: number): number {
  return Math.floor((ms + tz * 60_000) / DAY_MS);
}

/** Local weekday, 0 = Monday. */
function weekday(ms: number, tz: number): number {
  return (((localDay(ms, tz) + 3) % 7) + 7) % 7;
}

/** The local date (YYYY-MM-DD) of the Monday starting the week of `ms`. */
export function weekStart(ms: number, tz: number): string {
  return dayKey(ms - weekday(ms, tz) * DAY_MS, tz);
}

/** The `n` week starts ending with the week of `ms`, oldest first. */
export function weeksEnding(ms: number, n: number, tz: number): string[] {
  const monday = Date.parse(`${weekStart(ms, tz)}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => new Date(monday - (n - 1 - i) * 7 * DAY_MS).toISOString().slice(0, 10));
}

/** The instant an event happened by its own account: replays and backfills keep their history where it was. */
export function eventTime(event: PublicEvent): number {
  switch (event.type) {
    case 'case.reported':
      return Date.parse(event.case.reportedAt);
    case 'case.resolved':
      return Date.parse(event.resolvedAt);
    case 'alert.raised':
      return Date.parse(event.raisedAt);
    default:
      return Date.parse(event.at);
  }
}

/**
 * A bucket per week, at most `keep` of them: a week older than every kept one is dropped once the set is full
 * (a late event from long ago), and a new week pushes the oldest out.
 */
function weekBucket<T>(buckets: Record<string, T>, week: string, keep: number, make: () => T): T | undefined {
  const existing = buckets[week];
  if (existing) return existing;
  const keys = Object.keys(buckets);
  if (keys.length >= keep && keys.every((k) => k > week)) return undefined;
  const made = make();
  buckets[week] = made;
  if (keys.length >= keep) delete buckets[keys.sort()[0]!];
  return made;
}

const decayedSchema = z.strictObject({ v: z.number(), t: z.number() });
/** [hour, open weight change, recent weight at the hour's end, alert weight at the hour's end] */
const bucketSchema = z.tuple([z.number().int(), z.number(), z.number(), z.number()]);
const framesSchema = z.strictObject({
  newestHour: z.number().int().nullable(),
  halfLifeHours: z.number().positive().nullable(),
  communities: z.record(z.string(), z.strictObject({ open: z.number(), recent: decayedSchema, alerts: decayedSchema, buckets: z.array(bucketSchema) })),
});
const snapshotSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  tzOffsetMinutes: z.number().int(),
  seq: z.number().int().min(0),
  frames: framesSchema,
  categoryWeeks: z.record(z.string(), z.record(z.string(), z.number().int().min(0))),
  hourWeeks: z.record(z.string(), z.array(z.number().int().min(0)).length(HOURS_PER_WEEK)),
});
type Snapshot = z.infer<typeof snapshotSchema>;


/** One community's heat inputs: everything before the kept hours folded into a base, then one bucket per hour. */
interface CommunityHeat {
  open: number;
  recent: Decayed;
  alerts: Decayed;
  /** By epoch hour of the events' own time: open weight change, and recent and alert weight as of the hour's end. */
  buckets: Map<number, [open: number, recent: number, alerts: number]>;
}

/**
 * Hourly heat of every community, derived from the events' own time (issue 22): a case counts from the moment it
 * was reported until the moment it was resolved, its recent weight and an alert's decay from their moments, whatever
 * order the events arrive in — a backfill, a late integration or one event stamped "now" in the middle of history
 * changes nothing for the hours before it. The last FRAMES_KEPT hours are kept as per-hour sums per community;
 * older ones are folded into a base, so memory stays bounded by communities × hours.
 */
class HeatFrames {
  /** The newest hour seen (an event's or the clock's); the kept hours end there. */
  #newestHour: number | null = null;
  #halfLifeHours: number | null = null;
  #communities = new Map<string, CommunityHeat>();

  #lambda(): number {
    return Math.LN2 / ((this.#halfLifeHours ?? 24) * HOUR_MS);
  }

  #firstKept(): number {
    return this.#newestHour === null ? -Infinity : this.#newestHour - FRAMES_KEPT + 1;
  }

  /** Adds an event's effect on a community at its own time `t`. */
  add(code: string, t: number, change: { open?: number; recent?: number; alerts?: number }, halfLifeHours: number): void {
    this.#halfLifeHours = halfLifeHours;
    let c = this.#communities.get(code);
    if (!c) {
      c = { open: 0, recent: { v: 0, t: 0 }, alerts: { v: 0, t: 0 }, buckets: new Map() };
      this.#communities.set(code, c);
    }
    const hour = hourKey(t);
    this.advance(hour);
    if (hour < this.#firstKept()) {
      c.open += change.open ?? 0;
      if (change.recent) addAt(c.recent, change.recent, t, this.#lambda());
      if (change.alerts) addAt(c.alerts, change.alerts, t, this.#lambda());
      return;
    }
    let b = c.buckets.get(hour);
    if (!b) {
      b = [0, 0, 0];
      c.buckets.set(hour, b);
    }
    const toEnd = Math.exp(-this.#lambda() * ((hour + 1) * HOUR_MS - t));
    b[0] += change.open ?? 0;
    b[1] += (change.recent ?? 0) * toEnd;
    b[2] += (change.alerts ?? 0) * toEnd;
  }

  /** Moves the kept hours on to end at `hour` (never back), folding hours that fall out into each base. */
  advance(hour: number): void {
    if (this.#newestHour !== null && hour <= this.#newestHour) return;
    this.#newestHour = hour;
    const first = this.#firstKept();
    const lambda = this.#lambda();
    for (const c of this.#communities.values()) {
      for (const [h, b] of c.buckets) {
        if (h >= first) continue;
        c.open += b[0];
        if (b[1]) addAt(c.recent, b[1], (h + 1) * HOUR_MS, lambda);
        if (b[2]) addAt(c.alerts, b[2], (h + 1) * HOUR_MS, lambda);
        c.buckets.delete(h);
      }
    }
  }

  /** Heat of `codes` at each of `hours` (ascending hour boundaries): every event before the boundary counts. */
  heatAt(hours: readonly number[], codes: readonly string[]): number[][] {
    const lambda = this.#lambda();
    const perCode = codes.map((code) => {
      const c = this.#communities.get(code);
      if (!c) return hours.map(() => 0);
      const sorted = [...c.buckets.keys()].sort((a, b) => a - b);
      let next = 0;
      let open = c.open;
      let recent = 0;
      let alerts = 0;
      let at = -Infinity;
      return hours.map((hour) => {
        const boundary = hour * HOUR_MS;
        // Bring the running sums of the buckets to this boundary, then add the buckets that ended by it.
        if (at !== -Infinity) {
          const f = Math.exp(-lambda * (boundary - at));
          recent *= f;
          alerts *= f;
        }
        at = boundary;
        while (next < sorted.length && sorted[next]! < hour) {
          const h = sorted[next++]!;
          const b = c.buckets.get(h)!;
          const f = Math.exp(-lambda * (boundary - (h + 1) * HOUR_MS));
          open += b[0];
          recent += b[1] * f;
          alerts += b[2] * f;
        }
        const base = decayed(c.recent, boundary, lambda) + decayed(c.alerts, boundary, lambda);
        return Math.round((Math.max(0, open) + recent + alerts + base) * 10) / 10;
      });
    });
    return hours.map((_, i) => perCode.map((heats) => heats[i]!));
  }

  snapshot(): z.infer<typeof framesSchema> {
    const communities: z.infer<typeof framesSchema>['communities'] = {};
    for (const [code, c] of this.#communities) {
      communities[code] = { open: c.open, recent: { ...c.recent }, alerts: { ...c.alerts }, buckets: [...c.buckets].map(([h, b]) => [h, b[0], b[1], b[2]]) };
    }
    return { newestHour: this.#newestHour, halfLifeHours: this.#halfLifeHours, communities };
  }

  static restore(snap: z.infer<typeof framesSchema>): HeatFrames {
    const frames = new HeatFrames();
    frames.#newestHour = snap.newestHour;
    frames.#halfLifeHours = snap.halfLifeHours;
    for (const [code, c] of Object.entries(snap.communities)) {
      frames.#communities.set(code, { open: c.open, recent: { ...c.recent }, alerts: { ...c.alerts }, buckets: new Map(c.buckets.map(([h, o, r, a]) => [h, [o, r, a]])) });
    }
    return frames;
  }
}

/** A decaying value at `t` (not decayed backwards: before its own instant it is its value, as on the wall). */
function decayed(d: Decayed, t: number, lambda: number): number {
  return t >= d.t ? d.v * Math.exp(-lambda * (t - d.t)) : d.v;
}

/** Adds weight `w` at instant `t`, in any order (wall-state.ts does the same for the wall). */
function addAt(d: Decayed, w: number, t: number, lambda: number): void {
  if (t >= d.t) {
    d.v = decayed(d, t, lambda) + w;
    d.t = t;
  } else d.v += w * Math.exp(-lambda * (d.t - t));
}

export class LeaderStats {
  readonly #tz: number;
  #seq = 0;
  #frames = new HeatFrames();
  #categoryWeeks: Record<string, Record<string, number>> = {};
  #hourWeeks: Record<string, number[]> = {};

  constructor(options: LeaderStatsOptions) {
    this.#tz = options.tzOffsetMinutes;
  }

  /** Folds one event; `wall` must not have applied it yet. Events at or below the last seq are ignored. */
  apply(event: PublicEvent, wall: WallState): void {
    if (event.seq <= this.#seq) return;
    this.#seq = event.seq;
    if (event.type === 'access.changed') return;
    const t = eventTime(event);
    if (!Number.isFinite(t)) return;
    const hl = wall.halfLifeHours;
    // The heat a community gets from each event, at the event's own time (the wall's fold adds the same: wall-state.ts).
    if (event.type === 'case.reported') {
      this.#frames.add(event.case.communityCode, t, { open: event.case.weight, recent: event.case.weight }, hl);
      this.#count(event.case.category, t);
    } else if (event.type === 'case.resolved') this.#frames.add(event.case.communityCode, t, { open: -event.case.weight }, hl);
    else if (event.type === 'case.followedUp' && event.reopened) this.#frames.add(event.case.communityCode, t, { open: event.case.weight }, hl);
    else if (event.type === 'alert.raised' && event.communityCode) this.#frames.add(event.communityCode, t, { alerts: alertHeatWeight[event.level] }, hl);
  }

  /** Moves the kept hours on to `now` (called every minute): hours older than 7 days fold into each community's base. */
  tick(now: number, _wall?: WallState): void {
    this.#frames.advance(hourKey(now));
  }

  #count(category: string, t: number): void {
    const local = t + this.#tz * 60_000;
    const hourOfWeek = Math.floor(local / HOUR_MS) - (localDay(t, this.#tz) - weekday(t, this.#tz)) * 24;
    const week = this.#weekKey(t);
    const byCategory = weekBucket<Record<string, number>>(this.#categoryWeeks, week, CATEGORY_WEEKS_KEPT, () => ({}));
    if (byCategory) byCategory[category] = (byCategory[category] ?? 0) + 1;
    const hours = weekBucket(this.#hourWeeks, week, HOUR_WEEKS_KEPT, () => new Array<number>(HOURS_PER_WEEK).fill(0));
    if (hours) hours[hourOfWeek]! += 1;
  }

  /** Week keys by local Monday, remembered for the last week seen: a replay formats one string per week, not per event. */
  #lastMonday = NaN;
  #lastWeek = '';
  #weekKey(t: number): string {
    const monday = localDay(t, this.#tz) - weekday(t, this.#tz);
    if (monday !== this.#lastMonday) {
      this.#lastMonday = monday;
      this.#lastWeek = weekStart(t, this.#tz);
    }
    return this.#lastWeek;
  }

  // ---- queries ----

  /** New cases per category in each of the last `weeks` weeks (this one included): counts[category][week]. */
  categoryWeeks(now: number, weeks = 12): LeaderOverview['categoryWeeks'] {
    const keys = weeksEnding(now, Math.min(CATEGORY_WEEKS_KEPT, Math.max(1, Math.floor(weeks))), this.#tz);
    const totals = new Map<string, number>();
    for (const week of keys) for (const [category, n] of Object.entries(this.#categoryWeeks[week] ?? {})) totals.set(category, (totals.get(category) ?? 0) + n);
    // The busiest field on top; ties in code order so the rows do not shuffle between refreshes.
    const categories = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || a.localeCompare(b));
    return { weeks: keys, categories, counts: categories.map((c) => keys.map((w) => this.#categoryWeeks[w]?.[c] ?? 0)) };
  }

  /** New cases by local weekday (0 = Monday) and hour, summed over the last `weeks` weeks (this one included). */
  hourOfWeek(now: number, weeks = 4): LeaderOverview['hourOfWeek'] {
    const n = Math.min(HOUR_WEEKS_KEPT, Math.max(1, Math.floor(weeks)));
    const counts = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const week of weeksEnding(now, n, this.#tz)) {
      const hours = this.#hourWeeks[week];
      if (hours) for (let i = 0; i < HOURS_PER_WEEK; i++) counts[Math.floor(i / 24)]![i % 24]! += hours[i]!;
    }
    return { weeks: n, counts };
  }

  /**
   * Heat of `codes` at every hour boundary of the last `days` days, oldest first. An hour with no frame (no event and
   * no tick since) gets the nearest earlier frame; before the first frame heat is 0. With `wall`, a last frame at
   * `now` is the state now.
   */
  heatHistory(now: number, codes: readonly string[], days = FRAME_DAYS, wall?: WallState): HeatHistory {
    const span = Math.min(FRAME_DAYS, Math.max(1, Math.floor(days))) * 24;
    const end = hourKey(now);
    const hours = Array.from({ length: span }, (_, i) => end - span + 1 + i);
    const heat = this.#frames.heatAt(hours, codes);
    const frames: HeatHistory['frames'] = hours.map((hour, i) => ({ at: new Date(hour * HOUR_MS).toISOString(), heat: heat[i]! }));
    if (wall) {
      const live = { at: new Date(now).toISOString(), heat: codes.map((c) => communityView(wall, c, now).heat) };
      if (now === end * HOUR_MS) frames[frames.length - 1] = live;
      else frames.push(live);
    }
    return { codes: [...codes], frames };
  }

  // ---- persistence (projection snapshots) ----

  snapshot(): Snapshot {
    return {
      version: SNAPSHOT_VERSION,
      tzOffsetMinutes: this.#tz,
      seq: this.#seq,
      frames: this.#frames.snapshot(),
      categoryWeeks: structuredClone(this.#categoryWeeks),
      hourWeeks: structuredClone(this.#hourWeeks),
    };
  }

  /** Throws on data that is not a snapshot of this version and time zone: the caller then rebuilds from the log. */
  static restore(data: unknown, options: LeaderStatsOptions): LeaderStats {
    const parsed = snapshotSchema.safeParse(data);
    if (!parsed.success) throw new Error(`leader stats snapshot is not usable: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const snap = parsed.data;
    if (snap.tzOffsetMinutes !== options.tzOffsetMinutes) throw new Error('leader stats snapshot was made for another time zone');
    const stats = new LeaderStats(options);
    stats.#seq = snap.seq;
    stats.#frames = HeatFrames.restore(snap.frames);
    stats.#categoryWeeks = structuredClone(snap.categoryWeeks);
    stats.#hourWeeks = structuredClone(snap.hourWeeks);
    return stats;
  }
}
