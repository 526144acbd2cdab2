/**
 * The lifecycle state machine exhaustively: every command from every status is allowed exactly when the table says
 * so, lands in the status it should, and is refused with a reason otherwise; roles and department scope are checked;
 * and random command sequences never leave the machine in a state the table cannot explain.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, Command, SystemCommand } from '../../shared/dispatch.js';
import type { CaseContext } from '../../shared/events.js';
import { allowedRoles, decide, dueTimers, evolve, initialCaseState, lifecycle, type CaseState, type DecideContext, type TransitionName } from '../../shared/lifecycle.js';
import { actorRoles, caseStatuses, type CaseStatus } from '../../shared/vocabulary.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const context: CaseContext = {
  caseId: 'case-1',
  kind: 'dispute',
  category: 'labour',
  streetCode: '440307013',
  communityCode: '440307013002',
  severity: 3,
  peopleInvolved: 12,
  weight: 6.9,
  reportedAt: new Date(T0 - 3_600_000).toISOString(),
};

let ids = 0;
function ctx(now = T0): DecideContext {
  return {
    now,
    newId: () => `w${++ids}`,
    department: (id) => ['labour', 'police', 'justice', 'court', 'street-440307013'].includes(id),
    deadlines: (_u, role, _c, start) => ({
      reportDueAt: new Date(start + (role === 'lead' ? 1 : 2) * 3_600_000).toISOString(),
      reportEscalateAt: new Date(start + (role === 'lead' ? 2 : 4) * 3_600_000).toISOString(),
      resolveDueAt: new Date(start + 24 * 3_600_000).toISOString(),
      resolveEscalateAt: new Date(start + 48 * 3_600_000).toISOString(),
    }),
  };
}

const duty: Actor = { role: 'duty', id: 'officer' };
const system: Actor = { role: 'system', id: 'timer' };
const dept = (deptId: string): Actor => ({ role: 'dept', id: deptId, deptId });
const base = (n: number) => ({ commandId: `cmd-${String(n).padStart(6, '0')}`, expectedVersion: 1 });

/** Applies a command that must be accepted. */
function step(state: CaseState, command: Command | SystemCommand, actor: Actor, now = T0): CaseState {
  const decision = decide(context, state, command, actor, ctx(now));
  if (!decision.ok) throw new Error(`${command.type} refused: ${decision.reason}`);
  evolve(state, decision.draft);
  return state;
}

/** A whistle to labour (lead) with police and justice assisting; police has reported in. */
function whistled(): CaseState {
  const s = initialCaseState();
  step(s, { type: 'triage', ...base(1), tier: 'community', channel: 'people' }, duty);
  step(s, { type: 'whistle', ...base(2), urgency: 'urgent', lead: 'labour', assists: ['police', 'justice'] }, duty);
  return step(s, { type: 'reportIn', ...base(3) }, dept('police'));
}

function fixture(status: CaseStatus): CaseState {
  const s = initialCaseState();
  switch (status) {
    case 'received':
      return s;
    case 'triaged':
      return step(s, { type: 'triage', ...base(1), tier: 'street', channel: 'administrative' }, duty);
    case 'whistled':
      return whistled();
    case 'handling':
      return step(whistled(), { type: 'reportIn', ...base(4) }, dept('labour'));
    case 'returned':
      return step(whistled(), { type: 'return', ...base(4), reason: '不属于本部门职责' }, dept('labour'));
    default: {
      const resolved = step(fixture('handling'), { type: 'resolve', ...base(5), outcome: 'mediated' }, dept('labour'));
      if (status === 'resolved') return resolved;
      if (status === 'confirmed') return step(resolved, { type: 'confirm', ...base(6) }, duty);
      if (status === 'reopened') return step(resolved, { type: 'followUp', ...base(6), satisfaction: 1 }, duty);
      const followed = step(resolved, { type: 'followUp', ...base(6), satisfaction: 5 }, duty);
      if (status === 'followedUp') return followed;
      return step(followed, { type: 'archive', ...base(7) }, duty);
    }
  }
}

