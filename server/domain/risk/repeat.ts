/**
 * Repeat petitioners (重复信访) and petitions that skip a tier (越级信访). A person is the keyed hash of an applicant's
 * normalised ID number; applicants without one cannot be recognised and are left out. A petition lodged at city,
 * province or national level with no petition by the same person at street or district level in `lookbackDays`
 * skipped the tiers that should have heard it first. A petition without a level counts as lodged at the district.
 */
import type { CaseReportedData } from '../../../shared/events.js';
import type { RiskRules } from '../../../shared/risk.js';
import { DAY_MS } from '../../../shared/time.js';
import { petitionLevels, type PetitionLevel } from '../../../shared/vocabulary.js';
import { where } from './collective.js';
import type { Identity } from './identity.js';
import { mostSevereFirst } from './levels.js';
import type { Signal } from './signals.js';
import { KeyedWindows, type WindowsSnapshot } from './windows.js';

type RepeatSettings = RiskRules['repeatPetition'];

const DISTRICT = petitionLevels.indexOf('district');

export interface RepeatSnapshot {
  petitions: WindowsSnapshot;
  lower: WindowsSnapshot;
  upper: WindowsSnapshot;
}

export class RepeatRule {
  readonly #s: RepeatSettings;
  readonly #levels: RepeatSettings['levels'];
  readonly #skipLevels: RepeatSettings['skipTier']['levels'];
  readonly #identity: Identity;
  /** All petitions per person (withinDays); those lodged at street/district and above it (lookbackDays). */
  #petitions: KeyedWindows;
  #lower: KeyedWindows;
  #upper: KeyedWindows;

  constructor(settings: RepeatSettings, identity: Identity) {
    this.#s = settings;
    this.#levels = mostSevereFirst(settings.levels);
    this.#skipLevels = mostSevereFirst(settings.skipTier.levels);
    this.#identity = identity;
    this.#petitions = new KeyedWindows(settings.withinDays * DAY_MS);
    this.#lower = new KeyedWindows(settings.skipTier.lookbackDays * DAY_MS);
    this.#upper = new KeyedWindows(settings.skipTier.lookbackDays * DAY_MS);
  }

  /** Counts a petition for each applicant with an ID number. */
  add(d: CaseReportedData, reportedAt: number): Signal[] {
    if (d.kind !== 'petition') return [];
    const level: PetitionLevel = d.petitionLevel ?? 'district';
    const above = petitionLevels.indexOf(level) > DISTRICT;
    const lookback = this.#s.skipTier.lookbackDays * DAY_MS;
    const out: Signal[] = [];
    const seen = new Set<string>();
    for (const party of d.parties) {
      if (party.role !== 'applicant' || !party.idNumber) continue;
      const person = this.#identity.person(party.idNumber);
      if (!person || seen.has(person)) continue;
      seen.add(person);
      const petitions = this.#petitions.add(person, reportedAt, d.caseId);
      const step = petitions === undefined ? undefined : this.#levels.find((l) => petitions >= l.minPetitions);
      if (step && petitions !== undefined) {
        out.push({
          rule: 'repeatPetition',
          scope: { kind: 'person', key: person },
          category: d.category,
          level: step.level,
          count: petitions,
          facts: { petitions, withinDays: this.#s.withinDays },
          caseIds: this.#petitions.caseIds(person),
          ...where(d),
        });
      }
      if (!above) {
        this.#lower.add(person, reportedAt, d.caseId);
        continue;
      }
      const lowerBefore = this.#lower.count(person, reportedAt - lookback, reportedAt);
      const skips = this.#upper.add(person, reportedAt, d.caseId);
      const skipStep = this.#skipLevels.find((l) => petitionLevels.indexOf(level) >= petitionLevels.indexOf(l.minLevel));
      if (lowerBefore > 0 || skips === undefined || !skipStep) continue;
      out.push({
        rule: 'skipTier',
        scope: { kind: 'person', key: person },
        category: d.category,
        level: skipStep.level,
        count: skips,
        facts: { petitionLevel: level, petitions: skips, lookbackDays: this.#s.skipTier.lookbackDays },
        caseIds: this.#upper.caseIds(person),
        ...where(d),
      });
    }
    return out;
  }

  snapshot(): RepeatSnapshot {
    return { petitions: this.#petitions.snapshot(), lower: this.#lower.snapshot(), upper: this.#upper.snapshot() };
  }

  restore(data: RepeatSnapshot): void {
    this.#petitions = KeyedWindows.restore(data.petitions, this.#s.withinDays * DAY_MS);
    this.#lower = KeyedWindows.restore(data.lower, this.#s.skipTier.lookbackDays * DAY_MS);
    this.#upper = KeyedWindows.restore(data.upper, this.#s.skipTier.lookbackDays * DAY_MS);
  }
}
