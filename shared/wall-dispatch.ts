/**
 * The wall's view of dispatch (吹哨报到): active whistles with their roll-call, and per-day department and tier
 * figures for the department board. Part of the wall fold (wall-state.ts), so server snapshots and client deltas
 * compute the same thing.
 */
import type { Assignment, Stage } from './dispatch.js';
import type { PublicCaseResolved, PublicLifecycleEvent } from './events.js';
import { dayKey, lastDays } from './time.js';
import type { Tier, Urgency } from './vocabulary.js';

export const BOARD_DAYS = 30;

export interface WallAssignment extends Assignment {
  status: 'pending' | 'reported' | 'returned';
  reportedAt?: string;
  late?: boolean;
  supervised: Stage[];
  escalated: Stage[];
}

export interface WallWhistle {
  whistleId: string;
  caseId: string;
  category: string;
  streetCode: string;
  communityCode: string;
  severity: number;
  urgency: Urgency;
  tier: Tier;
  whistledAt: string;
  assignments: WallAssignment[];
}

/** One department's figures for one day (by the day each step happened). */
export interface DeptDay {
  assigned: number;
  reportedIn: number;
  onTime: number;
  reportMinutes: number;
  returned: number;
  /** Whistles this department sent back as lead: they ended without being its to resolve. */
  returnedLead?: number;
  led: number;
  resolved: number;
  mediated: number;
  supervised: number;
  escalated: number;
  satisfactionSum: number;
  satisfactionCount: number;
}

export interface DispatchWallState {
  /** Active whistles only: a whistle leaves when its case is resolved or its lead returns it. */
  whistles: Record<string, WallWhistle>;
  deptDays: Record<string, Record<string, DeptDay>>;
  /** Cases closed per day by the tier that held them (an integration's closure by `closureTier`). */
  tierDays: Record<string, Partial<Record<Tier, number>>>;
}

export function emptyDispatchState(): DispatchWallState {
  return { whistles: {}, deptDays: {}, tierDays: {} };
}

function emptyDeptDay(): DeptDay {
  return { assigned: 0, reportedIn: 0, onTime: 0, reportMinutes: 0, returned: 0, returnedLead: 0, led: 0, resolved: 0, mediated: 0, supervised: 0, escalated: 0, satisfactionSum: 0, satisfactionCount: 0 };
}

/** Keeps BOARD_DAYS + 1 day keys, dropping the oldest; an older key than all kept is refused (undefined). */
function bucket<T>(record: Record<string, T>, key: string, make: () => T): T | undefined {
  let b = record[key];
  if (b) return b;
  const keys = Object.keys(record);
  if (keys.length >= BOARD_DAYS + 1 && keys.every((k) => k > key)) return undefined;
  b = make();
  record[key] = b;
  if (keys.length >= BOARD_DAYS + 1) delete record[keys.sort()[0]!];
  return b;
}

function deptDay(state: DispatchWallState, at: string, deptId: string, tz: number): DeptDay | undefined {
  const day = bucket(state.deptDays, dayKey(Date.parse(at), tz), () => ({}) as Record<string, DeptDay>);
  if (!day) return undefined;
  return (day[deptId] ??= emptyDeptDay());
}

