/**
 * The wall's view of risk: per community the open cases' weight by category, the open alerts and new cases per
 * day — part of the wall fold, so the map's "risk" metric and the server's explanation compute the same 0–100 score
 * (docs/architecture.md §6). The score's settings and the sensitive periods come from data/risk/ through the client config.
 */
import type { PublicAlertChanged, PublicAlertRaised, PublicCaseReported, PublicCaseResolved, PublicLifecycleEvent } from './events.js';
import type { AreaLevel, RiskClientSettings, RiskView, SensitivePeriod } from './risk.js';
import { dayKey, lastDays } from './time.js';
import type { AlertLevel } from './vocabulary.js';
import type { DispatchWallState, WallAssignment } from './wall-dispatch.js';

/** Days of new-case counts kept per community: two trend windows of up to 14 days, plus today. */
export const RISK_DAYS = 29;

export interface AreaRiskFigures {
  /** Open cases' weight per category, so a sensitive period can weigh its categories more. */
  openByCategory: Record<string, number>;
  /** Open (raised or acknowledged) alerts in this community: id → level. */
  alerts: Record<string, AlertLevel>;
  /** New cases per local day. */
  days: Record<string, number>;
}

export interface RiskWallState {
  communities: Record<string, AreaRiskFigures>;
  /** Open alerts raised for a whole street (no community). */
  streetAlerts: Record<string, Record<string, AlertLevel>>;
}

export function emptyRiskState(): RiskWallState {
  return { communities: {}, streetAlerts: {} };
}

function area(state: RiskWallState, code: string): AreaRiskFigures {
  return (state.communities[code] ??= { openByCategory: {}, alerts: {}, days: {} });
}

function addWeight(figures: AreaRiskFigures, category: string, by: number): void {
  const next = Math.max(0, (figures.openByCategory[category] ?? 0) + by);
  if (next < 1e-9) delete figures.openByCategory[category];
  else figures.openByCategory[category] = next;
}

function countDay(figures: AreaRiskFigures, key: string): void {
  if (figures.days[key] !== undefined) {
    figures.days[key] += 1;
    return;
  }
  const keys = Object.keys(figures.days);
  if (keys.length >= RISK_DAYS && keys.every((k) => k > key)) return;
  figures.days[key] = 1;
  if (keys.length >= RISK_DAYS) delete figures.days[keys.sort()[0]!];
}

type RiskEvent = PublicCaseReported | PublicCaseResolved | PublicLifecycleEvent | PublicAlertRaised | PublicAlertChanged;

/** Folds one event into the risk figures (the wall fold calls it after its own bookkeeping). */
export function applyRiskEvent(state: RiskWallState, event: RiskEvent, tz: number): void {
  switch (event.type) {
    case 'case.reported': {
      const figures = area(state, event.case.communityCode);
      addWeight(figures, event.case.category, event.case.weight);
      countDay(figures, dayKey(Date.parse(event.case.reportedAt), tz));
      return;
    }
    case 'case.resolved':
      addWeight(area(state, event.case.communityCode), event.case.category, -event.case.weight);
      return;
    case 'case.followedUp':
      if (event.reopened) addWeight(area(state, event.case.communityCode), event.case.category, event.case.weight);
      return;
    case 'alert.raised':
    case 'alert.updated':
    case 'alert.closed': {
      const alerts = event.communityCode ? area(state, event.communityCode).alerts : (state.streetAlerts[event.streetCode] ??= {});
      if (event.type === 'alert.raised') alerts[event.alertId] = event.level;
      else if (event.type === 'alert.closed') delete alerts[event.alertId];
      else if (event.level && alerts[event.alertId]) alerts[event.alertId] = event.level;
      return;
    }
    default:
  }
}

// ---- the score ----

/** Periods on at `now` (local date, inclusive bounds). */
export function activePeriods(periods: readonly SensitivePeriod[], now: number, tz: number): SensitivePeriod[] {
  const today = dayKey(now, tz);
  return periods.filter((p) => p.from <= today && today <= p.to);
}

/** Per category, the heaviest weight of the periods on at `now` and which periods those are. */
export function periodMultipliers(periods: readonly SensitivePeriod[], now: number, tz: number): Map<string, { weight: number; ids: string[] }> {
  const multiplier = new Map<string, { weight: number; ids: string[] }>();
  for (const p of activePeriods(periods, now, tz)) {
    for (const category of p.categories) {
      const m = multiplier.get(category) ?? { weight: 1, ids: [] };
      m.weight = Math.max(m.weight, p.weight);
      m.ids.push(p.id);
      multiplier.set(category, m);
    }
  }
  return multiplier;
}

