import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordFromReport, type CaseRecord } from '../../../server/domain/case-index.js';
import { dispatchMetrics } from '../../../server/domain/metrics.js';
import { loadDistrictData } from '../../../server/district-data.js';
import { computeReport, MAX_REPORT_ITEMS, ReportScopeError, type ReportSources } from '../../../server/reports/compute.js';
import { periodLabel, periodOf, resolvePeriod } from '../../../server/reports/period.js';
import { summarize } from '../../../server/reports/summary.js';
import type { Projections } from '../../../server/projections.js';
import type { ReportData, ReportDispatchItem } from '../../../shared/reports.js';
import { BANTIAN, GANGTOU, MAAN_TANG, PINGHU } from '../../helpers/factories.js';
import { LogBuilder, local, TZ } from './compute-log.js';

const district = loadDistrictData('longgang');
const LIANGANTIAN = '440307003002'; // 良安田社区, 平湖街道
const DAY = 86_400_000;

describe('resolvePeriod', () => {
  const now = local('2026-12-02', '10:00');

  it('daily: the local day, by default today, its instants at local midnight', () => {
    const { period, previous } = resolvePeriod({ kind: 'daily' }, now, TZ);
    expect(period).toEqual({ from: '2026-12-02', to: '2026-12-02', startMs: Date.parse('2026-12-01T16:00:00Z'), endMs: Date.parse('2026-12-02T16:00:00Z'), days: 1 });
    expect(previous).toMatchObject({ from: '2026-12-01', to: '2026-12-01', endMs: period.startMs, days: 1 });
    // 07:30 local on 2 Dec is still 1 Dec in UTC: the local day wins.
    expect(resolvePeriod({ kind: 'daily' }, local('2026-12-02', '07:30'), TZ).period.from).toBe('2026-12-02');
    expect(resolvePeriod({ kind: 'daily' }, local('2026-12-02', '07:30'), 0).period.from).toBe('2026-12-01');
    expect(resolvePeriod({ kind: 'daily', date: '2026-03-01' }, now, TZ).previous.from).toBe('2026-02-28');
  });

  it('weekly: Monday to Sunday holding the date, previous the week before, across a year end', () => {
    const { period, previous } = resolvePeriod({ kind: 'weekly', date: '2026-01-01' }, now, TZ);
    expect(period).toMatchObject({ from: '2025-12-29', to: '2026-01-04', days: 7, startMs: Date.parse('2025-12-28T16:00:00Z'), endMs: Date.parse('2026-01-04T16:00:00Z') });
    expect(previous).toMatchObject({ from: '2025-12-22', to: '2025-12-28', days: 7, endMs: period.startMs });
    expect(resolvePeriod({ kind: 'weekly' }, now, TZ).period).toMatchObject({ from: '2026-11-30', to: '2026-12-06' });
    // A Sunday belongs to the week that began the Monday before; a Monday starts its own.
    expect(resolvePeriod({ kind: 'weekly', date: '2026-11-29' }, now, TZ).period.from).toBe('2026-11-23');
    expect(resolvePeriod({ kind: 'weekly', date: '2026-11-30' }, now, TZ).period.from).toBe('2026-11-30');
  });

  it('monthly: the calendar month, previous the calendar month before (leap February, January back to December)', () => {
    const march = resolvePeriod({ kind: 'monthly', date: '2028-03-31' }, now, TZ);
    expect(march.period).toMatchObject({ from: '2028-03-01', to: '2028-03-31', days: 31 });
    expect(march.previous).toMatchObject({ from: '2028-02-01', to: '2028-02-29', days: 29, endMs: march.period.startMs });
    expect(resolvePeriod({ kind: 'monthly', date: '2026-02-10' }, now, TZ).period).toMatchObject({ to: '2026-02-28', days: 28 });
    const january = resolvePeriod({ kind: 'monthly', date: '2027-01-15' }, now, TZ);
    expect(january.previous).toMatchObject({ from: '2026-12-01', to: '2026-12-31', days: 31 });
    expect(january.period.startMs).toBe(Date.parse('2026-12-31T16:00:00Z'));
    expect(resolvePeriod({ kind: 'monthly' }, now, TZ).period).toMatchObject({ from: '2026-12-01', to: '2026-12-31' });
    // Previous of a 31-day month is the 30-day month before, not 31 days back.
    expect(resolvePeriod({ kind: 'monthly', date: '2026-12-31' }, now, TZ).previous).toMatchObject({ from: '2026-11-01', to: '2026-11-30', days: 30 });
  });

  it('range: from..to inclusive, previous as many days just before', () => {
    const { period, previous } = resolvePeriod({ kind: 'range', from: '2026-11-01', to: '2026-11-15' }, now, TZ);
    expect(period).toEqual({ from: '2026-11-01', to: '2026-11-15', startMs: Date.parse('2026-10-31T16:00:00Z'), endMs: Date.parse('2026-11-15T16:00:00Z'), days: 15 });
    expect(previous).toMatchObject({ from: '2026-10-17', to: '2026-10-31', days: 15, endMs: period.startMs });
    expect(resolvePeriod({ kind: 'range', from: '2028-02-28', to: '2028-03-01' }, now, TZ).period.days).toBe(3);
    expect(() => resolvePeriod({ kind: 'range', from: '2026-11-01' }, now, TZ)).toThrow(/from.*to/);
    expect(() => resolvePeriod({ kind: 'daily', date: '2026-02-30' }, now, TZ)).toThrow(/not a local date/);
  });

  it('labels each kind in Chinese and English', () => {
    const at = (q: Parameters<typeof resolvePeriod>[0]) => resolvePeriod(q, now, TZ).period;
    expect(periodLabel('daily', at({ kind: 'daily', date: '2026-12-02' }), 'zh')).toBe('2026年12月2日 日报');
    expect(periodLabel('daily', at({ kind: 'daily', date: '2026-12-02' }), 'en')).toBe('Daily report, 2 December 2026');
    expect(periodLabel('weekly', at({ kind: 'weekly', date: '2026-12-02' }), 'zh')).toBe('2026年第49周');
    expect(periodLabel('weekly', at({ kind: 'weekly', date: '2026-12-02' }), 'en')).toBe('Week 49, 2026');
    // 29 Dec 2025 – 4 Jan 2026 is ISO week 1 of 2026; 28 Dec 2026 – 3 Jan 2027 is week 53 of 2026.
    expect(periodLabel('weekly', at({ kind: 'weekly', date: '2025-12-30' }), 'zh')).toBe('2026年第1周');
    expect(periodLabel('weekly', at({ kind: 'weekly', date: '2027-01-02' }), 'zh')).toBe('2026年第53周');
    expect(periodLabel('monthly', at({ kind: 'monthly', date: '2026-11-20' }), 'zh')).toBe('2026年11月');
    expect(periodLabel('monthly', at({ kind: 'monthly', date: '2026-11-20' }), 'en')).toBe('November 2026');
    expect(periodLabel('range', at({ kind: 'range', from: '2026-11-01', to: '2026-11-15' }), 'zh')).toBe('2026年11月1日至11月15日');
    expect(periodLabel('range', at({ kind: 'range', from: '2026-11-01', to: '2026-11-15' }), 'en')).toBe('1 November to 15 November 2026');
    expect(periodLabel('range', at({ kind: 'range', from: '2025-12-20', to: '2026-01-05' }), 'zh')).toBe('2025年12月20日至2026年1月5日');
  });
});

