/**
 * Spike rule (激增): per (community or street, category), the count of cases in the last `windowHours` against the
 * area's own rate over the `baselineDays` before the window. Counts live in two rings with running sums: an hourly
 * ring for the window and a daily ring the hours fall into as they leave it, so each case costs O(1) (bounded by
 * the ring sizes) and nothing is rescanned. The test is Poisson: P(X ≥ observed | λ = expected), compared with each
 * level's maxPValue together with the observed/expected ratio — a large count in a busy area is not a spike, and a
 * tiny p-value on two cases is not worth an alarm (minCount, minRatio). Times are the cases' reportedAt; a late
 * case lands in its hour or day, or is ignored when older than both rings.
 */
import type { CaseReportedData } from '../../../shared/events.js';
import { MAX_ALERT_CASES, type RiskRules } from '../../../shared/risk.js';
import { DAY_MS, HOUR_MS } from '../../../shared/time.js';
import { mostSevereFirst } from './levels.js';
import { poissonUpperTail } from './poisson.js';
import { round, type Signal } from './signals.js';

type SpikeSettings = RiskRules['spike'];
type ScopeKind = SpikeSettings['scopes'][number];

interface Counter {
  /** Newest hour counted (epoch hours): the window is (head − W, head]. */
  head: number;
  /** Day of hour head − W, the newest hour that has left the window: the baseline ring is (dayHead − B, dayHead]. */
  dayHead: number;
  hours: number[];
  days: number[];
  windowSum: number;
  baselineSum: number;
  /** The latest cases with their hours, for the alert's case list. */
  recent: Array<[hour: number, caseId: string]>;
}

export interface SpikeSnapshot {
  historyStart: number | null;
  counters: Array<[code: string, category: string, counter: Counter]>;
}

export class SpikeRule {
  readonly #s: SpikeSettings;
  readonly #levels: SpikeSettings['levels'];
  readonly #minRatio: number;
  /** By area code (community and street codes differ in length, so one map holds both), then category. */
  readonly #counters = new Map<string, Map<string, Counter>>();
  /** reportedAt of the earliest case seen: every area has been watched since then, quiet ones included. */
  #historyStart = Infinity;

  constructor(settings: SpikeSettings) {
    this.#s = settings;
    this.#levels = mostSevereFirst(settings.levels);
    this.#minRatio = Math.min(...settings.levels.map((l) => l.minRatio));
  }

  /** Counts one reported case in each configured scope; returns the scopes where it makes a spike. */
  add(d: CaseReportedData, reportedAt: number): Signal[] {
    this.#historyStart = Math.min(this.#historyStart, reportedAt);
    const out: Signal[] = [];
    for (const kind of this.#s.scopes) {
      const code = kind === 'community' ? d.communityCode : d.streetCode;
      const signal = this.#count(kind, code, d, reportedAt);
      if (signal) out.push(signal);
    }
    return out;
  }

  #count(kind: ScopeKind, code: string, d: CaseReportedData, t: number): Signal | undefined {
    const W = this.#s.windowHours;
    const B = this.#s.baselineDays;
    const hour = Math.floor(t / HOUR_MS);
    let area = this.#counters.get(code);
    if (!area) this.#counters.set(code, (area = new Map()));
    let c = area.get(d.category);
    if (!c) {
      c = { head: hour, dayHead: Math.floor((hour - W) / 24), hours: new Array<number>(W).fill(0), days: new Array<number>(B).fill(0), windowSum: 0, baselineSum: 0, recent: [] };
      area.set(d.category, c);
    }
    if (hour > c.head) this.#advance(c, hour);
    if (hour <= c.head - W) {
      const day = Math.floor(hour / 24);
      if (day > c.dayHead - B) {
        c.days[day % B]! += 1;
        c.baselineSum += 1;
      }
      return undefined;
    }
    c.hours[hour % W]! += 1;
    c.windowSum += 1;
    c.recent.push([hour, d.caseId]);
    if (c.recent.length > MAX_ALERT_CASES) c.recent.shift();
    return this.#test(kind, code, c, d, t);
  }

  #advance(c: Counter, to: number): void {
    const W = this.#s.windowHours;
    for (let h = c.head - W + 1, last = Math.min(to - W, c.head); h <= last; h++) {
      const n = c.hours[h % W]!;
      if (!n) continue;
      c.hours[h % W] = 0;
      c.windowSum -= n;
      this.#advanceDays(c, Math.floor(h / 24));
      c.days[Math.floor(h / 24) % this.#s.baselineDays]! += n;
      c.baselineSum += n;
    }
    c.head = to;
    this.#advanceDays(c, Math.floor((to - W) / 24));
  }

  #advanceDays(c: Counter, day: number): void {
    const B = this.#s.baselineDays;
    if (day <= c.dayHead) return;
    for (let d = Math.max(c.dayHead + 1, day - B + 1); d <= day; d++) {
      c.baselineSum -= c.days[d % B]!;
      c.days[d % B] = 0;
    }
    c.dayHead = day;
  }

  #test(kind: ScopeKind, code: string, c: Counter, d: CaseReportedData, t: number): Signal | undefined {
    const s = this.#s;
    const observed = c.windowSum;
    if (observed < s.minCount || t - this.#historyStart < s.minHistoryDays * DAY_MS) return undefined;
    // The baseline spans from the start of the daily ring (or of history, if later) to the start of the window.
    const windowStart = c.head - s.windowHours + 1;
    const baselineHours = windowStart - Math.max((c.dayHead - s.baselineDays + 1) * 24, Math.floor(this.#historyStart / HOUR_MS));
    const perDay = Math.max(baselineHours > 0 ? (c.baselineSum / baselineHours) * 24 : 0, s.priorPerDay);
    const expected = (perDay * s.windowHours) / 24;
    const ratio = observed / expected;
    if (ratio < this.#minRatio) return undefined;
    const pValue = poissonUpperTail(observed, expected);
    const step = this.#levels.find((l) => pValue <= l.maxPValue && ratio >= l.minRatio);
    if (!step) return undefined;
    return {
      rule: 'spike',
      scope: { kind, key: `${code}:${d.category}` },
      category: d.category,
      level: step.level,
      count: observed,
      facts: {
        observed,
        expected: round(expected, 2),
        ratio: round(ratio, 2),
        pValue: Number(pValue.toPrecision(3)),
        windowHours: s.windowHours,
        baselineDays: round(Math.max(0, baselineHours) / 24, 1),
      },
      caseIds: c.recent.filter(([h]) => h > c.head - s.windowHours).map(([, id]) => id),
      streetCode: d.streetCode,
      ...(kind === 'community' && { communityCode: d.communityCode }),
    };
  }

  snapshot(): SpikeSnapshot {
    return {
      historyStart: Number.isFinite(this.#historyStart) ? this.#historyStart : null,
      counters: [...this.#counters].flatMap(([code, area]) => [...area].map(([category, c]) => [code, category, copy(c)] as [string, string, Counter])),
    };
  }

  static restore(data: SpikeSnapshot, settings: SpikeSettings): SpikeRule {
    const rule = new SpikeRule(settings);
    rule.#historyStart = data.historyStart ?? Infinity;
    for (const [code, category, c] of data.counters) {
      let area = rule.#counters.get(code);
      if (!area) rule.#counters.set(code, (area = new Map()));
      area.set(category, copy(c));
    }
    return rule;
  }
}

function copy(c: Counter): Counter {
  return { ...c, hours: [...c.hours], days: [...c.days], recent: c.recent.map(([h, id]) => [h, id]) };
}
