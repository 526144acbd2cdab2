/**
 * The case lifecycle as a pure state machine (docs/architecture.md §3): `lifecycle` lists every allowed transition once,
 * `decide` turns a command into the one event it causes or refuses it with a reason, and `evolve` folds committed
 * events into a case's state. The server decides; the server and the consoles both fold.
 */
import type { CaseContext } from './case-context.js';
import {
  DISSATISFIED_AT_MOST,
  type Actor,
  type Assignment,
  type AssignmentRole,
  type Command,
  type LifecycleEventDataMap,
  type Stage,
  type SystemCommand,
} from './dispatch.js';
import { openStatuses, tiers, type CaseStatus, type Channel, type Outcome, type Tier, type Urgency } from './vocabulary.js';

export interface AssignmentState extends Assignment {
  status: 'pending' | 'reported' | 'returned' | 'closed';
  reportedAt?: string;
  late?: boolean;
  returnedAt?: string;
  reason?: string;
  /** Stages already supervised (督办) and escalated (升级), so each fires once. */
  supervised: Stage[];
  escalated: Stage[];
}

export interface WhistleState {
  whistleId: string;
  urgency: Urgency;
  tier: Tier;
  whistledAt: string;
  assignments: AssignmentState[];
  /** Set when the whistle stops needing anyone: resolved, or returned by its lead. */
  closedAt?: string;
}

export interface CaseState {
  status: CaseStatus;
  /** Number of events applied to the case; commands name the version they were based on. */
  version: number;
  tier?: Tier;
  channel?: Channel;
  /** The current (or last) whistle, and those before it (returned by their lead). */
  whistle?: WhistleState;
  previousWhistles?: WhistleState[];
  whistleCount: number;
  lastReturn?: { deptId: string; reason: string; at: string };
  outcome?: Outcome;
  resolvedAt?: string;
  satisfaction?: number;
}

export function initialCaseState(): CaseState {
  return { status: 'received', version: 1, whistleCount: 0 };
}

export type TransitionName = Command['type'] | SystemCommand['type'] | 'resolveExternal';

/** Every allowed transition, once: the statuses each command may start from. Everything else is refused. */
export const lifecycle: Record<TransitionName, readonly CaseStatus[]> = {
  triage: ['received', 'triaged', 'returned', 'reopened'],
  whistle: ['triaged', 'returned'],
  reportIn: ['whistled', 'handling'],
  progress: ['whistled', 'handling'],
  return: ['whistled', 'handling'],
  resolve: ['handling'],
  confirm: ['resolved'],
  followUp: ['resolved', 'confirmed'],
  archive: ['followedUp'],
  supervise: ['whistled', 'handling'],
  autoSupervise: ['whistled', 'handling'],
  escalate: ['whistled', 'handling'],
  /** An integration (e.g. the court system) reports the outcome of a case it holds. */
  resolveExternal: openStatuses,
};

/** Who may issue each command. Department commands are further scoped to the department's own assignment. */
export const allowedRoles: Record<TransitionName, readonly Actor['role'][]> = {
  triage: ['duty'],
  whistle: ['duty'],
  reportIn: ['dept'],
  progress: ['dept'],
  return: ['dept'],
  resolve: ['dept'],
  confirm: ['duty', 'dept'],
  followUp: ['duty'],
  archive: ['duty'],
  supervise: ['duty', 'leader'],
  autoSupervise: ['system'],
  escalate: ['system'],
  resolveExternal: ['integration'],
};

export interface DecideContext {
  now: number;
  newId: () => string;
  department: (id: string) => boolean;
  /** Deadlines of one department's part in a whistle blown at `startMs`. */
  deadlines: (urgency: Urgency, role: AssignmentRole, category: string, startMs: number) => Omit<Assignment, 'deptId' | 'role'>;
}

export type LifecycleDraft = {
  [T in keyof LifecycleEventDataMap]: { type: T; data: LifecycleEventDataMap[T] };
}[keyof LifecycleEventDataMap];