/**
 * The crafted log. Report: the week Mon 23 – Sun 29 Nov 2026 (local), previous week 16–22 Nov, generated Tue 1 Dec
 * 12:00 local. Every expected figure below is worked out by hand from these events.
 */
function craftedLog(): LogBuilder {
  const b = new LogBuilder();
  const d = (day: number, time: string) => local(`2026-11-${String(day).padStart(2, '0')}`, time);
  const where = { streetCode: BANTIAN, communityCode: GANGTOU };

  // ---- the previous week ----
  // q1: labour, whistled in the previous week (late report-in), resolved in this week at district tier.
  b.report('q1', { category: 'labour', source: 'hotline', ...where, at: d(17, '09:00') });
  b.triage('q1', d(17, '09:30'), 'district');
  b.whistle('q1', 'wq1', d(17, '10:00'), 'district', [{ deptId: 'labour', role: 'lead', reportMin: 15 }]);
  b.reportIn('q1', 'wq1', 'labour', d(17, '10:30'));
  b.resolve('q1', 'wq1', 'labour', d(25, '10:00'), 'mediated', 'district');
  // q2: family, resolved through intake in the previous week, mediated.
  b.report('q2', { category: 'family', source: 'grid', streetCode: BANTIAN, communityCode: MAAN_TANG, at: d(18, '09:00') });
  b.resolveExternal('q2', d(19, '09:00'), 'mediated');
  // q3: the last minute of the previous week.
  b.report('q3', { category: 'neighbour', source: 'hotline', ...where, at: d(22, '23:59') });
  // q4: open.
  b.report('q4', { category: 'neighbour', source: 'walkin', streetCode: PINGHU, communityCode: LIANGANTIAN, at: d(20, '09:00') });
  // q5: labour in 平湖, street tier, reported in on time, resolved (mediated) in the previous week.
  b.report('q5', { category: 'labour', source: 'hotline', streetCode: PINGHU, communityCode: LIANGANTIAN, at: d(19, '08:00') });
  b.triage('q5', d(19, '08:30'), 'street');
  b.whistle('q5', 'wq5', d(19, '09:00'), 'street', [{ deptId: 'labour', role: 'lead' }]);
  b.reportIn('q5', 'wq5', 'labour', d(19, '09:10'));
  b.resolve('q5', 'wq5', 'labour', d(20, '09:00'), 'mediated', 'street');
  b.alert('a6', d(20, '10:00'), 'yellow', BANTIAN, { rule: 'spike', communityCode: GANGTOU });
  b.closeAlert('a6', d(21, '10:00'), BANTIAN);
  b.alert('a7', d(21, '10:00'), 'blue', PINGHU);

  // ---- this week ----
  // c1: labour; lead 劳动监察 reports in after 30 min (on time), assist 司法局 after 120 min (late); mediated after 24 h.
  b.report('c1', { category: 'labour', source: 'hotline', ...where, at: d(23, '09:00') });
  b.triage('c1', d(23, '09:30'), 'community');
  b.whistle('c1', 'w1', d(23, '10:00'), 'community', [{ deptId: 'labour', role: 'lead' }, { deptId: 'justice', role: 'assist' }]);
  b.reportIn('c1', 'w1', 'labour', d(23, '10:30'));
  b.reportIn('c1', 'w1', 'justice', d(23, '12:00'));
  b.resolve('c1', 'w1', 'labour', d(24, '10:00'), 'mediated', 'community');
  // c2: labour at street tier; 20 min to report in; withdrawn after 36 h; followed up and archived.
  b.report('c2', { category: 'labour', source: 'grid', ...where, at: d(23, '14:00') });
  b.triage('c2', d(23, '15:00'), 'street');
  b.whistle('c2', 'w2', d(24, '08:00'), 'street', [{ deptId: 'labour', role: 'lead' }]);
  b.reportIn('c2', 'w2', 'labour', d(24, '08:20'));
  b.resolve('c2', 'w2', 'labour', d(25, '20:00'), 'withdrawn', 'street');
  b.followUp('c2', d(26, '09:00'), 5);
  b.archive('c2', d(26, '10:00'));
  // c3: family; 妇联 never reports in: supervised, escalated; still open (overdue). Blown from red alert a1.
  b.alert('a1', d(24, '08:00'), 'red', BANTIAN, { rule: 'spike', communityCode: GANGTOU });
  b.report('c3', { category: 'family', source: 'hotline', streetCode: BANTIAN, communityCode: MAAN_TANG, at: d(24, '09:00') });
  b.triage('c3', d(24, '09:30'), 'street');
  b.whistle('c3', 'w3', d(24, '10:00'), 'street', [{ deptId: 'women-federation', role: 'lead' }], 'a1');
  b.supervise('c3', 'w3', 'women-federation', d(24, '11:00'), 'reportIn');
  b.escalate('c3', 'w3', 'women-federation', d(24, '12:00'), 'reportIn', 'street', 'district');
  // c4: neighbour in 平湖, to litigation through intake (no whistle, no tier).
  b.report('c4', { category: 'neighbour', source: 'walkin', streetCode: PINGHU, communityCode: LIANGANTIAN, at: d(25, '09:00') });
  b.resolveExternal('c4', d(26, '09:00'), 'litigation');
  b.alert('a2', d(25, '11:00'), 'red', PINGHU);
  b.closeAlert('a2', d(26, '11:00'), PINGHU);
  // c6: a petition.
  b.report('c6', { kind: 'petition', category: 'property', source: 'online', ...where, at: d(26, '10:00') });
  b.alert('a3', d(26, '12:00'), 'orange', BANTIAN, { rule: 'collective', communityCode: GANGTOU });
  b.closeAlert('a3', d(28, '12:00'), BANTIAN, true);
  // c7: labour; the lead returns the first whistle, 司法局 leads the second, mediates, but the follow-up reopens it.
  b.report('c7', { category: 'labour', source: 'hotline', ...where, at: d(27, '09:00') });
  b.triage('c7', d(27, '09:30'), 'community');
  b.whistle('c7', 'w7a', d(27, '10:00'), 'community', [{ deptId: 'labour', role: 'lead' }]);
  b.returnWhistle('c7', 'w7a', 'labour', d(27, '11:00'));
  b.whistle('c7', 'w7b', d(27, '12:00'), 'community', [{ deptId: 'justice', role: 'lead' }]);
  b.reportIn('c7', 'w7b', 'justice', d(27, '12:10'));
  b.resolve('c7', 'w7b', 'justice', d(28, '12:00'), 'mediated', 'community');
  b.followUp('c7', d(28, '15:00'), 1);
  // c10: labour, open.
  b.report('c10', { category: 'labour', source: 'hotline', ...where, at: d(28, '09:00') });
  b.alert('a4', d(29, '23:00'), 'yellow', BANTIAN, { rule: 'staleHighSeverity', communityCode: MAAN_TANG });
  // c5: the last half hour of the week.
  b.report('c5', { category: 'debt', source: 'court', streetCode: PINGHU, communityCode: LIANGANTIAN, at: d(29, '23:30') });

  // ---- the week after: counted nowhere but openNow's exclusion ----
  b.report('c8', { category: 'labour', source: 'hotline', ...where, at: local('2026-11-30', '00:00') });
  b.alert('a5', local('2026-11-30', '00:00'), 'yellow', BANTIAN, { rule: 'spike', communityCode: GANGTOU });
  return b;
}

