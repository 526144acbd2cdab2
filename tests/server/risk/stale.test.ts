import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../shared/dispatch.js';
import type { CaseReportedData } from '../../../shared/events.js';
import { MAX_ALERT_CASES } from '../../../shared/risk.js';
import { severityOf } from '../../../server/domain/risk/levels.js';
import { StaleRule } from '../../../server/domain/risk/stale.js';
import { BANTIAN, DAY, GANGTOU, HOUR, Harness, MAAN_TANG, T0, caseData, contextOf, duty, only, raised, testRules, updated } from './builders.js';

const dept: Actor = { role: 'dept', id: 'labour', deptId: 'labour' };

/** Reports a case live and returns it. */
function severe(h: Harness, at: number, severity: number, communityCode = GANGTOU): CaseReportedData {
  h.live(at, { severity, communityCode });
  return h.lastCase();
}

function resolve(h: Harness, c: CaseReportedData, at: number): void {
  h.add('case.resolved', { case: contextOf(c), source: 'hotline', outcome: 'mediated', resolvedAt: new Date(at).toISOString() }, at);
}

function reopen(h: Harness, c: CaseReportedData, at: number): void {
  h.add('case.followedUp', { case: contextOf(c), actor: duty, at: new Date(at).toISOString(), satisfaction: 1, reopened: true }, at);
}

const inCommunity = (code: string) => (d: { data: { communityCode?: string } }) => d.data.communityCode === code;

