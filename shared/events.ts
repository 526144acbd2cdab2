/**
 * Stored domain events: the record (docs/architecture.md §4). Each fact is appended once with a gapless, commit-ordered seq.
 * `PublicEvent` is the wall-safe view of one: no titles, descriptions or parties ever leave the server in it.
 */
import type { Assignment, AssignmentRole, DispatchResolution, LifecycleEventDataMap, LifecycleEventType, Stage } from './dispatch.js';
import { isAccessType, type AccessEventDataMap, type AccessEventType } from './access-events.js';
import { wallAlertTitle } from './masking.js';
import type { AlertChangeType, AlertEventDataMap, RiskRuleId, RuleAlertFields } from './risk.js';
import type { AlertLevel, CaseSource, EventSource, Outcome, PetitionForm, PetitionLevel, Tier, Urgency } from './vocabulary.js';
import type { CaseContext, Party } from './case-context.js';

export type { CaseContext, Party } from './case-context.js';

export interface CaseReportedData extends CaseContext {
  source: CaseSource;
  petitionForm?: PetitionForm;
  /** The level a petition was lodged at (越级 when above the district with nothing lodged lower). */
  petitionLevel?: PetitionLevel;
  title: string;
  description?: string;
  location?: { lat: number; lng: number };
  occurredAt?: string;
  parties: Party[];
}

/** Resolved through intake (an integration: `source`) or by the lead department of a whistle (`actor`, `whistleId`). */
export interface CaseResolvedData extends DispatchResolution {
  case: CaseContext;
  source?: EventSource;
  outcome: Outcome;
  note?: string;
  resolvedAt: string;
}

/** Raised by an outside system through intake, or by a risk rule (then `source` is `system` and the rule fields are set). */
export interface AlertRaisedData extends Partial<RuleAlertFields> {
  alertId: string;
  source: EventSource;
  level: AlertLevel;
  title: string;
  description?: string;
  streetCode: string;
  communityCode?: string;
  raisedAt: string;
}

export interface DomainEventDataMap extends LifecycleEventDataMap, AlertEventDataMap, AccessEventDataMap {
  'case.reported': CaseReportedData;
  'case.resolved': CaseResolvedData;
  'alert.raised': AlertRaisedData;
}
export type DomainEventType = keyof DomainEventDataMap;

/** An event before the store has given it a seq. `sourceKey` makes intake idempotent. */
export type EventDraft = {
  [T in DomainEventType]: { id: string; type: T; sourceKey?: string; data: DomainEventDataMap[T] };
}[DomainEventType];

/** Events about alerts rather than cases: the case folds skip them. */
export const alertEventTypes = ['alert.raised', 'alert.updated', 'alert.acknowledged', 'alert.closed'] as const;
export type AlertEventType = (typeof alertEventTypes)[number];
export function isAlertEvent<E extends { type: DomainEventType }>(event: E): event is Extract<E, { type: AlertEventType }> {
  return (alertEventTypes as readonly string[]).includes(event.type);
}

export function isAccessEvent<E extends { type: DomainEventType }>(event: E): event is Extract<E, { type: AccessEventType }> {
  return isAccessType(event.type);
}

/** A stored event about a case or an alert: what every fold but the access directory reads. */
export type CaseOrAlertEvent = Exclude<StoredEvent, { type: AccessEventType }>;

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
}

export interface PublicCaseResolved {
  seq: number;
  id: string;
  at: string;
  type: 'case.resolved';
  case: CaseContext;
  outcome: Outcome;
  resolvedAt: string;
  whistleId?: string;
  deptId?: string;
  tier?: Tier;
  late?: boolean;
}

/** A lifecycle step as the wall may see it: who (by role and department) and when, never notes or reasons. */
export interface PublicLifecycleEvent {
  seq: number;
  id: string;
  at: string;
  type: LifecycleEventType;
  case: CaseContext;
  actorRole: string;
  whistleId?: string;
  deptId?: string;
  role?: AssignmentRole;
  urgency?: Urgency;
  tier?: Tier;
  fromTier?: Tier;
  toTier?: Tier;
  stage?: Stage;
  auto?: boolean;
  late?: boolean;
  satisfaction?: number;
  reopened?: boolean;
  leadDeptId?: string;
  assignments?: Assignment[];
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
  rule?: RiskRuleId;
  category?: string;
}