const NOW = local('2026-12-01', '12:00');

describe('computeReport on a crafted log', () => {
  let projections: Projections;
  let sources: ReportSources;
  let report: ReportData;
  const week = resolvePeriod({ kind: 'weekly', date: '2026-11-25' }, NOW, TZ);

  beforeAll(() => {
    projections = craftedLog().fold();
    sources = { cases: projections.cases.records(), alerts: projections.risk!.alerts.list({}), seq: projections.seq, district, tzOffsetMinutes: TZ };
    report = computeReport(sources, { kind: 'weekly', ...week }, NOW);
  });

  const row = (rows: Array<{ key: string; count: number; previous: number }>, key: string) => {
    const r = rows.find((x) => x.key === key);
    return r && [r.count, r.previous];
  };

  it('stamps the report with the log position, the clock and the scope', () => {
    expect(report.asOfSeq).toBe(projections.seq);
    expect(report.asOfSeq).toBeGreaterThan(50);
    expect(report.generatedAt).toBe('2026-12-01T04:00:00.000Z');
    expect(report.scope).toEqual({ level: 'district', code: '440307', name: { zh: '龙岗区', en: 'Longgang District' } });
    expect(report.period).toMatchObject({ from: '2026-11-23', to: '2026-11-29' });
    expect(report.previous).toMatchObject({ from: '2026-11-16', to: '2026-11-22' });
    expect(report.tzOffsetMinutes).toBe(480);
  });

  it('counts new cases by their own reportedAt, with local-midnight boundaries', () => {
    const c = report.cases;
    expect(c.total).toBe(8); // c1–c7, c10; not c8 (00:00 on the 30th), c5 at 23:30 on the 29th is in
    expect(c.previous).toBe(5); // q1–q5, q3 at 23:59 on the 22nd
    expect(c.byKind).toEqual({ dispute: 7, petition: 1 });
    expect(c.byCategory.map((r) => [r.key, r.count, r.previous])).toEqual([
      ['labour', 4, 2],
      ['neighbour', 1, 2],
      ['family', 1, 1],
      ['debt', 1, 0],
      ['property', 1, 0],
    ]);
    expect(c.byCategory[0]!.name).toEqual({ zh: '劳资纠纷', en: 'Labour / wage arrears' });
    expect(c.bySource.map((r) => [r.key, r.count, r.previous])).toEqual([
      ['hotline', 4, 3],
      ['grid', 1, 1],
      ['walkin', 1, 1],
      ['court', 1, 0],
      ['online', 1, 0],
    ]);
    expect(c.bySource[0]!.name).toEqual({ zh: '12345热线', en: '12345 hotline' });
    expect(c.byStreet).toHaveLength(11);
    expect(c.byStreet.slice(0, 2).map((r) => [r.key, r.count, r.previous])).toEqual([
      [BANTIAN, 6, 3],
      [PINGHU, 2, 2],
    ]);
    expect(c.byStreet[0]!.name).toEqual({ zh: '坂田街道', en: 'Bantian' });
    expect(c.byStreet.slice(2).every((r) => r.count === 0 && r.previous === 0)).toBe(true);
    expect(c.byCommunity.map((r) => [r.key, r.count, r.previous])).toEqual([
      [GANGTOU, 5, 2],
      [LIANGANTIAN, 2, 2],
      [MAAN_TANG, 1, 1],
    ]);
    expect(c.byCommunity[0]!.name.zh).toBe('岗头社区');
    expect(c.daily).toEqual([
      { date: '2026-11-23', count: 2 },
      { date: '2026-11-24', count: 1 },
      { date: '2026-11-25', count: 1 },
      { date: '2026-11-26', count: 1 },
      { date: '2026-11-27', count: 1 },
      { date: '2026-11-28', count: 1 },
      { date: '2026-11-29', count: 1 },
    ]);
    // The previous week day by day, zeros included: q1 17th, q2 18th, q5 19th, q4 20th, q3 at 23:59 on the 22nd.
    expect(c.previousDaily).toEqual([
      { date: '2026-11-16', count: 0 },
      { date: '2026-11-17', count: 1 },
      { date: '2026-11-18', count: 1 },
      { date: '2026-11-19', count: 1 },
      { date: '2026-11-20', count: 1 },
      { date: '2026-11-21', count: 0 },
      { date: '2026-11-22', count: 1 },
    ]);
    expect(c.previousDaily!.reduce((n, d) => n + d.count, 0)).toBe(c.previous);
  });

  it('counts resolutions by resolvedAt, leaves out the reopened case, and compares new-case resolution at the same lag', () => {
    const r = report.resolution;
    // c1 (mediated), c2 (withdrawn, now archived), c4 (litigation, intake), q1 (mediated, reported last week); not c7 (reopened).
    expect(r.resolved).toBe(4);
    expect(r.outcomes).toEqual({ mediated: 2, withdrawn: 1, litigation: 1, unresolved: 0 });
    expect(r.mediationRate).toBe(0.5);
    expect(r.previous).toBe(2); // q2, q5
    expect(r.previousMediationRate).toBe(1);
    // Of this week's 8: c1, c2, c4 closed now.
    expect(r.resolvedOfNew).toBe(3);
    expect(r.resolutionRate).toBe(3 / 8);
    // Of last week's 5: q2 and q5 closed within the same time after their week began; q1 only later (25 Nov).
    expect(r.previousResolutionRate).toBe(2 / 5);
    // Reported before the week's end and open now: c3, c5, c6, c7 (reopened), c10, q3, q4; not c8.
    expect(r.openNow).toBe(7);
  });

  it('takes dispatch figures from dispatchMetrics, so they agree with GET /api/metrics, and adds mean resolve hours', () => {
    const d = report.dispatch;
    expect(d.whistles).toBe(5); // w1, w2, w3, w7a (returned), w7b
    expect(d.departments.map((x) => x.deptId)).toEqual(['labour', 'justice', 'women-federation']);
    const [labour, justice, women] = d.departments;
    expect(labour).toEqual({
      deptId: 'labour',
      name: { zh: '龙岗区人力资源局（劳动监察）', en: expect.any(String) },
      assigned: 3,
      reportedIn: 2,
      onTimeReportIn: 2,
      onTimeRate: 1,
      meanReportMinutes: 25,
      led: 3,
      resolved: 2,
      resolutionRate: 2 / 3,
      meanResolveHours: 30, // 24 h (c1) and 36 h (c2)
      overdue: 0,
      supervised: 0,
      escalated: 0,
      returned: 1,
    });
    expect(justice).toMatchObject({ assigned: 2, reportedIn: 2, onTimeReportIn: 1, onTimeRate: 0.5, meanReportMinutes: 65, led: 1, resolved: 0, meanResolveHours: null, overdue: 1 });
    expect(women).toMatchObject({ assigned: 1, reportedIn: 0, onTimeRate: null, meanReportMinutes: null, led: 1, resolved: 0, overdue: 1, supervised: 1, escalated: 1 });
    expect(d).toMatchObject({ assignments: 6, reportedIn: 4, onTimeReportIn: 3, onTimeRate: 0.75, overdue: 2, supervised: 1, escalated: 1, returned: 1 });
    expect(d.previousOnTimeRate).toBe(0.5); // q1 late, q5 on time

    const desk = dispatchMetrics(projections.cases.records(), { groupBy: 'department', from: week.period.startMs, to: week.period.endMs }, NOW);
    expect(d.departments.map((x) => [x.deptId, x.assigned, x.onTimeRate, x.meanReportMinutes, x.resolved, x.meanResolveHours, x.overdue])).toEqual(
      desk.rows.map((x) => [x.key, x.assigned, x.onTimeRate, x.meanReportMinutes, x.resolved, x.meanResolveHours, x.overdue]),
    );
  });

  it('lists the overdue, supervised and escalated assignments: escalated first, then by whistle time', () => {
    expect(report.dispatch.itemsTotal).toBe(2);
    expect(report.dispatch.items).toEqual([
      {
        // 妇联 never reported in: supervised and escalated at report-in, and the whistle is open past its resolve deadline.
        caseId: 'c3',
        category: 'family',
        categoryName: { zh: '婚姻家庭纠纷', en: expect.any(String) },
        streetCode: BANTIAN,
        communityCode: MAAN_TANG,
        place: { zh: '坂田街道 · 马安堂社区', en: 'Bantian · 马安堂社区' },
        deptId: 'women-federation',
        deptName: { zh: expect.stringContaining('妇'), en: expect.any(String) },
        role: 'lead',
        whistleId: 'w3',
        whistledAt: new Date(local('2026-11-24', '10:00')).toISOString(),
        kinds: ['escalated', 'supervised', 'overdue'],
        stages: ['reportIn', 'resolve'],
        dueAt: new Date(local('2026-11-27', '10:00')).toISOString(),
        tier: 'district', // escalated from street
        resolved: false,
      },
      {
        // 司法局 reported in on c1 after 120 minutes, due in 60.
        caseId: 'c1',
        category: 'labour',
        categoryName: { zh: '劳资纠纷', en: 'Labour / wage arrears' },
        streetCode: BANTIAN,
        communityCode: GANGTOU,
        place: { zh: '坂田街道 · 岗头社区', en: 'Bantian · 岗头社区' },
        deptId: 'justice',
        deptName: { zh: '龙岗区司法局', en: expect.any(String) },
        role: 'assist',
        whistleId: 'w1',
        whistledAt: new Date(local('2026-11-23', '10:00')).toISOString(),
        kinds: ['overdue'],
        stages: ['reportIn'],
        dueAt: new Date(local('2026-11-23', '11:00')).toISOString(),
        tier: 'community',
        resolved: true,
      },
    ]);
    // The same counts as the departments' rows (no assignment here was supervised or escalated at both stages).
    expectItemsAgree(report);
    // A street report lists its own; the other street none, and says so with an empty list.
    const pinghu = computeReport(sources, { kind: 'weekly', street: PINGHU, ...week }, NOW);
    expect(pinghu.dispatch).toMatchObject({ items: [], itemsTotal: 0 });
    expect(computeReport(sources, { kind: 'weekly', street: BANTIAN, ...week }, NOW).dispatch.items).toEqual(report.dispatch.items);
    // Last week's whistles are last week's: q1 (late report-in, resolved on the 25th, 5 days after its deadline) is not
    // listed this week.
    const lastWeek = computeReport(sources, { kind: 'weekly', ...resolvePeriod({ kind: 'weekly', date: '2026-11-18' }, NOW, TZ) }, NOW);
    expect(lastWeek.dispatch.items!.map((i) => [i.caseId, i.deptId, i.kinds, i.stages, i.dueAt])).toEqual([['q1', 'labour', ['overdue'], ['reportIn', 'resolve'], new Date(local('2026-11-20', '10:00')).toISOString()]]);
  });

  it('counts tiers of the cases closed in the period and the containment share', () => {
    // c1 community, c2 street, q1 district; c4 has no tier, c7 is reopened.
    expect(report.tiers).toEqual({ community: 1, street: 1, district: 1, containment: 2 / 3, previousContainment: 1 });
  });

  it('counts alerts raised in the period by level, rule and how they stand now', () => {
    const a = report.alerts;
    expect(a.raised).toBe(4); // a1–a4; not a5 (00:00 on the 30th)
    expect(a.previous).toBe(2);
    expect(a.byLevel).toEqual({ red: 2, orange: 1, yellow: 1, blue: 0 });
    expect(a.byRule.map((r) => [r.key, r.count, r.previous])).toEqual([
      ['external', 1, 1],
      ['spike', 1, 1],
      ['collective', 1, 0],
      ['staleHighSeverity', 1, 0],
    ]);
    expect(a.byRule.find((r) => r.key === 'spike')!.name).toEqual({ zh: '异常激增', en: 'Spike' });
    expect(a.outcome).toEqual({ whistled: 1, closedByOfficer: 1, autoClosed: 1, acknowledged: 1, open: 1 });
    expect(a.red!.map((x) => [x.id, x.rule, x.place.zh, x.status])).toEqual([
      ['a1', 'spike', '岗头社区', 'acknowledged'],
      ['a2', 'external', '平湖街道', 'closed'],
    ]);
  });

  it('ranks hotspots and risers', () => {
    expect(report.hotspots.top.map((h) => [h.code, h.streetCode, h.count, h.previous])).toEqual([
      [GANGTOU, BANTIAN, 5, 2],
      [LIANGANTIAN, PINGHU, 2, 2],
      [MAAN_TANG, BANTIAN, 1, 1],
    ]);
    expect(report.hotspots.rising.map((h) => h.code)).toEqual([GANGTOU]);
  });

  it('summarises the key figures in both languages', () => {
    const zh = report.summary.zh.join('\n');
    const en = report.summary.en.join('\n');
    expect(report.summary.zh.length).toBeGreaterThanOrEqual(3);
    expect(report.summary.zh.length).toBeLessThanOrEqual(6);
    expect(report.summary.en).toHaveLength(report.summary.zh.length);
    expect(report.summary.zh[0]).toBe('本期新增案件 8 件（矛盾纠纷 7 件、信访 1 件），较上期增加 3 件（+60.0%）。');
    expect(report.summary.en[0]).toBe('8 new cases this period (7 disputes, 1 petition), up 3 (+60.0%) on the previous period.');
    expect(report.summary.zh[1]).toBe('劳资纠纷增加最多：4 件，较上期增加 2 件。');
    expect(zh).toContain('本期办结案件 4 件，其中调解成功 2 件，调解成功率 50.0%（较上期下降 50.0 个百分点）');
    expect(zh).toContain('化解率 37.5%（较上期下降 2.5 个百分点）');
    expect(zh).toContain('按时报到率 75.0%（较上期上升 25.0 个百分点）');
    expect(zh).toContain('平均报到最慢的是龙岗区司法局（65 分钟）');
    expect(zh).toContain('超时 2 件次、督办 1 次、升级 1 次');
    expect(zh).toContain('本期发出风险预警 4 条，较上期增加 2 条（+100.0%），其中红色 2 条（岗头社区·异常激增、平湖街道·外部系统）、橙色 1 条、黄色 1 条');
    expect(zh).toContain('新增案件最多的社区是坂田街道岗头社区（5 件，较上期增加 3 件）');
    expect(report.summary.en[1]).toBe('Labour / wage arrears rose most: 4 cases, up 2 on the previous period.');
    expect(en).toContain('mediation rate of 50.0% (down 50.0 points)');
    expect(en).toContain("3 of the period's 8 new cases resolved: 37.5% (down 2.5 points)");
    expect(en).toContain('on-time report-in 75.0% (up 25.0 points)');
    expect(en).toContain('2 red (Spike at 岗头社区; External system at Pinghu)');
    expect(summarize(report)).toEqual(report.summary);
  });

  it('words falls, no rise and an empty period against a busy one', () => {
    const { summary: _, ...base } = report;
    const fell = structuredClone(base);
    fell.cases.total = 4;
    fell.cases.byKind = { dispute: 4, petition: 0 };
    fell.cases.byCategory = fell.cases.byCategory.map((r) => ({ ...r, previous: r.count + 1 }));
    fell.resolution.previousMediationRate = 0.5;
    const s = summarize(fell);
    expect(s.zh[0]).toBe('本期新增矛盾纠纷 4 件，较上期减少 1 件（-20.0%）。');
    expect(s.en[0]).toBe('4 new disputes this period, down 1 (-20.0%) on the previous period.');
    expect(s.zh[1]).toBe('劳资纠纷最多：4 件，占 100.0%。');
    expect(s.zh[2]).toContain('调解成功率 50.0%（与上期持平）');

    const none = structuredClone(base);
    none.cases.total = 0;
    none.alerts.raised = 0;
    none.hotspots.top = [];
    const n = summarize(none);
    expect(n.zh[0]).toBe('本期无新增案件，上期新增 5 件。');
    expect(n.zh).toContain('本期无风险预警（上期 2 条）。');
    expect(n.zh.some((x) => x.includes('社区'))).toBe(false);
  });

  it('narrows a street report to that street, cases and alerts alike', () => {
    const pinghu = computeReport(sources, { kind: 'weekly', street: PINGHU, ...week }, NOW);
    expect(pinghu.scope).toEqual({ level: 'street', code: PINGHU, name: { zh: '平湖街道', en: 'Pinghu' } });
    expect(pinghu.cases.total).toBe(2); // c4, c5
    expect(pinghu.cases.previous).toBe(2); // q4, q5
    expect(pinghu.cases.byStreet.map((r) => [r.key, r.count])).toEqual([[PINGHU, 2]]);
    expect(pinghu.cases.byCommunity.map((r) => r.key)).toEqual([LIANGANTIAN]);
    expect(pinghu.resolution).toMatchObject({ resolved: 1, previous: 1, openNow: 2 }); // c4; q5; c5 and q4 open
    expect(pinghu.dispatch).toMatchObject({ whistles: 0, assignments: 0, departments: [], previousOnTimeRate: 1 });
    expect(pinghu.alerts).toMatchObject({ raised: 1, previous: 1, byLevel: { red: 1, orange: 0, yellow: 0, blue: 0 } });
    expect(pinghu.summary.zh).toContain('本期未吹哨派单。');

    const bantian = computeReport(sources, { kind: 'weekly', street: BANTIAN, ...week }, NOW);
    expect(bantian.cases.total).toBe(6);
    expect(bantian.cases.total + pinghu.cases.total).toBe(report.cases.total);
    expect(bantian.alerts.raised + pinghu.alerts.raised).toBe(report.alerts.raised);
    expect(bantian.dispatch.departments).toEqual(report.dispatch.departments);
    expect(() => computeReport(sources, { kind: 'weekly', street: '440307999', ...week }, NOW)).toThrow(ReportScopeError);
  });

  it('says an empty period plainly', () => {
    const quiet = resolvePeriod({ kind: 'daily', date: '2026-06-01' }, NOW, TZ);
    const empty = computeReport(sources, { kind: 'daily', ...quiet }, NOW);
    expect(empty.cases).toMatchObject({ total: 0, previous: 0, byCategory: [], bySource: [], byCommunity: [], daily: [{ date: '2026-06-01', count: 0 }] });
    expect(empty.resolution).toMatchObject({ resolved: 0, resolutionRate: null, mediationRate: null, previousMediationRate: null });
    expect(empty.tiers.containment).toBeNull();
    expect(empty.hotspots).toEqual({ top: [], rising: [] });
    expect(empty.summary.zh).toEqual(['本期无新增案件。', '本期无办结案件。', '本期未吹哨派单。', '本期无风险预警。']);
    expect(empty.summary.en[0]).toBe('No new cases this period.');
  });
});

