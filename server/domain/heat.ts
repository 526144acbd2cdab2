/** "Why is this red": splits an area's heat into its parts and names the cases and categories behind it. */
import type { HeatExplanation } from '../../shared/api.js';
import { decayedAt, type WallState } from '../../shared/wall-state.js';
import { toPublicSummary, type CaseIndex } from './case-index.js';

export function explainHeat(
  state: WallState,
  cases: CaseIndex,
  area: { code: string; level: 'street' | 'community'; communityCodes: readonly string[] },
  now: number,
  topN = 10,
): HeatExplanation {
  let openCases = 0;
  let recentEvents = 0;
  let alerts = area.level === 'street' ? decayedAt(state, state.streetAlerts[area.code], now) : 0;
  for (const code of area.communityCodes) {
    const c = state.communities[code];
    if (!c) continue;
    openCases += c.openWeight;
    recentEvents += decayedAt(state, c.recent, now);
    alerts += decayedAt(state, c.alerts, now);
  }
  // An open case counts with its weight plus what is left of its arrival in the decaying recent part.
  const contributions = cases.openIn(area.communityCodes).map((record) => {
    const arrival = decayedAt(state, { v: record.weight, t: Date.parse(record.reportedAt) }, now);
    return { record, contribution: round1(record.weight + arrival) };
  });
  contributions.sort((a, b) => b.contribution - a.contribution || b.record.seq - a.record.seq);
  const byCategory = new Map<string, { category: string; open: number; contribution: number }>();
  for (const { record, contribution } of contributions) {
    const entry = byCategory.get(record.category) ?? { category: record.category, open: 0, contribution: 0 };
    entry.open += 1;
    entry.contribution = round1(entry.contribution + contribution);
    byCategory.set(record.category, entry);
  }
  return {
    code: area.code,
    level: area.level,
    heat: round1(openCases + recentEvents + alerts),
    parts: { openCases: round1(openCases), recentEvents: round1(recentEvents), alerts: round1(alerts) },
    topCases: contributions.slice(0, topN).map(({ record, contribution }) => ({ ...toPublicSummary(record), contribution })),
    byCategory: [...byCategory.values()].sort((a, b) => b.contribution - a.contribution),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
