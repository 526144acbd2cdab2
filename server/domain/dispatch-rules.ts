/**
 * The data-driven parts of dispatch: the SLA table (deadlines per urgency, role and category) and the routing rules
 * that suggest departments for a whistle. Both are files in data/dispatch, validated here; the functions are pure.
 */
import { z } from 'zod';
import type { DispatchSuggestion } from '../../shared/api.js';
import { deadlineAfter, slaDurationSchema, type SlaDuration, type WorkingCalendar } from '../../shared/deadlines.js';
import type { Assignment, AssignmentRole } from '../../shared/dispatch.js';
import { caseKinds, caseSources, urgencies, type CaseKind, type CaseSource, type Urgency } from '../../shared/vocabulary.js';

const localized = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const stageDurations = z.strictObject({ reportIn: slaDurationSchema, resolve: slaDurationSchema });

export const slaTableSchema = z.strictObject({
  $comment: z.string().optional(),
  urgencies: z.strictObject(
    Object.fromEntries(urgencies.map((u) => [u, z.strictObject({ name: localized, lead: stageDurations, assist: stageDurations })])) as Record<
      Urgency,
      z.ZodObject<{ name: typeof localized; lead: typeof stageDurations; assist: typeof stageDurations }>
    >,
  ),
  /** Resolution deadline per category and urgency, overriding the table for both roles. */
  categories: z.record(z.string(), z.partialRecord(z.enum(urgencies), slaDurationSchema)).default({}),
});
export type SlaTable = z.infer<typeof slaTableSchema>;

const deptRef = z.string().regex(/^[a-z0-9-]{2,40}$/);

export const routingSchema = z.strictObject({
  $comment: z.string().optional(),
  rules: z.array(
    z.strictObject({
      id: z.string().min(1),
      when: z.strictObject({
        kinds: z.array(z.enum(caseKinds)).optional(),
        categories: z.array(z.string()).optional(),
        sources: z.array(z.enum(caseSources)).optional(),
        streetCodes: z.array(z.string().regex(/^\d{9}$/)).optional(),
        minSeverity: z.number().int().min(1).max(5).optional(),
        minPeople: z.number().int().min(1).optional(),
      }),
      lead: deptRef.optional(),
      assist: z.array(deptRef).default([]),
      urgency: z.enum(urgencies).optional(),
      reason: localized,
    }),
  ),
});
export type RoutingRules = z.infer<typeof routingSchema>;

export interface DispatchPolicy {
  sla: SlaTable;
  routing: RoutingRules;
  calendar: WorkingCalendar;
  /** Which years the holiday calendar covers, and whether each is the published schedule or provisional. */
  calendarYears: Array<{ year: number; status: 'official' | 'provisional' }>;
  tzOffsetMinutes: number;
}

function twice(d: SlaDuration): SlaDuration {
  return { ...d, amount: d.amount * 2 };
}

/** One department's deadlines for a whistle blown at `startMs`: supervised at each deadline, escalated at twice it. */
export function slaDeadlines(policy: DispatchPolicy, urgency: Urgency, role: AssignmentRole, category: string, startMs: number): Omit<Assignment, 'deptId' | 'role'> {
  const row = policy.sla.urgencies[urgency][role];
  const resolve = policy.sla.categories[category]?.[urgency] ?? row.resolve;
  const at = (d: SlaDuration) => new Date(deadlineAfter(startMs, d, policy.calendar, policy.tzOffsetMinutes)).toISOString();
  return { reportDueAt: at(row.reportIn), reportEscalateAt: at(twice(row.reportIn)), resolveDueAt: at(resolve), resolveEscalateAt: at(twice(resolve)) };
}

export interface RoutableCase {
  kind: CaseKind;
  category: string;
  source: CaseSource;
  streetCode: string;
  severity: number;
  peopleInvolved: number;
}

/**
 * Departments the rules suggest for a case. `street` in a rule or a category default means the case's own street
 * office. A department named twice keeps its first role and reason.
 */
export function suggestDispatch(
  policy: DispatchPolicy,
  c: RoutableCase,
  categoryDefaults: { lead: string; assist: string[] } | undefined,
  knownDepartment: (id: string) => boolean,
  now: number,
): DispatchSuggestion {
  const resolveDept = (id: string) => (id === 'street' ? `street-${c.streetCode}` : id);
  let lead: DispatchSuggestion['lead'] | undefined;
  const assists: DispatchSuggestion['assists'] = [];
  let urgency: Urgency | undefined;
  for (const rule of policy.routing.rules) {
    const w = rule.when;
    const matches =
      (!w.kinds || w.kinds.includes(c.kind)) &&
      (!w.categories || w.categories.includes(c.category)) &&
      (!w.sources || w.sources.includes(c.source)) &&
      (!w.streetCodes || w.streetCodes.includes(c.streetCode)) &&
      (w.minSeverity === undefined || c.severity >= w.minSeverity) &&
      (w.minPeople === undefined || c.peopleInvolved >= w.minPeople);
    if (!matches) continue;
    if (!lead && rule.lead) lead = { deptId: resolveDept(rule.lead), reason: rule.reason };
    for (const a of rule.assist) assists.push({ deptId: resolveDept(a), reason: rule.reason });
    urgency ??= rule.urgency;
  }
  const byCategory = { zh: '按纠纷类型默认分派', en: 'Default for the category' };
  if (!lead && categoryDefaults) lead = { deptId: resolveDept(categoryDefaults.lead), reason: byCategory };
  for (const a of categoryDefaults?.assist ?? []) assists.push({ deptId: resolveDept(a), reason: byCategory });
  lead ??= { deptId: `street-${c.streetCode}`, reason: byCategory };
  const seen = new Set([lead.deptId]);
  const uniqueAssists = assists.filter((a) => knownDepartment(a.deptId) && !seen.has(a.deptId) && seen.add(a.deptId));
  const deadlines = Object.fromEntries(
    urgencies.map((u) => {
      const d = slaDeadlines(policy, u, 'lead', c.category, now);
      return [u, { reportDueAt: d.reportDueAt, resolveDueAt: d.resolveDueAt }];
    }),
  ) as DispatchSuggestion['deadlines'];
  return { lead, assists: uniqueAssists, urgency: urgency ?? 'normal', deadlines };
}
