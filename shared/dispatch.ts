/**
 * The dispatch contract (吹哨报到, docs/architecture.md §3): who acts, the commands the consoles send, and the lifecycle events
 * they become. Commands are strict zod schemas validated at the HTTP boundary; events are the record in the log.
 */
import { z } from 'zod';
import { humanText } from './text.js';
import type { Actor, CaseContext } from './case-context.js';
import { channels, outcomes, tiers, urgencies, type Channel, type Outcome, type Tier, type Urgency } from './vocabulary.js';

export type { Actor } from './case-context.js';

export const systemActor: Actor = { role: 'system', id: 'timer', name: '系统计时' };

/** The two deadlines a department runs against after a whistle. */
export const stages = ['reportIn', 'resolve'] as const;
export type Stage = (typeof stages)[number];

export type AssignmentRole = 'lead' | 'assist';

/** One department's part in a whistle, with its deadlines fixed when it was blown (replays never recompute them). */
export interface Assignment {
  deptId: string;
  role: AssignmentRole;
  reportDueAt: string;
  /** Twice the report-in deadline: past it, the case is escalated a tier. */
  reportEscalateAt: string;
  resolveDueAt: string;
  resolveEscalateAt: string;
}

interface LifecycleBase {
  case: CaseContext;
  actor: Actor;
  at: string;
}

export interface CaseTriagedData extends LifecycleBase {
  tier: Tier;
  channel: Channel;
  note?: string;
}

export interface CaseWhistledData extends LifecycleBase {
  whistleId: string;
  urgency: Urgency;
  tier: Tier;
  assignments: Assignment[];
  note?: string;
  /** The risk alert this whistle answers, when blown from one. */
  alertId?: string;
}

export interface WhistleReportedInData extends LifecycleBase {
  whistleId: string;
  deptId: string;
  role: AssignmentRole;
  late: boolean;
}

export interface WhistleProgressData extends LifecycleBase {
  whistleId: string;
  deptId: string;
  note: string;
}

export interface WhistleReturnedData extends LifecycleBase {
  whistleId: string;
  deptId: string;
  role: AssignmentRole;
  reason: string;
}

export interface WhistleSupervisedData extends LifecycleBase {
  whistleId: string;
  deptId: string;
  stage: Stage;
  /** Raised by the overdue timer rather than by an officer. */
  auto: boolean;
  note?: string;
}

export interface WhistleEscalatedData extends LifecycleBase {
  whistleId: string;
  deptId: string;
  stage: Stage;
  fromTier: Tier;
  toTier: Tier;
}

export interface CaseConfirmedData extends LifecycleBase {
  note?: string;
}

export interface CaseFollowedUpData extends LifecycleBase {
  satisfaction: number;
  /** Not satisfied (1–2): the case goes back to the centre's queue. */
  reopened: boolean;
  /** Lead department of the whistle that resolved it, so satisfaction is credited without a lookup. */
  leadDeptId?: string;
  note?: string;
}

export type CaseArchivedData = LifecycleBase;

export interface LifecycleEventDataMap {
  'case.triaged': CaseTriagedData;
  'case.whistled': CaseWhistledData;
  'whistle.reportedIn': WhistleReportedInData;
  'whistle.progress': WhistleProgressData;
  'whistle.returned': WhistleReturnedData;
  'whistle.supervised': WhistleSupervisedData;
  'whistle.escalated': WhistleEscalatedData;
  'case.confirmed': CaseConfirmedData;
  'case.followedUp': CaseFollowedUpData;
  'case.archived': CaseArchivedData;
}
export type LifecycleEventType = keyof LifecycleEventDataMap;

/** Resolution by a department (the lead of the current whistle); intake resolutions have no whistle. */
export interface DispatchResolution {
  actor?: Actor;
  whistleId?: string;
  deptId?: string;
  tier?: Tier;
  /** Resolved after the lead's resolution deadline. */
  late?: boolean;
}

// ---- commands (what the duty and department consoles send) ----

const note = humanText({ max: 2000, multiline: true }).optional();
const deptId = z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be a department id');

/**
 * Every command names the case version it was based on (a stale one gets 409 with the current state) and its own
 * id (a retry with the same id does nothing twice).
 */
const base = {
  commandId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8–64 letters, digits, - or _ (a UUID will do)'),
  expectedVersion: z.number().int().min(1),
};

export const commandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('triage'), ...base, tier: z.enum(tiers), channel: z.enum(channels), note }),
  z.strictObject({
    type: z.literal('whistle'),
    ...base,
    urgency: z.enum(urgencies),
    lead: deptId,
    assists: z.array(deptId).max(8).default([]),
    note,
    /** Blown from a risk alert: the alert records the whistle. */
    alertId: z.string().min(1).max(80).optional(),
  }),
  z.strictObject({ type: z.literal('reportIn'), ...base }),
  z.strictObject({ type: z.literal('progress'), ...base, note: humanText({ max: 2000, multiline: true }) }),
  z.strictObject({ type: z.literal('return'), ...base, reason: humanText({ min: 2, minMessage: 'say why the whistle is returned', max: 500, multiline: true }) }),
  z.strictObject({ type: z.literal('resolve'), ...base, outcome: z.enum(outcomes), note }),
  z.strictObject({ type: z.literal('confirm'), ...base, note }),
  z.strictObject({ type: z.literal('followUp'), ...base, satisfaction: z.number().int().min(1).max(5), note }),
  z.strictObject({ type: z.literal('archive'), ...base }),
  z.strictObject({ type: z.literal('supervise'), ...base, deptId, note }),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandInput = z.input<typeof commandSchema>;
export type CommandType = Command['type'];
export const commandTypes = commandSchema.options.map((o) => o.shape.type.value) as CommandType[];

/** Commands only the system's timers issue (never accepted over HTTP). */
export type SystemCommand = { type: 'escalate'; whistleId: string; deptId: string; stage: Stage } | { type: 'autoSupervise'; whistleId: string; deptId: string; stage: Stage };

/** Satisfaction at or below this reopens the case. */
export const DISSATISFIED_AT_MOST = 2;

export interface CommandResult {
  caseId: string;
  version: number;
  status: string;
  event: { seq: number; id: string; type: string };
  duplicate: boolean;
}

export type { Channel, Outcome, Tier, Urgency };
