/**
 * Stale high-severity cases (高风险案件久拖未结), one alert per community: open cases whose severity reaches a level's
 * minSeverity and whose reportedAt + afterHours has passed. One alert per case swamped the duty desk (hundreds on the
 * first sweep), so a community's stale cases make one alert whose count grows and whose level rises.
 *
 * For each severity the levels become a short list of escalation points (time after reporting → level), each more
 * severe than the one before. A community keeps its open cases that are not stale yet in a heap by when they will
 * be, and its stale ones per severity in a heap by age: the oldest of a severity is always its most escalated, so the
 * community's level and when it next rises come from a few heap heads. The communities wait in one heap by when
 * something in them next changes (a case goes stale, or the level passes what the last alert said), so a sweep looks
 * only at communities with something due. A sweep only decides; applying the alert event it decided moves the cases
 * stale by the event's time into the count and records the alert's level, so nothing is alerted twice.
 */
import type { CaseContext } from '../../../shared/events.js';
import { MAX_ALERT_CASES, type RiskRules } from '../../../shared/risk.js';
import { HOUR_MS } from '../../../shared/time.js';
import type { AlertLevel } from '../../../shared/vocabulary.js';
import { IndexedHeap } from './heap.js';
import { moreSevere, severityOf } from './levels.js';
import type { Signal } from './signals.js';

type StaleSettings = RiskRules['staleHighSeverity'];

interface Point {
  afterMs: number;
  level: AlertLevel;
  afterHours: number;
}

export interface StaleCase {
  caseId: string;
  category: string;
  streetCode: string;
  communityCode: string;
  severity: number;
  reportedAt: number;
  /** In its community's count: an alert event on the community applied after the case went stale. */
  counted: boolean;
}

export interface StaleSnapshot {
  /** Open cases watched, in the order they were tracked. */
  cases: StaleCase[];
  /** Per community (by code), the level of the alert its last stale alert event left: only a higher one is news. */
  covered: Array<[communityCode: string, level: AlertLevel]>;
}

/** The escalation points of a case with this severity, earliest first, each more severe than the last. */
export function escalationPoints(settings: StaleSettings, severity: number): Point[] {
  const applicable = settings.levels
    .filter((l) => severity >= l.minSeverity)
    .map((l) => ({ afterMs: l.afterHours * HOUR_MS, level: l.level, afterHours: l.afterHours }))
    .sort((a, b) => a.afterMs - b.afterMs || severityOf(b.level) - severityOf(a.level));
  const points: Point[] = [];
  for (const p of applicable) if (!points.length || moreSevere(p.level, points.at(-1)!.level)) points.push(p);
  return points;
}

/** Severities as the rules see them: whole numbers 0–5. */
const rank = (severity: number): number => Math.max(0, Math.min(5, Math.round(severity)));

/** One community's watched cases. */
class Community {
  streetCode = '';
  /** Open cases not counted yet, by when they go stale. */
  readonly pending = new IndexedHeap();
  /** Counted cases per severity rank, by reportedAt: the head is the oldest, so the most escalated. */
  readonly stale = new Map<number, IndexedHeap>();
  staleCount = 0;
  covered: AlertLevel | undefined;

  group(severity: number): IndexedHeap {
    let heap = this.stale.get(severity);
    if (!heap) this.stale.set(severity, (heap = new IndexedHeap()));
    return heap;
  }
}

export class StaleRule {
  readonly #points: Point[][];
  readonly #cases = new Map<string, StaleCase>();
  readonly #communities = new Map<string, Community>();
  /** Communities by when their alert may next change. */
  readonly #due = new IndexedHeap();

  constructor(settings: StaleSettings) {
    this.#points = [0, 1, 2, 3, 4, 5].map((s) => escalationPoints(settings, s));
  }

  get size(): number {
    return this.#cases.size;
  }

