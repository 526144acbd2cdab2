/** Event drafts for store-level tests, on real codes of 龙岗区: a case, its steps, an alert and its steps. */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../shared/dispatch.js';
import type { CaseContext, EventDraft } from '../../shared/events.js';
import { BANTIAN, GANGTOU } from './factories.js';

const at = '2026-03-02T08:00:00.000Z';
const duty: Actor = { role: 'duty', id: 'duty-1' };

function context(caseId: string): CaseContext {
  return { caseId, kind: 'dispute', category: 'labour', streetCode: BANTIAN, communityCode: GANGTOU, severity: 3, peopleInvolved: 2, weight: 3, reportedAt: at };
}

export function reported(caseId: string): EventDraft {
  return { id: randomUUID(), type: 'case.reported', data: { ...context(caseId), source: 'hotline', title: '欠薪', parties: [] } };
}

export function triaged(caseId: string, sourceKey?: string): EventDraft {
  const draft: EventDraft = { id: randomUUID(), type: 'case.triaged', data: { case: context(caseId), actor: duty, at, tier: 'community', channel: 'people' } };
  if (sourceKey) draft.sourceKey = sourceKey;
  return draft;
}

export function whistled(caseId: string, alertId: string): EventDraft {
  return {
    id: randomUUID(),
    type: 'case.whistled',
    data: { case: context(caseId), actor: duty, at, whistleId: randomUUID(), urgency: 'normal', tier: 'community', assignments: [], alertId },
  };
}

export function raised(alertId: string): EventDraft {
  return { id: randomUUID(), type: 'alert.raised', data: { alertId, source: 'system', level: 'yellow', title: '风险', streetCode: BANTIAN, raisedAt: at } };
}

export function acknowledged(alertId: string): EventDraft {
  return { id: randomUUID(), type: 'alert.acknowledged', data: { alertId, actor: duty, at, streetCode: BANTIAN } };
}
