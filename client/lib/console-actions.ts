/**
 * Which commands a console offers for a case. The rules are not re-encoded here: each button asks the shared state
 * machine (shared/lifecycle.ts: `allowedRoles`, the `lifecycle` table and `decide`) whether the server would accept
 * that command from this actor on this case as the console last saw it. The server still decides for real.
 */
import type { CaseSummary } from '../../shared/api.js';
import type { Actor, Command, CommandType } from '../../shared/dispatch.js';
import type { CaseContext } from '../../shared/events.js';
import { allowedRoles, decide, lifecycle, type DecideContext } from '../../shared/lifecycle.js';
import type { CaseNotice } from '../../shared/socket.js';
import type { CaseStatus } from '../../shared/vocabulary.js';

/** Who a console acts as, for the dry run of each button (the server takes the real actor from the session). */
export type ConsoleActor = { role: 'duty' } | { role: 'leader' } | { role: 'dept'; deptId: string };

/** A stand-in for the server's context: only the verdict is used, never the event it would write. */
const dryRun: DecideContext = {
  now: 0,
  newId: () => 'dry-run',
  department: () => true,
  deadlines: () => ({ reportDueAt: '', reportEscalateAt: '', resolveDueAt: '', resolveEscalateAt: '' }),
};

const base = { commandId: 'dry-run-0', expectedVersion: 1 };

/** A representative command of each type: decide() looks at who, which status and which part, not at the form's values. */
function probe(type: CommandType, deptId?: string): Command {
  switch (type) {
    case 'triage':
      return { type, ...base, tier: 'community', channel: 'people' };
    case 'whistle':
      return { type, ...base, urgency: 'normal', lead: 'probe-lead', assists: [] };
    case 'progress':
      return { type, ...base, note: 'probe' };
    case 'return':
      return { type, ...base, reason: 'probe' };
    case 'resolve':
      return { type, ...base, outcome: 'mediated' };
    case 'followUp':
      return { type, ...base, satisfaction: 5 };
    case 'supervise':
      return { type, ...base, deptId: deptId ?? '' };
    case 'reportIn':
    case 'confirm':
    case 'archive':
      return { type, ...base };
  }
}

function contextOf(c: CaseSummary): CaseContext {
  return {
    caseId: c.id,
    kind: c.kind,
    category: c.category,
    streetCode: c.streetCode,
    communityCode: c.communityCode,
    severity: c.severity,
    peopleInvolved: c.peopleInvolved,
    weight: c.weight,
    reportedAt: c.reportedAt,
  };
}

export function actorOf(actor: ConsoleActor): Actor {
  return actor.role === 'dept' ? { role: 'dept', id: actor.deptId, deptId: actor.deptId } : { role: actor.role, id: actor.role };
}

/** Would the server accept this command type from this actor now? `deptId` names the part a supervise targets. */
export function canIssue(c: CaseSummary, type: CommandType, actor: ConsoleActor, deptId?: string): boolean {
  return decide(contextOf(c), c, probe(type, deptId), actorOf(actor), dryRun).ok;
}

/** Commands a role may start from a status, straight from the lifecycle table (what a status offers at all). */
export function commandsFrom(status: CaseStatus, role: ConsoleActor['role']): CommandType[] {
  return (Object.keys(lifecycle) as Array<keyof typeof lifecycle>).filter(
    (name): name is CommandType => name !== 'autoSupervise' && name !== 'escalate' && name !== 'resolveExternal' && lifecycle[name].includes(status) && allowedRoles[name].includes(role),
  );
}

/** The duty officer's case-level actions for a case, in the order the loop runs (supervise is per department). */
export function dutyActions(c: CaseSummary): CommandType[] {
  return commandsFrom(c.status, 'duty').filter((type) => type !== 'supervise' && canIssue(c, type, { role: 'duty' }));
}

/** A department's actions on its part of the case's current whistle. */
export function deptActions(c: CaseSummary, deptId: string): CommandType[] {
  const actor: ConsoleActor = { role: 'dept', deptId };
  return commandsFrom(c.status, 'dept').filter((type) => canIssue(c, type, actor));
}

/** New whistles for this department among a batch of notices (the console sounds and flags these). */
export function newWhistlesFor(notices: readonly CaseNotice[], deptId: string): CaseNotice[] {
  return notices.filter((n) => n.type === 'case.whistled' && n.whistleId && n.departments?.includes(deptId));
}