/** For each command, an actor and payload that pass every guard except (possibly) the status. */
function probe(name: Exclude<TransitionName, 'resolveExternal'>, state: CaseState): { command: Command | SystemCommand; actor: Actor } {
  const b = base(99);
  const whistleId = state.whistle?.whistleId ?? 'none';
  switch (name) {
    case 'triage':
      return { command: { type: 'triage', ...b, tier: 'street', channel: 'people' }, actor: duty };
    case 'whistle':
      return { command: { type: 'whistle', ...b, urgency: 'normal', lead: 'labour', assists: ['police'] }, actor: duty };
    case 'reportIn':
      return { command: { type: 'reportIn', ...b }, actor: dept('justice') };
    case 'progress':
      return { command: { type: 'progress', ...b, note: '已约谈双方' }, actor: dept('police') };
    case 'return':
      return { command: { type: 'return', ...b, reason: '不属于本部门职责' }, actor: dept('justice') };
    case 'resolve':
      return { command: { type: 'resolve', ...b, outcome: 'mediated' }, actor: dept('labour') };
    case 'confirm':
      return { command: { type: 'confirm', ...b }, actor: duty };
    case 'followUp':
      return { command: { type: 'followUp', ...b, satisfaction: 4 }, actor: duty };
    case 'archive':
      return { command: { type: 'archive', ...b }, actor: duty };
    case 'supervise':
      return { command: { type: 'supervise', ...b, deptId: 'justice' }, actor: duty };
    case 'autoSupervise':
      return { command: { type: 'autoSupervise', whistleId, deptId: 'justice', stage: 'reportIn' }, actor: system };
    case 'escalate':
      return { command: { type: 'escalate', whistleId, deptId: 'justice', stage: 'reportIn' }, actor: system };
  }
}

/** Where each accepted command leaves a case (the probe's payload decides the branchy ones). */
const expectedStatus: Record<Exclude<TransitionName, 'resolveExternal'>, (from: CaseStatus) => CaseStatus> = {
  triage: () => 'triaged',
  whistle: () => 'whistled',
  reportIn: (from) => from, // the probe reports in an assist: only the lead moves the case to handling
  progress: (from) => from,
  return: (from) => from, // an assist returning leaves the whistle standing
  resolve: () => 'resolved',
  confirm: () => 'confirmed',
  followUp: () => 'followedUp',
  archive: () => 'archived',
  supervise: (from) => from,
  autoSupervise: (from) => from,
  escalate: (from) => from,
};

const names = Object.keys(expectedStatus) as Array<keyof typeof expectedStatus>;

/** The closed loop of docs/architecture.md §3, written out independently of the code, so a change to the table must change this. */
const closedLoop: Record<TransitionName, readonly CaseStatus[]> = {
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
  resolveExternal: ['received', 'triaged', 'whistled', 'handling', 'returned', 'reopened'],
};

