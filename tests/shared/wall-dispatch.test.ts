import { describe, expect, it } from 'vitest';
import type { Assignment, AssignmentRole } from '../../shared/dispatch.js';
import type { CaseContext, PublicEvent, PublicLifecycleEvent } from '../../shared/events.js';
import { DAY_MS, HOUR_MS } from '../../shared/time.js';
import fc from 'fast-check';
import { activeWhistles, BOARD_DAYS, boardPeriod, closureTier, departmentBoard, isOverdue, MIN_CASES_FOR_RATE, rollCall, tierContainment, type WallWhistle } from '../../shared/wall-dispatch.js';
import { applyEvent, emptyWallState, type WallState } from '../../shared/wall-state.js';

const MINUTE = 60_000;
const TZ = 480;
// 2026-11-20 10:00 in Shenzhen (UTC+8): the whistle is blown then; the board is read two days later.
const T0 = Date.parse('2026-11-20T02:00:00Z');
const NOW = T0 + 2 * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString();

let seq = 0;
const fresh = () => emptyWallState({ tzOffsetMinutes: TZ, halfLifeHours: 24 });

const ctx = (caseId: string, over: Partial<CaseContext> = {}): CaseContext => ({
  caseId,
  kind: 'dispute',
  category: 'labour',
  streetCode: '440307013',
  communityCode: '440307013002',
  severity: 4,
  peopleInvolved: 40,
  weight: 8,
  reportedAt: iso(T0 - HOUR_MS),
  ...over,
});

/** A department's part, with the 特急 deadlines: report in within 1 h (lead) or 2 h (assist), resolve within 24 h. */
const part = (deptId: string, role: AssignmentRole, start: number): Assignment => {
  const report = role === 'lead' ? HOUR_MS : 2 * HOUR_MS;
  return { deptId, role, reportDueAt: iso(start + report), reportEscalateAt: iso(start + 2 * report), resolveDueAt: iso(start + DAY_MS), resolveEscalateAt: iso(start + 2 * DAY_MS) };
};

const reported = (c: CaseContext): PublicEvent => ({ seq: ++seq, id: `e${seq}`, at: c.reportedAt, type: 'case.reported', case: c, source: 'hotline' });
const step = (type: PublicLifecycleEvent['type'], c: CaseContext, at: number, fields: Partial<PublicLifecycleEvent> = {}): PublicLifecycleEvent => ({
  seq: ++seq,
  id: `e${seq}`,
  at: iso(at),
  type,
  case: c,
  actorRole: 'dept',
  ...fields,
});
const resolved = (c: CaseContext, at: number, fields: { whistleId?: string; deptId?: string; tier?: 'community' | 'street' | 'district' } = {}): PublicEvent => ({
  seq: ++seq,
  id: `e${seq}`,
  at: iso(at),
  type: 'case.resolved',
  case: c,
  outcome: 'mediated',
  resolvedAt: iso(at),
  ...fields,
});

function apply(state: WallState, ...events: PublicEvent[]): void {
  for (const e of events) applyEvent(state, e);
}

function whistle(c: CaseContext, whistleId: string, start: number, parts: Array<[string, AssignmentRole]>): PublicEvent {
  return step('case.whistled', c, start, { actorRole: 'duty', whistleId, urgency: 'critical', tier: 'community', assignments: parts.map(([d, r]) => part(d, r, start)) });
}

const roll = (w: WallWhistle | undefined, now: number) => Object.fromEntries((w?.assignments ?? []).map((a) => [a.deptId, rollCall(a, now)]));

