/**
 * The wall's read model: a pure fold over public events, shared by the server (snapshots) and the client
 * (applying deltas), so both compute every figure the same way. Mutates in place: the server folds a million
 * events at start-up and the wall folds hundreds per second.
 */
import type { PublicEvent } from './events.js';
import type { AlertLevel } from './vocabulary.js';
import { dayKey, hourKey, lastDays } from './time.js';
import { applyDispatchEvent, emptyDispatchState, type DispatchWallState } from './wall-dispatch.js';
import { applyRiskEvent, emptyRiskState, type RiskWallState } from './wall-risk.js';

export const WINDOW_DAYS = 30;
export const WINDOW_HOURS = 24;
export const TICKER_LENGTH = 40;

/** Heat added by an alert, decaying like any recent event. */
export const alertHeatWeight: Record<AlertLevel, number> = { red: 20, orange: 10, yellow: 5, blue: 2 };

/** A value that halves every half-life; `t` is the instant (ms) at which `v` holds. */
export interface Decayed {
  v: number;
  t: number;
}

export interface DayBucket {
  reported: number;
  resolved: number;
  /** Cases reported that day that are resolved by now: the numerator of the resolution rate. */
  resolvedOfReported: number;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
}

export interface CommunityFigures {
  open: number;
  openWeight: number;
  newDay: string;
  newCount: number;
  /** Recent cases, decaying. */
  recent: Decayed;
  /** Recent alerts, decaying. */
  alerts: Decayed;
}

export interface WallState {
  seq: number;
  tzOffsetMinutes: number;
  halfLifeHours: number;
  open: number;
  openByCategory: Record<string, number>;
  days: Record<string, DayBucket>;
  hours: Record<string, number>;
  communities: Record<string, CommunityFigures>;
  /** Alerts raised for a whole street (no community given). */
  streetAlerts: Record<string, Decayed>;
  ticker: PublicEvent[];
  dispatch: DispatchWallState;
  risk: RiskWallState;
}

export function emptyWallState(options: { tzOffsetMinutes: number; halfLifeHours: number }): WallState {
  return {
    seq: 0,
    tzOffsetMinutes: options.tzOffsetMinutes,
    halfLifeHours: options.halfLifeHours,
    open: 0,
    openByCategory: {},
    days: {},
    hours: {},
    communities: {},
    streetAlerts: {},
    ticker: [],
    dispatch: emptyDispatchState(),
    risk: emptyRiskState(),
  };
}

function lambda(state: WallState): number {
  return Math.LN2 / (state.halfLifeHours * 3_600_000);
}

export function decayedAt(state: WallState, d: Decayed | undefined, t: number): number {
  if (!d) return 0;
  return t >= d.t ? d.v * Math.exp(-lambda(state) * (t - d.t)) : d.v;
}

/** Adds weight w at instant t; order-independent, so a late (backfilled) event lands as if on time. */
function addDecayed(state: WallState, d: Decayed, w: number, t: number): void {
  if (t >= d.t) {
    d.v = decayedAt(state, d, t) + w;
    d.t = t;
  } else {
    d.v += w * Math.exp(-lambda(state) * (d.t - t));
  }
}

function community(state: WallState, code: string): CommunityFigures {
  let c = state.communities[code];
  if (!c) {
    c = { open: 0, openWeight: 0, newDay: '', newCount: 0, recent: { v: 0, t: 0 }, alerts: { v: 0, t: 0 } };
    state.communities[code] = c;
  }
  return c;
}

function day(state: WallState, key: string): DayBucket | undefined {
  let b = state.days[key];
  if (!b) {
    const keys = Object.keys(state.days);
    // Only the rolling window is kept; an event older than every kept day is not charted.
    if (keys.length >= WINDOW_DAYS + 1 && keys.every((k) => k > key)) return undefined;
    b = { reported: 0, resolved: 0, resolvedOfReported: 0, byCategory: {}, bySource: {} };
    state.days[key] = b;
    if (keys.length >= WINDOW_DAYS + 1) delete state.days[keys.sort()[0]!];
  }
  return b;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  const next = (record[key] ?? 0) + by;
  if (next === 0) delete record[key];
  else record[key] = next;
}

function countHour(state: WallState, ms: number): void {
  const key = hourKey(ms);
  if (state.hours[key] !== undefined) {
    state.hours[key] += 1;
    return;
  }
  const keys = Object.keys(state.hours).map(Number);
  const newest = Math.max(key, ...keys);
  if (key <= newest - WINDOW_HOURS) return;
  bump(state.hours, String(key));
  for (const k of keys) if (k <= newest - WINDOW_HOURS) delete state.hours[k];
}

