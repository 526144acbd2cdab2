/**
 * What the active-whistles panel draws for each whistle at an instant: roll-call per department (in the order the
 * whistle named them, lead first, so a chip never jumps as states change), the deadline each one runs against, and
 * the whistle's flags. Fresh objects every call: the fold mutates its whistles in place, and a keyed list given the
 * same object again would not redraw it.
 */
import { isOverdue, rollCall, type RollCall, type WallWhistle } from '../../../shared/wall-dispatch.js';
import type { AssignmentRole } from '../../../shared/dispatch.js';
import type { Tier, Urgency } from '../../../shared/vocabulary.js';

export interface RollCallChip {
  deptId: string;
  role: AssignmentRole;
  state: RollCall;
  /** Report-in deadline while waiting (pending or overdue). */
  reportDueMs?: number;
}

export interface WhistleRow {
  whistleId: string;
  category: string;
  streetCode: string;
  communityCode: string;
  urgency: Urgency;
  tier: Tier;
  whistledAtMs: number;
  overdue: boolean;
  supervised: boolean;
  escalated: boolean;
  chips: RollCallChip[];
  /** The lead's resolution deadline, once it has reported in. */
  resolveDueMs?: number;
}

export function whistleRows(whistles: readonly WallWhistle[], now: number): WhistleRow[] {
  return whistles.map((w) => {
    const lead = w.assignments.find((a) => a.role === 'lead');
    const ordered = [...w.assignments].sort((a, b) => Number(b.role === 'lead') - Number(a.role === 'lead'));
    return {
      whistleId: w.whistleId,
      category: w.category,
      streetCode: w.streetCode,
      communityCode: w.communityCode,
      urgency: w.urgency,
      tier: w.tier,
      whistledAtMs: Date.parse(w.whistledAt),
      overdue: isOverdue(w, now),
      supervised: w.assignments.some((a) => a.supervised.length > 0),
      escalated: w.assignments.some((a) => a.escalated.length > 0),
      chips: ordered.map((a) => {
        const state = rollCall(a, now);
        return { deptId: a.deptId, role: a.role, state, ...((state === 'pending' || state === 'overdue') && { reportDueMs: Date.parse(a.reportDueAt) }) };
      }),
      ...(lead?.status === 'reported' && { resolveDueMs: Date.parse(lead.resolveDueAt) }),
    };
  });
}
