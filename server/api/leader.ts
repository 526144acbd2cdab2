/**
 * The leader's routes (领导驾驶舱): one overview — hotspots by risk score with their 14-day sparklines, the busy
 * fields and hours, open alerts, today's sensitive periods — and the hourly heat history for the time slider.
 * Everything is read from the in-memory projections; nothing here carries personal data.
 */
import { maskAlert } from '../../shared/masking.js';
import { Router } from 'express';
import { z } from 'zod';
import { zodFieldErrors } from '../../shared/intake.js';
import type { AlertRecord, Hotspot, LeaderOverview, RiskClientSettings, RiskView } from '../../shared/risk.js';
import { alertLevels, type AlertLevel } from '../../shared/vocabulary.js';
import { activePeriods, dailyCounts, riskViews, type RiskArea } from '../../shared/wall-risk.js';
import type { WallState } from '../../shared/wall-state.js';
import type { LeaderStats } from '../domain/leader-stats.js';
import type { DistrictData } from '../district-data.js';
import { invalid } from './errors.js';

export const TOP_COMMUNITIES = 15;
export const SPARKLINE_DAYS = 14;
export const OVERVIEW_ALERTS = 50;

/** What the routes read; `Projections` has all of it (risk is null when the rules are off). */
export interface LeaderSources {
  wall: WallState;
  leader: LeaderStats;
  risk: {
    alerts: {
      list(filter: { status: 'open'; limit: number }): AlertRecord[];
      openByLevel(): Record<AlertLevel, number>;
    };
  } | null;
}

export const heatHistoryQuery = z.strictObject({
  days: z.coerce.number({ error: 'must be a whole number of days from 1 to 7' }).int('must be a whole number of days from 1 to 7').min(1, 'must be at least 1').max(7, 'must be at most 7').default(7),
});

export interface LeaderAreas {
  communities: RiskArea[];
  streets: RiskArea[];
  communityCodes: string[];
}

export function leaderAreas(district: DistrictData): LeaderAreas {
  return {
    communities: district.info.communities.map((c) => ({ level: 'community', code: c.code, communityCodes: [c.code] })),
    streets: district.info.streets.map((s) => ({ level: 'street', code: s.code, communityCodes: district.communitiesOf(s.code) })),
    communityCodes: district.info.communities.map((c) => c.code),
  };
}

function byScore(a: RiskView, b: RiskView): number {
  return b.score - a.score || a.code.localeCompare(b.code);
}

function hotspot(view: RiskView, area: RiskArea, wall: WallState, now: number): Hotspot {
  const daily = dailyCounts(wall, area.communityCodes, now, SPARKLINE_DAYS).map((d) => d.reported);
  return { code: view.code, level: view.level, score: view.score, parts: view.parts, daily, openAlerts: view.inputs.openAlerts };
}

function ranked(views: RiskView[], areas: readonly RiskArea[], wall: WallState, now: number): Hotspot[] {
  const byCode = new Map(areas.map((a) => [a.code, a]));
  return views.sort(byScore).map((v) => hotspot(v, byCode.get(v.code)!, wall, now));
}

const noAlerts = (): Record<AlertLevel, number> => Object.fromEntries(alertLevels.map((l) => [l, 0])) as Record<AlertLevel, number>;

/** The overview at `now`: the top communities (with any risk at all) and every street, most at risk first. */
export function leaderOverview(sources: LeaderSources, areas: LeaderAreas, settings: RiskClientSettings, now: number): LeaderOverview {
  const { wall, leader, risk } = sources;
  const communities = riskViews(wall, settings, areas.communities, now).filter((v) => v.score > 0);
  const streets = riskViews(wall, settings, areas.streets, now);
  return {
    generatedAt: new Date(now).toISOString(),
    hotspots: {
      communities: ranked(communities, areas.communities, wall, now).slice(0, TOP_COMMUNITIES),
      streets: ranked(streets, areas.streets, wall, now),
    },
    categoryWeeks: leader.categoryWeeks(now, 12),
    hourOfWeek: leader.hourOfWeek(now, 4),
    alerts: {
      // Outside systems write alert titles, officers notes: masked by the one policy as everywhere else.
      alerts: risk ? risk.alerts.list({ status: 'open', limit: OVERVIEW_ALERTS }).map(maskAlert) : [],
      openByLevel: risk ? risk.alerts.openByLevel() : noAlerts(),
    },
    periods: activePeriods(settings.periods, now, wall.tzOffsetMinutes),
  };
}

export function leaderRouter(deps: { projections: LeaderSources; district: DistrictData; risk: RiskClientSettings; clock: () => number }): Router {
  const { projections, risk, clock } = deps;
  const areas = leaderAreas(deps.district);
  const router = Router();

  router.get('/api/leader/overview', (_req, res) => {
    res.json(leaderOverview(projections, areas, risk, clock()));
  });

  router.get('/api/leader/heat-history', (req, res) => {
    const parsed = heatHistoryQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const now = clock();
    res.json(projections.leader.heatHistory(now, areas.communityCodes, parsed.data.days, projections.wall));
  });

  return router;
}