function saturate(points: number, value: number, scale: number): number {
  return points * (1 - Math.exp(-value / scale));
}

export function overdueParts(a: WallAssignment, now: number): boolean {
  return (a.status === 'pending' && now > Date.parse(a.reportDueAt)) || (a.status === 'reported' && a.role === 'lead' && now > Date.parse(a.resolveDueAt));
}

/** Overdue whistle parts per community at `now`: one pass over the active whistles. */
export function overdueByCommunity(dispatch: DispatchWallState, now: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of Object.values(dispatch.whistles)) {
    const n = w.assignments.filter((a) => overdueParts(a, now)).length;
    if (n) out.set(w.communityCode, (out.get(w.communityCode) ?? 0) + n);
  }
  return out;
}

export interface RiskArea {
  level: AreaLevel;
  code: string;
  communityCodes: readonly string[];
}

/** The state the score reads: the risk figures, the active whistles and the local time zone. */
export interface RiskSource {
  tzOffsetMinutes: number;
  risk: RiskWallState;
  dispatch: DispatchWallState;
}

/** Risk views of many areas at once (the overdue pass and the period lookup are shared). */
export function riskViews(state: RiskSource, settings: RiskClientSettings, areas: readonly RiskArea[], now: number): RiskView[] {
  const tz = state.tzOffsetMinutes;
  const { score } = settings;
  const multiplier = periodMultipliers(settings.periods, now, tz);
  const overdue = overdueByCommunity(state.dispatch, now);
  const days = lastDays(now, score.trend.days * 2, tz);
  const recentDays = new Set(days.slice(score.trend.days));
  return areas.map(({ level, code, communityCodes }) => {
    let openWeight = 0;
    let alertWeight = 0;
    let openAlerts = 0;
    let overdueCount = 0;
    let recent = 0;
    let previous = 0;
    const periodIds = new Set<string>();
    const countAlerts = (alerts: Record<string, AlertLevel> | undefined) => {
      for (const lvl of Object.values(alerts ?? {})) {
        openAlerts += 1;
        alertWeight += score.alerts.weights[lvl];
      }
    };
    if (level === 'street') countAlerts(state.risk.streetAlerts[code]);
    for (const c of communityCodes) {
      overdueCount += overdue.get(c) ?? 0;
      const figures = state.risk.communities[c];
      if (!figures) continue;
      for (const [category, w] of Object.entries(figures.openByCategory)) {
        const m = multiplier.get(category);
        openWeight += w * (m?.weight ?? 1);
        if (m) for (const id of m.ids) periodIds.add(id);
      }
      countAlerts(figures.alerts);
      for (const d of days) {
        const n = figures.days[d] ?? 0;
        if (recentDays.has(d)) recent += n;
        else previous += n;
      }
    }
    // A small prior keeps one or two cases from reading as a trend.
    const ratio = (recent + 2) / (previous + 2);
    const parts = {
      severity: round1(saturate(score.severity.points, openWeight, score.severity.scale[level])),
      alerts: round1(saturate(score.alerts.points, alertWeight, score.alerts.scale[level])),
      overdue: round1(saturate(score.overdue.points, overdueCount, score.overdue.scale[level])),
      trend: round1(score.trend.points * Math.min(1, Math.max(0, (ratio - 1) / (score.trend.fullAtRatio - 1)))),
    };
    const total = Math.min(100, Math.round(parts.severity + parts.alerts + parts.overdue + parts.trend));
    return {
      code,
      level,
      score: total,
      parts,
      inputs: { openWeight: round1(openWeight), openAlerts, alertWeight: round1(alertWeight), overdue: overdueCount, recent, previous, periods: [...periodIds] },
    };
  });
}

/** New cases per local day over the communities, oldest first, for sparklines and the explanation. */
export function dailyCounts(state: RiskSource, communityCodes: readonly string[], now: number, days: number): Array<{ day: string; reported: number }> {
  return lastDays(now, days, state.tzOffsetMinutes).map((day) => ({
    day,
    reported: communityCodes.reduce((sum, c) => sum + (state.risk.communities[c]?.days[day] ?? 0), 0),
  }));
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

