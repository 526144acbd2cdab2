/**
 * Every alert as the duty desk and the leader see it: a fold over the alert events — raised by outside systems
 * through intake or by the rules, updated, acknowledged, closed — and over whistles blown from an alert (which
 * acknowledge it on the whistler's behalf). `version` is the seq of the alert's latest event, for commands.
 * Closed alerts beyond `maxClosed` are forgotten oldest-closed first, so memory stays bounded on a long log.
 */
import type { StoredEvent } from '../../../shared/events.js';
import { alertLevels, type AlertRecord, type AlertStatus, type RiskRuleId } from '../../../shared/risk.js';
import type { AlertLevel } from '../../../shared/vocabulary.js';

export interface AlertFilter {
  status?: AlertStatus | 'open';
  level?: AlertLevel;
  streetCode?: string;
  communityCode?: string;
  rule?: RiskRuleId | 'external';
  limit?: number;
}

export interface RegistrySnapshot {
  records: AlertRecord[];
  closedOrder: string[];
}

export const MAX_CLOSED_ALERTS = 20_000;

export class AlertRegistry {
  /** In the order raised, i.e. seq order. */
  readonly #records = new Map<string, AlertRecord>();
  #closedOrder: string[] = [];
  #closedHead = 0;
  readonly #maxClosed: number;

  constructor(options: { maxClosed?: number } = {}) {
    this.#maxClosed = options.maxClosed ?? MAX_CLOSED_ALERTS;
  }

  get size(): number {
    return this.#records.size;
  }

  get(id: string): AlertRecord | undefined {
    return this.#records.get(id);
  }

  /** Newest first. status 'open' = raised or acknowledged. */
  list(filter: AlertFilter = {}): AlertRecord[] {
    const out: AlertRecord[] = [];
    const limit = filter.limit ?? Infinity;
    const all = [...this.#records.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const a = all[i]!;
      if (filter.status && (filter.status === 'open' ? a.status === 'closed' : a.status !== filter.status)) continue;
      if (filter.level && a.level !== filter.level) continue;
      if (filter.streetCode && a.streetCode !== filter.streetCode) continue;
      if (filter.communityCode && a.communityCode !== filter.communityCode) continue;
      if (filter.rule && (filter.rule === 'external' ? a.rule !== undefined : a.rule !== filter.rule)) continue;
      out.push(a);
    }
    return out;
  }

  openByLevel(): Record<AlertLevel, number> {
    const counts = Object.fromEntries(alertLevels.map((l) => [l, 0])) as Record<AlertLevel, number>;
    for (const a of this.#records.values()) if (a.status !== 'closed') counts[a.level] += 1;
    return counts;
  }

  apply(event: StoredEvent): void {
    switch (event.type) {
      case 'alert.raised': {
        const d = event.data;
        if (this.#records.has(d.alertId)) return;
        const record: AlertRecord = {
          id: d.alertId,
          seq: event.seq,
          version: event.seq,
          source: d.source,
          level: d.level,
          title: d.title,
          streetCode: d.streetCode,
          raisedAt: d.raisedAt,
          lastSignalAt: d.raisedAt,
          updates: 0,
          status: 'raised',
          caseIds: [...(d.caseIds ?? [])],
          facts: { ...d.facts },
          periods: [...(d.periods ?? [])],
          whistles: [],
        };
        if (d.rule) record.rule = d.rule;
        if (d.scope) record.scope = { kind: d.scope.kind, key: d.scope.key };
        if (d.category) record.category = d.category;
        if (d.description) record.description = d.description;
        if (d.communityCode) record.communityCode = d.communityCode;
        this.#records.set(d.alertId, record);
        return;
      }
      case 'alert.updated': {
        const d = event.data;
        const a = this.#records.get(d.alertId);
        if (!a) return;
        a.version = event.seq;
        a.level = d.level;
        if (d.title) a.title = d.title;
        a.facts = { ...d.facts };
        a.caseIds = [...d.caseIds];
        a.periods = [...d.periods];
        a.lastSignalAt = d.updatedAt;
        a.updates += 1;
        return;
      }
      case 'alert.acknowledged': {
        const d = event.data;
        const a = this.#records.get(d.alertId);
        if (!a) return;
        a.version = event.seq;
        if (a.status !== 'raised') return;
        a.status = 'acknowledged';
        a.acknowledged = { actor: { ...d.actor }, at: d.at, ...(d.note && { note: d.note }) };
        return;
      }
      case 'alert.closed': {
        const d = event.data;
        const a = this.#records.get(d.alertId);
        if (!a) return;
        a.version = event.seq;
        if (a.status === 'closed') return;
        a.status = 'closed';
        a.closed = { actor: { ...d.actor }, at: d.at, note: d.note, ...(d.auto && { auto: true }) };
        this.#forgetOldClosed(a.id);
        return;
      }
      case 'case.whistled': {
        const d = event.data;
        const a = d.alertId ? this.#records.get(d.alertId) : undefined;
        if (!a) return;
        a.version = event.seq;
        a.whistles.push({ caseId: d.case.caseId, whistleId: d.whistleId });
        if (a.status === 'raised') {
          a.status = 'acknowledged';
          a.acknowledged = { actor: { ...d.actor }, at: d.at };
        }
        return;
      }
      default:
    }
  }

  #forgetOldClosed(id: string): void {
    this.#closedOrder.push(id);
    while (this.#closedOrder.length - this.#closedHead > this.#maxClosed) this.#records.delete(this.#closedOrder[this.#closedHead++]!);
    if (this.#closedHead > 1024 && this.#closedHead * 2 > this.#closedOrder.length) {
      this.#closedOrder = this.#closedOrder.slice(this.#closedHead);
      this.#closedHead = 0;
    }
  }

  snapshot(): RegistrySnapshot {
    return { records: structuredClone([...this.#records.values()]), closedOrder: this.#closedOrder.slice(this.#closedHead) };
  }

  /** Replaces the contents with a snapshot's. */
  load(data: RegistrySnapshot): void {
    this.#records.clear();
    for (const r of structuredClone(data.records)) this.#records.set(r.id, r);
    this.#closedOrder = [...data.closedOrder];
    this.#closedHead = 0;
  }
}
