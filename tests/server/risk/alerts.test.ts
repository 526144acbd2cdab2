import { describe, expect, it } from 'vitest';
import { decideAlert, type SensitivePeriod } from '../../../shared/risk.js';
import type { Actor } from '../../../shared/dispatch.js';
import { BANTIAN, DAY, GANGTOU, HOUR, Harness, T0, contextOf, duty, only, raised, respondent, updated } from './builders.js';

const employer = { parties: [respondent('某电子厂')] };

/** Three cases against one employer a day apart: a yellow respondent alert at the third. */
function threeCases(h: Harness, start = T0): string {
  h.live(start, employer);
  h.live(start + DAY, employer);
  return raised(h.live(start + 2 * DAY, employer))[0]!.data.alertId;
}

function act(h: Harness, alertId: string, command: { type: 'acknowledge' } | { type: 'close'; note: string }, at: number, actor: Actor = duty): void {
  const alert = h.engine.alerts.get(alertId)!;
  const decision = decideAlert(alert, { ...command, commandId: `cmd-${at}`, expectedVersion: alert.version }, actor, at);
  if (!decision.ok) throw new Error(decision.message);
  h.add(decision.type, decision.data as never, at);
}

describe('deduplication and cooldown', () => {
  it('a second trigger before the raise is committed updates the pending alert', () => {
    const h = new Harness(only('collective'));
    h.live(T0, employer);
    h.live(T0 + HOUR, employer);
    const raise = h.report(T0 + 2 * HOUR, employer);
    const update = h.report(T0 + 3 * HOUR, employer);
    expect(raise[0]!.type).toBe('alert.raised');
    expect(update[0]).toMatchObject({ type: 'alert.updated', data: { alertId: (raise[0]!.data as { alertId: string }).alertId, facts: { cases: 4 } } });
    expect(h.engine.unconfirmed()).toEqual([...raise, ...update]);
    h.commit([...raise, ...update], T0 + 3 * HOUR);
    expect(h.engine.unconfirmed()).toEqual([]);
    expect(h.engine.alerts.list()).toHaveLength(1);
    expect(h.engine.alerts.list()[0]).toMatchObject({ updates: 1, facts: { cases: 4 }, version: h.log.length });
  });

  it('sends no update when neither the level nor the count grows', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    // Forty days on, three new cases: the window holds three again, as when the alert was raised.
    h.live(T0 + 40 * DAY, employer);
    h.live(T0 + 41 * DAY, employer);
    expect(h.live(T0 + 41 * DAY + HOUR, employer)).toEqual([]);
    expect(h.engine.alerts.get(alertId)!.updates).toBe(0);
  });

  it('stays quiet after a close within the cooldown unless the level rises, and raises anew after it', () => {
    const h = new Harness(only('collective'));
    const first = threeCases(h);
    act(h, first, { type: 'close', note: '已约谈企业负责人' }, T0 + 2 * DAY + HOUR);
    expect(h.live(T0 + 2 * DAY + 2 * HOUR, employer)).toEqual([]); // 4 cases, still yellow, 2 h after the last signal
    const orange = raised(h.live(T0 + 2 * DAY + 3 * HOUR, employer)); // 5 cases: orange beats the closed yellow
    expect(orange[0]!.data).toMatchObject({ level: 'orange', facts: { cases: 5 } });
    expect(orange[0]!.data.alertId).not.toBe(first);
    act(h, orange[0]!.data.alertId, { type: 'close', note: '已处置' }, T0 + 2 * DAY + 4 * HOUR);
    expect(h.live(T0 + 2 * DAY + 5 * HOUR, employer)).toEqual([]);
    // More than cooldownHours (24) after the last signal: a new alert.
    expect(raised(h.live(T0 + 3 * DAY + 4 * HOUR, employer))[0]!.data).toMatchObject({ level: 'orange', facts: { cases: 7 } });
    expect(h.engine.alerts.list({ rule: 'respondent' }).map((a) => a.status)).toEqual(['raised', 'closed', 'closed']);
  });

  it('an update that arrives after a close changes the figures but not the status', () => {
    const h = new Harness(only('collective'));
    h.live(T0, employer);
    h.live(T0 + HOUR, employer);
    const raise = h.report(T0 + 2 * HOUR, employer);
    h.commit(raise, T0 + 2 * HOUR);
    const update = h.report(T0 + 3 * HOUR, employer);
    const alertId = (raise[0]!.data as { alertId: string }).alertId;
    act(h, alertId, { type: 'close', note: '误报' }, T0 + 3 * HOUR);
    h.commit(update, T0 + 3 * HOUR);
    expect(h.engine.alerts.get(alertId)).toMatchObject({ status: 'closed', facts: { cases: 4 }, updates: 1 });
  });
});

