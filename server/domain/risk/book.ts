/**
 * The engine's memory of its own alerts per deduplication key (rule + scope): what is open (raised or acknowledged,
 * or decided and not yet committed), at what level and count, and what was closed recently enough for the cooldown
 * to hold. A decision is recorded at once, so a second trigger before the first alert is committed updates it
 * rather than raising another; the alert events, when applied, confirm or correct the record.
 */
import type { AlertRaisedData } from '../../../shared/events.js';
import type { AlertUpdatedData, AlertScope, RiskRuleId } from '../../../shared/risk.js';
import type { AlertLevel } from '../../../shared/vocabulary.js';
import { maxLevel, moreSevere } from './levels.js';
import { countFact } from './signals.js';

export interface BookEntry {
  key: string;
  alertId: string;
  rule: RiskRuleId;
  scope: AlertScope;
  level: AlertLevel;
  count: number;
  lastSignalAt: number;
  open: boolean;
  periods: string[];
  streetCode: string;
  communityCode?: string;
}

export type Verdict = { kind: 'raise' } | { kind: 'update'; entry: BookEntry } | { kind: 'quiet' };

export interface BookSnapshot {
  entries: BookEntry[];
  cooling: Array<[until: number, key: string, alertId: string]>;
}

export class AlertBook {
  readonly #cooldownMs: number;
  readonly #byKey = new Map<string, BookEntry>();
  /** Open entries by alert id, for the alert events that name only the id. */
  readonly #open = new Map<string, BookEntry>();
  /** Closed entries in closing order, dropped once their cooldown is over. */
  #cooling: Array<[number, string, string]> = [];
  #coolingHead = 0;

  constructor(cooldownMs: number) {
    this.#cooldownMs = cooldownMs;
  }

  get(key: string): BookEntry | undefined {
    return this.#byKey.get(key);
  }

  /** An open alert's entry, which already holds signals decided but not yet committed. */
  openAlert(alertId: string): BookEntry | undefined {
    return this.#open.get(alertId);
  }

  /** What a signal at `level` with `count` should do at `at`. Pure. */
  judge(key: string, level: AlertLevel, count: number, at: number): Verdict {
    const e = this.#byKey.get(key);
    if (!e) return { kind: 'raise' };
    if (e.open) return moreSevere(level, e.level) || count > e.count ? { kind: 'update', entry: e } : { kind: 'quiet' };
    if (at - e.lastSignalAt < this.#cooldownMs && !moreSevere(level, e.level)) return { kind: 'quiet' };
    return { kind: 'raise' };
  }

  recordRaise(entry: BookEntry): void {
    this.#byKey.set(entry.key, entry);
    this.#open.set(entry.alertId, entry);
  }

  recordUpdate(entry: BookEntry, level: AlertLevel, count: number, at: number, periods: string[]): void {
    entry.level = maxLevel(entry.level, level);
    entry.count = Math.max(entry.count, count);
    entry.lastSignalAt = Math.max(entry.lastSignalAt, at);
    entry.periods = periods;
  }

  /** A rule alert was committed: confirms the decision, or records one decided elsewhere (a sweep). */
  onRaised(d: AlertRaisedData & { rule: RiskRuleId; scope: AlertScope }, key: string): BookEntry {
    const current = this.#byKey.get(key);
    if (current?.alertId === d.alertId) return current;
    const fact = countFact[d.rule];
    const count = fact ? Number(d.facts?.[fact] ?? 0) : 0;
    const entry: BookEntry = {
      key,
      alertId: d.alertId,
      rule: d.rule,
      scope: { kind: d.scope.kind, key: d.scope.key },
      level: d.level,
      count: Number.isFinite(count) ? count : 0,
      lastSignalAt: Date.parse(d.raisedAt),
      open: true,
      periods: [...(d.periods ?? [])],
      streetCode: d.streetCode,
      ...(d.communityCode && { communityCode: d.communityCode }),
    };
    this.recordRaise(entry);
    return entry;
  }

  onUpdated(d: AlertUpdatedData): BookEntry | undefined {
    const e = this.#open.get(d.alertId);
    if (!e) return undefined;
    const fact = countFact[e.rule];
    const count = fact ? Number(d.facts[fact] ?? 0) : 0;
    this.recordUpdate(e, d.level, Number.isFinite(count) ? count : 0, Date.parse(d.updatedAt), [...new Set([...e.periods, ...d.periods])]);
    return e;
  }

  onClosed(alertId: string): void {
    const e = this.#open.get(alertId);
    if (!e) return;
    this.#open.delete(alertId);
    e.open = false;
    this.#cooling.push([e.lastSignalAt + this.#cooldownMs, e.key, e.alertId]);
  }

  /** Forgets closed alerts whose cooldown ended before `now` (event time), so memory stays bounded. */
  prune(now: number): void {
    while (this.#coolingHead < this.#cooling.length && this.#cooling[this.#coolingHead]![0] <= now) {
      const [, key, alertId] = this.#cooling[this.#coolingHead++]!;
      const e = this.#byKey.get(key);
      if (e && !e.open && e.alertId === alertId) this.#byKey.delete(key);
    }
    if (this.#coolingHead > 1024 && this.#coolingHead * 2 > this.#cooling.length) {
      this.#cooling = this.#cooling.slice(this.#coolingHead);
      this.#coolingHead = 0;
    }
  }

  snapshot(): BookSnapshot {
    return { entries: [...this.#byKey.values()].map(copy), cooling: this.#cooling.slice(this.#coolingHead) };
  }

  restore(data: BookSnapshot): void {
    for (const e of data.entries) {
      const entry = copy(e);
      this.#byKey.set(entry.key, entry);
      if (entry.open) this.#open.set(entry.alertId, entry);
    }
    this.#cooling = data.cooling.map(([u, k, a]) => [u, k, a]);
  }
}

function copy(e: BookEntry): BookEntry {
  return { ...e, scope: { ...e.scope }, periods: [...e.periods] };
}
