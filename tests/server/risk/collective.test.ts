import { describe, expect, it } from 'vitest';
import { applicant, BANTIAN, DAY, GANGTOU, HOUR, Harness, MAAN_TANG, T0, only, raised, respondent, updated } from './builders.js';

describe('collective rule: people in one case', () => {
  it('fires on a case with many people, at the level of the largest step reached', () => {
    const h = new Harness(only('collective'));
    const [yellow] = raised(h.live(T0, { peopleInvolved: 12 }));
    expect(yellow!.data).toMatchObject({
      rule: 'collective',
      level: 'yellow',
      scope: { kind: 'case', key: h.lastCase().caseId },
      caseIds: [h.lastCase().caseId],
      facts: { people: 12, minPeople: 10 },
      title: '岗头社区群体性劳资纠纷：涉及12人',
    });
    expect(raised(h.live(T0 + HOUR, { peopleInvolved: 35 }))[0]!.data.level).toBe('orange');
    expect(raised(h.live(T0 + 2 * HOUR, { peopleInvolved: 80 }))[0]!.data.level).toBe('red');
  });

  it('does not fire one person short', () => {
    const h = new Harness(only('collective'));
    expect(h.live(T0, { peopleInvolved: 9 })).toEqual([]);
  });
});

describe('collective rule: cases against one respondent', () => {
  it('fires on the third case against the same respondent however its name is typed, then updates', () => {
    const h = new Harness(only('collective'));
    expect(h.live(T0, { parties: [applicant(), respondent('ABC电子厂')] })).toEqual([]);
    expect(h.live(T0 + 2 * DAY, { parties: [applicant(), respondent('  ＡＢＣ电子厂 ')], communityCode: MAAN_TANG })).toEqual([]);
    const third = h.live(T0 + 5 * DAY, { parties: [applicant(), respondent('abc电子厂')] });
    const alert = raised(third)[0]!.data;
    expect(alert).toMatchObject({ rule: 'respondent', level: 'yellow', facts: { cases: 3, withinDays: 30 }, streetCode: BANTIAN, communityCode: GANGTOU });
    expect(alert.scope!.kind).toBe('respondent');
    expect(alert.scope!.key).toMatch(/^[\w-]{43}$/);
    expect(alert.caseIds).toHaveLength(3);
    expect(JSON.stringify(third)).not.toMatch(/电子厂/);
    // A fourth and a fifth case: updates of the same alert, the fifth to orange.
    const fourth = updated(h.live(T0 + 6 * DAY, { parties: [respondent('ABC电子厂')] }));
    expect(fourth[0]!.data).toMatchObject({ alertId: alert.alertId, level: 'yellow', facts: { cases: 4 } });
    expect(fourth[0]!.sourceKey).toBe(`risk:${alert.alertId}:${h.log.length - 1}`);
    expect(updated(h.live(T0 + 7 * DAY, { parties: [respondent('ABC电子厂')] }))[0]!.data.level).toBe('orange');
    expect(h.engine.alerts.list({ rule: 'respondent' })).toHaveLength(1);
  });

  it('does not fire with two cases, cases outside the window, or different respondents', () => {
    const h = new Harness(only('collective'));
    h.live(T0, { parties: [respondent('某电子厂')] });
    h.live(T0 + 20 * DAY, { parties: [respondent('某电子厂')] });
    // 35 days after the first: only two of the three are within 30 days.
    expect(h.live(T0 + 35 * DAY, { parties: [respondent('某电子厂')] })).toEqual([]);
    expect(h.live(T0 + 36 * DAY, { parties: [respondent('某五金厂')] })).toEqual([]);
    expect(h.live(T0 + 36 * DAY, { parties: [respondent('某 电子厂')] })).toEqual([]);
  });

  it('counts a case once per respondent even when it names them twice', () => {
    const h = new Harness(only('collective'));
    h.live(T0, { parties: [respondent('某电子厂'), respondent('某电子厂 ')] });
    expect(h.live(T0 + DAY, { parties: [respondent('某电子厂')] })).toEqual([]);
  });
});