/**
 * Per department, the items agree with the rows: its overdue figure is its number of items with kind overdue; its
 * supervised and escalated figures count stages, so they equal the stages of its supervised / escalated assignments,
 * and the items of that kind are exactly those assignments.
 */
function expectItemsAgree(report: ReportData, records?: Iterable<CaseRecord>): void {
  const items = report.dispatch.items!;
  expect(report.dispatch.itemsTotal).toBe(items.length);
  const count = (deptId: string, kind: ReportDispatchItem['kinds'][number]) => items.filter((i) => i.deptId === deptId && i.kinds.includes(kind)).length;
  for (const row of report.dispatch.departments) {
    expect([row.deptId, count(row.deptId, 'overdue')]).toEqual([row.deptId, row.overdue]);
    expect(count(row.deptId, 'supervised')).toBeLessThanOrEqual(row.supervised);
    expect(count(row.deptId, 'escalated')).toBeLessThanOrEqual(row.escalated);
    if (!records) {
      expect([row.deptId, count(row.deptId, 'supervised'), count(row.deptId, 'escalated')]).toEqual([row.deptId, row.supervised, row.escalated]);
    }
  }
  expect(items.filter((i) => i.kinds.includes('overdue')).length).toBe(report.dispatch.overdue);
  if (records) {
    // An independent scan of the period's assignments.
    const assignments = [...records].flatMap((c) =>
      [...(c.previousWhistles ?? []), ...(c.whistle ? [c.whistle] : [])]
        .filter((w) => Date.parse(w.whistledAt) >= report.period.startMs && Date.parse(w.whistledAt) < report.period.endMs)
        .flatMap((w) => w.assignments),
    );
    for (const row of report.dispatch.departments) {
      const mine = assignments.filter((a) => a.deptId === row.deptId);
      expect(mine.reduce((n, a) => n + a.supervised.length, 0)).toBe(row.supervised);
      expect(mine.reduce((n, a) => n + a.escalated.length, 0)).toBe(row.escalated);
      expect(count(row.deptId, 'supervised')).toBe(mine.filter((a) => a.supervised.length > 0).length);
      expect(count(row.deptId, 'escalated')).toBe(mine.filter((a) => a.escalated.length > 0).length);
    }
  }
}

