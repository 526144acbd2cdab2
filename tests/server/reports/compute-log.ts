/**
 * A hand-built event log for the report tests: stored events with fixed local (UTC+8) timestamps, folded through the
 * real Projections (case index and the risk engine's alert registry, its rules switched off so only the log's alerts
 * exist). Each builder appends one event with the next seq.
 */
import type { Actor, Assignment, AssignmentRole, Stage } from '../../../shared/dispatch.js';
import type { CaseContext, CaseReportedData, StoredEvent } from '../../../shared/events.js';
import type { RiskRuleId } from '../../../shared/risk.js';
import type { AlertLevel, CaseKind, CaseSource, Outcome, Tier } from '../../../shared/vocabulary.js';
import { Projections } from '../../../server/projections.js';
import { testRules } from '../risk/builders.js';

export const TZ = 480;
/** The instant of a local (UTC+8) date and time, e.g. local('2026-11-23', '09:00'). */
export const local = (date: string, time = '00:00') => Date.parse(`${date}T${time}:00+08:00`);
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

const duty: Actor = { role: 'duty', id: 'duty-1', name: '值班员' };
const dept = (deptId: string): Actor => ({ role: 'dept', id: `u-${deptId}`, deptId });

export interface CaseSpec {
  kind?: CaseKind;
  category: string;
  source: CaseSource;
  streetCode: string;
  communityCode: string;
  at: number;
}

export interface Part {
  deptId: string;
  role: AssignmentRole;
  /** Minutes after the whistle the report-in is due (default 60). */
  reportMin?: number;
  /** Hours after the whistle the resolution is due (default 72). */
  resolveHours?: number;
}

export class LogBuilder {
  readonly events: StoredEvent[] = [];
  readonly #contexts = new Map<string, CaseContext>();
  readonly #whistles = new Map<string, { at: number; parts: Map<string, Assignment> }>();

