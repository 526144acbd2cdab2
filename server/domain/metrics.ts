/**
 * Dispatch metrics (docs/architecture.md §2: the figures the centre is judged on) by department, street or category over a
 * range of whistle times. A pure scan of the case records: every whistle a case had, including returned ones.
 */
import type { MetricGroup, MetricsResponse, MetricsRow } from '../../shared/api.js';
import type { CaseState, WhistleState } from '../../shared/lifecycle.js';
import type { Tier } from '../../shared/vocabulary.js';

export interface MetricsQuery {
  groupBy: MetricGroup;
  from: number;
  to: number;
  streetCode?: string;
  category?: string;
  deptId?: string;
}

interface MetricsCase extends CaseState {
  streetCode: string;
  category: string;
}

interface Acc {
  assigned: number;
  reportedIn: number;
  onTime: number;
  reportMinutes: number;
  led: number;
  resolved: number;
  resolveHours: number;
  mediated: number;
  overdue: number;
  supervised: number;
  escalated: number;
  returned: number;
  followUps: number;
  satisfactionSum: number;
  /** Due work (issue 22): parts reported in or pending past the deadline; led parts resolved or open past theirs. */
  dueReports: number;
  dueLed: number;
}

const empty = (): Acc => ({ assigned: 0, reportedIn: 0, onTime: 0, reportMinutes: 0, led: 0, resolved: 0, resolveHours: 0, mediated: 0, overdue: 0, supervised: 0, escalated: 0, returned: 0, followUps: 0, satisfactionSum: 0, dueReports: 0, dueLed: 0 });

const closedStatuses = new Set(['resolved', 'confirmed', 'followedUp', 'archived']);

export function dispatchMetrics(cases: Iterable<MetricsCase>, q: MetricsQuery, now: number): MetricsResponse {
  const groups = new Map<string, Acc>();
  let firstWhistle = Infinity;
  const tiers: Record<Tier, number> = { community: 0, street: 0, district: 0 };
  for (const c of cases) {
    if (q.streetCode && c.streetCode !== q.streetCode) continue;
    if (q.category && c.category !== q.category) continue;
    if (c.resolvedAt && c.tier && closedStatuses.has(c.status)) {
      const t = Date.parse(c.resolvedAt);
      if (t >= q.from && t < q.to) tiers[c.tier] += 1;
    }
    const whistles: WhistleState[] = [...(c.previousWhistles ?? []), ...(c.whistle ? [c.whistle] : [])];
    for (const w of whistles) {
      const whistledAt = Date.parse(w.whistledAt);
      if (whistledAt < q.from || whistledAt >= q.to) continue;
      if (whistledAt < firstWhistle) firstWhistle = whistledAt;
      const resolvedHere = w === c.whistle && closedStatuses.has(c.status) && c.resolvedAt !== undefined;
      for (const a of w.assignments) {
        if (q.deptId && a.deptId !== q.deptId) continue;
        const key = q.groupBy === 'department' ? a.deptId : q.groupBy === 'street' ? c.streetCode : c.category;
        let acc = groups.get(key);
        if (!acc) groups.set(key, (acc = empty()));
        acc.assigned += 1;
        if (a.reportedAt || (a.status === 'pending' && !w.closedAt && now > Date.parse(a.reportDueAt))) acc.dueReports += 1;
        if (a.role === 'lead' && (resolvedHere || (!w.closedAt && now > Date.parse(a.resolveDueAt)))) acc.dueLed += 1;
        if (a.reportedAt) {
          acc.reportedIn += 1;
          if (!a.late) acc.onTime += 1;
          acc.reportMinutes += Math.max(0, (Date.parse(a.reportedAt) - whistledAt) / 60_000);
        }
        if (a.status === 'returned') acc.returned += 1;
        acc.supervised += a.supervised.length;
        acc.escalated += a.escalated.length;
        let overdue = a.late === true || (a.status === 'pending' && !w.closedAt && now > Date.parse(a.reportDueAt));
        if (a.role === 'lead') {
          acc.led += 1;
          if (resolvedHere) {
            acc.resolved += 1;
            acc.resolveHours += Math.max(0, (Date.parse(c.resolvedAt!) - whistledAt) / 3_600_000);
            if (c.outcome === 'mediated') acc.mediated += 1;
            if (Date.parse(c.resolvedAt!) > Date.parse(a.resolveDueAt)) overdue = true;
            if (c.satisfaction !== undefined) {
              acc.followUps += 1;
              acc.satisfactionSum += c.satisfaction;
            }
          } else if (!w.closedAt && now > Date.parse(a.resolveDueAt)) overdue = true;
        }
        if (overdue) acc.overdue += 1;
      }
    }
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const rows: MetricsRow[] = [...groups]
    .map(([key, a]) => ({
      key,
      assigned: a.assigned,
      reportedIn: a.reportedIn,
      onTimeReportIn: a.onTime,
      onTimeRate: ratio(a.onTime, a.reportedIn),
      meanReportMinutes: a.reportedIn ? Math.round(a.reportMinutes / a.reportedIn) : null,
      led: a.led,
      resolved: a.resolved,
      resolutionRate: ratio(a.resolved, a.led),
      meanResolveHours: a.resolved ? Math.round((a.resolveHours / a.resolved) * 10) / 10 : null,
      mediated: a.mediated,
      mediationRate: ratio(a.mediated, a.resolved),
      overdue: a.overdue,
      supervised: a.supervised,
      escalated: a.escalated,
      returned: a.returned,
      followUps: a.followUps,
      satisfaction: a.followUps ? Math.round((a.satisfactionSum / a.followUps) * 100) / 100 : null,
      dueReports: a.dueReports,
      dueOnTimeRate: ratio(a.onTime, a.dueReports),
      dueLed: a.dueLed,
      dueResolutionRate: ratio(a.resolved, a.dueLed),
    }))
    .sort((x, y) => y.assigned - x.assigned || x.key.localeCompare(y.key));
  return {
    groupBy: q.groupBy,
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    rows,
    tiers,
    // More than a day after the range's start: say from when the figures really run (issue 22: an honest period).
    ...(Number.isFinite(firstWhistle) && firstWhistle - q.from > 86_400_000 && { dataFrom: new Date(firstWhistle).toISOString() }),
  };
}