  /** Starts watching an open case (reported, or reopened: then it counts again once an alert event takes it in). */
  track(c: CaseContext): void {
    if (!this.#pointsOf(c.severity).length || this.#cases.has(c.caseId)) return;
    const { caseId, category, streetCode, communityCode, severity } = c;
    this.#add({ caseId, category, streetCode, communityCode, severity, reportedAt: Date.parse(c.reportedAt), counted: false });
  }

  /** The case was resolved: it stops counting. */
  close(caseId: string): void {
    const c = this.#cases.get(caseId);
    if (!c) return;
    this.#cases.delete(caseId);
    const community = this.#communities.get(c.communityCode)!;
    if (c.counted) {
      community.stale.get(rank(c.severity))!.delete(caseId);
      community.staleCount -= 1;
    } else {
      community.pending.delete(caseId);
    }
    this.#reschedule(c.communityCode, community);
  }

  /**
   * A stale alert event on the community at `at` was applied, leaving its alert at `level`: the cases stale by `at`
   * count from now on, and later escalations only matter if they are more severe than `level`.
   */
  alerted(communityCode: string, level: AlertLevel, at: number): void {
    const community = this.#community(communityCode);
    for (const { id } of community.pending.upTo(at)) {
      const c = this.#cases.get(id)!;
      community.pending.delete(id);
      community.group(rank(c.severity)).set(id, c.reportedAt);
      community.staleCount += 1;
      c.counted = true;
    }
    community.covered = level;
    this.#reschedule(communityCode, community);
  }

  /** One signal per community with something due at `now`. Changes nothing. */
  due(now: number): Signal[] {
    const out: Signal[] = [];
    for (const { id } of this.#due.upTo(now)) {
      const signal = this.#signal(id, this.#communities.get(id)!, now);
      if (signal) out.push(signal);
    }
    return out;
  }

  /**
   * The community's stale cases at `now`, counted ones and those gone stale since (fresh): how many, the most
   * severe level any has reached, and the most severe, oldest ones first. `count` is the fresh ones, so an open
   * alert is updated when there are any; without them, only a more severe level updates it.
   */
  #signal(communityCode: string, community: Community, now: number): Signal | undefined {
    const fresh = new Map<number, StaleCase[]>();
    let freshCount = 0;
    for (const { id } of community.pending.upTo(now)) {
      const c = this.#cases.get(id)!;
      const list = fresh.get(rank(c.severity));
      if (list) list.push(c);
      else fresh.set(rank(c.severity), [c]);
      freshCount += 1;
    }
    let reached: Point | undefined;
    let maxSeverity = 0;
    let oldest = Infinity;
    const caseIds: string[] = [];
    for (let s = 5; s >= 0; s--) {
      const group = community.stale.get(s);
      const news = (fresh.get(s) ?? []).sort(byAge);
      const head = group?.peek();
      if (!head && !news.length) continue;
      maxSeverity ||= s;
      const first = Math.min(head?.key ?? Infinity, news[0]?.reportedAt ?? Infinity);
      oldest = Math.min(oldest, first);
      const point = this.#pointsOf(s).findLast((p) => first + p.afterMs <= now);
      if (point && (!reached || moreSevere(point.level, reached.level))) reached = point;
      // Oldest first within a severity: merge the counted ones with the fresh ones.
      const counted = group?.smallest(MAX_ALERT_CASES - caseIds.length) ?? [];
      let i = 0;
      let j = 0;
      while (caseIds.length < MAX_ALERT_CASES && (i < counted.length || j < news.length)) {
        const a = counted[i];
        const b = news[j];
        caseIds.push(!b || (a && (a.key < b.reportedAt || (a.key === b.reportedAt && a.id < b.caseId))) ? counted[i++]!.id : news[j++]!.caseId);
      }
    }
    if (!reached || !caseIds.length) return undefined;
    return {
      rule: 'staleHighSeverity',
      scope: { kind: 'community', key: communityCode },
      // The most severe, oldest case's: it decides whether a sensitive period raises the level.
      category: this.#cases.get(caseIds[0]!)!.category,
      level: reached.level,
      count: freshCount,
      facts: { cases: community.staleCount + freshCount, maxSeverity, oldestHours: Math.floor((now - oldest) / HOUR_MS), afterHours: reached.afterHours },
      caseIds,
      streetCode: community.streetCode,
      communityCode,
    };
  }

  #pointsOf(severity: number): Point[] {
    return this.#points[rank(severity)]!;
  }

  #community(code: string): Community {
    let community = this.#communities.get(code);
    if (!community) this.#communities.set(code, (community = new Community()));
    return community;
  }

  #add(c: StaleCase): void {
    this.#cases.set(c.caseId, c);
    const community = this.#community(c.communityCode);
    community.streetCode = c.streetCode;
    if (c.counted) {
      community.group(rank(c.severity)).set(c.caseId, c.reportedAt);
      community.staleCount += 1;
    } else {
      community.pending.set(c.caseId, c.reportedAt + this.#pointsOf(c.severity)[0]!.afterMs);
    }
    this.#reschedule(c.communityCode, community);
  }

  /** When the community's alert may next change: a case goes stale, or an oldest case passes the covered level. */
  #reschedule(code: string, community: Community): void {
    let next = community.pending.peek()?.key ?? Infinity;
    for (const [s, group] of community.stale) {
      const head = group.peek();
      if (!head) continue;
      const covered = community.covered;
      const point = this.#pointsOf(s).find((p) => !covered || moreSevere(p.level, covered));
      if (point) next = Math.min(next, head.key + point.afterMs);
    }
    if (next === Infinity) this.#due.delete(code);
    else this.#due.set(code, next);
  }

  snapshot(): StaleSnapshot {
    const covered: Array<[string, AlertLevel]> = [];
    for (const [code, c] of this.#communities) if (c.covered) covered.push([code, c.covered]);
    covered.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { cases: [...this.#cases.values()].map((c) => ({ ...c })), covered };
  }

  restore(data: StaleSnapshot): void {
    for (const [code, level] of data.covered) this.#community(code).covered = level;
    for (const c of data.cases) this.#add({ ...c });
  }
}

const byAge = (a: StaleCase, b: StaleCase): number => a.reportedAt - b.reportedAt || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0);
