/**
 * Stored domain events: the record (DESIGN.md §4). Each fact is appended once with a gapless, commit-ordered seq.
 * `PublicEvent` is the wall-safe view of one: no titles, descriptions or parties ever leave the server in it.
 */
import type { AlertLevel, CaseKind, CaseSource, EventSource, Outcome, PetitionForm, PartyRole } from './vocabulary.js';

export interface Party {
  role: PartyRole;
  name: string;
  phone?: string;
  idNumber?: string;
}

/** Where a case sits and how heavy it is: copied into later events so every fold stays self-contained. */
export interface CaseContext {
  caseId: string;
  kind: CaseKind;
  category: string;
  streetCode: string;
  communityCode: string;
  severity: number;
  peopleInvolved: number;
  /** Heat weight: severity × category weight, fixed at intake so replays never depend on today's data files. */
  weight: number;
  reportedAt: string;
}

export interface CaseReportedData extends CaseContext {
  source: CaseSource;
  petitionForm?: PetitionForm;
  title: string;
  description?: string;
  location?: { lat: number; lng: number };
  occurredAt?: string;
  parties: Party[];
}

export interface CaseResolvedData {
  case: CaseContext;
  source: EventSource;
  outcome: Outcome;
  note?: string;
  resolvedAt: string;
}

export interface AlertRaisedData {
  alertId: string;
  source: EventSource;
  level: AlertLevel;
  title: string;
  description?: string;
  streetCode: string;
  communityCode?: string;
  raisedAt: string;
}

export interface DomainEventDataMap {
  'case.reported': CaseReportedData;
  'case.resolved': CaseResolvedData;
  'alert.raised': AlertRaisedData;
}
export type DomainEventType = keyof DomainEventDataMap;

/** An event before the store has given it a seq. `sourceKey` makes intake idempotent. */
export type EventDraft = {
  [T in DomainEventType]: { id: string; type: T; sourceKey?: string; data: DomainEventDataMap[T] };
}[DomainEventType];

export type StoredEvent = {
  [T in DomainEventType]: { seq: number; id: string; at: string; type: T; sourceKey?: string; data: DomainEventDataMap[T] };
}[DomainEventType];

export interface PublicCaseReported {
  seq: number;
  id: string;
  at: string;
  type: 'case.reported';
  case: CaseContext;
  source: CaseSource;
  petitionForm?: PetitionForm;
  location?: { lat: number; lng: number };
}

export interface PublicCaseResolved {
  seq: number;
  id: string;
  at: string;
  type: 'case.resolved';
  case: CaseContext;
  outcome: Outcome;
  resolvedAt: string;
}

export interface PublicAlertRaised {
  seq: number;
  id: string;
  at: string;
  type: 'alert.raised';
  alertId: string;
  level: AlertLevel;
  title: string;
  streetCode: string;
  communityCode?: string;
  raisedAt: string;
}

export type PublicEvent = PublicCaseReported | PublicCaseResolved | PublicAlertRaised;

function caseContext(c: CaseContext): CaseContext {
  const { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = c;
  return { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
}

/** Builds the public view field by field (an allow-list), so a field added to the record is private until listed here. */
export function toPublicEvent(event: StoredEvent): PublicEvent {
  const { seq, id, at } = event;
  switch (event.type) {
    case 'case.reported': {
      const d = event.data;
      const pub: PublicCaseReported = { seq, id, at, type: event.type, case: caseContext(d), source: d.source };
      if (d.petitionForm) pub.petitionForm = d.petitionForm;
      if (d.location) pub.location = { lat: d.location.lat, lng: d.location.lng };
      return pub;
    }
    case 'case.resolved':
      return { seq, id, at, type: event.type, case: caseContext(event.data.case), outcome: event.data.outcome, resolvedAt: event.data.resolvedAt };
    case 'alert.raised': {
      const d = event.data;
      const pub: PublicAlertRaised = { seq, id, at, type: event.type, alertId: d.alertId, level: d.level, title: d.title, streetCode: d.streetCode, raisedAt: d.raisedAt };
      if (d.communityCode) pub.communityCode = d.communityCode;
      return pub;
    }
  }
}