describe('dispatch items', () => {
  const NOW_ = local('2026-12-01', '12:00');
  const week = resolvePeriod({ kind: 'weekly', date: '2026-11-25' }, NOW_, TZ);
  const d = (day: number, time: string) => local(`2026-11-${String(day).padStart(2, '0')}`, time);
  const where = { streetCode: BANTIAN, communityCode: GANGTOU };
  const iso = (ms: number) => new Date(ms).toISOString();

  function itemsLog(): LogBuilder {
    const b = new LogBuilder();
    // e0: whistled the week before, never reported in: not this week's.
    b.report('e0', { category: 'labour', source: 'hotline', ...where, at: d(20, '08:00') });
    b.whistle('e0', 'w0', d(20, '09:00'), 'community', [{ deptId: 'labour', role: 'lead' }]);
    // e1: reported in on time, supervised at resolution, resolved 3 h after its 24 h deadline.
    b.report('e1', { category: 'labour', source: 'hotline', ...where, at: d(23, '08:00') });
    b.whistle('e1', 'w1', d(23, '09:00'), 'community', [{ deptId: 'labour', role: 'lead', resolveHours: 24 }]);
    b.reportIn('e1', 'w1', 'labour', d(23, '09:30'));
    b.supervise('e1', 'w1', 'labour', d(24, '09:00'), 'resolve');
    b.resolve('e1', 'w1', 'labour', d(24, '12:00'), 'mediated', 'community');
    // e2: 劳动监察 is supervised and escalated at report-in (street → district), then returns the whistle; re-triaged at
    // street, 司法局 leads the second whistle, reports in, and is past its resolve deadline.
    b.report('e2', { category: 'neighbour', source: 'grid', streetCode: BANTIAN, communityCode: MAAN_TANG, at: d(25, '08:00') });
    b.whistle('e2', 'w2a', d(25, '09:00'), 'street', [{ deptId: 'labour', role: 'lead' }]);
    b.supervise('e2', 'w2a', 'labour', d(25, '10:00'), 'reportIn');
    b.escalate('e2', 'w2a', 'labour', d(25, '11:00'), 'reportIn', 'street', 'district');
    b.returnWhistle('e2', 'w2a', 'labour', d(25, '11:30'));
    b.triage('e2', d(25, '13:00'), 'street');
    b.whistle('e2', 'w2b', d(25, '14:00'), 'street', [{ deptId: 'justice', role: 'lead' }]);
    b.reportIn('e2', 'w2b', 'justice', d(25, '14:20'));
    // e3: supervised at both stages, late at both: one item, two supervisions in the department's row.
    b.report('e3', { category: 'family', source: 'hotline', ...where, at: d(26, '08:00') });
    b.whistle('e3', 'w3', d(26, '09:00'), 'community', [{ deptId: 'justice', role: 'lead', resolveHours: 24 }]);
    b.supervise('e3', 'w3', 'justice', d(26, '10:00'), 'reportIn');
    b.reportIn('e3', 'w3', 'justice', d(26, '10:30'));
    b.supervise('e3', 'w3', 'justice', d(27, '09:00'), 'resolve');
    b.resolve('e3', 'w3', 'justice', d(27, '10:00'), 'mediated', 'community');
    // e4: on time throughout: not listed.
    b.report('e4', { category: 'labour', source: 'hotline', ...where, at: d(27, '08:00') });
    b.whistle('e4', 'w4', d(27, '09:00'), 'community', [{ deptId: 'labour', role: 'lead' }]);
    b.reportIn('e4', 'w4', 'labour', d(27, '09:10'));
    b.resolve('e4', 'w4', 'labour', d(27, '18:00'), 'mediated', 'community');
    // e5 in 平湖: the lead reports in and has until 2 Dec to resolve; the assist never reports in.
    b.report('e5', { category: 'debt', source: 'walkin', streetCode: PINGHU, communityCode: LIANGANTIAN, at: d(28, '08:00') });
    b.whistle('e5', 'w5', d(28, '09:00'), 'community', [{ deptId: 'labour', role: 'lead', resolveHours: 96 }, { deptId: 'justice', role: 'assist' }]);
    b.reportIn('e5', 'w5', 'labour', d(28, '09:20'));
    return b;
  }

  let projections: Projections;
  let sources: ReportSources;
  let report: ReportData;
  beforeAll(() => {
    projections = itemsLog().fold();
    sources = { cases: projections.cases.records(), alerts: [], seq: projections.seq, district, tzOffsetMinutes: TZ };
    report = computeReport(sources, { kind: 'weekly', ...week }, NOW_);
  });

  it('lists escalated, then supervised, then overdue, each by whistle time, with the stages and the deadline missed', () => {
    const rows = report.dispatch.items!.map((i) => [i.caseId, i.whistleId, i.deptId, i.role, i.kinds, i.stages, i.dueAt, i.tier, i.resolved]);
    expect(rows).toEqual([
      // The returned whistle: escalated once from street, though the case is back at street for the next one.
      ['e2', 'w2a', 'labour', 'lead', ['escalated', 'supervised'], ['reportIn'], iso(d(25, '10:00')), 'district', false],
      ['e1', 'w1', 'labour', 'lead', ['supervised', 'overdue'], ['resolve'], iso(d(24, '09:00')), 'community', true],
      ['e3', 'w3', 'justice', 'lead', ['supervised', 'overdue'], ['reportIn', 'resolve'], iso(d(27, '09:00')), 'community', true],
      ['e2', 'w2b', 'justice', 'lead', ['overdue'], ['resolve'], iso(d(28, '14:00')), 'street', false],
      ['e5', 'w5', 'justice', 'assist', ['overdue'], ['reportIn'], iso(d(28, '10:00')), 'community', false],
    ]);
    expect(report.dispatch.itemsTotal).toBe(5);
    expect(report.dispatch.items![4]!.place).toEqual({ zh: '平湖街道 · 良安田社区', en: 'Pinghu · 良安田社区' });
    expect(report.dispatch.items![4]!.categoryName.zh).toBe(district.category('debt')!.name.zh);
  });

  it('agrees with the departments\' rows and with GET /api/metrics', () => {
    expectItemsAgree(report, projections.cases.records());
    const justice = report.dispatch.departments.find((r) => r.deptId === 'justice')!;
    // e3 was supervised at both stages: two supervisions, one item.
    expect(justice).toMatchObject({ overdue: 3, supervised: 2, escalated: 0 });
    expect(report.dispatch.items!.filter((i) => i.deptId === 'justice' && i.kinds.includes('supervised'))).toHaveLength(1);
    const desk = dispatchMetrics(projections.cases.records(), { groupBy: 'department', from: week.period.startMs, to: week.period.endMs }, NOW_);
    for (const row of desk.rows) {
      expect(report.dispatch.items!.filter((i) => i.deptId === row.key && i.kinds.includes('overdue'))).toHaveLength(row.overdue);
    }
  });

  it('judges at the time of the report: nothing is overdue before its deadline', () => {
    // On the 28th at 09:30, e5's assist is not yet due, e2's second whistle not yet past its resolve deadline.
    const early = local('2026-11-28', '09:30');
    const r = computeReport(sources, { kind: 'weekly', ...resolvePeriod({ kind: 'weekly', date: '2026-11-25' }, early, TZ) }, early);
    expect(r.dispatch.items!.map((i) => [i.caseId, i.whistleId, i.kinds])).toEqual([
      ['e2', 'w2a', ['escalated', 'supervised']],
      ['e1', 'w1', ['supervised', 'overdue']],
      ['e3', 'w3', ['supervised', 'overdue']],
    ]);
    expectItemsAgree(r, projections.cases.records());
  });

  it('narrows to the street', () => {
    const pinghu = computeReport(sources, { kind: 'weekly', street: PINGHU, ...week }, NOW_);
    expect(pinghu.dispatch.items!.map((i) => i.caseId)).toEqual(['e5']);
    const bantian = computeReport(sources, { kind: 'weekly', street: BANTIAN, ...week }, NOW_);
    expect(bantian.dispatch.items!.map((i) => i.caseId)).toEqual(['e2', 'e1', 'e3', 'e2']);
  });

  it(`keeps the first ${MAX_REPORT_ITEMS} and counts them all`, () => {
    const b = new LogBuilder();
    for (let i = 0; i < 60; i += 1) {
      const id = `m${String(i).padStart(2, '0')}`;
      const at = d(23, '08:00') + i * 60_000;
      b.report(id, { category: 'labour', source: 'hotline', ...where, at });
      b.whistle(id, `w-${id}`, at + 60_000, 'community', [{ deptId: 'labour', role: 'lead' }]);
    }
    // The last whistle of the week, escalated: listed first.
    b.report('late', { category: 'labour', source: 'hotline', ...where, at: d(29, '08:00') });
    b.whistle('late', 'w-late', d(29, '09:00'), 'street', [{ deptId: 'justice', role: 'lead' }]);
    b.escalate('late', 'w-late', 'justice', d(29, '11:00'), 'reportIn', 'street', 'district');
    const p = b.fold();
    const r = computeReport({ cases: p.cases.records(), alerts: [], seq: p.seq, district, tzOffsetMinutes: TZ }, { kind: 'weekly', ...week }, NOW_);
    expect(r.dispatch.itemsTotal).toBe(61);
    expect(r.dispatch.items).toHaveLength(MAX_REPORT_ITEMS);
    expect(MAX_REPORT_ITEMS).toBe(50);
    expect(r.dispatch.items!.map((i) => i.caseId)).toEqual(['late', ...Array.from({ length: 49 }, (_, i) => `m${String(i).padStart(2, '0')}`)]);
    // Its resolution is not due until 2 December.
    expect(r.dispatch.items![0]).toMatchObject({ kinds: ['escalated', 'overdue'], stages: ['reportIn'], tier: 'district' });
    expect(r.dispatch.overdue).toBe(61);
  });
});