/** A later step of an alert: its level, area and who acted by role, never the note. */
export interface PublicAlertChanged {
  seq: number;
  id: string;
  at: string;
  type: AlertChangeType;
  alertId: string;
  streetCode: string;
  communityCode?: string;
  /** Set on `alert.updated`. */
  level?: AlertLevel;
  actorRole?: string;
  auto?: boolean;
}

/** Who may use the system changed: only that, so the stream's seq stays gapless. */
export interface PublicAccessChanged {
  seq: number;
  id: string;
  at: string;
  type: 'access.changed';
}

export type PublicEvent = PublicCaseReported | PublicCaseResolved | PublicAlertRaised | PublicAlertChanged | PublicLifecycleEvent | PublicAccessChanged;
/** A public event that happened somewhere in the district (all but access changes). */
export type PlacedEvent = Exclude<PublicEvent, PublicAccessChanged>;

function caseContext(c: CaseContext): CaseContext {
  const { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = c;
  return { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
}

/** Builds the public view field by field (an allow-list), so a field added to the record is private until listed here. */
export function toPublicEvent(event: StoredEvent): PublicEvent {
  const { seq, id, at } = event;
  if (isAccessEvent(event)) return { seq, id, at, type: 'access.changed' };
  switch (event.type) {
    case 'case.reported': {
      const d = event.data;
      const pub: PublicCaseReported = { seq, id, at, type: event.type, case: caseContext(d), source: d.source };
      if (d.petitionForm) pub.petitionForm = d.petitionForm;
      // No coordinates: a case's point can locate a household; the wall places it at its community's label point.
      return pub;
    }
    case 'case.resolved': {
      const d = event.data;
      const pub: PublicCaseResolved = { seq, id, at, type: event.type, case: caseContext(d.case), outcome: d.outcome, resolvedAt: d.resolvedAt };
      if (d.whistleId) pub.whistleId = d.whistleId;
      if (d.deptId) pub.deptId = d.deptId;
      if (d.tier) pub.tier = d.tier;
      if (d.late !== undefined) pub.late = d.late;
      return pub;
    }
    case 'alert.raised': {
      const d = event.data;
      // An outside system's title is typed text that may name a person: the wall gets a label instead (masking.ts).
      const pub: PublicAlertRaised = { seq, id, at, type: event.type, alertId: d.alertId, level: d.level, title: wallAlertTitle(d), streetCode: d.streetCode, raisedAt: d.raisedAt };
      if (d.communityCode) pub.communityCode = d.communityCode;
      if (d.rule) pub.rule = d.rule;
      if (d.category) pub.category = d.category;
      return pub;
    }
    case 'alert.updated':
    case 'alert.acknowledged':
    case 'alert.closed': {
      const d = event.data;
      const pub: PublicAlertChanged = { seq, id, at, type: event.type, alertId: d.alertId, streetCode: d.streetCode };
      if (d.communityCode) pub.communityCode = d.communityCode;
      if ('level' in d) pub.level = d.level;
      if ('actor' in d) pub.actorRole = d.actor.role;
      if ('auto' in d && d.auto) pub.auto = true;
      return pub;
    }
    default:
      return toPublicLifecycle(event);
  }
}

type LifecycleStored = Extract<StoredEvent, { type: LifecycleEventType }>;

const publicLifecycleFields = ['whistleId', 'deptId', 'role', 'urgency', 'tier', 'fromTier', 'toTier', 'stage', 'auto', 'late', 'satisfaction', 'reopened', 'leadDeptId'] as const;

function toPublicLifecycle(event: LifecycleStored): PublicLifecycleEvent {
  const d = event.data as LifecycleEventDataMap[LifecycleEventType] & Partial<Record<(typeof publicLifecycleFields)[number], unknown>>;
  // `at` is when the step happened (the command's moment), not when it was stored: the same instant for a desk's
  // command, the simulated moment for the demo's history (server/sim/dispatch-history.ts), so the wall's days are right.
  const pub: PublicLifecycleEvent = { seq: event.seq, id: event.id, at: d.at ?? event.at, type: event.type, case: caseContext(d.case), actorRole: d.actor.role };
  const target = pub as unknown as Record<string, unknown>;
  for (const key of publicLifecycleFields) if (d[key] !== undefined) target[key] = d[key];
  if (event.type === 'case.whistled') pub.assignments = event.data.assignments.map((a) => ({ ...a }));
  return pub;
}
