/** Cases as the dispatch routes return them, in each state of the loop, for the console tests. */
import type { CaseSummary, DeptWhistleRow } from '../../shared/api.js';
import type { AssignmentState, WhistleState } from '../../shared/lifecycle.js';
import type { CaseStatus } from '../../shared/vocabulary.js';

export const T0 = Date.parse('2026-11-23T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

export function part(deptId: string, overrides: Partial<AssignmentState> = {}): AssignmentState {
  return {
    deptId,
    role: 'assist',
    reportDueAt: iso(T0 + 3_600_000),
    reportEscalateAt: iso(T0 + 7_200_000),
    resolveDueAt: iso(T0 + 86_400_000),
    resolveEscalateAt: iso(T0 + 172_800_000),
    status: 'pending',
    supervised: [],
    escalated: [],
    ...overrides,
  };
}

export function whistle(assignments: AssignmentState[], overrides: Partial<WhistleState> = {}): WhistleState {
  return { whistleId: 'w1', urgency: 'urgent', tier: 'community', whistledAt: iso(T0), assignments, ...overrides };
}

export function summary(status: CaseStatus, overrides: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 'c1',
    seq: 1,
    kind: 'dispute',
    category: 'labour',
    source: 'hotline',
    streetCode: '440307013',
    communityCode: '440307013002',
    severity: 3,
    peopleInvolved: 12,
    weight: 6,
    reportedAt: iso(T0 - 600_000),
    status,
    version: 3,
    whistleCount: 0,
    ...overrides,
  };
}

/** A whistled case: labour leads, police assists; parts as given. */
export function whistled(status: CaseStatus = 'whistled', lead: Partial<AssignmentState> = {}, assist: Partial<AssignmentState> = {}): CaseSummary {
  const w = whistle([part('labour', { role: 'lead', ...lead }), part('police', assist)]);
  return summary(status, { whistle: w, whistleCount: 1, tier: 'community', channel: 'people' });
}

export function deptRow(c: CaseSummary, deptId: string, title = '拖欠工资'): DeptWhistleRow {
  const w = c.whistle!;
  return { case: c, title, whistle: w, assignment: w.assignments.find((a) => a.deptId === deptId)! };
}