describe('computeReport properties', () => {
  const streets = district.info.streets.map((s) => s.code);
  const categories = ['labour', 'family', 'debt', 'neighbour', 'property'];
  const start = Date.parse('2026-10-31T16:00:00Z');

  function casesFrom(specs: Array<{ street: number; category: number; offsetMin: number; kind: boolean }>): CaseRecord[] {
    return specs.map((s, i) => {
      const streetCode = streets[s.street % streets.length]!;
      const communityCode = district.communitiesOf(streetCode)[0]!;
      return recordFromReport(
        {
          caseId: `p${i}`,
          kind: s.kind ? 'petition' : 'dispute',
          category: categories[s.category % categories.length]!,
          source: 'hotline',
          streetCode,
          communityCode,
          severity: 3,
          peopleInvolved: 1,
          weight: 3,
          reportedAt: new Date(start + s.offsetMin * 60_000).toISOString(),
          title: 't',
          parties: [],
        },
        i + 1,
        undefined,
      );
    });
  }

  it('breakdowns of new cases each add up to the total, in the district and in every street', () => {
    const spec = fc.record({ street: fc.nat(20), category: fc.nat(10), offsetMin: fc.integer({ min: -40 * 24 * 60, max: 40 * 24 * 60 }), kind: fc.boolean() });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 80 }), fc.constantFrom('daily' as const, 'weekly' as const, 'monthly' as const), fc.nat(29), (specs, kind, day) => {
        const cases = casesFrom(specs);
        const date = `2026-11-${String(day + 1).padStart(2, '0')}`;
        const p = resolvePeriod({ kind, date }, NOW, TZ);
        const src: ReportSources = { cases, alerts: [], seq: cases.length, district, tzOffsetMinutes: TZ };
        const r = computeReport(src, { kind, ...p }, NOW);
        const sum = (xs: Array<{ count: number }>) => xs.reduce((s, x) => s + x.count, 0);
        const inPeriod = cases.filter((c) => Date.parse(c.reportedAt) >= p.period.startMs && Date.parse(c.reportedAt) < p.period.endMs).length;
        expect(r.cases.total).toBe(inPeriod);
        expect(sum(r.cases.byCategory)).toBe(r.cases.total);
        expect(r.cases.byCategory.reduce((s, x) => s + x.previous, 0)).toBe(r.cases.previous);
        expect(sum(r.cases.bySource)).toBe(r.cases.total);
        expect(sum(r.cases.byStreet)).toBe(r.cases.total);
        expect(sum(r.cases.daily)).toBe(r.cases.total);
        expect(sum(r.cases.previousDaily!)).toBe(r.cases.previous);
        expect(r.cases.previousDaily!.map((d) => d.date)).toEqual(r.cases.previousDaily!.map((_, i) => new Date(Date.parse(`${r.previous.from}T00:00:00Z`) + i * DAY).toISOString().slice(0, 10)));
        expect(r.cases.previousDaily!.at(-1)!.date).toBe(r.previous.to);
        expect(r.cases.byKind.dispute + r.cases.byKind.petition).toBe(r.cases.total);
        expect(r.resolution.openNow).toBe(cases.filter((c) => Date.parse(c.reportedAt) < p.period.endMs).length);
        const byStreet = streets.map((code) => computeReport(src, { kind, street: code, ...p }, NOW).cases.total);
        expect(byStreet.reduce((a, b) => a + b, 0)).toBe(r.cases.total);
      }),
      { numRuns: 60 },
    );
  });

  // Its speed is measured by bench/reports.ts against a same-run baseline, not here.
  it('keeps its figures over 200k cases', () => {
    const n = 200_000;
    const cases = casesFrom(Array.from({ length: n }, (_, i) => ({ street: i * 7, category: i * 3, offsetMin: (i * 37) % (60 * 24 * 60) - 30 * 24 * 60, kind: i % 10 === 0 })));
    // A quarter whistled, reported in and resolved, so the dispatch and resolution paths are exercised too.
    for (let i = 0; i < n; i += 4) {
      const c = cases[i]!;
      const t = Date.parse(c.reportedAt) + 3_600_000;
      const due = (h: number) => new Date(t + h * 3_600_000).toISOString();
      c.status = 'resolved';
      c.tier = 'community';
      c.outcome = 'mediated';
      c.resolvedAt = due(20);
      c.whistleCount = 1;
      c.whistle = {
        whistleId: `w${i}`,
        urgency: 'normal',
        tier: 'community',
        whistledAt: new Date(t).toISOString(),
        closedAt: due(20),
        assignments: [{ deptId: 'labour', role: 'lead', reportDueAt: due(1), reportEscalateAt: due(2), resolveDueAt: due(48), resolveEscalateAt: due(96), status: 'closed', reportedAt: due(0.5), late: false, supervised: [], escalated: [] }],
      };
    }
    const src: ReportSources = { cases, alerts: [], seq: n, district, tzOffsetMinutes: TZ };
    const p = resolvePeriod({ kind: 'monthly', date: '2026-11-15' }, NOW, TZ);
    const r = computeReport(src, { kind: 'monthly', ...p }, NOW);
    expect(r.cases.total + r.cases.previous).toBeGreaterThan(n / 2);
    expect(r.dispatch.departments[0]).toMatchObject({ deptId: 'labour', onTimeRate: 1, meanReportMinutes: 30, meanResolveHours: 20 });
  });
});