export function applyDispatchEvent(state: DispatchWallState, event: PublicLifecycleEvent | PublicCaseResolved, tz: number): void {
  const whistle = event.whistleId ? state.whistles[event.whistleId] : undefined;
  const part = whistle?.assignments.find((a) => a.deptId === event.deptId);
  const count = (deptId: string | undefined, update: (d: DeptDay) => void) => {
    const d = deptId ? deptDay(state, event.at, deptId, tz) : undefined;
    if (d) update(d);
  };
  switch (event.type) {
    case 'case.whistled': {
      if (!event.whistleId || !event.assignments) return;
      const c = event.case;
      state.whistles[event.whistleId] = {
        whistleId: event.whistleId,
        caseId: c.caseId,
        category: c.category,
        streetCode: c.streetCode,
        communityCode: c.communityCode,
        severity: c.severity,
        urgency: event.urgency ?? 'normal',
        tier: event.tier ?? 'community',
        whistledAt: event.at,
        assignments: event.assignments.map((a) => ({ ...a, status: 'pending', supervised: [], escalated: [] })),
      };
      for (const a of event.assignments) {
        count(a.deptId, (d) => {
          d.assigned += 1;
          if (a.role === 'lead') d.led += 1;
        });
      }
      return;
    }
    case 'whistle.reportedIn':
      if (part) {
        part.status = 'reported';
        part.reportedAt = event.at;
        part.late = event.late ?? false;
      }
      count(event.deptId, (d) => {
        d.reportedIn += 1;
        if (!event.late) d.onTime += 1;
        if (whistle) d.reportMinutes += Math.max(0, (Date.parse(event.at) - Date.parse(whistle.whistledAt)) / 60_000);
      });
      return;
    case 'whistle.returned':
      if (part) part.status = 'returned';
      // The lead sending it back ends the whistle (the case returns to the centre's queue); an assist only leaves it.
      if (whistle && (event.role ?? part?.role) === 'lead') delete state.whistles[whistle.whistleId];
      count(event.deptId, (d) => {
        d.returned += 1;
        if ((event.role ?? part?.role) === 'lead') d.returnedLead = (d.returnedLead ?? 0) + 1;
      });
      return;
    case 'whistle.supervised':
      if (part && event.stage && !part.supervised.includes(event.stage)) part.supervised.push(event.stage);
      count(event.deptId, (d) => (d.supervised += 1));
      return;
    case 'whistle.escalated':
      if (part && event.stage && !part.escalated.includes(event.stage)) part.escalated.push(event.stage);
      if (whistle && event.toTier) whistle.tier = event.toTier;
      count(event.deptId, (d) => (d.escalated += 1));
      return;
    case 'case.resolved': {
      if (whistle) delete state.whistles[whistle.whistleId];
      else for (const w of Object.values(state.whistles)) if (w.caseId === event.case.caseId) delete state.whistles[w.whistleId];
      count(event.deptId, (d) => {
        d.resolved += 1;
        if (event.outcome === 'mediated') d.mediated += 1;
      });
      const tier = event.tier ?? closureTier(event.case);
      {
        const day = bucket<Partial<Record<Tier, number>>>(state.tierDays, dayKey(Date.parse(event.resolvedAt), tz), () => ({}));
        if (day) day[tier] = (day[tier] ?? 0) + 1;
      }
      return;
    }
    case 'case.followedUp':
      count(event.leadDeptId, (d) => {
        d.satisfactionSum += event.satisfaction ?? 0;
        d.satisfactionCount += 1;
      });
      return;
    default:
      return;
  }
}

// ---- selectors ----

export type RollCall = 'reported' | 'late' | 'overdue' | 'pending' | 'returned';

/** Roll-call state of one department at `now`: reported in (on time or late), waiting, or past its deadline. */
export function rollCall(a: WallAssignment, now: number): RollCall {
  if (a.status === 'returned') return 'returned';
  if (a.status === 'reported') return a.late ? 'late' : 'reported';
  return now > Date.parse(a.reportDueAt) ? 'overdue' : 'pending';
}

/** The nearest deadline a whistle still runs against: a department's report-in, or its lead's resolution. */
function nextDue(w: WallWhistle): number {
  let due = Infinity;
  for (const a of w.assignments) {
    const at = a.status === 'pending' ? Date.parse(a.reportDueAt) : a.status === 'reported' && a.role === 'lead' ? Date.parse(a.resolveDueAt) : Infinity;
    if (at < due) due = at;
  }
  return due;
}

/**
 * Active whistles, most pressing first: the nearest open deadline first, so overdue ones (deadline passed) lead,
 * longest overdue first. Each key is computed once: the wall sorts every active whistle a few times a second.
 */
export function activeWhistles(state: DispatchWallState, _now?: number): WallWhistle[] {
  return Object.values(state.whistles)
    .map((w) => ({ w, due: nextDue(w) }))
    .sort((a, b) => (a.due === b.due ? 0 : a.due - b.due) || a.w.whistledAt.localeCompare(b.w.whistledAt) || a.w.whistleId.localeCompare(b.w.whistleId))
    .map(({ w }) => w);
}

export function isOverdue(w: WallWhistle, now: number): boolean {
  return w.assignments.some((a) => (a.status === 'pending' && now > Date.parse(a.reportDueAt)) || (a.status === 'reported' && a.role === 'lead' && now > Date.parse(a.resolveDueAt)));
}

export interface DeptBoardRow {
  deptId: string;
  assigned: number;
  /** Report-ins on time over the parts that are due: reported in, or still pending past their deadline. */
  onTimeRate: number | null;
  meanReportMinutes: number | null;
  /** Resolved over the led whistles that are due: resolved, or still open past the resolution deadline (issue 22). */
  resolutionRate: number | null;
  /** The due work the rates are taken over: parts due for report-in, and led whistles due for resolution. */
  dueReports: number;
  dueLed: number;
  satisfaction: number | null;
  supervised: number;
}

/** Figures from fewer cases than this are shown greyed out: a rate of one or two cases says little. */
export const MIN_CASES_FOR_RATE = 5;

/** The span the board's figures really cover: from the first day it holds anything within `days`, to now. */
export interface BoardPeriod {
  /** Local date of the first day with data, or null when there is none. */
  from: string | null;
  /** Days covered, today included (1 = today only); 0 without data. */
  days: number;
}

