/**
 * Computes a report (issue 8) from the projections folded from the event log: the case index's records and the risk
 * engine's alerts. Every figure is derived from the log up to `sources.seq`; nothing is kept by hand. One pass over the
 * cases (plus two calls of `dispatchMetrics` over only the cases with a whistle or resolution in either period), one
 * over the alerts.
 *
 * Definitions (the scope is the district, or one street by the case's / alert's streetCode):
 * - cases.*: cases whose own `reportedAt` lies in [period.startMs, period.endMs); `previous` the same over the previous
 *   period. byCategory / bySource: every key with a case in either period; byStreet: every street of the scope;
 *   byCommunity: every community with a case in either period. Rows most first (count, then previous, then key).
 *   daily: new cases per local day of the period, oldest first; previousDaily the same over the local days of
 *   `previous` as the report has it (so only its same stretch while the period is running), zeros included.
 * - resolution.resolved: cases of the scope whose `resolvedAt` lies in the period and that are closed now (resolved,
 *   confirmed, followedUp or archived), wherever they were reported. A case reopened after a follow-up keeps its old
 *   `resolvedAt` but is open, so it does not count until it is resolved again (then with the new `resolvedAt`): the
 *   same rule as `dispatchMetrics`' tiers. outcomes: those cases by outcome; mediationRate = mediated / resolved.
 * - resolution.resolvedOfNew: of the period's new cases, those closed now; resolutionRate = resolvedOfNew / total.
 *   previousResolutionRate: of the previous period's new cases, those closed now whose `resolvedAt` is before
 *   `now − (period.startMs − previous.startMs)`, i.e. given the same time since the start of their period, so that a
 *   report on an unfinished period is not compared with a period that has had longer to close its cases.
 * - A period still running at `now` (`ongoing`) is compared with the same stretch of the previous one (同期): every
 *   previous figure is taken over [previous.startMs, previous.startMs + (now − period.startMs)), and `previous` says so.
 * - resolution.openNow: cases of the scope reported before the period's end and still open now.
 * - dispatch: `dispatchMetrics` grouped by department over the whistles blown in the period (in the scope), exactly
 *   as GET /api/metrics?groupBy=department&from=<startMs>&to=<endMs>[&streetCode=] answers at the same `now`;
 *   the totals are the sums of its rows; whistles = whistles (including returned ones) blown in the period;
 *   onTimeRate = onTimeReportIn / reportedIn; previousOnTimeRate the same over the previous period.
 * - dispatch.items: one per assignment of those same whistles that was overdue, supervised or escalated, by
 *   `dispatchMetrics`' definitions: overdue = a late report-in, or pending past reportDueAt while the whistle is open
 *   at `now`, or, for the lead, resolved (this whistle) after resolveDueAt or open past it; supervised / escalated =
 *   the assignment's `supervised` / `escalated` stages are not empty. So a department's `overdue` is its number of
 *   items with kind overdue; its `supervised` and `escalated` count stages (at most two per assignment), so they are
 *   at least its items of that kind. stages: every stage concerned; dueAt: resolveDueAt when the resolution stage is
 *   among them, else reportDueAt; tier: the case's tier now for its current whistle, else the whistle's tier moved up
 *   once per escalation in it; resolved: the case is closed now. Escalated first, then supervised, then overdue, each
 *   by whistledAt (then case id, whistle id, assignment order); at most MAX_REPORT_ITEMS, itemsTotal all of them.
 * - tiers: `dispatchMetrics`' tiers (closed cases resolved in the period, by the tier that held them; cases resolved
 *   through intake without a tier are not counted); containment = (community + street) / (all three).
 * - alerts: raised in the period (by `raisedAt`, in the scope by the alert's streetCode); byLevel by the alert's
 *   current level; byRule by rule id, `external` for alerts from outside systems. outcome as the alerts stand now:
 *   closedByOfficer + autoClosed + acknowledged + open = raised (by status), and whistled (with a whistle blown from
 *   it) counts across those. red: the red ones, oldest first.
 * - hotspots.top: the 10 communities with the most new cases (ties by code); rising: the 5 that rose most against the
 *   previous period (count − previous > 0; ties by count, then code).
 */
