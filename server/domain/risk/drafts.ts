/**
 * The events the engine decides, with deterministic alert ids and source keys (so a replay decides the same ones
 * and the store's sourceKey idempotency swallows a draft committed twice):
 *   raise   al-<triggerSeq>-<rule>-<scopeKind>[-n]   (a sweep: al-s<now>-<rule>-<scopeKey>)   risk:<alertId>
 *   update  risk:<alertId>:<triggerSeq>   (a sweep: risk:<alertId>:s<now>)
 *   close   risk:<alertId>:close
 */
import type { Actor } from '../../../shared/dispatch.js';
import type { EventDraft } from '../../../shared/events.js';
import type { AlertRecord } from '../../../shared/risk.js';
import type { AlertLevel } from '../../../shared/vocabulary.js';
import type { BookEntry } from './book.js';
import type { Signal } from './signals.js';

export const riskActor: Actor = { role: 'system', id: 'risk', name: '风险规则' };

export interface Decided {
  level: AlertLevel;
  periods: string[];
  facts: Signal['facts'];
  at: number;
  triggerSeq?: number;
}

export function raiseDraft(id: string, alertId: string, signal: Signal, title: string, d: Decided): EventDraft {
  return {
    id,
    type: 'alert.raised',
    sourceKey: `risk:${alertId}`,
    data: {
      alertId,
      source: 'system',
      level: d.level,
      title,
      streetCode: signal.streetCode,
      ...(signal.communityCode && { communityCode: signal.communityCode }),
      raisedAt: new Date(d.at).toISOString(),
      rule: signal.rule,
      scope: { ...signal.scope },
      category: signal.category,
      caseIds: [...signal.caseIds],
      facts: d.facts,
      periods: d.periods,
      ...(d.triggerSeq !== undefined && { triggerSeq: d.triggerSeq }),
    },
  };
}

export function updateDraft(id: string, entry: BookEntry, signal: Signal, d: Decided, title: string): EventDraft {
  const tag = d.triggerSeq !== undefined ? String(d.triggerSeq) : `s${d.at}`;
  return {
    id,
    type: 'alert.updated',
    sourceKey: `risk:${entry.alertId}:${tag}`,
    data: {
      alertId: entry.alertId,
      level: d.level,
      title,
      facts: d.facts,
      caseIds: [...signal.caseIds],
      periods: d.periods,
      updatedAt: new Date(d.at).toISOString(),
      ...(d.triggerSeq !== undefined && { triggerSeq: d.triggerSeq }),
      // Where the alert was raised: a respondent's or person's cases may come from other areas later.
      streetCode: entry.streetCode,
      ...(entry.communityCode && { communityCode: entry.communityCode }),
    },
  };
}

export function autoCloseDraft(id: string, alert: AlertRecord, now: number, quietHours: number): EventDraft {
  return {
    id,
    type: 'alert.closed',
    sourceKey: `risk:${alert.id}:close`,
    data: {
      alertId: alert.id,
      actor: riskActor,
      at: new Date(now).toISOString(),
      note: `${quietHours}小时内无新信号且无人签收，系统自动关闭`,
      auto: true,
      streetCode: alert.streetCode,
      ...(alert.communityCode && { communityCode: alert.communityCode }),
    },
  };
}