export type ResolutionDraft = {
  type: 'case.resolved';
  data: { case: CaseContext; actor: Actor; outcome: Outcome; note?: string; resolvedAt: string; whistleId: string; deptId: string; tier?: Tier; late: boolean };
};

export type RefusalCode = 'forbidden' | 'invalid_transition' | 'invalid';
export type Decision = { ok: true; draft: LifecycleDraft | ResolutionDraft } | { ok: false; code: RefusalCode; reason: string; path?: string };

const refuse = (code: RefusalCode, reason: string, path?: string): Decision => ({ ok: false, code, reason, ...(path && { path }) });

export function activeWhistle(state: CaseState): WhistleState | undefined {
  return state.whistle && !state.whistle.closedAt ? state.whistle : undefined;
}

function assignmentOf(state: CaseState, deptId: string | undefined): AssignmentState | undefined {
  return activeWhistle(state)?.assignments.find((a) => a.deptId === deptId);
}

function nextTier(tier: Tier | undefined): Tier {
  const i = tier ? tiers.indexOf(tier) : 0;
  return tiers[Math.min(i + 1, tiers.length - 1)]!;
}

/** Decides one command against a case's current state. Pure: the clock, ids and deadlines are in `ctx`. */
export function decide(context: CaseContext, state: CaseState, command: Command | SystemCommand, actor: Actor, ctx: DecideContext): Decision {
  if (!allowedRoles[command.type].includes(actor.role)) {
    return refuse('forbidden', `a ${actor.role} user may not ${command.type} a case`);
  }
  if (!lifecycle[command.type].includes(state.status)) {
    return refuse('invalid_transition', `cannot ${command.type} a case that is ${state.status}; allowed from ${lifecycle[command.type].join(', ')}`);
  }
  const at = new Date(ctx.now).toISOString();
  const base = { case: context, actor, at };
  const whistle = activeWhistle(state);

  switch (command.type) {
    case 'triage':
      return { ok: true, draft: { type: 'case.triaged', data: { ...base, tier: command.tier, channel: command.channel, ...(command.note && { note: command.note }) } } };

    case 'whistle': {
      const departments = [command.lead, ...command.assists];
      const unknown = departments.findIndex((id) => !ctx.department(id));
      if (unknown >= 0) return refuse('invalid', `unknown department "${departments[unknown]}"`, unknown === 0 ? 'lead' : `assists[${unknown - 1}]`);
      if (new Set(departments).size !== departments.length) return refuse('invalid', 'a department may appear only once (lead or assist)', 'assists');
      const assignment = (deptId: string, role: AssignmentRole): Assignment => ({ deptId, role, ...ctx.deadlines(command.urgency, role, context.category, ctx.now) });
      return {
        ok: true,
        draft: {
          type: 'case.whistled',
          data: {
            ...base,
            whistleId: ctx.newId(),
            urgency: command.urgency,
            tier: state.tier ?? 'community',
            assignments: [assignment(command.lead, 'lead'), ...command.assists.map((id) => assignment(id, 'assist'))],
            ...(command.note && { note: command.note }),
            ...(command.alertId && { alertId: command.alertId }),
          },
        },
      };
    }

    case 'reportIn':
    case 'progress':
    case 'return':
    case 'resolve': {
      const mine = assignmentOf(state, actor.deptId);
      if (!whistle || !mine) return refuse('forbidden', `department ${actor.deptId ?? '?'} has no part in this case's current whistle`);
      const ref = { whistleId: whistle.whistleId, deptId: mine.deptId };
      if (command.type === 'reportIn') {
        if (mine.status !== 'pending') return refuse('invalid_transition', `department ${mine.deptId} has already ${mine.status === 'reported' ? 'reported in' : mine.status}`);
        return { ok: true, draft: { type: 'whistle.reportedIn', data: { ...base, ...ref, role: mine.role, late: ctx.now > Date.parse(mine.reportDueAt) } } };
      }
      if (command.type === 'return') {
        if (mine.status !== 'pending' && mine.status !== 'reported') return refuse('invalid_transition', `department ${mine.deptId}'s part is ${mine.status}`);
        return { ok: true, draft: { type: 'whistle.returned', data: { ...base, ...ref, role: mine.role, reason: command.reason } } };
      }
      if (mine.status !== 'reported') return refuse('invalid_transition', `department ${mine.deptId} must report in first`);
      if (command.type === 'progress') return { ok: true, draft: { type: 'whistle.progress', data: { ...base, ...ref, note: command.note } } };
      if (mine.role !== 'lead') return refuse('forbidden', 'only the lead department resolves a case');
      return {
        ok: true,
        draft: {
          type: 'case.resolved',
          data: {
            case: context,
            actor,
            outcome: command.outcome,
            ...(command.note && { note: command.note }),
            resolvedAt: at,
            ...ref,
            ...(state.tier && { tier: state.tier }),
            late: ctx.now > Date.parse(mine.resolveDueAt),
          },
        },
      };
    }

    case 'confirm':
      if (actor.role === 'dept' && actor.deptId !== 'court') return refuse('forbidden', 'only the court or the centre records a judicial confirmation');
      if (state.outcome !== 'mediated') return refuse('invalid_transition', 'only a mediated agreement can be judicially confirmed');
      return { ok: true, draft: { type: 'case.confirmed', data: { ...base, ...(command.note && { note: command.note }) } } };

    case 'followUp': {
      const lead = state.whistle?.assignments.find((a) => a.role === 'lead');
      return {
        ok: true,
        draft: {
          type: 'case.followedUp',
          data: {
            ...base,
            satisfaction: command.satisfaction,
            reopened: command.satisfaction <= DISSATISFIED_AT_MOST,
            ...(lead && { leadDeptId: lead.deptId }),
            ...(command.note && { note: command.note }),
          },
        },
      };
    }

    case 'archive':
      return { ok: true, draft: { type: 'case.archived', data: base } };

    case 'supervise':
    case 'autoSupervise':
    case 'escalate': {
      const target = assignmentOf(state, command.deptId);
      if (!whistle || !target || (target.status !== 'pending' && target.status !== 'reported')) {
        return refuse('invalid_transition', `department ${command.deptId} has no open part in this case's current whistle`);
      }
      const stage: Stage = target.status === 'pending' ? 'reportIn' : 'resolve';
      const ref = { whistleId: whistle.whistleId, deptId: target.deptId, stage };
      if (command.type === 'supervise') {
        return { ok: true, draft: { type: 'whistle.supervised', data: { ...base, ...ref, auto: false, ...(command.note && { note: command.note }) } } };
      }
      if (command.whistleId !== whistle.whistleId || command.stage !== stage) return refuse('invalid_transition', 'the timer is for a stage that has passed');
      if (command.type === 'autoSupervise') {
        if (target.supervised.includes(stage)) return refuse('invalid_transition', 'already supervised');
        return { ok: true, draft: { type: 'whistle.supervised', data: { ...base, ...ref, auto: true } } };
      }
      if (target.escalated.includes(stage)) return refuse('invalid_transition', 'already escalated');
      const fromTier = state.tier ?? whistle.tier;
      return { ok: true, draft: { type: 'whistle.escalated', data: { ...base, ...ref, fromTier, toTier: nextTier(fromTier) } } };
    }
  }
}