import type { CaseRecord } from '../domain/case-index.js';
import { dispatchMetrics } from '../domain/metrics.js';
import type { DistrictData } from '../district-data.js';
import type { MetricsResponse } from '../../shared/api.js';
import type { AlertRecord, RiskRuleId } from '../../shared/risk.js';
import type { AssignmentState, WhistleState } from '../../shared/lifecycle.js';
import type { Stage } from '../../shared/dispatch.js';
import type { CountRow, DepartmentRow, Hotspot, ReportData, ReportDispatchItem, ReportKind, ReportPeriod, ReportRedAlert, ReportScope } from '../../shared/reports.js';
import { DAY_MS } from '../../shared/time.js';
import { alertLevels, caseKinds, outcomes, tiers, type AlertLevel, type CaseKind, type CaseSource, type Localized, type Outcome, type Tier } from '../../shared/vocabulary.js';
import { ruleLabels, sourceLabels } from '../labels.js';
import { localDateOf } from './period.js';
import { summarize } from './summary.js';
import { maskText } from '../../shared/masking.js';

export interface ReportSources {
  cases: Iterable<CaseRecord>;
  alerts: Iterable<AlertRecord>;
  seq: number;
  district: DistrictData;
  tzOffsetMinutes: number;
}

/** A report asked for a street the district does not have. */
export class ReportScopeError extends Error {
  override name = 'ReportScopeError';
}

/**
 * The previous period counts as incomplete when the log's first case came after this share of it had passed: the
 * first hours of a period may well be quiet, but a comparison with a period the log mostly missed (a demo's first
 * day, a centre's first month) means nothing (issue 22).
 */
export const INCOMPLETE_SHARE = 0.25;

/** A report lists at most this many overdue, supervised or escalated assignments (`dispatch.items`). */
export const MAX_REPORT_ITEMS = 50;

/** The same statuses `dispatchMetrics` counts as closed. */
const closedStatuses = new Set(['resolved', 'confirmed', 'followedUp', 'archived']);

const same = (s: string): Localized => ({ zh: s, en: s });

/**
 * The first `elapsedMs` of `previous` (同期): a report on a period still running compares like with like, so "today so
 * far" is not set against the whole of yesterday.
 */
function sameStretch(previous: ReportPeriod, elapsedMs: number, tzOffsetMinutes: number): ReportPeriod {
  const endMs = Math.min(previous.endMs, previous.startMs + elapsedMs);
  const to = endMs > previous.startMs ? localDateOf(endMs - 1, tzOffsetMinutes) : previous.from;
  return { ...previous, to, endMs, days: Math.round(((endMs - previous.startMs) / DAY_MS) * 10) / 10 };
}

/** Counts for this period [0] and the previous one [1], by key. */
class Tally {
  readonly #m = new Map<string, [number, number]>();
  add(key: string, which: 0 | 1): void {
    const row = this.#m.get(key);
    if (row) row[which] += 1;
    else this.#m.set(key, which === 0 ? [1, 0] : [0, 1]);
  }
  get(key: string): [number, number] {
    return this.#m.get(key) ?? [0, 0];
  }
  keys(): IterableIterator<string> {
    return this.#m.keys();
  }
}

