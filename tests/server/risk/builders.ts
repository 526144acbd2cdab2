/**
 * Builders for the risk engine's tests: rules with small, readable thresholds, stored events made directly (seq,
 * id, at, type, data), and a harness that feeds them to an engine and commits what it decides, as the server would.
 */
import type { CaseContext, CaseReportedData, EventDraft, Party, StoredEvent } from '../../../shared/events.js';
import type { Actor } from '../../../shared/dispatch.js';
import type { RiskRules, SensitivePeriod } from '../../../shared/risk.js';
import { RiskEngine, type RiskEngineOptions } from '../../../server/domain/risk/engine.js';
import { BANTIAN, GANGTOU, MAAN_TANG } from '../../helpers/factories.js';

export { BANTIAN, GANGTOU, MAAN_TANG };
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 4 May 2026, 08:00 in Shenzhen: no sensitive period in the data files or the tests near it. */
export const T0 = Date.parse('2026-05-04T00:00:00Z');
export const KEY = 'test-identity-key-0123456789abcdef';
export const duty: Actor = { role: 'duty', id: 'duty-1', name: '值班员' };

export function testRules(): RiskRules {
  return {
    cooldownHours: 24,
    autoCloseHours: 48,
    spike: {
      enabled: true,
      scopes: ['community'],
      windowHours: 24,
      baselineDays: 14,
      minHistoryDays: 7,
      minCount: 4,
      priorPerDay: 0.5,
      levels: [
        { level: 'yellow', maxPValue: 0.001, minRatio: 2.5 },
        { level: 'red', maxPValue: 0.000001, minRatio: 6 },
        { level: 'orange', maxPValue: 0.0001, minRatio: 4 },
      ],
    },
    collective: {
      enabled: true,
      people: [
        { level: 'red', minPeople: 50 },
        { level: 'orange', minPeople: 30 },
        { level: 'yellow', minPeople: 10 },
      ],
      respondent: {
        withinDays: 30,
        levels: [
          { level: 'red', minCases: 10 },
          { level: 'orange', minCases: 5 },
          { level: 'yellow', minCases: 3 },
        ],
      },
    },
    repeatPetition: {
      enabled: true,
      withinDays: 30,
      levels: [
        { level: 'orange', minPetitions: 5 },
        { level: 'yellow', minPetitions: 3 },
      ],
      skipTier: {
        lookbackDays: 90,
        levels: [
          { level: 'red', minLevel: 'national' },
          { level: 'orange', minLevel: 'province' },
          { level: 'yellow', minLevel: 'city' },
        ],
      },
    },
    staleHighSeverity: {
      enabled: true,
      levels: [
        { level: 'red', minSeverity: 5, afterHours: 72 },
        { level: 'orange', minSeverity: 4, afterHours: 72 },
        { level: 'yellow', minSeverity: 4, afterHours: 24 },
      ],
    },
  };
}

type RuleName = 'spike' | 'collective' | 'repeatPetition' | 'staleHighSeverity';
/** The test rules with only the named rules on, so a test sees its own rule's alerts alone. */
export function only(...names: RuleName[]): RiskRules {
  const r = testRules();
  for (const n of ['spike', 'collective', 'repeatPetition', 'staleHighSeverity'] as const) r[n].enabled = names.includes(n);
  return r;
}

export const names = {
  area: (code: string) => ({ [BANTIAN]: '坂田街道', [GANGTOU]: '岗头社区', [MAAN_TANG]: '马安堂社区' })[code],
  category: (code: string) => ({ labour: '劳资纠纷', land: '征地拆迁纠纷', family: '婚姻家庭纠纷' })[code],
};

export function engineOptions(rules: RiskRules, periods: SensitivePeriod[] = [], prefix = 'ev'): RiskEngineOptions {
  let n = 0;
  return { rules, periods, tzOffsetMinutes: 480, identityKey: KEY, newId: () => `${prefix}-${++n}`, names };
}

let caseCounter = 0;
export const applicant = (idNumber = '440307199001011234', name = '张三丰', phone = '13800001234'): Party => ({ role: 'applicant', name, phone, idNumber });
export const respondent = (name: string): Party => ({ role: 'respondent', name });

export function caseData(reportedAt: number, over: Partial<CaseReportedData> = {}): CaseReportedData {
  caseCounter += 1;
  return {
    caseId: `case-${caseCounter}`,
    kind: 'dispute',
    category: 'labour',
    streetCode: BANTIAN,
    communityCode: GANGTOU,
    severity: 2,
    peopleInvolved: 1,
    weight: 3,
    reportedAt: new Date(reportedAt).toISOString(),
    source: 'hotline',
    title: '某电子厂拖欠工资',
    parties: [applicant()],
    ...over,
  };
}

export function contextOf(d: CaseReportedData): CaseContext {
  const { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = d;
  return { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
}

type DataOf<T extends StoredEvent['type']> = Extract<StoredEvent, { type: T }>['data'];

/** An engine fed a log built event by event; `commit` appends drafts as the store would (a known sourceKey is a no-op). */
export class Harness {
  readonly engine: RiskEngine;
  readonly log: StoredEvent[] = [];
  readonly decided: EventDraft[] = [];
  #keys = new Set<string>();

  constructor(rules: RiskRules = testRules(), periods: SensitivePeriod[] = []) {
    this.engine = new RiskEngine(engineOptions(rules, periods));
  }

  /** Appends one event at `at` and folds it; returns what the engine decided (not yet committed). */
  add<T extends StoredEvent['type']>(type: T, data: DataOf<T>, at: number, sourceKey?: string): EventDraft[] {
    if (sourceKey && this.#keys.has(sourceKey)) return [];
    if (sourceKey) this.#keys.add(sourceKey);
    const event = { seq: this.log.length + 1, id: `e${this.log.length + 1}`, at: new Date(at).toISOString(), type, data, ...(sourceKey && { sourceKey }) } as StoredEvent;
    this.log.push(event);
    const drafts = this.engine.apply(event);
    this.decided.push(...drafts);
    return drafts;
  }

  /** Reports a case at `at` (event time = reportedAt unless given). */
  report(at: number, over: Partial<CaseReportedData> = {}, eventAt = at): EventDraft[] {
    return this.add('case.reported', caseData(at, over), eventAt);
  }

  /** Commits drafts at `at`, in order. */
  commit(drafts: readonly EventDraft[], at: number): void {
    for (const d of drafts) this.add(d.type, d.data as never, at, d.sourceKey);
  }

  /** Reports and commits at once, like the live server; returns the drafts. */
  live(at: number, over: Partial<CaseReportedData> = {}): EventDraft[] {
    const drafts = this.report(at, over);
    this.commit(drafts, at);
    return drafts;
  }

  lastCase(): CaseReportedData {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i]!;
      if (e.type === 'case.reported') return e.data;
    }
    throw new Error('no case yet');
  }
}

export function raised(drafts: readonly EventDraft[]): Array<Extract<EventDraft, { type: 'alert.raised' }>> {
  return drafts.filter((d): d is Extract<EventDraft, { type: 'alert.raised' }> => d.type === 'alert.raised');
}

export function updated(drafts: readonly EventDraft[]): Array<Extract<EventDraft, { type: 'alert.updated' }>> {
  return drafts.filter((d): d is Extract<EventDraft, { type: 'alert.updated' }> => d.type === 'alert.updated');
}