describe('the wall fold of dispatch', () => {
  it('follows a whistle through report-in, return, supervision, escalation and resolution', () => {
    const s = fresh();
    const c = ctx('c1');
    apply(s, reported(c), step('case.triaged', c, T0 - 30 * MINUTE, { actorRole: 'duty', tier: 'community' }));
    apply(s, whistle(c, 'w1', T0, [['labour', 'lead'], ['police', 'assist'], ['petition', 'assist']]));

    const [w] = activeWhistles(s.dispatch, T0);
    expect(w).toMatchObject({ whistleId: 'w1', caseId: 'c1', urgency: 'critical', tier: 'community', category: 'labour', streetCode: '440307013', communityCode: '440307013002' });
    expect(roll(w, T0 + 10 * MINUTE)).toEqual({ labour: 'pending', police: 'pending', petition: 'pending' });
    expect(isOverdue(w!, T0 + 10 * MINUTE)).toBe(false);

    // Police on time; petitions send their part back (an assist: the whistle stays).
    apply(s, step('whistle.reportedIn', c, T0 + 30 * MINUTE, { whistleId: 'w1', deptId: 'police', role: 'assist', late: false }));
    apply(s, step('whistle.returned', c, T0 + 40 * MINUTE, { whistleId: 'w1', deptId: 'petition', role: 'assist' }));
    expect(roll(activeWhistles(s.dispatch, T0)[0], T0 + 45 * MINUTE)).toEqual({ labour: 'pending', police: 'reported', petition: 'returned' });

    // The lead misses its hour: overdue until it reports in, then late.
    const past = T0 + HOUR_MS + 1000;
    expect(roll(activeWhistles(s.dispatch, past)[0], past)).toEqual({ labour: 'overdue', police: 'reported', petition: 'returned' });
    expect(isOverdue(activeWhistles(s.dispatch, past)[0]!, past)).toBe(true);
    apply(s, step('whistle.supervised', c, T0 + HOUR_MS, { actorRole: 'system', whistleId: 'w1', deptId: 'labour', stage: 'reportIn', auto: true }));
    apply(s, step('whistle.reportedIn', c, T0 + 90 * MINUTE, { whistleId: 'w1', deptId: 'labour', role: 'lead', late: true }));
    const handling = activeWhistles(s.dispatch, T0 + 2 * HOUR_MS)[0]!;
    expect(roll(handling, T0 + 2 * HOUR_MS)).toEqual({ labour: 'late', police: 'reported', petition: 'returned' });
    expect(isOverdue(handling, T0 + 2 * HOUR_MS)).toBe(false);
    expect(handling.assignments[0]!.supervised).toEqual(['reportIn']);

    // Past the resolution deadline the whistle is overdue again; escalated at twice it, to the street.
    expect(isOverdue(handling, T0 + DAY_MS + 1000)).toBe(true);
    apply(s, step('whistle.escalated', c, T0 + 2 * DAY_MS, { actorRole: 'system', whistleId: 'w1', deptId: 'labour', stage: 'resolve', fromTier: 'community', toTier: 'street' }));
    expect(activeWhistles(s.dispatch, NOW)[0]).toMatchObject({ tier: 'street', assignments: [{ deptId: 'labour', escalated: ['resolve'] }, {}, {}] });

    apply(s, resolved(c, NOW - HOUR_MS, { whistleId: 'w1', deptId: 'labour', tier: 'street' }));
    expect(activeWhistles(s.dispatch, NOW)).toEqual([]);
    apply(s, step('case.followedUp', c, NOW - 30 * MINUTE, { actorRole: 'duty', satisfaction: 4, reopened: false, leadDeptId: 'labour' }));

    const board = departmentBoard(s.dispatch, NOW, TZ);
    expect(board.map((r) => r.deptId)).toEqual(['labour', 'petition', 'police']);
    expect(board[0]).toEqual({ deptId: 'labour', assigned: 1, onTimeRate: 0, meanReportMinutes: 90, resolutionRate: 1, dueReports: 1, dueLed: 1, satisfaction: 4, supervised: 1 });
    expect(board[1]).toEqual({ deptId: 'petition', assigned: 1, onTimeRate: null, meanReportMinutes: null, resolutionRate: null, dueReports: 0, dueLed: 0, satisfaction: null, supervised: 0 });
    expect(board[2]).toEqual({ deptId: 'police', assigned: 1, onTimeRate: 1, meanReportMinutes: 30, resolutionRate: null, dueReports: 1, dueLed: 0, satisfaction: null, supervised: 0 });
    expect(tierContainment(s.dispatch, NOW, TZ)).toEqual({ total: 1, counts: { community: 0, street: 1, district: 0 }, shares: { community: 0, street: 1, district: 0 }, thin: true });
  });

  it('ends a whistle when its lead returns it, and counts the return', () => {
    const s = fresh();
    const c = ctx('c2');
    apply(s, reported(c), whistle(c, 'w2', T0, [['court', 'lead'], ['justice', 'assist']]));
    apply(s, step('whistle.returned', c, T0 + 10 * MINUTE, { whistleId: 'w2', deptId: 'court', role: 'lead' }));
    expect(activeWhistles(s.dispatch, T0 + HOUR_MS)).toEqual([]);
    expect(s.dispatch.deptDays['2026-11-20']!.court).toMatchObject({ assigned: 1, led: 1, returned: 1 });

    // Whistled again to someone else: a new whistle, the old one stays gone.
    apply(s, whistle(c, 'w3', T0 + HOUR_MS, [['justice', 'lead']]));
    expect(activeWhistles(s.dispatch, T0 + HOUR_MS).map((w) => w.whistleId)).toEqual(['w3']);

    // An event that does not name the role still ends the whistle when the part it names is the lead's.
    apply(s, step('whistle.returned', c, T0 + 2 * HOUR_MS, { whistleId: 'w3', deptId: 'justice' }));
    expect(activeWhistles(s.dispatch, T0 + 2 * HOUR_MS)).toEqual([]);
  });

  it('drops a whistle resolved through intake (no whistle id), by its case', () => {
    const s = fresh();
    const c = ctx('c3');
    apply(s, reported(c), whistle(c, 'w4', T0, [['labour', 'lead']]), resolved(c, T0 + HOUR_MS));
    expect(activeWhistles(s.dispatch, T0 + HOUR_MS)).toEqual([]);
    // No tier on an intake resolution: it counts at the tier its weight puts it (severity 4, 40 people: the district).
    expect(tierContainment(s.dispatch, NOW, TZ)).toMatchObject({ total: 1, counts: { community: 0, street: 0, district: 1 } });
  });

  it('puts the most pressing whistle first: overdue, then the nearest deadline', () => {
    const s = fresh();
    const a = ctx('ca');
    const b = ctx('cb');
    const d = ctx('cd');
    apply(s, whistle(a, 'calm', T0, [['housing', 'lead']]), whistle(b, 'late', T0 - 2 * HOUR_MS, [['labour', 'lead']]), whistle(d, 'soon', T0 - 30 * MINUTE, [['police', 'lead']]));
    const order = activeWhistles(s.dispatch, T0).map((w) => w.whistleId);
    expect(order).toEqual(['late', 'soon', 'calm']);
    expect(activeWhistles(s.dispatch, T0).map((w) => isOverdue(w, T0))).toEqual([true, false, false]);
  });

  it('ignores a replayed or duplicated event (seq at or below the state)', () => {
    const s = fresh();
    const c = ctx('c5');
    const whistled = whistle(c, 'w5', T0, [['labour', 'lead'], ['police', 'assist']]);
    const report = step('whistle.reportedIn', c, T0 + 10 * MINUTE, { whistleId: 'w5', deptId: 'labour', role: 'lead', late: false });
    apply(s, whistled, report);
    const before = structuredClone(s);
    expect(applyEvent(s, report)).toBe(false);
    expect(applyEvent(s, whistled)).toBe(false);
    expect(applyEvent(s, { ...report, seq: s.seq - 1, deptId: 'police' })).toBe(false);
    expect(s).toEqual(before);
  });

  it('keeps a bounded window: the board counts the last 30 days, older days are dropped', () => {
    const s = fresh();
    for (let d = 45; d >= 0; d--) {
      const start = NOW - d * DAY_MS;
      const c = ctx(`old${d}`);
      apply(s, whistle(c, `w-old${d}`, start, [['labour', 'lead']]), step('whistle.reportedIn', c, start + 10 * MINUTE, { whistleId: `w-old${d}`, deptId: 'labour', role: 'lead', late: false }));
      apply(s, resolved(c, start + 20 * MINUTE, { whistleId: `w-old${d}`, deptId: 'labour', tier: 'community' }));
    }
    expect(Object.keys(s.dispatch.deptDays).length).toBeLessThanOrEqual(BOARD_DAYS + 1);
    expect(Object.keys(s.dispatch.tierDays).length).toBeLessThanOrEqual(BOARD_DAYS + 1);
    expect(departmentBoard(s.dispatch, NOW, TZ)).toEqual([{ deptId: 'labour', assigned: BOARD_DAYS, onTimeRate: 1, meanReportMinutes: 10, resolutionRate: 1, dueReports: BOARD_DAYS, dueLed: BOARD_DAYS, satisfaction: null, supervised: 0 }]);
    expect(tierContainment(s.dispatch, NOW, TZ)).toEqual({ total: BOARD_DAYS, counts: { community: BOARD_DAYS, street: 0, district: 0 }, shares: { community: 1, street: 0, district: 0 }, thin: false });

    // An event older than every kept day (a late backfill) is not charted.
    const stale = ctx('stale');
    apply(s, whistle(stale, 'w-stale', NOW - 60 * DAY_MS, [['police', 'lead']]));
    expect(departmentBoard(s.dispatch, NOW, TZ).some((r) => r.deptId === 'police')).toBe(false);
    expect(Object.keys(s.dispatch.deptDays).length).toBeLessThanOrEqual(BOARD_DAYS + 1);
  });
});