describe('sensitive periods', () => {
  const period: SensitivePeriod = {
    id: 'wages-test',
    name: { zh: '春节前欠薪高发期', en: 'Wage arrears' },
    from: '2026-05-05',
    to: '2026-05-10',
    categories: ['labour'],
    weight: 1.5,
    raiseLevels: 1,
  };

  it('raises a rule alert on a listed category by raiseLevels while the period is on', () => {
    const h = new Harness(only('collective'), [period]);
    // 2026-05-04 16:30 UTC is 05-05 00:30 in Shenzhen: the period's first local day.
    const alert = raised(h.live(T0 + 16.5 * HOUR, { peopleInvolved: 12 }))[0]!.data;
    expect(alert).toMatchObject({ level: 'orange', periods: ['wages-test'], facts: { people: 12, baseLevel: 'yellow' } });
    expect(alert.title.startsWith('【敏感期】')).toBe(true);
    expect(raised(h.live(T0 + DAY, { peopleInvolved: 60 }))[0]!.data.level).toBe('red');
  });

  it('leaves other categories and other days alone', () => {
    const h = new Harness(only('collective'), [period]);
    expect(raised(h.live(T0 + DAY, { peopleInvolved: 12, category: 'family' }))[0]!.data).toMatchObject({ level: 'yellow', periods: [] });
    expect(raised(h.live(T0 + 15.5 * HOUR, { peopleInvolved: 12 }))[0]!.data).toMatchObject({ level: 'yellow', periods: [] });
  });
});

describe('auto-close', () => {
  it('closes a raised rule alert that stayed quiet for autoCloseHours, only once', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    const lastSignal = T0 + 2 * DAY;
    expect(h.engine.sweep(lastSignal + 48 * HOUR - 1)).toEqual([]);
    const drafts = h.engine.sweep(lastSignal + 48 * HOUR);
    expect(drafts).toEqual([
      {
        id: expect.any(String),
        type: 'alert.closed',
        sourceKey: `risk:${alertId}:close`,
        data: { alertId, actor: { role: 'system', id: 'risk', name: '风险规则' }, at: new Date(lastSignal + 48 * HOUR).toISOString(), note: expect.stringMatching(/自动关闭/), auto: true, streetCode: BANTIAN, communityCode: GANGTOU },
      },
    ]);
    h.commit(drafts, lastSignal + 48 * HOUR);
    expect(h.engine.alerts.get(alertId)).toMatchObject({ status: 'closed', closed: { auto: true } });
    expect(h.engine.sweep(lastSignal + 100 * HOUR)).toEqual([]);
  });

  it('counts quiet time from the last update', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    h.live(T0 + 3 * DAY, employer);
    expect(h.engine.sweep(T0 + 4 * DAY)).toEqual([]);
    expect(h.engine.sweep(T0 + 5 * DAY)[0]).toMatchObject({ type: 'alert.closed', data: { alertId } });
  });

  it('does not close an alert whose update is decided but not yet committed', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    const pending = h.report(T0 + 3 * DAY, employer);
    expect(h.engine.sweep(T0 + 4 * DAY + HOUR)).toEqual([]);
    h.commit(pending, T0 + 4 * DAY + HOUR);
    expect(h.engine.sweep(T0 + 5 * DAY)[0]).toMatchObject({ type: 'alert.closed', data: { alertId } });
  });

  it('leaves acknowledged alerts and alerts from outside systems open', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    act(h, alertId, { type: 'acknowledge' }, T0 + 2 * DAY + HOUR);
    h.add('alert.raised', { alertId: 'ext-1', source: 'police', level: 'red', title: '聚集风险', streetCode: BANTIAN, raisedAt: new Date(T0).toISOString() }, T0);
    expect(h.engine.sweep(T0 + 90 * DAY)).toEqual([]);
  });
});