describe('periodOf', () => {
  it('spans whole local days', () => {
    const p = periodOf('2026-11-01', '2026-11-30', TZ);
    expect(p.endMs - p.startMs).toBe(30 * DAY);
    expect(() => periodOf('2026-11-02', '2026-11-01', TZ)).toThrow(/before/);
  });
});

describe('a period still running', () => {
  const reported = (id: string, at: number, resolvedAt?: number): CaseRecord => {
    const c = recordFromReport(
      { caseId: id, kind: 'dispute', category: 'labour', source: 'hotline', streetCode: BANTIAN, communityCode: GANGTOU, severity: 2, peopleInvolved: 1, weight: 2, reportedAt: new Date(at).toISOString(), title: 't', parties: [] },
      1,
      undefined,
    );
    if (resolvedAt !== undefined) Object.assign(c, { status: 'resolved', outcome: 'mediated', resolvedAt: new Date(resolvedAt).toISOString() });
    return c;
  };
  const cases = [
    // The log began the day before yesterday, so yesterday is a whole period to compare with (issue 22).
    reported('z', local('2026-11-30', '12:00'), local('2026-11-30', '13:00')),
    reported('a', local('2026-12-01', '08:00'), local('2026-12-01', '09:00')),
    reported('b', local('2026-12-01', '15:00'), local('2026-12-01', '16:00')),
    reported('c', local('2026-12-02', '09:00')),
  ];
  const sources: ReportSources = { cases, alerts: [], seq: 4, district, tzOffsetMinutes: TZ };
  const daily = (now: number) => computeReport(sources, { kind: 'daily', ...resolvePeriod({ kind: 'daily', date: '2026-12-02' }, now, TZ) }, now);

  it('is compared with the same stretch of the previous period (同期), and says so', () => {
    const r = daily(local('2026-12-02', '10:00'));
    expect(r.ongoing).toBe(true);
    expect(r.previous).toMatchObject({ from: '2026-12-01', to: '2026-12-01', startMs: local('2026-12-01'), endMs: local('2026-12-01', '10:00') });
    // Yesterday by 10:00: one case, resolved by then; the one at 15:00 is not in the comparison.
    expect(r.cases).toMatchObject({ total: 1, previous: 1 });
    // The previous day so far, one entry: the case at 15:00 is not in it.
    expect(r.cases.previousDaily).toEqual([{ date: '2026-12-01', count: 1 }]);
    expect(r.resolution).toMatchObject({ previous: 1, previousResolutionRate: 1 });
    expect(r.summary.zh[0]).toContain('与上期同期持平');
    expect(r.summary.en.join(' ')).toContain('the same stretch of the previous period');
  });

  it('is compared with the whole previous period once it is over', () => {
    const r = daily(local('2026-12-03', '00:30'));
    expect(r.ongoing).toBeUndefined();
    expect(r.previous).toMatchObject({ startMs: local('2026-12-01'), endMs: local('2026-12-02'), days: 1 });
    expect(r.cases).toMatchObject({ total: 1, previous: 2 });
    expect(r.cases.previousDaily).toEqual([{ date: '2026-12-01', count: 2 }]);
    expect(r.summary.zh.join('')).not.toContain('同期');
  });
});

