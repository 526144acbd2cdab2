/**
 * Sensitive periods (敏感时期) by local date: which periods are on for a category on the day of an alert's trigger,
 * and how many levels they raise it. Overlapping periods do not add up: the largest raise counts, and every period
 * that raised the alert is listed.
 */
import type { SensitivePeriod } from '../../../shared/risk.js';
import { dayKey } from '../../../shared/time.js';

export interface PeriodRaise {
  raise: number;
  ids: string[];
}

export class PeriodCalendar {
  readonly #periods: readonly SensitivePeriod[];
  readonly #tz: number;
  /** The periods on for the last local day asked about: triggers come in time order, so this is nearly always a hit. */
  #day = '';
  #active: SensitivePeriod[] = [];

  constructor(periods: readonly SensitivePeriod[], tzOffsetMinutes: number) {
    this.#periods = periods.filter((p) => p.raiseLevels > 0);
    this.#tz = tzOffsetMinutes;
  }

  raiseFor(at: number, category: string): PeriodRaise {
    if (!this.#periods.length) return { raise: 0, ids: [] };
    const day = dayKey(at, this.#tz);
    if (day !== this.#day) {
      this.#day = day;
      this.#active = this.#periods.filter((p) => p.from <= day && day <= p.to);
    }
    let raise = 0;
    const ids: string[] = [];
    for (const p of this.#active) {
      if (!p.categories.includes(category)) continue;
      raise = Math.max(raise, p.raiseLevels);
      ids.push(p.id);
    }
    return { raise, ids };
  }
}
