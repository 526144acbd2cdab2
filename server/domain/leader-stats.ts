/**
 * The leader view's read model (issue 5): new cases per category per week and per weekday × hour (重点领域、重点时段),
 * and hourly frames of every community's heat for the time slider that replays the last 7 days. A fold over the
 * public events in seq order, called just before the wall fold applies each one, so a frame taken at an hour boundary
 * is the wall as it stood then. Memory is bounded: 13 weeks of categories, 5 weeks of hours, 7 days + 1 h of frames.
 */
import { z } from 'zod';
import type { HeatHistory, LeaderOverview } from '../../shared/risk.js';
import type { PublicEvent } from '../../shared/events.js';
import { DAY_MS, HOUR_MS, dayKey, hourKey } from '../../shared/time.js';
import { communityView, decayedAt, emptyWallState, type WallState } from '../../shared/wall-state.js';

export const CATEGORY_WEEKS_KEPT = 13;
export const HOUR_WEEKS_KEPT = 5;
export const FRAME_DAYS = 7;
/** One frame more than 7 days, so the oldest hour of a 7-day history can borrow the frame before it. */
const FRAMES_KEPT = FRAME_DAYS * 24 + 1;
const HOURS_PER_WEEK = 7 * 24;
const SNAPSHOT_VERSION = 2;

export interface LeaderStatsOptions {
  tzOffsetMinutes: number;
}

/** A community's heat figures at a frame: [code index, open weight, recent.v, recent.t, alerts.v, alerts.t]. */
type Figures = [number, number, number, number, number, number];