describe('alert registry', () => {
  it('folds alerts from outside systems with empty rule fields, and filters', () => {
    const h = new Harness(only('collective'));
    h.add('alert.raised', { alertId: 'ext-1', source: 'police', level: 'red', title: '聚集风险', streetCode: BANTIAN, communityCode: GANGTOU, raisedAt: new Date(T0).toISOString() }, T0);
    threeCases(h, T0 + HOUR);
    const ext = h.engine.alerts.get('ext-1')!;
    expect(ext).toMatchObject({ seq: 1, version: 1, source: 'police', caseIds: [], facts: {}, periods: [], whistles: [], status: 'raised', updates: 0 });
    expect(ext.rule).toBeUndefined();
    expect(h.engine.alerts.list({ rule: 'external' }).map((a) => a.id)).toEqual(['ext-1']);
    expect(h.engine.alerts.list().map((a) => a.source)).toEqual(['system', 'police']);
    expect(h.engine.alerts.list({ level: 'yellow', streetCode: BANTIAN, limit: 5 })).toHaveLength(1);
    expect(h.engine.alerts.openByLevel()).toEqual({ red: 1, orange: 0, yellow: 1, blue: 0 });
    act(h, 'ext-1', { type: 'close', note: '已疏导' }, T0 + 5 * HOUR);
    expect(h.engine.alerts.list({ status: 'open' }).map((a) => a.source)).toEqual(['system']);
    expect(h.engine.alerts.openByLevel()).toEqual({ red: 0, orange: 0, yellow: 1, blue: 0 });
  });

  it('links a whistle blown from an alert, which acknowledges it for the whistler', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    const c = contextOf(h.lastCase());
    h.add('case.whistled', { case: c, actor: duty, at: new Date(T0 + 3 * DAY).toISOString(), whistleId: 'w-1', urgency: 'urgent', tier: 'street', assignments: [], alertId }, T0 + 3 * DAY);
    expect(h.engine.alerts.get(alertId)).toMatchObject({
      status: 'acknowledged',
      acknowledged: { actor: duty, at: new Date(T0 + 3 * DAY).toISOString() },
      whistles: [{ caseId: c.caseId, whistleId: 'w-1' }],
      version: h.log.length,
    });
    // A second whistle from an acknowledged alert is listed too; the acknowledgement stays the first one's.
    h.add('case.whistled', { case: c, actor: { ...duty, id: 'duty-2' }, at: new Date(T0 + 4 * DAY).toISOString(), whistleId: 'w-2', urgency: 'normal', tier: 'street', assignments: [], alertId }, T0 + 4 * DAY);
    expect(h.engine.alerts.get(alertId)!.whistles).toHaveLength(2);
    expect(h.engine.alerts.get(alertId)!.acknowledged!.actor.id).toBe('duty-1');
  });

  it('ignores commands for unknown alerts and keeps version at the latest event', () => {
    const h = new Harness(only('collective'));
    const alertId = threeCases(h);
    h.add('alert.acknowledged', { alertId: 'nope', actor: duty, at: new Date(T0).toISOString(), streetCode: BANTIAN }, T0 + 3 * DAY);
    expect(h.engine.alerts.size).toBe(1);
    act(h, alertId, { type: 'acknowledge' }, T0 + 3 * DAY);
    expect(h.engine.alerts.get(alertId)!.version).toBe(h.log.length);
    expect(updated(h.live(T0 + 3 * DAY, employer))).toHaveLength(1);
  });
});
