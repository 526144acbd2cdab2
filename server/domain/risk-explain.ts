/** "Why is this area at risk": the score's parts and the cases, alerts and overdue work behind them. */
import type { RiskClientSettings, RiskExplanation } from '../../shared/risk.js';
import { alertLevels } from '../../shared/vocabulary.js';
import type { WallState } from '../../shared/wall-state.js';
import { dailyCounts, overdueParts, periodMultipliers, riskViews, type RiskArea } from '../../shared/wall-risk.js';
import { toPublicSummary, type CaseIndex } from './case-index.js';
import type { AlertRegistry } from './risk/alerts.js';
import { wallAlertTitle } from '../../shared/masking.js';

export function explainRisk(
  state: WallState,
  cases: CaseIndex,
  alerts: AlertRegistry | null,
  settings: RiskClientSettings,
  area: RiskArea,
  now: number,
  topN = 10,
): RiskExplanation {
  const [view] = riskViews(state, settings, [area], now);
  const multiplier = periodMultipliers(settings.periods, now, state.tzOffsetMinutes);
  const topCases = cases
    .openIn(area.communityCodes)
    .map((record) => ({ record, contribution: Math.round(record.weight * (multiplier.get(record.category)?.weight ?? 1) * 10) / 10 }))
    .sort((a, b) => b.contribution - a.contribution || b.record.seq - a.record.seq)
    .slice(0, topN)
    .map(({ record, contribution }) => ({ ...toPublicSummary(record), contribution }));
  const inArea = new Set(area.communityCodes);
  const open = (alerts?.list({ status: 'open', ...(area.level === 'street' ? { streetCode: area.code } : { communityCode: area.code }) }) ?? [])
    .sort((a, b) => alertLevels.indexOf(a.level) - alertLevels.indexOf(b.level) || b.seq - a.seq)
    // The explanation is shown on the wall: no typed text at all (an outside system's title or description, an
    // officer's note); an outside system's alert is labelled by its source (masking.ts wallAlertTitle).
    .map(({ description: _d, acknowledged, closed: _c, ...alert }) => ({ ...alert, title: wallAlertTitle(alert), ...(acknowledged && { acknowledged: { actor: { role: acknowledged.actor.role, id: acknowledged.actor.role }, at: acknowledged.at } }) }));
  const overdue: RiskExplanation['overdue'] = [];
  for (const w of Object.values(state.dispatch.whistles)) {
    if (!inArea.has(w.communityCode)) continue;
    for (const a of w.assignments) {
      if (!overdueParts(a, now)) continue;
      const stage = a.status === 'pending' ? 'reportIn' : 'resolve';
      overdue.push({ caseId: w.caseId, whistleId: w.whistleId, deptId: a.deptId, stage, dueAt: stage === 'reportIn' ? a.reportDueAt : a.resolveDueAt });
    }
  }
  overdue.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return { view: view!, topCases, alerts: open, overdue, daily: dailyCounts(state, area.communityCodes, now, settings.score.trend.days * 2) };
}
