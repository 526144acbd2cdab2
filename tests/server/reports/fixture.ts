/**
 * A hand-made daily district report (Wednesday 2 Dec 2026, Longgang) for the renderer tests: every section has
 * something, and one community name carries markup that must come out escaped.
 */
import type { CountRow, ReportData, ReportDispatchItem } from '../../../shared/reports.js';

const DAY = 86_400_000;
const TZ = 480;
const start = Date.parse('2026-12-02T00:00:00+08:00');

const row = (key: string, zh: string, en: string, count: number, previous: number): CountRow => ({ key, name: { zh, en }, count, previous });

export const HOSTILE_COMMUNITY = '<script>alert(1)</script>社区';

const JUSTICE = { zh: '龙岗区司法局', en: 'Longgang District Justice Bureau' };
const POLICE = { zh: '深圳市公安局龙岗分局', en: 'Longgang Branch, Shenzhen Public Security Bureau' };

/**
 * The overdue, supervised and escalated assignments, agreeing with the departments' rows: 司法局 1 overdue, 2
 * supervised, 1 escalated; 公安 1 overdue, 1 supervised. The last one lies in the hostile community.
 */
export function itemsFixture(): ReportDispatchItem[] {
  const labour = { category: 'labour', categoryName: { zh: '劳资纠纷', en: 'Labour / wage arrears' } };
  const gangtou = { streetCode: '440307013', communityCode: '440307013001', place: { zh: '坂田街道 · 岗头社区', en: 'Bantian · 岗头社区' } };
  return [
    {
      caseId: 'c3f9a1b2-7d4e-4c1a-9b8e-2f6d5a4c3b21',
      ...labour,
      ...gangtou,
      deptId: 'justice',
      deptName: { ...JUSTICE },
      role: 'lead',
      whistleId: 'w-1',
      whistledAt: '2026-12-02T01:00:00.000Z',
      kinds: ['escalated', 'supervised', 'overdue'],
      stages: ['reportIn'],
      dueAt: '2026-12-02T02:00:00.000Z',
      tier: 'street',
      resolved: false,
    },
    {
      caseId: 'a7e20c51-1111-4c1a-9b8e-2f6d5a4c3b21',
      category: 'family',
      categoryName: { zh: '婚姻家庭纠纷', en: 'Marriage & family' },
      ...gangtou,
      deptId: 'justice',
      deptName: { ...JUSTICE },
      role: 'assist',
      whistleId: 'w-2',
      whistledAt: '2026-12-02T02:30:00.000Z',
      kinds: ['supervised'],
      stages: ['reportIn'],
      dueAt: '2026-12-02T03:30:00.000Z',
      tier: 'community',
      resolved: false,
    },
    {
      caseId: '5b6d0e9f-2222-4c1a-9b8e-2f6d5a4c3b21',
      ...labour,
      streetCode: '440307003',
      communityCode: '440307003002',
      place: { zh: `平湖街道 · ${HOSTILE_COMMUNITY}`, en: `Pinghu · ${HOSTILE_COMMUNITY}` },
      deptId: 'police',
      deptName: { ...POLICE },
      role: 'lead',
      whistleId: 'w-3',
      whistledAt: '2026-12-02T06:00:00.000Z',
      kinds: ['supervised', 'overdue'],
      stages: ['reportIn', 'resolve'],
      dueAt: '2026-12-02T10:00:00.000Z',
      tier: 'community',
      resolved: true,
    },
  ];
}