  #push(type: StoredEvent['type'], at: number, data: unknown, sourceKey?: string): void {
    const seq = this.events.length + 1;
    this.events.push({ seq, id: `ev-${seq}`, at: iso(at), type, data, ...(sourceKey && { sourceKey }) } as StoredEvent);
  }

  report(caseId: string, s: CaseSpec): string {
    const context: CaseContext = {
      caseId,
      kind: s.kind ?? 'dispute',
      category: s.category,
      streetCode: s.streetCode,
      communityCode: s.communityCode,
      severity: 3,
      peopleInvolved: 2,
      weight: 3,
      reportedAt: iso(s.at),
    };
    this.#contexts.set(caseId, context);
    const data: CaseReportedData = { ...context, source: s.source, title: '测试案件', parties: [] };
    this.#push('case.reported', s.at, data, `${s.source}:${caseId}`);
    return caseId;
  }

  #base(caseId: string, at: number, actor: Actor = duty) {
    const context = this.#contexts.get(caseId);
    if (!context) throw new Error(`no case ${caseId}`);
    return { case: context, actor, at: iso(at) };
  }

  triage(caseId: string, at: number, tier: Tier): void {
    this.#push('case.triaged', at, { ...this.#base(caseId, at), tier, channel: 'people' });
  }

  whistle(caseId: string, whistleId: string, at: number, tier: Tier, parts: Part[], alertId?: string): void {
    const assignments: Assignment[] = parts.map((p) => ({
      deptId: p.deptId,
      role: p.role,
      reportDueAt: iso(at + (p.reportMin ?? 60) * MIN),
      reportEscalateAt: iso(at + 2 * (p.reportMin ?? 60) * MIN),
      resolveDueAt: iso(at + (p.resolveHours ?? 72) * HOUR),
      resolveEscalateAt: iso(at + 2 * (p.resolveHours ?? 72) * HOUR),
    }));
    this.#whistles.set(whistleId, { at, parts: new Map(assignments.map((a) => [a.deptId, a])) });
    this.#push('case.whistled', at, { ...this.#base(caseId, at), whistleId, urgency: 'normal', tier, assignments, ...(alertId && { alertId }) });
  }

  #part(whistleId: string, deptId: string): Assignment {
    const part = this.#whistles.get(whistleId)?.parts.get(deptId);
    if (!part) throw new Error(`no part of ${deptId} in ${whistleId}`);
    return part;
  }

  reportIn(caseId: string, whistleId: string, deptId: string, at: number): void {
    const part = this.#part(whistleId, deptId);
    this.#push('whistle.reportedIn', at, { ...this.#base(caseId, at, dept(deptId)), whistleId, deptId, role: part.role, late: at > Date.parse(part.reportDueAt) });
  }

  returnWhistle(caseId: string, whistleId: string, deptId: string, at: number): void {
    const part = this.#part(whistleId, deptId);
    this.#push('whistle.returned', at, { ...this.#base(caseId, at, dept(deptId)), whistleId, deptId, role: part.role, reason: '不属本部门职责' });
  }

  supervise(caseId: string, whistleId: string, deptId: string, at: number, stage: Stage): void {
    this.#push('whistle.supervised', at, { ...this.#base(caseId, at, { role: 'system', id: 'timer' }), whistleId, deptId, stage, auto: true });
  }

  escalate(caseId: string, whistleId: string, deptId: string, at: number, stage: Stage, fromTier: Tier, toTier: Tier): void {
    this.#push('whistle.escalated', at, { ...this.#base(caseId, at, { role: 'system', id: 'timer' }), whistleId, deptId, stage, fromTier, toTier });
  }

  /** Resolved by the lead of a whistle. */
  resolve(caseId: string, whistleId: string, deptId: string, at: number, outcome: Outcome, tier: Tier): void {
    const part = this.#part(whistleId, deptId);
    const { case: c, actor } = this.#base(caseId, at, dept(deptId));
    this.#push('case.resolved', at, { case: c, actor, outcome, resolvedAt: iso(at), whistleId, deptId, tier, late: at > Date.parse(part.resolveDueAt) });
  }

  /** Resolved through intake by an outside system (no whistle, no tier). */
  resolveExternal(caseId: string, at: number, outcome: Outcome): void {
    this.#push('case.resolved', at, { case: this.#contexts.get(caseId)!, source: 'court', outcome, resolvedAt: iso(at) }, `court:res:${caseId}`);
  }

  followUp(caseId: string, at: number, satisfaction: number): void {
    this.#push('case.followedUp', at, { ...this.#base(caseId, at), satisfaction, reopened: satisfaction <= 2 });
  }

  archive(caseId: string, at: number): void {
    this.#push('case.archived', at, this.#base(caseId, at));
  }

  alert(alertId: string, at: number, level: AlertLevel, streetCode: string, o: { rule?: RiskRuleId; communityCode?: string } = {}): void {
    this.#push('alert.raised', at, {
      alertId,
      source: 'system',
      level,
      title: `${o.rule ?? 'external'}预警`,
      streetCode,
      ...(o.communityCode && { communityCode: o.communityCode }),
      raisedAt: iso(at),
      ...(o.rule && { rule: o.rule, scope: { kind: 'community', key: o.communityCode ?? streetCode }, facts: {}, caseIds: [], periods: [] }),
    });
  }

  closeAlert(alertId: string, at: number, streetCode: string, auto = false): void {
    this.#push('alert.closed', at, { alertId, actor: auto ? { role: 'system', id: 'risk' } : duty, at: iso(at), note: auto ? '信号消退' : '已处置', streetCode, ...(auto && { auto: true }) });
  }

  fold(): Projections {
    const projections = new Projections({
      tzOffsetMinutes: TZ,
      halfLifeHours: 24,
      risk: { rules: disabledRules(), periods: [], tzOffsetMinutes: TZ, identityKey: 'report-test-key-0123456789abcdef', newId: (() => { let n = 0; return () => `risk-${++n}`; })() },
    });
    projections.apply(this.events);
    return projections;
  }
}

function disabledRules() {
  const rules = testRules();
  rules.spike.enabled = false;
  rules.collective.enabled = false;
  rules.repeatPetition.enabled = false;
  rules.staleHighSeverity.enabled = false;
  return rules;
}