describe('issue 22: a comparison with a period before the log began', () => {
  const where = { streetCode: BANTIAN, communityCode: GANGTOU };
  const week = resolvePeriod({ kind: 'weekly', date: '2026-11-25' }, local('2026-12-01', '09:00'), TZ);
  const NOW_ = local('2026-12-01', '09:00');

  it('says the previous period is incomplete instead of "+55594.4 %", in the JSON, the summary and the page, zh and en', async () => {
    const { renderReportHtml } = await import('../../../server/reports/html.js');
    const b = new LogBuilder();
    // The log begins on the last day of the previous week: one case then, many this week.
    b.report('first', { category: 'labour', source: 'hotline', ...where, at: local('2026-11-22', '20:00') });
    for (let i = 0; i < 40; i++) b.report(`n${i}`, { category: 'labour', source: 'hotline', ...where, at: local('2026-11-24', '08:00') + i * 60_000 });
    const p = b.fold();
    const r = computeReport({ cases: p.cases.records(), alerts: [], seq: p.seq, district, tzOffsetMinutes: TZ }, { kind: 'weekly', ...week }, NOW_);
    expect(r.previousIncomplete).toBe(true);
    expect(r.dataSince).toBe(new Date(local('2026-11-22', '20:00')).toISOString());
    expect(r.summary.zh.join('')).toContain('上期数据不完整');
    expect(r.summary.en.join(' ')).toContain('previous period is incomplete');
    for (const lang of ['zh', 'en'] as const) {
      const html = renderReportHtml(r, lang);
      expect(html).toContain('data-previous-incomplete="true"');
      expect(html).not.toMatch(/\+\d+(\.\d+)?\s?%|\+\d{2,}(?!\d*:)/);
      expect(html).toContain(lang === 'zh' ? '上期数据不完整' : 'previous period incomplete');
    }
  });

  it('compares as before once the log holds the whole previous period', () => {
    const b = new LogBuilder();
    b.report('old', { category: 'labour', source: 'hotline', ...where, at: local('2026-11-01', '10:00') });
    b.report('prev', { category: 'labour', source: 'hotline', ...where, at: local('2026-11-18', '10:00') });
    b.report('cur', { category: 'labour', source: 'hotline', ...where, at: local('2026-11-24', '10:00') });
    const p = b.fold();
    const r = computeReport({ cases: p.cases.records(), alerts: [], seq: p.seq, district, tzOffsetMinutes: TZ }, { kind: 'weekly', ...week }, NOW_);
    expect(r.previousIncomplete).toBeUndefined();
    expect(r.summary.zh.join('')).not.toContain('不完整');
  });
});

describe('issue 22: department metrics over due work', () => {
  it('leaves whistles not yet due out of the due rates, and counts one past its deadline', () => {
    const where = { streetCode: BANTIAN, communityCode: GANGTOU };
    const b = new LogBuilder();
    const t = local('2026-11-24', '09:00');
    // fresh: blown minutes before "now", nothing due yet.
    b.report('fresh', { category: 'labour', source: 'hotline', ...where, at: t - 10 * 60_000 });
    b.whistle('fresh', 'wf', t - 5 * 60_000, 'community', [{ deptId: 'labour', role: 'lead' }]);
    // stale: blown 4 days ago, reported in late, never resolved: due and unresolved.
    b.report('stale', { category: 'labour', source: 'hotline', ...where, at: t - 4 * DAY });
    b.whistle('stale', 'ws', t - 4 * DAY, 'community', [{ deptId: 'labour', role: 'lead' }]);
    b.reportIn('stale', 'ws', 'labour', t - 4 * DAY + 90 * 60_000);
    // done: resolved on time.
    b.report('done', { category: 'labour', source: 'hotline', ...where, at: t - 2 * DAY });
    b.whistle('done', 'wd', t - 2 * DAY, 'community', [{ deptId: 'labour', role: 'lead' }]);
    b.reportIn('done', 'wd', 'labour', t - 2 * DAY + 10 * 60_000);
    b.resolve('done', 'wd', 'labour', t - 2 * DAY + 3_600_000, 'mediated', 'community');
    const p = b.fold();
    const metrics = dispatchMetrics(p.cases.records(), { groupBy: 'department', from: t - 10 * DAY, to: t }, t);
    // The range asked for is 10 days; the figures run from the first whistle, 4 days back, and say so.
    expect(metrics.dataFrom).toBe(new Date(t - 4 * DAY).toISOString());
    const [row] = metrics.rows;
    expect(row).toMatchObject({ key: 'labour', assigned: 3, led: 3, resolved: 1, resolutionRate: 1 / 3, dueLed: 2, dueResolutionRate: 0.5, dueReports: 2, dueOnTimeRate: 0.5 });
  });
});
