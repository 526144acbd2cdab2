/**
 * Collective disputes (群体性纠纷): one case with many people, or several cases against the same respondent (e.g. one
 * employer's wage arrears reported worker by worker) within `withinDays`. Respondents are told apart by a keyed
 * hash of their normalised name, so the alert and the engine's state never hold the name.
 */
import type { CaseReportedData } from '../../../shared/events.js';
import type { RiskRules } from '../../../shared/risk.js';
import { DAY_MS } from '../../../shared/time.js';
import type { Identity } from './identity.js';
import { mostSevereFirst } from './levels.js';
import type { Signal } from './signals.js';
import { KeyedWindows, type WindowsSnapshot } from './windows.js';

type CollectiveSettings = RiskRules['collective'];

export class CollectiveRule {
  readonly #people: CollectiveSettings['people'];
  readonly #respondentLevels: CollectiveSettings['respondent']['levels'];
  readonly #withinDays: number;
  readonly #identity: Identity;
  #respondents: KeyedWindows;

  constructor(settings: CollectiveSettings, identity: Identity) {
    this.#people = mostSevereFirst(settings.people);
    this.#respondentLevels = mostSevereFirst(settings.respondent.levels);
    this.#withinDays = settings.respondent.withinDays;
    this.#identity = identity;
    this.#respondents = new KeyedWindows(this.#withinDays * DAY_MS);
  }

  /** A case with at least `minPeople` people: scope is the case itself. */
  people(d: CaseReportedData): Signal | undefined {
    const step = this.#people.find((l) => d.peopleInvolved >= l.minPeople);
    if (!step) return undefined;
    return {
      rule: 'collective',
      scope: { kind: 'case', key: d.caseId },
      category: d.category,
      level: step.level,
      count: d.peopleInvolved,
      facts: { people: d.peopleInvolved, minPeople: step.minPeople },
      caseIds: [d.caseId],
      ...where(d),
    };
  }

  /** Counts the case against each respondent it names; one signal per respondent whose count reaches a level. */
  respondents(d: CaseReportedData, reportedAt: number): Signal[] {
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const party of d.parties) {
      if (party.role !== 'respondent') continue;
      const key = this.#identity.respondent(party.name);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      const cases = this.#respondents.add(key, reportedAt, d.caseId);
      const step = cases === undefined ? undefined : this.#respondentLevels.find((l) => cases >= l.minCases);
      if (!step || cases === undefined) continue;
      out.push({
        rule: 'respondent',
        scope: { kind: 'respondent', key },
        category: d.category,
        level: step.level,
        count: cases,
        facts: { cases, withinDays: this.#withinDays },
        caseIds: this.#respondents.caseIds(key),
        ...where(d),
      });
    }
    return out;
  }

  snapshot(): WindowsSnapshot {
    return this.#respondents.snapshot();
  }

  restore(data: WindowsSnapshot): void {
    this.#respondents = KeyedWindows.restore(data, this.#withinDays * DAY_MS);
  }
}

export function where(d: { streetCode: string; communityCode: string }): { streetCode: string; communityCode: string } {
  return { streetCode: d.streetCode, communityCode: d.communityCode };
}