interface Frame {
  /** Epoch hour of the boundary the frame was taken at. */
  hour: number;
  /** Figures of the communities that changed since the frame before (every community in the first frame). */
  changes: Figures[];
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

const figures = z.tuple([z.number().int().min(0), z.number(), z.number(), z.number(), z.number(), z.number()]);
const framesSchema = z.strictObject({
  lastHour: z.number().int().nullable(),
  halfLifeHours: z.number().positive().nullable(),
  codes: z.array(z.string()),
  baseHour: z.number().int().nullable(),
  base: z.array(figures),
  frames: z.array(z.strictObject({ hour: z.number().int(), changes: z.array(figures) })).max(FRAMES_KEPT),
  dirty: z.array(z.string()),
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


/**
 * Hourly heat frames, kept as changes: a frame holds the figures (open weight, decaying recent and alert weight) of
 * only the communities an event touched since the frame before, and heat is evaluated from the figures when the
 * history is read. Taking a frame therefore costs what happened in that hour, not one heat per community per hour,
 * which over a long log (a frame every hour for years) would be most of this fold's replay time.
 */
class HeatFrames {
  /** Epoch hour of the newest boundary a frame was taken for; null before the first. */
  #lastHour: number | null = null;
  #halfLifeHours: number | null = null;
  #codes: string[] = [];
  #codeIndex = new Map<string, number>();
  /** Figures as of the newest frame dropped for age (at `baseHour`). */
  #baseHour: number | null = null;
  #base = new Map<number, Figures>();
  #frames: Frame[] = [];
  /** Communities touched since the newest frame. */
  #dirty = new Set<string>();

  get started(): boolean {
    return this.#lastHour !== null;
  }

  touch(code: string): void {
    this.#dirty.add(code);
  }

  /** Frames for every boundary after the last one up to `toHour`; an older hour (a late event) rewrites nothing. */
  advance(toHour: number, wall: WallState): void {
    if (this.#lastHour !== null && toHour <= this.#lastHour) return;
    this.#halfLifeHours = wall.halfLifeHours;
    // The first frame takes every community the wall knows (it may come from a snapshot); later ones what changed.
    const first = this.#lastHour === null;
    const from = first ? toHour : Math.max(this.#lastHour! + 1, toHour - FRAMES_KEPT + 1);
    const changed = first ? Object.keys(wall.communities) : [...this.#dirty];
    this.#dirty.clear();
    for (let hour = from; hour <= toHour; hour++) {
      this.#frames.push({ hour, changes: hour === from ? this.#figures(changed, wall) : [] });
    }
    this.#lastHour = toHour;
    while (this.#frames.length > FRAMES_KEPT) {
      const old = this.#frames.shift()!;
      for (const f of old.changes) this.#base.set(f[0], f);
      this.#baseHour = old.hour;
    }
  }

  #figures(codes: Iterable<string>, wall: WallState): Figures[] {
    const out: Figures[] = [];
    for (const code of codes) {
      const c = wall.communities[code];
      if (!c) continue;
      let i = this.#codeIndex.get(code);
      if (i === undefined) {
        i = this.#codes.push(code) - 1;
        this.#codeIndex.set(code, i);
      }
      out.push([i, c.openWeight, c.recent.v, c.recent.t, c.alerts.v, c.alerts.t]);
    }
    return out;
  }

  /** Heat of `codes` at each of `hours` (ascending): the nearest frame at or before the hour, 0 before any. */
  heatAt(hours: readonly number[], codes: readonly string[]): number[][] {
    const want = codes.map((c) => this.#codeIndex.get(c));
    // An empty wall with the fold's half-life: the context `decayedAt` reads.
    const decay = emptyWallState({ tzOffsetMinutes: 0, halfLifeHours: this.#halfLifeHours ?? 1 });
    const current = new Map(this.#base);
    const evaluate = (frameHour: number): number[] => {
      const at = frameHour * HOUR_MS;
      return want.map((i) => {
        const f = i === undefined ? undefined : current.get(i);
        // The wall's own heat: communityView(wall, code, at).heat (tests/server/leader-stats.test.ts holds them equal).
        return f ? Math.round((f[1] + decayedAt(decay, { v: f[2], t: f[3] }, at) + decayedAt(decay, { v: f[4], t: f[5] }, at)) * 10) / 10 : 0;
      });
    };
    const zeros = codes.map(() => 0);
    let next = 0;
    let shown: number[] | null = null;
    return hours.map((hour) => {
      let frameHour: number | null = shown === null && this.#baseHour !== null && this.#baseHour <= hour ? this.#baseHour : null;
      while (next < this.#frames.length && this.#frames[next]!.hour <= hour) {
        const frame = this.#frames[next++]!;
        for (const f of frame.changes) current.set(f[0], f);
        frameHour = frame.hour;
      }
      if (frameHour !== null) shown = evaluate(frameHour);
      return shown ?? zeros;
    });
  }

  snapshot(): z.infer<typeof framesSchema> {
    return {
      lastHour: this.#lastHour,
      halfLifeHours: this.#halfLifeHours,
      codes: [...this.#codes],
      baseHour: this.#baseHour,
      base: [...this.#base.values()].map((f) => [...f] as Figures),
      frames: this.#frames.map((f) => ({ hour: f.hour, changes: f.changes.map((c) => [...c] as Figures) })),
      dirty: [...this.#dirty],
    };
  }

  static restore(snap: z.infer<typeof framesSchema>): HeatFrames {
    const frames = new HeatFrames();
    frames.#lastHour = snap.lastHour;
    frames.#halfLifeHours = snap.halfLifeHours;
    frames.#codes = [...snap.codes];
    frames.#codeIndex = new Map(snap.codes.map((c, i) => [c, i]));
    frames.#baseHour = snap.baseHour;
    frames.#base = new Map(snap.base.map((f) => [f[0], [...f] as Figures]));
    frames.#frames = snap.frames.map((f) => ({ hour: f.hour, changes: f.changes.map((c) => [...c] as Figures) }));
    frames.#dirty = new Set(snap.dirty);
    return frames;
  }
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
    if (Number.isFinite(t)) this.#frames.advance(hourKey(t), wall);
    // Touched after the frames above: its effect lands in the wall after this call, so it belongs to the next frame.
    const community = 'case' in event ? event.case.communityCode : event.communityCode;
    if (community) this.#frames.touch(community);
    if (event.type === 'case.reported' && Number.isFinite(t)) this.#count(event.case.category, t);
  }

  /**
   * Takes the frames of the hour boundaries passed by `now` (called every minute, so a quiet hour has its frame).
   * Only events start the frames: on an empty log a tick at start-up would put the timeline at "now" and make a
   * backfill that follows (older event times) unable to draw its history; before any event every heat is 0 anyway.
   */
  tick(now: number, wall: WallState): void {
    if (this.#frames.started) this.#frames.advance(hourKey(now), wall);
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
