/**
 * The dispatch command service: checks a command against the case's version, lets the lifecycle decide, appends
 * the one event it causes, and answers only after commit. Officers, departments and the overdue timers all come
 * through here. A command's key (`cmd:<commandId>`, or the timer's own key) is the event's source key, so a retry
 * returns the first result and never appends twice.
 *
 * The version check runs on this node's projections, which may lag a log that other nodes write too. So the append
 * carries a precondition, checked by the store under its append lock: no event about the case after the seq the
 * projections had applied when the command was decided. When another node's event got in first, the command is
 * refused like a stale expectedVersion (409), once this node has applied that event, so `current` shows it.
 *
 * A command id belongs to the caller who first used it, on that case: the same caller on the same case gets the
 * stored result again; anyone else, or the same id on another case (or on an alert), gets `command_id_reused` and
 * nothing of it. Whether the caller may see the case at all is the route's business and comes first (api/dispatch.ts).
 */
import type { Actor, Command, CommandResult, SystemCommand } from '../shared/dispatch.js';
import type { CaseContext, EventDraft } from '../shared/events.js';
import { decide, evolve, type RefusalCode } from '../shared/lifecycle.js';
import { actorIdOf, type CaseIndex, type CaseRecord } from './domain/case-index.js';
import { slaDeadlines, type DispatchPolicy } from './domain/dispatch-rules.js';
import type { DistrictData } from './district-data.js';
import type { CaseWorkspace } from './in-flight.js';
import { AppendConflictError, type EventStore } from './store/event-store.js';

export type CommandFailure = {
  ok: false;
  code: RefusalCode | 'not_found' | 'version_conflict' | 'command_id_reused';
  message: string;
  path?: string;
  /** The case as it is now: the route shows it only to a caller who may read the case, as that caller's desk does. */
  current?: CaseRecord;
};
export type CommandOutcome = { ok: true; result: CommandResult } | CommandFailure;

export function contextOf(record: CaseRecord): CaseContext {
  const { id: caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = record;
  return { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
}

/** How long a refused command waits for this node to apply the event that beat it before answering with what it has. */
const CATCH_UP_MS = 3_000;

export function timerKey(command: SystemCommand): string {
  return `timer:${command.whistleId}:${command.deptId}:${command.stage}:${command.type}`;
}

export class CommandService {
  /** Commands decided but not yet committed, by key: a retry arriving meanwhile waits for the same answer. */
  readonly #running = new Map<string, { caseId: string; actorId: string; outcome: Promise<CommandOutcome> }>();
  readonly #departments: Set<string>;

  constructor(
    private readonly deps: {
      store: EventStore;
      cases: CaseWorkspace;
      index: CaseIndex;
      district: DistrictData;
      policy: DispatchPolicy;
      clock: () => number;
      newId: () => string;
      /** Whether a risk alert exists, for a whistle blown from one. */
      alertExists?: (alertId: string) => boolean;
    },
  ) {
    this.#departments = new Set(deps.district.departments.map((d) => d.id));
  }

  /**
   * `options.at` is for the demo's history writer only (server/sim/dispatch-history.ts, in-process, never an HTTP
   * route): the command is decided as of that moment (its event time and deadlines), through the same checks. A
   * moment in the future is refused.
   */
  execute(caseId: string, command: Command | SystemCommand, actor: Actor, options?: { at?: number }): Promise<CommandOutcome> {
    const key = 'commandId' in command ? `cmd:${command.commandId}` : timerKey(command);
    const running = this.#running.get(key);
    if (running) {
      if (running.caseId !== caseId || running.actorId !== actor.id) return Promise.resolve(reused());
      return running.outcome.then((outcome) => (outcome.ok ? { ok: true, result: { ...outcome.result, duplicate: true } } : outcome));
    }
    const outcome = this.#execute(caseId, command, actor, key, options?.at).finally(() => this.#running.delete(key));
    this.#running.set(key, { caseId, actorId: actor.id, outcome });
    return outcome;
  }

  async #execute(caseId: string, command: Command | SystemCommand, actor: Actor, key: string, at?: number): Promise<CommandOutcome> {
    const done = this.deps.index.command(key);
    if (done && (done.caseId !== caseId || done.actorId !== actor.id)) return reused();
    if (done) {
      const record = this.deps.cases.byId(done.caseId)!;
      return { ok: true, result: { caseId: done.caseId, version: record.version, status: record.status, event: { seq: done.seq, id: done.id, type: done.type }, duplicate: true } };
    }
    // Decide on committed state only (in-flight.ts says why); nothing below awaits before the hold.
    for (let writing = this.deps.cases.settled(caseId); writing; writing = this.deps.cases.settled(caseId)) await writing;
    const record = this.deps.cases.byId(caseId);
    if (!record) return { ok: false, code: 'not_found', message: 'no such case' };
    const afterSeq = this.deps.index.seq;
    if ('expectedVersion' in command && command.expectedVersion !== record.version) return versionConflict(command.expectedVersion, record);
    if (command.type === 'whistle' && command.alertId && !this.deps.alertExists?.(command.alertId)) {
      return { ok: false, code: 'invalid', message: `no alert ${command.alertId}`, path: 'alertId' };
    }
    const clockNow = this.deps.clock();
    if (at !== undefined && !(Number.isFinite(at) && at <= clockNow)) return { ok: false, code: 'invalid', message: 'a command cannot be dated in the future', path: 'at' };
    const now = at ?? clockNow;
    const decision = decide(contextOf(record), record, command, actor, {
      now,
      newId: this.deps.newId,
      department: (id) => this.#departments.has(id),
      deadlines: (urgency, role, category, start) => slaDeadlines(this.deps.policy, urgency, role, category, start),
    });
    if (!decision.ok) return { ok: false, code: decision.code, message: decision.reason, ...(decision.path && { path: decision.path }), current: record };

    const next = structuredClone(record);
    evolve(next, decision.draft);
    const release = this.deps.cases.hold([next]);
    try {
      const draft = { id: this.deps.newId(), sourceKey: key, ...decision.draft } as EventDraft;
      const [outcome] = await this.deps.store.append([draft], { precondition: { subject: { kind: 'case', id: caseId }, afterSeq } });
      const event = outcome!.event;
      // An id older than the index remembers is found by the store: its event must be this caller's, on this case.
      if (outcome!.duplicate && ((event.data as { case?: { caseId?: string } }).case?.caseId !== caseId || actorIdOf(event) !== actor.id)) return reused();
      const committed = this.deps.cases.byId(caseId) ?? next;
      return { ok: true, result: { caseId, version: committed.version, status: committed.status, event: { seq: event.seq, id: event.id, type: event.type }, duplicate: outcome!.duplicate } };
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
      release();
      await this.#caughtUp(error.seq);
      return versionConflict('expectedVersion' in command ? command.expectedVersion : record.version, this.deps.cases.byId(caseId) ?? record);
    } finally {
      release();
    }
  }

  /** Until this node has applied `seq`, or CATCH_UP_MS passed (the log unreachable, say: answer with what it has). */
  async #caughtUp(seq: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS)));
    await Promise.race([this.deps.index.reached(seq), timeout]);
    clearTimeout(timer);
  }
}

function versionConflict(expectedVersion: number, current: CaseRecord): CommandFailure {
  return {
    ok: false,
    code: 'version_conflict',
    message: `the case changed since version ${expectedVersion}: it is now at version ${current.version} (${current.status})`,
    current,
  };
}

/** Nothing of the first command: not its case, its event or its result. */
function reused(): CommandFailure {
  return { ok: false, code: 'command_id_reused', message: 'this commandId was already used for another command; send each command with a new id' };
}