const byCount = (a: CountRow, b: CountRow) => b.count - a.count || b.previous - a.previous || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function rows(tally: Tally, keys: Iterable<string>, name: (key: string) => Localized): CountRow[] {
  return [...keys].map((key) => {
    const [count, previous] = tally.get(key);
    return { key, name: name(key), count, previous };
  }).sort(byCount);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const inside = (t: number, p: ReportPeriod) => t >= p.startMs && t < p.endMs;

/** An assignment to list, before its names are looked up (only the listed ones are). */
interface ItemCandidate {
  c: CaseRecord;
  w: WhistleState;
  a: AssignmentState;
  whistledAt: number;
  /** 0 escalated, 1 supervised, 2 overdue. */
  rank: number;
  kinds: ReportDispatchItem['kinds'];
  stages: Stage[];
}

/**
 * The assignment as `dispatchMetrics` judges it (server/domain/metrics.ts): its kinds and stages, or undefined when it
 * was neither overdue, supervised nor escalated.
 */
function judge(c: CaseRecord, w: WhistleState, a: AssignmentState, now: number): Pick<ItemCandidate, 'rank' | 'kinds' | 'stages'> | undefined {
  const overdue = new Set<Stage>();
  if (a.late === true || (a.status === 'pending' && !w.closedAt && now > Date.parse(a.reportDueAt))) overdue.add('reportIn');
  if (a.role === 'lead') {
    const resolvedHere = w === c.whistle && closedStatuses.has(c.status) && c.resolvedAt !== undefined;
    if (resolvedHere ? Date.parse(c.resolvedAt!) > Date.parse(a.resolveDueAt) : !w.closedAt && now > Date.parse(a.resolveDueAt)) overdue.add('resolve');
  }
  const kinds: ReportDispatchItem['kinds'] = [];
  if (a.escalated.length > 0) kinds.push('escalated');
  if (a.supervised.length > 0) kinds.push('supervised');
  if (overdue.size > 0) kinds.push('overdue');
  if (kinds.length === 0) return undefined;
  const concerned = new Set<Stage>([...a.escalated, ...a.supervised, ...overdue]);
  const stages = (['reportIn', 'resolve'] as const).filter((s) => concerned.has(s));
  const rank = kinds[0] === 'escalated' ? 0 : kinds[0] === 'supervised' ? 1 : 2;
  return { rank, kinds, stages };
}

/** The tier a whistle stands at now: the case's for its current whistle; an earlier one's moved up per escalation. */
function tierNow(c: CaseRecord, w: WhistleState): Tier {
  if (w === c.whistle) return c.tier ?? w.tier;
  const escalations = w.assignments.reduce((n, a) => n + a.escalated.length, 0);
  return tiers[Math.min(tiers.indexOf(w.tier) + escalations, tiers.length - 1)]!;
}

/**
 * A report's free text masked by the one policy (shared/masking.ts), for every format it leaves in: computed reports
 * are masked already, reports archived before the policy covered them are masked on the way out.
 */
export function maskReport(report: ReportData): ReportData {
  const red = report.alerts.red;
  return red ? { ...report, alerts: { ...report.alerts, red: red.map((a) => ({ ...a, title: maskText(a.title) })) } } : report;
}

export function computeReport(
  sources: ReportSources,
  request: { kind: ReportKind; street?: string; period: ReportPeriod; previous: ReportPeriod },
  now: number,
): ReportData {
  const { district, tzOffsetMinutes: tz } = sources;
  const { period: P, street } = request;
  const ongoing = now < P.endMs;
  const Q = ongoing ? sameStretch(request.previous, Math.max(0, now - P.startMs), sources.tzOffsetMinutes) : request.previous;

  let scope: ReportScope;
  if (street !== undefined) {
    const s = district.street(street);
    if (!s) throw new ReportScopeError(`no street ${street} in ${district.info.name.zh}`);
    scope = { level: 'street', code: s.code, name: { zh: s.name, en: s.nameEn ?? s.name } };
  } else {
    scope = { level: 'district', code: district.info.code, name: { ...district.info.name } };
  }

  const category = new Tally();
  const source = new Tally();
  const streets = new Tally();
  const community = new Tally();
  const communityStreet = new Map<string, string>();
  const byKind = Object.fromEntries(caseKinds.map((k) => [k, 0])) as Record<CaseKind, number>;
  const daily = new Array<number>(P.days).fill(0);
  // The local days Q touches: its whole days, or those of its same stretch (at least its first day).
  const previousDaily = new Array<number>(Math.max(1, Math.ceil((Q.endMs - Q.startMs) / DAY_MS))).fill(0);
  const outcomeCounts = Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>;
  let total = 0;
  let previousTotal = 0;
  let resolved = 0;
  let previousResolved = 0;
  let previousMediated = 0;
  let resolvedOfNew = 0;
  let previousResolvedOfNew = 0;
  let openNow = 0;
  let whistles = 0;
  const previousCutoff = now - (P.startMs - Q.startMs);
  /** Cases that can count in dispatchMetrics for each period: a whistle blown or a resolution in it. */
  const dispatchNow: CaseRecord[] = [];
  const dispatchBefore: CaseRecord[] = [];
  /** The period's overdue, supervised or escalated assignments. */
  const candidates: ItemCandidate[] = [];

  /** When the log's history begins: the earliest case anywhere (not only in scope). */
  let firstMs = Infinity;
  for (const c of sources.cases) {
    const reportedAt = Date.parse(c.reportedAt);
    if (reportedAt < firstMs) firstMs = reportedAt;
    if (street !== undefined && c.streetCode !== street) continue;
    const closed = closedStatuses.has(c.status);
    const resolvedAt = closed && c.resolvedAt !== undefined ? Date.parse(c.resolvedAt) : NaN;
    let which: 0 | 1 | -1 = -1;
    if (inside(reportedAt, P)) {
      which = 0;
      total += 1;
      byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
      daily[Math.floor((reportedAt - P.startMs) / DAY_MS)]! += 1;
      if (closed) resolvedOfNew += 1;
    } else if (inside(reportedAt, Q)) {
      which = 1;
      previousTotal += 1;
      previousDaily[Math.floor((reportedAt - Q.startMs) / DAY_MS)]! += 1;
      if (closed && resolvedAt < previousCutoff) previousResolvedOfNew += 1;
    }
    if (which >= 0) {
      const w = which as 0 | 1;
      category.add(c.category, w);
      source.add(c.source, w);
      streets.add(c.streetCode, w);
      community.add(c.communityCode, w);
      if (!communityStreet.has(c.communityCode)) communityStreet.set(c.communityCode, c.streetCode);
    }
    if (!closed && reportedAt < P.endMs) openNow += 1;

    let forNow = false;
    let forBefore = false;
    if (inside(resolvedAt, P)) {
      forNow = true;
      resolved += 1;
      if (c.outcome) outcomeCounts[c.outcome] += 1;
    } else if (inside(resolvedAt, Q)) {
      forBefore = true;
      previousResolved += 1;
      if (c.outcome === 'mediated') previousMediated += 1;
    }
    if (c.whistleCount > 0) {
      const count = (w: WhistleState) => {
        const t = Date.parse(w.whistledAt);
        if (inside(t, P)) {
          whistles += 1;
          forNow = true;
          for (const a of w.assignments) {
            const judged = judge(c, w, a, now);
            if (judged) candidates.push({ c, w, a, whistledAt: t, ...judged });
          }
        } else if (inside(t, Q)) forBefore = true;
      };
      if (c.previousWhistles) for (const w of c.previousWhistles) count(w);
      if (c.whistle) count(c.whistle);
    }
    if (forNow) dispatchNow.push(c);
    if (forBefore) dispatchBefore.push(c);
  }

  const metricsQuery = (p: ReportPeriod) => ({ groupBy: 'department' as const, from: p.startMs, to: p.endMs, ...(street !== undefined && { streetCode: street }) });
  const current = dispatchMetrics(dispatchNow, metricsQuery(P), now);
  const before = dispatchMetrics(dispatchBefore, metricsQuery(Q), now);

  const communityName = (code: string): Localized => {
    const info = district.community(code);
    return same(info?.name ?? code);
  };
  const communityRows = rows(community, community.keys(), communityName);
  const hotspot = (r: CountRow): Hotspot => ({
    code: r.key,
    name: r.name,
    streetCode: district.community(r.key)?.streetCode ?? communityStreet.get(r.key) ?? '',
    count: r.count,
    previous: r.previous,
  });
  const codeOrder = (a: CountRow, b: CountRow) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const top = communityRows
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || codeOrder(a, b))
    .slice(0, 10)
    .map(hotspot);
  const rising = communityRows
    .filter((r) => r.count - r.previous > 0)
    .sort((a, b) => b.count - b.previous - (a.count - a.previous) || b.count - a.count || codeOrder(a, b))
    .slice(0, 5)
    .map(hotspot);

  const streetCodes = scope.level === 'street' ? [scope.code] : district.info.streets.map((s) => s.code);
  const streetName = (code: string): Localized => {
    const s = district.street(code);
    return s ? { zh: s.name, en: s.nameEn ?? s.name } : same(code);
  };

  // ---- alerts ----
  const byLevel = Object.fromEntries(alertLevels.map((l) => [l, 0])) as Record<AlertLevel, number>;
  const rules = new Tally();
  const outcome = { whistled: 0, closedByOfficer: 0, autoClosed: 0, acknowledged: 0, open: 0 };
  const red: ReportRedAlert[] = [];
  let raised = 0;
  let previousRaised = 0;
  for (const a of sources.alerts) {
    if (street !== undefined && a.streetCode !== street) continue;
    const t = Date.parse(a.raisedAt);
    const rule = a.rule ?? 'external';
    if (inside(t, P)) {
      raised += 1;
      byLevel[a.level] += 1;
      rules.add(rule, 0);
      if (a.whistles.length > 0) outcome.whistled += 1;
      if (a.status === 'closed') {
        if (a.closed?.auto) outcome.autoClosed += 1;
        else outcome.closedByOfficer += 1;
      } else if (a.status === 'acknowledged') outcome.acknowledged += 1;
      else outcome.open += 1;
      if (a.level === 'red') {
        red.push({
          id: a.id,
          // An outside system's typed title, masked by the one policy: the report is printed and archived as is.
          title: maskText(a.title),
          rule,
          ruleName: { ...ruleLabels[rule] },
          streetCode: a.streetCode,
          ...(a.communityCode && { communityCode: a.communityCode }),
          place: a.communityCode && district.community(a.communityCode) ? communityName(a.communityCode) : streetName(a.streetCode),
          raisedAt: a.raisedAt,
          status: a.status,
        });
      }
    } else if (inside(t, Q)) {
      previousRaised += 1;
      rules.add(rule, 1);
    }
  }
  red.sort((x, y) => Date.parse(x.raisedAt) - Date.parse(y.raisedAt) || (x.id < y.id ? -1 : 1));

  // ---- dispatch ----
  const departments = new Map(district.departments.map((d) => [d.id, d]));
  const departmentRows: DepartmentRow[] = current.rows.map((r) => ({
    deptId: r.key,
    name: departments.get(r.key)?.name ?? same(r.key),
    assigned: r.assigned,
    reportedIn: r.reportedIn,
    onTimeReportIn: r.onTimeReportIn,
    onTimeRate: r.onTimeRate,
    meanReportMinutes: r.meanReportMinutes,
    led: r.led,
    resolved: r.resolved,
    resolutionRate: r.resolutionRate,
    meanResolveHours: r.meanResolveHours,
    overdue: r.overdue,
    supervised: r.supervised,
    escalated: r.escalated,
    returned: r.returned,
  }));
  const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  // Stable: the assignments of one whistle keep their order.
  candidates.sort((x, y) => x.rank - y.rank || x.whistledAt - y.whistledAt || order(x.c.id, y.c.id) || order(x.w.whistleId, y.w.whistleId));
  const items: ReportDispatchItem[] = candidates.slice(0, MAX_REPORT_ITEMS).map(({ c, w, a, kinds, stages }) => {
    const s = streetName(c.streetCode);
    const community = district.community(c.communityCode)?.name ?? c.communityCode;
    return {
      caseId: c.id,
      category: c.category,
      categoryName: { ...(district.category(c.category)?.name ?? same(c.category)) },
      streetCode: c.streetCode,
      communityCode: c.communityCode,
      place: { zh: `${s.zh} · ${community}`, en: `${s.en} · ${community}` },
      deptId: a.deptId,
      deptName: { ...(departments.get(a.deptId)?.name ?? same(a.deptId)) },
      role: a.role,
      whistleId: w.whistleId,
      whistledAt: w.whistledAt,
      kinds,
      stages,
      dueAt: stages.includes('resolve') ? a.resolveDueAt : a.reportDueAt,
      tier: tierNow(c, w),
      resolved: closedStatuses.has(c.status),
    };
  });
  const sum = (m: MetricsResponse, f: (r: MetricsResponse['rows'][number]) => number) => m.rows.reduce((s, r) => s + f(r), 0);
  const containment = (m: MetricsResponse) => ratio(m.tiers.community + m.tiers.street, m.tiers.community + m.tiers.street + m.tiers.district);

  const report: Omit<ReportData, 'summary'> = {
    kind: request.kind,
    scope,
    period: { ...P },
    previous: { ...Q },
    ...(ongoing && { ongoing: true }),
    // A previous period that began well before the log did is only partly there: no change against it means anything.
    ...(!(firstMs <= Q.startMs + (Q.endMs - Q.startMs) * INCOMPLETE_SHARE) && { previousIncomplete: true as const }),
    ...(Number.isFinite(firstMs) && { dataSince: new Date(firstMs).toISOString() }),
    generatedAt: new Date(now).toISOString(),
    asOfSeq: sources.seq,
    tzOffsetMinutes: tz,
    cases: {
      total,
      previous: previousTotal,
      byKind,
      byCategory: rows(category, category.keys(), (code) => district.category(code)?.name ?? same(code)),
      bySource: rows(source, source.keys(), (key) => sourceLabels[key as CaseSource] ?? same(key)),
      byStreet: rows(streets, streetCodes, streetName),
      byCommunity: communityRows,
      daily: daily.map((count, i) => ({ date: localDateOf(P.startMs + i * DAY_MS, tz), count })),
      previousDaily: previousDaily.map((count, i) => ({ date: localDateOf(Q.startMs + i * DAY_MS, tz), count })),
    },
    resolution: {
      resolved,
      previous: previousResolved,
      resolvedOfNew,
      resolutionRate: ratio(resolvedOfNew, total),
      previousResolutionRate: ratio(previousResolvedOfNew, previousTotal),
      outcomes: outcomeCounts,
      mediationRate: ratio(outcomeCounts.mediated, resolved),
      previousMediationRate: ratio(previousMediated, previousResolved),
      openNow,
    },
    dispatch: {
      whistles,
      assignments: sum(current, (r) => r.assigned),
      reportedIn: sum(current, (r) => r.reportedIn),
      onTimeReportIn: sum(current, (r) => r.onTimeReportIn),
      onTimeRate: ratio(sum(current, (r) => r.onTimeReportIn), sum(current, (r) => r.reportedIn)),
      previousOnTimeRate: ratio(sum(before, (r) => r.onTimeReportIn), sum(before, (r) => r.reportedIn)),
      overdue: sum(current, (r) => r.overdue),
      supervised: sum(current, (r) => r.supervised),
      escalated: sum(current, (r) => r.escalated),
      returned: sum(current, (r) => r.returned),
      departments: departmentRows,
      items,
      itemsTotal: candidates.length,
    },
    tiers: { ...current.tiers, containment: containment(current), previousContainment: containment(before) },
    alerts: {
      raised,
      previous: previousRaised,
      byLevel,
      byRule: rows(rules, rules.keys(), (key) => ruleLabels[key as RiskRuleId | 'external'] ?? same(key)),
      outcome,
      red,
    },
    hotspots: { top, rising },
  };
  return { ...report, summary: summarize(report) };
}