export function reportFixture(): ReportData {
  return {
    kind: 'daily',
    scope: { level: 'district', code: '440307', name: { zh: '龙岗区', en: 'Longgang District' } },
    period: { from: '2026-12-02', to: '2026-12-02', startMs: start, endMs: start + DAY, days: 1 },
    previous: { from: '2026-12-01', to: '2026-12-01', startMs: start - DAY, endMs: start, days: 1 },
    generatedAt: '2026-12-03T00:30:00.000Z',
    asOfSeq: 4321,
    tzOffsetMinutes: TZ,
    cases: {
      total: 37,
      previous: 29,
      byKind: { dispute: 33, petition: 4 },
      byCategory: [
        row('labour', '劳资纠纷', 'Labour / wage arrears', 12, 7),
        row('neighbour', '邻里纠纷', 'Neighbour disputes', 9, 8),
        row('property', '物业纠纷', 'Property management', 7, 6),
        row('family', '婚姻家庭纠纷', 'Marriage & family', 5, 5),
        row('traffic', '交通事故纠纷', 'Traffic accidents', 4, 3),
      ],
      bySource: [
        row('grid', '网格员', 'Grid worker', 15, 12),
        row('hotline', '12345热线', '12345 hotline', 11, 9),
        row('walkin', '来访', 'Walk-in', 6, 5),
        row('police', '110联动', '110 police', 5, 3),
      ],
      byStreet: [
        row('440307013', '坂田街道', 'Bantian', 10, 6),
        row('440307014', '布吉街道', 'Buji', 8, 7),
        row('440307003', '平湖街道', 'Pinghu', 7, 5),
        row('440307016', '龙岗街道', 'Longgang', 6, 6),
        row('440307015', '龙城街道', 'Longcheng', 6, 5),
      ],
      byCommunity: [row('440307013001', '岗头社区', 'Gangtou', 6, 2), row('440307003002', HOSTILE_COMMUNITY, 'Liang’antian', 4, 4)],
      daily: [{ date: '2026-12-02', count: 37 }],
      previousDaily: [{ date: '2026-12-01', count: 29 }],
    },
    resolution: {
      resolved: 31,
      previous: 26,
      resolvedOfNew: 24,
      resolutionRate: 24 / 37,
      previousResolutionRate: 20 / 29,
      outcomes: { mediated: 25, withdrawn: 3, litigation: 2, unresolved: 1 },
      mediationRate: 25 / 31,
      previousMediationRate: 20 / 26,
      openNow: 118,
    },
    dispatch: {
      whistles: 9,
      assignments: 14,
      reportedIn: 13,
      onTimeReportIn: 11,
      onTimeRate: 11 / 13,
      previousOnTimeRate: 0.8,
      overdue: 2,
      supervised: 3,
      escalated: 1,
      returned: 1,
      departments: [
        { deptId: 'police', name: { ...POLICE }, assigned: 5, reportedIn: 5, onTimeReportIn: 4, onTimeRate: 0.8, meanReportMinutes: 42.5, led: 4, resolved: 3, resolutionRate: 0.75, meanResolveHours: 20.25, overdue: 1, supervised: 1, escalated: 0, returned: 0 },
        { deptId: 'justice', name: { ...JUSTICE }, assigned: 9, reportedIn: 8, onTimeReportIn: 7, onTimeRate: 7 / 8, meanReportMinutes: 35, led: 5, resolved: 4, resolutionRate: 0.8, meanResolveHours: null, overdue: 1, supervised: 2, escalated: 1, returned: 1 },
      ],
      items: itemsFixture(),
      itemsTotal: 3,
    },
    tiers: { community: 19, street: 9, district: 3, containment: 28 / 31, previousContainment: 0.85 },
    alerts: {
      raised: 5,
      previous: 2,
      byLevel: { red: 1, orange: 2, yellow: 1, blue: 1 },
      byRule: [row('spike', '异常激增', 'Spike', 3, 1), row('external', '外部系统', 'External system', 2, 1)],
      outcome: { whistled: 2, closedByOfficer: 1, autoClosed: 0, acknowledged: 1, open: 1 },
    },
    hotspots: {
      top: [
        { code: '440307013001', name: { zh: '岗头社区', en: 'Gangtou' }, streetCode: '440307013', count: 6, previous: 2 },
        { code: '440307003002', name: { zh: HOSTILE_COMMUNITY, en: 'Liang’antian' }, streetCode: '440307003', count: 4, previous: 4 },
      ],
      rising: [{ code: '440307013001', name: { zh: '岗头社区', en: 'Gangtou' }, streetCode: '440307013', count: 6, previous: 2 }],
    },
    summary: {
      zh: ['12月2日全区新增矛盾纠纷37件，较上期增加8件。', '劳资纠纷12件，较上期增加5件，需关注。'],
      en: ['37 new cases on 2 Dec, 8 more than the day before.', 'Labour disputes rose by 5 to 12.'],
    },
  };
}