export function boardPeriod(state: DispatchWallState, now: number, tz: number, days = BOARD_DAYS): BoardPeriod {
  const keys = lastDays(now, days, tz);
  const first = keys.findIndex((k) => (state.deptDays[k] && Object.keys(state.deptDays[k]!).length > 0) || state.tierDays[k]);
  return first < 0 ? { from: null, days: 0 } : { from: keys[first]!, days: keys.length - first };
}

/**
 * The department board over the last `days` days, busiest first. Every department with work is a row (the wall pages
 * through them). Rates are over due work only: a whistle blown minutes ago is not yet a failure to resolve.
 */
export function departmentBoard(state: DispatchWallState, now: number, tz: number, days = BOARD_DAYS): DeptBoardRow[] {
  const sum = new Map<string, DeptDay>();
  const keys = lastDays(now, days, tz);
  for (const key of keys) {
    for (const [deptId, d] of Object.entries(state.deptDays[key] ?? {})) {
      const acc = sum.get(deptId) ?? emptyDeptDay();
      for (const k of Object.keys(acc) as Array<keyof DeptDay>) acc[k] = (acc[k] ?? 0) + (d[k] ?? 0);
      sum.set(deptId, acc);
    }
  }
  // Open parts of active whistles blown within the window: not yet due (left out of the rates) or overdue (counted).
  const since = keys[0]!;
  const open = new Map<string, { reportNotDue: number; reportOverdue: number; leadNotDue: number }>();
  for (const w of Object.values(state.whistles)) {
    if (dayKey(Date.parse(w.whistledAt), tz) < since) continue;
    for (const a of w.assignments) {
      const o = open.get(a.deptId) ?? { reportNotDue: 0, reportOverdue: 0, leadNotDue: 0 };
      if (a.status === 'pending') {
        if (now > Date.parse(a.reportDueAt)) o.reportOverdue += 1;
        else o.reportNotDue += 1;
      }
      if (a.role === 'lead' && (a.status === 'pending' || a.status === 'reported') && now <= Date.parse(a.resolveDueAt)) o.leadNotDue += 1;
      open.set(a.deptId, o);
    }
  }
  const ratio = (a: number, b: number) => (b > 0 ? Math.min(1, a / b) : null);
  return [...sum]
    .map(([deptId, d]) => {
      const o = open.get(deptId) ?? { reportNotDue: 0, reportOverdue: 0, leadNotDue: 0 };
      const dueReports = d.reportedIn + o.reportOverdue;
      const dueLed = Math.max(d.resolved, d.led - (d.returnedLead ?? 0) - o.leadNotDue);
      return {
        deptId,
        assigned: d.assigned,
        onTimeRate: ratio(d.onTime, dueReports),
        meanReportMinutes: d.reportedIn ? Math.round(d.reportMinutes / d.reportedIn) : null,
        resolutionRate: ratio(d.resolved, dueLed),
        dueReports,
        dueLed,
        satisfaction: d.satisfactionCount ? Math.round((d.satisfactionSum / d.satisfactionCount) * 10) / 10 : null,
        supervised: d.supervised,
      };
    })
    .sort((a, b) => b.assigned - a.assigned || a.deptId.localeCompare(b.deptId));
}

/**
 * The tier a closed case counts at for 层级化解 (docs/architecture.md §2): the tier the centre's triage, whistle or
 * escalation gave it; a case an integration closed without one counts at the tier its weight puts it — severity 5 or
 * 30 people and more at the district, severity 4 or 10 people and more at the street, any other in the community —
 * the rule the duty desk's triage follows, so the two kinds of closure are counted alike.
 */
export function closureTier(c: { severity: number; peopleInvolved: number }): Tier {
  if (c.severity >= 5 || c.peopleInvolved >= 30) return 'district';
  if (c.severity >= 4 || c.peopleInvolved >= 10) return 'street';
  return 'community';
}

export interface TierFigures {
  /** Every case closed in the period (the base of the shares). */
  total: number;
  counts: Record<Tier, number>;
  shares: Record<Tier, number | null>;
  /** Fewer than MIN_CASES_FOR_RATE closed cases: the shares are shown, greyed out. */
  thin: boolean;
}

/** Share of closed cases at each tier over the last `days` days (层级化解: resolve at the lowest tier that can). */
export function tierContainment(state: DispatchWallState, now: number, tz: number, days = BOARD_DAYS): TierFigures {
  const counts: Record<Tier, number> = { community: 0, street: 0, district: 0 };
  for (const key of lastDays(now, days, tz)) {
    const d = state.tierDays[key];
    if (d) for (const t of Object.keys(counts) as Tier[]) counts[t] += d[t] ?? 0;
  }
  const total = counts.community + counts.street + counts.district;
  const share = (n: number) => (total ? n / total : null);
  return { total, counts, shares: { community: share(counts.community), street: share(counts.street), district: share(counts.district) }, thin: total < MIN_CASES_FOR_RATE };
}
