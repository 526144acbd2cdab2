/**
 * The dispatch command service: checks a command against the case's version, lets the lifecycle decide, appends
 * the one event it causes, and answers only after commit. Officers, departments and the overdue timers all come
 * through here. A command's key (`cmd:<commandId>`, or the timer's own key) is the event's source key, so a retry
 * returns the first result and never appends twice.
 */
import type { CaseSummary } from '../shared/api.js';
import type { Actor, Command, CommandResult, SystemCommand } from '../shared/dispatch.js';
import type { CaseContext, EventDraft } from '../shared/events.js';
import { decide, evolve, type RefusalCode } from '../shared/lifecycle.js';
import type { CaseIndex, CaseRecord } from './domain/case-index.js';
import { toSummary } from './domain/case-index.js';
import { slaDeadlines, type DispatchPolicy } from './domain/dispatch-rules.js';
import type { DistrictData } from './district-data.js';
import type { CaseWorkspace } from './in-flight.js';
import type { EventStore } from './store/event-store.js';

export type CommandFailure = {
  ok: false;
  code: RefusalCode | 'not_found' | 'version_conflict';
  message: string;
  path?: string;
  current?: CaseSummary;
};
export type CommandOutcome = { ok: true; result: CommandResult } | CommandFailure;

export function contextOf(record: CaseRecord): CaseContext {
  const { id: caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = record;
  return { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
}

export function timerKey(command: SystemCommand): string {
  return `timer:${command.whistleId}:${command.deptId}:${command.stage}:${command.type}`;
}

export class CommandService {
  /** Commands decided but not yet committed, by key: a retry arriving meanwhile waits for the same answer. */
  readonly #running = new Map<string, Promise<CommandOutcome>>();
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

  execute(caseId: string, command: Command | SystemCommand, actor: Actor): Promise<CommandOutcome> {
    const key = 'commandId' in command ? `cmd:${command.commandId}` : timerKey(command);
    const running = this.#running.get(key);
    if (running) return running.then((outcome) => (outcome.ok ? { ok: true, result: { ...outcome.result, duplicate: true } } : outcome));
    const promise = this.#execute(caseId, command, actor, key).finally(() => this.#running.delete(key));
    this.#running.set(key, promise);
    return promise;
  }

  async #execute(caseId: string, command: Command | SystemCommand, actor: Actor, key: string): Promise<CommandOutcome> {
    const done = this.deps.index.command(key);
    if (done) {
      const record = this.deps.cases.byId(done.caseId)!;
      return { ok: true, result: { caseId: done.caseId, version: record.version, status: record.status, event: { seq: done.seq, id: done.id, type: done.type }, duplicate: true } };
    }
    const record = this.deps.cases.byId(caseId);
    if (!record) return { ok: false, code: 'not_found', message: `no case ${caseId}` };
    if ('expectedVersion' in command && command.expectedVersion !== record.version) {
      return {
        ok: false,
        code: 'version_conflict',
        message: `the case changed since version ${command.expectedVersion}: it is now at version ${record.version} (${record.status})`,
        current: toSummary(record),
      };
    }
    if (command.type === 'whistle' && command.alertId && !this.deps.alertExists?.(command.alertId)) {
      return { ok: false, code: 'invalid', message: `no alert ${command.alertId}`, path: 'alertId' };
    }
    const now = this.deps.clock();
    const decision = decide(contextOf(record), record, command, actor, {
      now,
      newId: this.deps.newId,
      department: (id) => this.#departments.has(id),
      deadlines: (urgency, role, category, start) => slaDeadlines(this.deps.policy, urgency, role, category, start),
    });
    if (!decision.ok) return { ok: false, code: decision.code, message: decision.reason, ...(decision.path && { path: decision.path }), current: toSummary(record) };

    const next = structuredClone(record);
    evolve(next, decision.draft);
    const release = this.deps.cases.hold([next]);
    try {
      const [outcome] = await this.deps.store.append([{ id: this.deps.newId(), sourceKey: key, ...decision.draft } as EventDraft]);
      const event = outcome!.event;
      const committed = this.deps.cases.byId(caseId) ?? next;
      return { ok: true, result: { caseId, version: committed.version, status: committed.status, event: { seq: event.seq, id: event.id, type: event.type }, duplicate: outcome!.duplicate } };
    } finally {
      release();
    }
  }
}