describe('stale high-severity rule (one alert per community)', () => {
  it('raises one alert per community with its count, most severe and oldest cases first, and nothing for near misses', () => {
    const h = new Harness(only('staleHighSeverity'));
    const a = severe(h, T0, 4);
    const b = severe(h, T0 + HOUR, 5);
    const c = severe(h, T0 + 2 * HOUR, 4);
    severe(h, T0 + 2 * HOUR + 1, 4); // stale a millisecond after the sweep
    severe(h, T0, 3); // not severe enough
    resolve(h, severe(h, T0, 5), T0 + 20 * HOUR); // resolved in time
    const g = severe(h, T0, 4, MAAN_TANG);
    const now = T0 + 26 * HOUR;
    expect(h.engine.sweep(T0 + 24 * HOUR - 1)).toEqual([]);
    const drafts = h.engine.sweep(now);
    expect(drafts).toHaveLength(2);
    const gangtou = raised(drafts).find(inCommunity(GANGTOU))!.data;
    expect(gangtou).toMatchObject({
      alertId: `al-s${now}-staleHighSeverity-${GANGTOU}`,
      rule: 'staleHighSeverity',
      level: 'yellow',
      scope: { kind: 'community', key: GANGTOU },
      caseIds: [b.caseId, a.caseId, c.caseId],
      facts: { cases: 3, maxSeverity: 5, oldestHours: 26, afterHours: 24 },
      title: '岗头社区 3 件高风险案件超时未结（最长 26 小时）',
      streetCode: BANTIAN,
      communityCode: GANGTOU,
    });
    expect(gangtou.triggerSeq).toBeUndefined();
    expect(raised(drafts).find(inCommunity(MAAN_TANG))!.data).toMatchObject({
      scope: { kind: 'community', key: MAAN_TANG },
      caseIds: [g.caseId],
      facts: { cases: 1, maxSeverity: 4, oldestHours: 26 },
      title: '马安堂社区 1 件高风险案件超时未结（最长 26 小时）',
    });
  });

  it('hands out the same drafts until they are committed, then updates the open alert when another case goes stale', () => {
    const h = new Harness(only('staleHighSeverity'));
    const a = severe(h, T0, 4);
    const b = severe(h, T0 + 10 * HOUR, 4);
    const first = h.engine.sweep(T0 + 24 * HOUR);
    const alertId = raised(first)[0]!.data.alertId;
    expect(raised(first)[0]!.data.facts).toMatchObject({ cases: 1 });
    expect(h.engine.sweep(T0 + 25 * HOUR)).toEqual(first);
    h.commit(first, T0 + 25 * HOUR);
    expect(h.engine.sweep(T0 + 30 * HOUR)).toEqual([]);
    const second = h.engine.sweep(T0 + 34 * HOUR);
    expect(raised(second)).toEqual([]);
    expect(updated(second)[0]!.data).toMatchObject({ alertId, level: 'yellow', caseIds: [a.caseId, b.caseId], facts: { cases: 2, oldestHours: 34 } });
    expect(second[0]!.sourceKey).toBe(`risk:${alertId}:s${T0 + 34 * HOUR}`);
    h.commit(second, T0 + 34 * HOUR);
    expect(h.engine.sweep(T0 + 40 * HOUR)).toEqual([]);
    const alerts = h.engine.alerts.list({ rule: 'staleHighSeverity' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: alertId, updates: 1, facts: { cases: 2 } });
  });

  it('takes the level of the worst case, rising by update, and stops once every step is alerted', () => {
    const h = new Harness(only('staleHighSeverity'));
    severe(h, T0, 4);
    severe(h, T0 + HOUR, 5);
    const first = h.engine.sweep(T0 + 25 * HOUR);
    expect(raised(first)[0]!.data.level).toBe('yellow');
    h.commit(first, T0 + 25 * HOUR);
    // At 72 h the severity-4 case turns orange; an hour later the severity-5 one turns red.
    const orange = h.engine.sweep(T0 + 72 * HOUR);
    expect(updated(orange)[0]!.data).toMatchObject({ level: 'orange', facts: { cases: 2, maxSeverity: 5, afterHours: 72 } });
    h.commit(orange, T0 + 72 * HOUR);
    const red = h.engine.sweep(T0 + 73 * HOUR);
    expect(updated(red)[0]!.data).toMatchObject({ level: 'red', facts: { cases: 2, afterHours: 72, oldestHours: 73 } });
    h.commit(red, T0 + 73 * HOUR);
    expect(h.engine.sweep(T0 + 30 * DAY).filter((d) => d.type !== 'alert.closed')).toEqual([]);
  });

  it('goes straight to the most severe step reached when the sweep comes late', () => {
    const h = new Harness(only('staleHighSeverity'));
    severe(h, T0, 4);
    severe(h, T0, 5);
    expect(raised(h.engine.sweep(T0 + 80 * HOUR))[0]!.data).toMatchObject({ level: 'red', facts: { cases: 2, afterHours: 72, oldestHours: 80 }, title: '岗头社区 2 件高风险案件超时未结（最长 3 天）' });
  });

  it('stops counting a resolved case', () => {
    const h = new Harness(only('staleHighSeverity'));
    const a = severe(h, T0, 4);
    const b = severe(h, T0 + HOUR, 4);
    const c = severe(h, T0 + 2 * HOUR, 4);
    const d = severe(h, T0 + 5 * HOUR, 4);
    const first = h.engine.sweep(T0 + 26 * HOUR);
    expect(raised(first)[0]!.data).toMatchObject({ caseIds: [a.caseId, b.caseId, c.caseId], facts: { cases: 3 } });
    h.commit(first, T0 + 26 * HOUR);
    resolve(h, b, T0 + 27 * HOUR);
    expect(updated(h.engine.sweep(T0 + 29 * HOUR))[0]!.data).toMatchObject({ caseIds: [a.caseId, c.caseId, d.caseId], facts: { cases: 3 } });
  });

  it('counts a reopened case again', () => {
    const h = new Harness(only('staleHighSeverity'));
    const a = severe(h, T0, 4);
    resolve(h, a, T0 + HOUR);
    expect(h.engine.sweep(T0 + 2 * DAY)).toEqual([]);
    reopen(h, a, T0 + 2 * DAY);
    expect(raised(h.engine.sweep(T0 + 2 * DAY))[0]!.data).toMatchObject({ level: 'yellow', caseIds: [a.caseId], facts: { cases: 1, oldestHours: 48 }, title: '岗头社区 1 件高风险案件超时未结（最长 2 天）' });
  });

  it('after the desk closes the alert, its cases stay quiet; a new stale case raises again once the cooldown is over', () => {
    const h = new Harness(only('staleHighSeverity'));
    const a = severe(h, T0, 4);
    const b = severe(h, T0 + 10 * HOUR, 4);
    const first = h.engine.sweep(T0 + 24 * HOUR);
    h.commit(first, T0 + 24 * HOUR);
    const alertId = raised(first)[0]!.data.alertId;
    h.add('alert.closed', { alertId, actor: duty, at: new Date(T0 + 25 * HOUR).toISOString(), note: '已核实', streetCode: BANTIAN, communityCode: GANGTOU }, T0 + 25 * HOUR);
    expect(h.engine.sweep(T0 + 30 * HOUR)).toEqual([]);
    expect(h.engine.sweep(T0 + 34 * HOUR)).toEqual([]); // b went stale within the cooldown
    const again = raised(h.engine.sweep(T0 + 48 * HOUR))[0]!.data;
    expect(again).toMatchObject({ alertId: `al-s${T0 + 48 * HOUR}-staleHighSeverity-${GANGTOU}`, caseIds: [a.caseId, b.caseId], facts: { cases: 2 } });
  });

  it(`lists at most ${MAX_ALERT_CASES} cases and counts them all`, () => {
    const h = new Harness(only('staleHighSeverity'));
    const cases = Array.from({ length: MAX_ALERT_CASES + 5 }, (_, i) => severe(h, T0 + i * 60_000, 4));
    const alert = raised(h.engine.sweep(T0 + 25 * HOUR))[0]!.data;
    expect(alert.caseIds).toEqual(cases.slice(0, MAX_ALERT_CASES).map((c) => c.caseId));
    expect(alert.facts).toMatchObject({ cases: MAX_ALERT_CASES + 5 });
  });

  it('leaves a community out of the sweep until something in it is news: a case going stale or a level past the alert', () => {
    const rule = new StaleRule(testRules().staleHighSeverity);
    const a = caseData(T0, { severity: 5 });
    const b = caseData(T0 + 10 * HOUR, { severity: 4 });
    rule.track(contextOf(a));
    rule.track(contextOf(b));
    expect(rule.due(T0 + 24 * HOUR - 1)).toEqual([]);
    expect(rule.due(T0 + 24 * HOUR)).toMatchObject([{ count: 1, facts: { cases: 1 } }]);
    rule.alerted(GANGTOU, 'yellow', T0 + 24 * HOUR);
    expect(rule.due(T0 + 34 * HOUR - 1)).toEqual([]);
    expect(rule.due(T0 + 34 * HOUR)).toMatchObject([{ count: 1, caseIds: [a.caseId, b.caseId], facts: { cases: 2 } }]);
    // The alert stands at orange (a sensitive period, say): only a's red step at 72 h is news.
    rule.alerted(GANGTOU, 'orange', T0 + 34 * HOUR);
    expect(rule.due(T0 + 72 * HOUR - 1)).toEqual([]);
    expect(rule.due(T0 + 72 * HOUR)).toMatchObject([{ count: 0, level: 'red', facts: { cases: 2 } }]);
    rule.alerted(GANGTOU, 'red', T0 + 72 * HOUR);
    expect(rule.due(T0 + 60 * DAY)).toEqual([]);
    rule.close(a.caseId);
    rule.close(b.caseId);
    expect(rule.size).toBe(0);
    expect(rule.snapshot()).toEqual({ cases: [], covered: [[GANGTOU, 'red']] });
  });

  it('does not close a whistle-linked alert for quiet', () => {
    const h = new Harness(only('staleHighSeverity'));
    const c = contextOf(severe(h, T0, 5));
    const drafts = h.engine.sweep(T0 + 3 * DAY);
    h.commit(drafts, T0 + 3 * DAY);
    const alertId = raised(drafts)[0]!.data.alertId;
    h.add('case.whistled', { case: c, actor: dept, at: new Date(T0 + 3 * DAY).toISOString(), whistleId: 'w1', urgency: 'urgent', tier: 'street', assignments: [], alertId }, T0 + 3 * DAY);
    expect(h.engine.sweep(T0 + 60 * DAY)).toEqual([]);
  });

  it('over random logs: one open alert per community at most, and what a sweep says matches the open stale cases', () => {
    type Step = { kind: 'case'; dt: number; severity: number; community: number } | { kind: 'resolve' | 'reopen' | 'close'; dt: number; pick: number } | { kind: 'sweep'; dt: number };
    const dt = fc.integer({ min: 0, max: 12 * 60 }).map((m) => m * 60_000);
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('case' as const), dt, severity: fc.integer({ min: 3, max: 5 }), community: fc.integer({ min: 0, max: 1 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('resolve' as const, 'reopen' as const, 'close' as const), dt, pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('sweep' as const), dt }) },
    );
    const rules = only('staleHighSeverity');
    const firstAfter = (severity: number) => (severity >= 4 ? 24 * HOUR : Infinity);
    const levelAt = (c: CaseReportedData, now: number) => {
      const age = now - Date.parse(c.reportedAt);
      return c.severity === 5 && age >= 72 * HOUR ? 'red' : c.severity >= 4 && age >= 72 * HOUR ? 'orange' : 'yellow';
    };
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 80 }), (steps) => {
        const h = new Harness(rules);
        const reported: CaseReportedData[] = [];
        const open = new Set<string>();
        let now = T0;
        for (const s of steps) {
          now += s.dt;
          if (s.kind === 'case') {
            reported.push(severe(h, now, s.severity, [GANGTOU, MAAN_TANG][s.community]));
            open.add(h.lastCase().caseId);
          } else if (s.kind === 'resolve' || s.kind === 'reopen') {
            const c = reported[s.pick % Math.max(1, reported.length)];
            if (!c) continue;
            if (s.kind === 'resolve') {
              resolve(h, c, now);
              open.delete(c.caseId);
            } else {
              reopen(h, c, now);
              open.add(c.caseId);
            }
          } else if (s.kind === 'close') {
            const alerts = h.engine.alerts.list({ status: 'open' });
            const a = alerts[s.pick % Math.max(1, alerts.length)];
            if (a) h.add('alert.closed', { alertId: a.id, actor: duty, at: new Date(now).toISOString(), note: '已核实', streetCode: a.streetCode, communityCode: a.communityCode! }, now);
          } else {
            const drafts = h.engine.sweep(now);
            for (const d of [...raised(drafts), ...updated(drafts)]) {
              const code = d.data.communityCode!;
              const stale = reported.filter((c) => open.has(c.caseId) && c.communityCode === code && Date.parse(c.reportedAt) + firstAfter(c.severity) <= now);
              expect(d.data.facts?.cases).toBe(stale.length);
              expect((d.data.caseIds ?? []).every((id) => stale.some((c) => c.caseId === id))).toBe(true);
              const worst = Math.max(...stale.map((c) => severityOf(levelAt(c, now))));
              if (d.type === 'alert.raised') expect(severityOf(d.data.level)).toBe(worst);
              else expect(severityOf(d.data.level)).toBeGreaterThanOrEqual(worst);
            }
            h.commit(drafts, now);
            for (const code of [GANGTOU, MAAN_TANG]) expect(h.engine.alerts.list({ status: 'open', rule: 'staleHighSeverity', communityCode: code }).length).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