describe('lifecycle state machine', () => {
  it('is exactly the closed loop', () => {
    expect(lifecycle).toEqual(closedLoop);
  });

  for (const status of caseStatuses) {
    for (const name of names) {
      const allowed = closedLoop[name].includes(status);
      it(`${name} from ${status}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const state = fixture(status);
        expect(state.status).toBe(status);
        const { command, actor } = probe(name, state);
        const before = state.version;
        const decision = decide(context, state, command, actor, ctx());
        if (!allowed) {
          expect(decision).toMatchObject({ ok: false, code: 'invalid_transition' });
          expect(!decision.ok && decision.reason).toContain(status);
          return;
        }
        expect(decision.ok, !decision.ok ? decision.reason : '').toBe(true);
        if (!decision.ok) return;
        evolve(state, decision.draft);
        expect(state.status).toBe(expectedStatus[name](status));
        expect(state.version).toBe(before + 1);
        expect(decision.draft.data.actor).toEqual(actor);
      });
    }
  }

  it('lists every status in some transition and refuses every role not allowed', () => {
    const reachable = new Set(Object.values(lifecycle).flat());
    for (const status of caseStatuses.filter((s) => s !== 'archived')) expect(reachable.has(status), status).toBe(true);
    for (const name of names) {
      for (const role of actorRoles.filter((r) => !allowedRoles[name].includes(r))) {
        const state = fixture(lifecycle[name][0]!);
        const { command } = probe(name, state);
        const decision = decide(context, state, command, { role, id: 'x', deptId: 'justice' }, ctx());
        expect(decision, `${role} ${name}`).toMatchObject({ ok: false, code: 'forbidden' });
      }
    }
  });
});

describe('lifecycle guards and branches', () => {
  it('the lead reporting in starts handling; a lead return sends the case back to the queue and closes every part', () => {
    const s = fixture('handling');
    expect(s.whistle!.assignments.find((a) => a.deptId === 'labour')!.status).toBe('reported');
    const r = fixture('returned');
    expect(r.lastReturn).toMatchObject({ deptId: 'labour', reason: '不属于本部门职责' });
    expect(r.whistle!.closedAt).toBeDefined();
    expect(r.whistle!.assignments.map((a) => a.status)).toEqual(['returned', 'closed', 'closed']);
    // Re-whistling keeps the returned whistle in the history.
    step(r, { type: 'whistle', ...base(8), urgency: 'urgent', lead: 'justice', assists: [] }, duty);
    expect(r.previousWhistles).toHaveLength(1);
    expect(r.whistleCount).toBe(2);
  });

  it('scopes department commands to the department’s own part', () => {
    const s = whistled();
    const refusal = (command: Command, actor: Actor) => decide(context, s, command, actor, ctx());
    expect(refusal({ type: 'reportIn', ...base(9) }, dept('court'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(refusal({ type: 'reportIn', ...base(9) }, dept('police'))).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(refusal({ type: 'progress', ...base(9), note: 'x' }, dept('justice'))).toMatchObject({ ok: false, code: 'invalid_transition' });
    const h = fixture('handling');
    expect(decide(context, h, { type: 'resolve', ...base(9), outcome: 'mediated' }, dept('police'), ctx())).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('validates whistles: known departments, each once', () => {
    const s = fixture('triaged');
    const whistle = (lead: string, assists: string[]) => decide(context, s, { type: 'whistle', ...base(9), urgency: 'normal', lead, assists }, duty, ctx());
    expect(whistle('nobody', [])).toMatchObject({ ok: false, code: 'invalid', path: 'lead' });
    expect(whistle('labour', ['police', 'ghost'])).toMatchObject({ ok: false, code: 'invalid', path: 'assists[1]' });
    expect(whistle('labour', ['labour'])).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('marks a late report-in, confirms only mediated agreements, and reopens on dissatisfaction', () => {
    const s = whistled();
    const late = decide(context, s, { type: 'reportIn', ...base(9) }, dept('labour'), ctx(T0 + 2 * 3_600_000));
    expect(late.ok && late.draft.type === 'whistle.reportedIn' && late.draft.data.late).toBe(true);
    const r = step(fixture('handling'), { type: 'resolve', ...base(9), outcome: 'withdrawn' }, dept('labour'));
    expect(decide(context, r, { type: 'confirm', ...base(10) }, duty, ctx())).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(decide(context, fixture('resolved'), { type: 'confirm', ...base(10) }, dept('police'), ctx())).toMatchObject({ ok: false, code: 'forbidden' });
    const reopened = fixture('reopened');
    expect(reopened.satisfaction).toBe(1);
    step(reopened, { type: 'triage', ...base(11), tier: 'street', channel: 'people' }, duty);
    expect(reopened.status).toBe('triaged');
  });

  it('timers: supervise at the deadline, escalate a tier at twice it, each once, nothing after the part is done', () => {
    const s = whistled();
    const timers = dueTimers(s);
    // labour (lead) and justice are pending; police reported in, and an assist has no resolution timer.
    expect(timers.map((t) => `${t.command.type}:${t.command.deptId}:${t.command.stage}`).sort()).toEqual([
      'autoSupervise:justice:reportIn',
      'autoSupervise:labour:reportIn',
      'escalate:justice:reportIn',
      'escalate:labour:reportIn',
    ]);
    const supervise = timers.find((t) => t.command.type === 'autoSupervise' && t.command.deptId === 'labour')!;
    step(s, supervise.command, system, supervise.at);
    expect(decide(context, s, supervise.command, system, ctx(supervise.at))).toMatchObject({ ok: false, code: 'invalid_transition' });
    const escalate = dueTimers(s).find((t) => t.command.type === 'escalate' && t.command.deptId === 'labour')!;
    step(s, escalate.command, system, escalate.at);
    expect(s.tier).toBe('street');
    step(s, { type: 'reportIn', ...base(20) }, dept('labour'));
    const after = dueTimers(s).map((t) => `${t.command.type}:${t.command.deptId}:${t.command.stage}`);
    expect(after).toContain('autoSupervise:labour:resolve');
    expect(after.filter((k) => k.startsWith('autoSupervise:labour:reportIn') || k.startsWith('escalate:labour:reportIn'))).toEqual([]);
    // The report-in timer now refers to a stage that has passed.
    expect(decide(context, s, escalate.command, system, ctx())).toMatchObject({ ok: false });
  });
});

describe('lifecycle under random command sequences', () => {
  const commandArb = fc.oneof(
    ...names.map((name) =>
      fc.record({ name: fc.constant(name), actorDept: fc.constantFrom('labour', 'police', 'justice', 'court'), satisfaction: fc.integer({ min: 1, max: 5 }) }),
    ),
  );
  it('only ever moves along the table, one version per accepted command', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), (script) => {
        const state = initialCaseState();
        for (const { name, actorDept, satisfaction } of script) {
          const { command, actor } = probe(name, state);
          const who = actor.role === 'dept' ? dept(actorDept) : actor;
          const cmd = command.type === 'followUp' ? { ...command, satisfaction } : command;
          const from = state.status;
          const version = state.version;
          const decision = decide(context, state, cmd, who, ctx());
          if (!decision.ok) {
            expect(decision.reason.length).toBeGreaterThan(0);
            continue;
          }
          expect(lifecycle[name]).toContain(from);
          evolve(state, decision.draft);
          expect(state.version).toBe(version + 1);
          expect(caseStatuses).toContain(state.status);
        }
      }),
      { numRuns: 300 },
    );
  });
});