describe('issue 22: the board’s figures mean what they say', () => {
  it('takes rates over due work only: a whistle minutes old is not a 0 % resolution, an unresolved one past its deadline is', () => {
    const s = fresh();
    const c = ctx('due1');
    apply(s, reported(c), whistle(c, 'wd1', T0, [['labour', 'lead'], ['police', 'assist']]));
    const minutesLater = T0 + 5 * MINUTE;
    expect(departmentBoard(s.dispatch, minutesLater, TZ).map((r) => [r.deptId, r.onTimeRate, r.resolutionRate, r.dueReports, r.dueLed])).toEqual([
      ['labour', null, null, 0, 0],
      ['police', null, null, 0, 0],
    ]);
    // The lead reports in on time; the assist misses its 2 h: on-time rates 100 % and 0 %, resolution not due yet.
    apply(s, step('whistle.reportedIn', c, T0 + 20 * MINUTE, { whistleId: 'wd1', deptId: 'labour', role: 'lead', late: false }));
    const later = T0 + 3 * HOUR_MS;
    expect(departmentBoard(s.dispatch, later, TZ).map((r) => [r.deptId, r.onTimeRate, r.resolutionRate])).toEqual([
      ['labour', 1, null],
      ['police', 0, null],
    ]);
    // Past the lead's resolution deadline, still open: that is a 0 % resolution rate.
    const overdue = T0 + DAY_MS + MINUTE;
    expect(departmentBoard(s.dispatch, overdue, TZ)[0]).toMatchObject({ deptId: 'labour', resolutionRate: 0, dueLed: 1 });
    apply(s, resolved(c, overdue + MINUTE, { whistleId: 'wd1', deptId: 'labour', tier: 'community' }));
    expect(departmentBoard(s.dispatch, overdue + 2 * MINUTE, TZ)[0]).toMatchObject({ deptId: 'labour', resolutionRate: 1, dueLed: 1 });
  });

  it('a lead that returns its whistle is not charged with resolving it', () => {
    const s = fresh();
    const c = ctx('ret1');
    apply(s, reported(c), whistle(c, 'wr1', T0, [['court', 'lead']]), step('whistle.returned', c, T0 + 10 * MINUTE, { whistleId: 'wr1', deptId: 'court', role: 'lead' }));
    expect(departmentBoard(s.dispatch, NOW, TZ)[0]).toMatchObject({ deptId: 'court', resolutionRate: null, dueLed: 0 });
  });

  it('keeps every department with work as a row, however many', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), (n) => {
        const s = fresh();
        for (let i = 0; i < n; i++) {
          const c = ctx(`many${i}`);
          apply(s, whistle(c, `wm${i}`, T0 + i * MINUTE, [[`dept-${i}`, 'lead']]));
        }
        expect(departmentBoard(s.dispatch, NOW, TZ)).toHaveLength(n);
      }),
      { numRuns: 20 },
    );
  });

  it('names the span it really covers: today only, or the days since the first data', () => {
    const s = fresh();
    expect(boardPeriod(s.dispatch, NOW, TZ)).toEqual({ from: null, days: 0 });
    const c = ctx('p1');
    apply(s, whistle(c, 'wp1', NOW - 10 * MINUTE, [['labour', 'lead']]));
    expect(boardPeriod(s.dispatch, NOW, TZ)).toEqual({ from: '2026-11-22', days: 1 });
    apply(s, whistle(ctx('p2'), 'wp2', NOW - 3 * DAY_MS, [['labour', 'lead']]));
    expect(boardPeriod(s.dispatch, NOW, TZ)).toEqual({ from: '2026-11-19', days: 4 });
    apply(s, whistle(ctx('p3'), 'wp3', NOW - 40 * DAY_MS, [['labour', 'lead']])); // outside the window: not counted
    expect(boardPeriod(s.dispatch, NOW, TZ).days).toBe(4);
    apply(s, whistle(ctx('p4'), 'wp4', NOW - (BOARD_DAYS - 1) * DAY_MS, [['labour', 'lead']]));
    expect(boardPeriod(s.dispatch, NOW, TZ).days).toBe(BOARD_DAYS);
  });

  it('counts every closed case in tier containment, an integration’s closure at the tier its weight puts it, and marks a thin base', () => {
    const s = fresh();
    const cases = [
      ctx('t1', { severity: 1, peopleInvolved: 1 }), // community
      ctx('t2', { severity: 4, peopleInvolved: 2 }), // street
      ctx('t3', { severity: 2, peopleInvolved: 12 }), // street
      ctx('t4', { severity: 5, peopleInvolved: 1 }), // district
    ];
    for (const c of cases) apply(s, reported(c), resolved(c, T0 + HOUR_MS));
    expect(cases.map(closureTier)).toEqual(['community', 'street', 'street', 'district']);
    // One resolved through dispatch, at the tier the centre gave it, whatever its weight.
    const d = ctx('t5', { severity: 5, peopleInvolved: 50 });
    apply(s, reported(d), whistle(d, 'wt5', T0, [['labour', 'lead']]), resolved(d, T0 + 2 * HOUR_MS, { whistleId: 'wt5', deptId: 'labour', tier: 'community' }));
    const figures = tierContainment(s.dispatch, NOW, TZ);
    expect(figures).toEqual({ total: 5, counts: { community: 2, street: 2, district: 1 }, shares: { community: 0.4, street: 0.4, district: 0.2 }, thin: MIN_CASES_FOR_RATE > 5 });
    const one = fresh();
    apply(one, reported(cases[0]!), resolved(cases[0]!, T0));
    expect(tierContainment(one.dispatch, NOW, TZ)).toMatchObject({ total: 1, shares: { community: 1 }, thin: true });
  });
});
