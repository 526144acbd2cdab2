import { describe, expect, it } from 'vitest';
import type { CaseContext, PublicEvent } from '../../shared/events.js';
import { HOUR_MS } from '../../shared/time.js';
import {
  applyEvent,
  communityView,
  dailySeries,
  emptyWallState,
  hourlySeries,
  streetView,
  topCommunities,
  totals,
  windowBreakdown,
} from '../../shared/wall-state.js';

// 2026-11-22 10:00 in Shenzhen (UTC+8).
const NOW = Date.parse('2026-11-22T02:00:00Z');
let seq = 0;
const ctx = (over: Partial<CaseContext> = {}): CaseContext => ({
  caseId: `c${seq + 1}`,
  kind: 'dispute',
  category: 'labour',
  streetCode: '440307013',
  communityCode: '440307013002',
  severity: 3,
  peopleInvolved: 1,
  weight: 4,
  reportedAt: new Date(NOW - HOUR_MS).toISOString(),
  ...over,
});
const reported = (c: CaseContext): PublicEvent => ({ seq: ++seq, id: `e${seq}`, at: c.reportedAt, type: 'case.reported', case: c, source: 'hotline' });
const resolved = (c: CaseContext, at: number): PublicEvent => ({ seq: ++seq, id: `e${seq}`, at: new Date(at).toISOString(), type: 'case.resolved', case: c, outcome: 'mediated', resolvedAt: new Date(at).toISOString() });
const fresh = () => emptyWallState({ tzOffsetMinutes: 480, halfLifeHours: 24 });

describe('wall state fold', () => {
  it('counts open, new today, heat and series from reports and resolutions', () => {
    const s = fresh();
    const a = ctx();
    const b = ctx({ communityCode: '440307013007', category: 'family', weight: 3 });
    applyEvent(s, reported(a));
    applyEvent(s, reported(b));
    applyEvent(s, resolved(a, NOW));
    expect(totals(s, NOW)).toEqual({ newToday: 2, resolvedToday: 1, open: 1, resolutionRate: 0.5 });
    const gangtou = communityView(s, '440307013002', NOW);
    expect(gangtou.open).toBe(0);
    expect(gangtou.newToday).toBe(1);
    // Resolved: only the decaying arrival is left, one hour into a 24 h half-life.
    expect(gangtou.heat).toBeCloseTo(4 * Math.pow(0.5, 1 / 24), 1);
    expect(communityView(s, '440307013007', NOW).heat).toBeCloseTo(3 + 3 * Math.pow(0.5, 1 / 24), 1);
    expect(streetView(s, '440307013', ['440307013002', '440307013007'], NOW).open).toBe(1);
    expect(s.openByCategory).toEqual({ family: 1 });
    expect(dailySeries(s, NOW).at(-1)).toEqual({ day: '2026-11-22', reported: 2, resolved: 1 });
    expect(hourlySeries(s, NOW).at(-2)!.reported).toBe(2);
    expect(windowBreakdown(s, NOW, 'bySource')).toEqual({ hotline: 2 });
    expect(topCommunities(s, NOW).map((c) => c.code)).toEqual(['440307013007', '440307013002']);
  });

  it('ignores an event it has already applied (seq at or below its own)', () => {
    const s = fresh();
    const e = reported(ctx());
    expect(applyEvent(s, e)).toBe(true);
    expect(applyEvent(s, e)).toBe(false);
    expect(s.open).toBe(1);
  });

  it('uses local days: 23:30 in Shenzhen is still the same day, 00:30 is the next', () => {
    const s = fresh();
    applyEvent(s, reported(ctx({ reportedAt: '2026-11-21T15:30:00Z' }))); // 23:30 local, 21st
    applyEvent(s, reported(ctx({ reportedAt: '2026-11-21T16:30:00Z' }))); // 00:30 local, 22nd
    expect(dailySeries(s, NOW, 2)).toEqual([
      { day: '2026-11-21', reported: 1, resolved: 0 },
      { day: '2026-11-22', reported: 1, resolved: 0 },
    ]);
    expect(communityView(s, '440307013002', NOW).newToday).toBe(1);
  });

  it('keeps a bounded window: 31 days, 24 hours and a 40-item ticker', () => {
    const s = fresh();
    for (let d = 0; d < 45; d++) applyEvent(s, reported(ctx({ reportedAt: new Date(NOW - d * 24 * HOUR_MS).toISOString() })));
    expect(Object.keys(s.days).length).toBeLessThanOrEqual(31);
    expect(Object.keys(s.hours).length).toBeLessThanOrEqual(24);
    expect(s.ticker.length).toBe(40);
    expect(s.open).toBe(45);
    expect(dailySeries(s, NOW).every((d) => d.reported === 1)).toBe(true);
  });

  it('lets a late (backfilled) event weigh what it would have weighed on time', () => {
    const inOrder = fresh();
    const outOfOrder = fresh();
    const early = ctx({ reportedAt: new Date(NOW - 48 * HOUR_MS).toISOString() });
    const late = ctx({ reportedAt: new Date(NOW - HOUR_MS).toISOString() });
    applyEvent(inOrder, reported(early));
    applyEvent(inOrder, reported(late));
    applyEvent(outOfOrder, reported(late));
    applyEvent(outOfOrder, reported(early));
    expect(communityView(outOfOrder, '440307013002', NOW).heat).toBeCloseTo(communityView(inOrder, '440307013002', NOW).heat, 5);
  });

  it('adds alert weight to its community, or to the street when no community is named', () => {
    const s = fresh();
    const alert = (communityCode?: string): PublicEvent => ({
      seq: ++seq, id: `a${seq}`, at: new Date(NOW).toISOString(), type: 'alert.raised', alertId: `al${seq}`, level: 'red', title: 't',
      streetCode: '440307013', ...(communityCode && { communityCode }), raisedAt: new Date(NOW).toISOString(),
    });
    applyEvent(s, alert('440307013002'));
    applyEvent(s, alert());
    expect(communityView(s, '440307013002', NOW).heat).toBe(20);
    expect(streetView(s, '440307013', ['440307013002'], NOW).heat).toBe(40);
    expect(streetView(s, '440307013', ['440307013002'], NOW + 24 * HOUR_MS).heat).toBe(20);
  });
});
