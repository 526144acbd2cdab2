import { describe, expect, it } from 'vitest';
import { BANTIAN, DAY, GANGTOU, HOUR, Harness, MAAN_TANG, T0, only, raised, updated } from './builders.js';

/** A week and more of history in another category: labour's own baseline is empty, so expected = the prior 0.5/day. */
function withHistory(h: Harness, days = 16): void {
  for (let d = 0; d < days; d += 2) h.live(T0 + d * DAY, { category: 'family' });
}

describe('spike rule', () => {
  it("fires when a community's count is far above its baseline, and rises with the count", () => {
    const h = new Harness(only('spike'));
    withHistory(h);
    const burst = T0 + 16 * DAY + 10 * HOUR;
    for (let i = 0; i < 4; i++) expect(h.live(burst + i * HOUR)).toEqual([]); // 4 cases: p = 0.0018 > 0.001
    const first = h.live(burst + 4 * HOUR);
    expect(first).toHaveLength(1);
    const alert = raised(first)[0]!.data;
    expect(alert).toMatchObject({
      rule: 'spike',
      level: 'yellow',
      source: 'system',
      scope: { kind: 'community', key: `${GANGTOU}:labour` },
      category: 'labour',
      streetCode: BANTIAN,
      communityCode: GANGTOU,
      facts: { observed: 5, expected: 0.5, ratio: 10, pValue: 0.000172, windowHours: 24 },
      triggerSeq: h.log.length - 1,
      periods: [],
    });
    expect(alert.alertId).toBe(`al-${alert.triggerSeq}-spike-community`);
    expect(alert.facts!.baselineDays).toBeGreaterThan(13);
    expect(alert.caseIds).toHaveLength(5);
    expect(alert.title).toBe('岗头社区劳资纠纷激增：24小时内5件，常态约0.5件');
    // The sixth case: p = 1.4e-5 → orange, as an update of the same alert.
    const second = h.live(burst + 5 * HOUR);
    expect(updated(second)[0]!.data).toMatchObject({ alertId: alert.alertId, level: 'orange', facts: { observed: 6 } });
    expect(h.engine.alerts.get(alert.alertId)).toMatchObject({ level: 'orange', updates: 1, status: 'raised' });
  });

  it("uses the area's own baseline: a busy community's ordinary day is no spike", () => {
    const h = new Harness(only('spike'));
    for (let d = 0; d < 15; d++) for (let i = 0; i < 5; i++) h.live(T0 + d * DAY + i * 3 * HOUR);
    // 8 in a day against 5 a day: P(X ≥ 8 | 5) = 0.13.
    for (let i = 0; i < 8; i++) expect(h.live(T0 + 15 * DAY + i * HOUR)).toEqual([]);
    // …but 25 in a day is a spike even there.
    const all = [];
    for (let i = 0; i < 17; i++) all.push(...h.live(T0 + 15 * DAY + 8 * HOUR + i * 10 * 60_000));
    expect(raised(all)).toHaveLength(1);
  });

  it('does not fire on cases spread beyond the window', () => {
    const h = new Harness(only('spike'));
    withHistory(h);
    const start = T0 + 16 * DAY;
    // Five cases 6.5 hours apart: no 24-hour window holds more than four.
    for (const hours of [0, 6.5, 13, 19.5, 26]) expect(h.live(start + hours * HOUR)).toEqual([]);
  });

  it('does not fire without minHistoryDays of history', () => {
    const h = new Harness(only('spike'));
    h.live(T0, { category: 'family' });
    for (let i = 0; i < 8; i++) expect(h.live(T0 + 3 * DAY + i * HOUR)).toEqual([]);
  });

  it('ignores a late case older than its rings, and counts a late case inside the window', () => {
    const h = new Harness(only('spike'));
    withHistory(h);
    const burst = T0 + 16 * DAY + 10 * HOUR;
    for (let i = 0; i < 4; i++) h.live(burst + i * HOUR);
    // Reported 60 days ago, entered now: no ring holds that day.
    expect(h.live(burst - 60 * DAY)).toEqual([]);
    // Reported three hours ago, entered after the four above: the fifth case in the window.
    const late = h.report(burst + 1 * HOUR, {}, burst + 4 * HOUR);
    expect(raised(late)[0]!.data.facts).toMatchObject({ observed: 5 });
  });

  it('watches a street as a whole when configured to', () => {
    const rules = only('spike');
    rules.spike.scopes = ['street'];
    const h = new Harness(rules);
    withHistory(h);
    const burst = T0 + 16 * DAY;
    const drafts = [];
    for (let i = 0; i < 5; i++) drafts.push(...h.live(burst + i * HOUR, { communityCode: i % 2 ? GANGTOU : MAAN_TANG }));
    const alert = raised(drafts)[0]!.data;
    expect(alert).toMatchObject({ scope: { kind: 'street', key: `${BANTIAN}:labour` }, streetCode: BANTIAN, level: 'yellow' });
    expect(alert.communityCode).toBeUndefined();
    expect(alert.title.startsWith('坂田街道')).toBe(true);
  });
});