/** Folds one event. Events at or below `state.seq` are ignored, so a replayed or duplicated delta is harmless. */
export function applyEvent(state: WallState, event: PublicEvent): boolean {
  if (event.seq <= state.seq) return false;
  state.seq = event.seq;
  if (event.type === 'access.changed') return true;
  const tz = state.tzOffsetMinutes;
  switch (event.type) {
    case 'case.reported': {
      const c = event.case;
      const t = Date.parse(c.reportedAt);
      const dk = dayKey(t, tz);
      const area = community(state, c.communityCode);
      area.open += 1;
      area.openWeight += c.weight;
      addDecayed(state, area.recent, c.weight, t);
      if (dk > area.newDay) {
        area.newDay = dk;
        area.newCount = 1;
      } else if (dk === area.newDay) area.newCount += 1;
      state.open += 1;
      bump(state.openByCategory, c.category);
      const bucket = day(state, dk);
      if (bucket) {
        bucket.reported += 1;
        bump(bucket.byCategory, c.category);
        bump(bucket.bySource, event.source);
      }
      countHour(state, t);
      break;
    }
    case 'case.resolved': {
      const c = event.case;
      const area = community(state, c.communityCode);
      area.open = Math.max(0, area.open - 1);
      area.openWeight = Math.max(0, area.openWeight - c.weight);
      state.open = Math.max(0, state.open - 1);
      if ((state.openByCategory[c.category] ?? 0) > 0) bump(state.openByCategory, c.category, -1);
      const resolvedBucket = day(state, dayKey(Date.parse(event.resolvedAt), tz));
      if (resolvedBucket) resolvedBucket.resolved += 1;
      const reportedBucket = state.days[dayKey(Date.parse(c.reportedAt), tz)];
      if (reportedBucket) reportedBucket.resolvedOfReported += 1;
      applyDispatchEvent(state.dispatch, event, tz);
      break;
    }
    case 'case.followedUp': {
      // Not satisfied: the case needs work again, so it counts as open (its resolution stays in the day it happened).
      if (event.reopened) {
        const c = event.case;
        const area = community(state, c.communityCode);
        area.open += 1;
        area.openWeight += c.weight;
        state.open += 1;
        bump(state.openByCategory, c.category);
      }
      applyDispatchEvent(state.dispatch, event, tz);
      break;
    }
    case 'alert.raised': {
      const t = Date.parse(event.raisedAt);
      const w = alertHeatWeight[event.level];
      if (event.communityCode) addDecayed(state, community(state, event.communityCode).alerts, w, t);
      else addDecayed(state, (state.streetAlerts[event.streetCode] ??= { v: 0, t: 0 }), w, t);
      break;
    }
    case 'alert.updated':
    case 'alert.acknowledged':
    case 'alert.closed':
      break;
    default:
      applyDispatchEvent(state.dispatch, event, tz);
  }
  applyRiskEvent(state.risk, event, tz);
  state.ticker.push(event);
  if (state.ticker.length > TICKER_LENGTH) state.ticker.splice(0, state.ticker.length - TICKER_LENGTH);
  return true;
}

// ---- selectors: what the wall shows, computed from the state at a given instant ----

export interface CommunityView {
  code: string;
  open: number;
  newToday: number;
  heat: number;
}

export function communityView(state: WallState, code: string, now: number): CommunityView {
  const c = state.communities[code];
  if (!c) return { code, open: 0, newToday: 0, heat: 0 };
  const newToday = c.newDay === dayKey(now, state.tzOffsetMinutes) ? c.newCount : 0;
  return { code, open: c.open, newToday, heat: round1(c.openWeight + decayedAt(state, c.recent, now) + decayedAt(state, c.alerts, now)) };
}

export function streetView(state: WallState, streetCode: string, communityCodes: readonly string[], now: number): CommunityView {
  const view: CommunityView = { code: streetCode, open: 0, newToday: 0, heat: decayedAt(state, state.streetAlerts[streetCode], now) };
  for (const code of communityCodes) {
    const c = communityView(state, code, now);
    view.open += c.open;
    view.newToday += c.newToday;
    view.heat += c.heat;
  }
  view.heat = round1(view.heat);
  return view;
}

export interface Totals {
  newToday: number;
  resolvedToday: number;
  open: number;
  /** Share of cases reported in the window that are resolved; null when nothing was reported. */
  resolutionRate: number | null;
}

export function totals(state: WallState, now: number): Totals {
  const today = state.days[dayKey(now, state.tzOffsetMinutes)];
  let reported = 0;
  let resolved = 0;
  for (const key of lastDays(now, WINDOW_DAYS, state.tzOffsetMinutes)) {
    const b = state.days[key];
    if (!b) continue;
    reported += b.reported;
    resolved += b.resolvedOfReported;
  }
  return {
    newToday: today?.reported ?? 0,
    resolvedToday: today?.resolved ?? 0,
    open: state.open,
    resolutionRate: reported ? resolved / reported : null,
  };
}

export function dailySeries(state: WallState, now: number, n = WINDOW_DAYS): Array<{ day: string; reported: number; resolved: number }> {
  return lastDays(now, n, state.tzOffsetMinutes).map((d) => ({ day: d, reported: state.days[d]?.reported ?? 0, resolved: state.days[d]?.resolved ?? 0 }));
}

/** New cases per hour for the last 24 hours, oldest first; `hour` is the epoch hour. */
export function hourlySeries(state: WallState, now: number): Array<{ hour: number; reported: number }> {
  const current = hourKey(now);
  return Array.from({ length: WINDOW_HOURS }, (_, i) => {
    const hour = current - (WINDOW_HOURS - 1 - i);
    return { hour, reported: state.hours[hour] ?? 0 };
  });
}

/** Counts per key summed over the window (e.g. cases by source in 30 days). */
export function windowBreakdown(state: WallState, now: number, field: 'byCategory' | 'bySource'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of lastDays(now, WINDOW_DAYS, state.tzOffsetMinutes)) {
    const b = state.days[key];
    if (b) for (const [k, v] of Object.entries(b[field])) bump(out, k, v);
  }
  return out;
}

export function topCommunities(state: WallState, now: number, n = 10): CommunityView[] {
  return Object.keys(state.communities)
    .map((code) => communityView(state, code, now))
    .filter((c) => c.heat > 0)
    .sort((a, b) => b.heat - a.heat || a.code.localeCompare(b.code))
    .slice(0, n);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