type FoldableEvent = LifecycleDraft | ResolutionDraft | { type: 'case.resolved'; data: { outcome: Outcome; resolvedAt: string; tier?: Tier } };

/** Folds one committed event into a case's state (mutating). Total: an event that no longer fits is only counted. */
export function evolve(state: CaseState, event: FoldableEvent): void {
  state.version += 1;
  const whistle = state.whistle;
  const assignment = (whistleId: string, deptId: string) =>
    whistle && whistle.whistleId === whistleId ? whistle.assignments.find((a) => a.deptId === deptId) : undefined;
  switch (event.type) {
    case 'case.triaged':
      state.status = 'triaged';
      state.tier = event.data.tier;
      state.channel = event.data.channel;
      break;
    case 'case.whistled': {
      const d = event.data;
      state.status = 'whistled';
      state.tier = d.tier;
      state.whistleCount += 1;
      if (state.whistle) (state.previousWhistles ??= []).push(state.whistle);
      state.whistle = {
        whistleId: d.whistleId,
        urgency: d.urgency,
        tier: d.tier,
        whistledAt: d.at,
        assignments: d.assignments.map((a) => ({ ...a, status: 'pending', supervised: [], escalated: [] })),
      };
      break;
    }
    case 'whistle.reportedIn': {
      const a = assignment(event.data.whistleId, event.data.deptId);
      if (!a) break;
      a.status = 'reported';
      a.reportedAt = event.data.at;
      a.late = event.data.late;
      if (a.role === 'lead' && state.status === 'whistled') state.status = 'handling';
      break;
    }
    case 'whistle.progress':
      break;
    case 'whistle.returned': {
      const a = assignment(event.data.whistleId, event.data.deptId);
      if (!a) break;
      a.status = 'returned';
      a.returnedAt = event.data.at;
      a.reason = event.data.reason;
      if (a.role === 'lead' && whistle) {
        whistle.closedAt = event.data.at;
        for (const other of whistle.assignments) if (other.status === 'pending' || other.status === 'reported') other.status = 'closed';
        state.status = 'returned';
        state.lastReturn = { deptId: a.deptId, reason: event.data.reason, at: event.data.at };
      }
      break;
    }
    case 'whistle.supervised': {
      const a = assignment(event.data.whistleId, event.data.deptId);
      if (a && !a.supervised.includes(event.data.stage)) a.supervised.push(event.data.stage);
      break;
    }
    case 'whistle.escalated': {
      const a = assignment(event.data.whistleId, event.data.deptId);
      if (a && !a.escalated.includes(event.data.stage)) a.escalated.push(event.data.stage);
      state.tier = event.data.toTier;
      break;
    }
    case 'case.resolved':
      state.status = 'resolved';
      state.outcome = event.data.outcome;
      state.resolvedAt = event.data.resolvedAt;
      if (whistle && !whistle.closedAt) {
        whistle.closedAt = event.data.resolvedAt;
        for (const a of whistle.assignments) if (a.status === 'pending' || a.status === 'reported') a.status = 'closed';
      }
      break;
    case 'case.confirmed':
      state.status = 'confirmed';
      break;
    case 'case.followedUp':
      state.satisfaction = event.data.satisfaction;
      state.status = event.data.reopened ? 'reopened' : 'followedUp';
      break;
    case 'case.archived':
      state.status = 'archived';
      break;
  }
}

export interface DueTimer {
  at: number;
  command: SystemCommand;
}

/**
 * The timers a case's state still owes: supervise at the deadline, escalate at twice it, for report-in by every
 * department and for resolution by the lead. Derived from the state alone, so a restart recomputes them.
 */
export function dueTimers(state: CaseState): DueTimer[] {
  const whistle = activeWhistle(state);
  if (!whistle) return [];
  const timers: DueTimer[] = [];
  for (const a of whistle.assignments) {
    const stage: Stage | undefined = a.status === 'pending' ? 'reportIn' : a.status === 'reported' && a.role === 'lead' ? 'resolve' : undefined;
    if (!stage) continue;
    const ref = { whistleId: whistle.whistleId, deptId: a.deptId, stage };
    const [due, escalate] = stage === 'reportIn' ? [a.reportDueAt, a.reportEscalateAt] : [a.resolveDueAt, a.resolveEscalateAt];
    if (!a.supervised.includes(stage)) timers.push({ at: Date.parse(due), command: { type: 'autoSupervise', ...ref } });
    if (!a.escalated.includes(stage)) timers.push({ at: Date.parse(escalate), command: { type: 'escalate', ...ref } });
  }
  return timers;
}
