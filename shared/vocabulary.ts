/** Domain vocabulary (docs/architecture.md §2). Codes are stable identifiers; labels live in the i18n tables and data/. */

export const caseKinds = ['dispute', 'petition'] as const;
export type CaseKind = (typeof caseKinds)[number];

export const petitionForms = ['visit', 'letter', 'online'] as const;
export type PetitionForm = (typeof petitionForms)[number];

/** Where a petition was lodged; above `district` with nothing lodged lower is 越级 (skipping a tier). */
export const petitionLevels = ['street', 'district', 'city', 'province', 'national'] as const;
export type PetitionLevel = (typeof petitionLevels)[number];

/** 来源: where a case entered the system. */
export const caseSources = ['grid', 'hotline', 'walkin', 'court', 'police', 'online'] as const;
export type CaseSource = (typeof caseSources)[number];

/** Systems that may push events: the case sources plus monitoring systems that raise alerts. */
export const eventSources = [...caseSources, 'system'] as const;
export type EventSource = (typeof eventSources)[number];

export const outcomes = ['mediated', 'withdrawn', 'litigation', 'unresolved'] as const;
export type Outcome = (typeof outcomes)[number];

export const alertLevels = ['red', 'orange', 'yellow', 'blue'] as const;
export type AlertLevel = (typeof alertLevels)[number];

export const partyRoles = ['applicant', 'respondent', 'other'] as const;
export type PartyRole = (typeof partyRoles)[number];

/** 层级: the tier that owns a case ("小事不出村、大事不出镇、矛盾不上交"). Order matters: escalation moves right. */
export const tiers = ['community', 'street', 'district'] as const;
export type Tier = (typeof tiers)[number];

/** 调解渠道 (三调联动). */
export const channels = ['people', 'administrative', 'judicial'] as const;
export type Channel = (typeof channels)[number];

/** 特急 / 紧急 / 一般: sets each department's deadlines; only `critical` counts clock hours. */
export const urgencies = ['critical', 'urgent', 'normal'] as const;
export type Urgency = (typeof urgencies)[number];

/** Where a case is in the closed loop (docs/architecture.md §3). */
export const caseStatuses = [
  'received',
  'triaged',
  'whistled',
  'handling',
  'returned',
  'reopened',
  'resolved',
  'confirmed',
  'followedUp',
  'archived',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** Statuses in which a case still needs work; the rest count as closed on the wall. */
export const openStatuses: readonly CaseStatus[] = ['received', 'triaged', 'whistled', 'handling', 'returned', 'reopened'];
export function isOpenStatus(status: CaseStatus): boolean {
  return openStatuses.includes(status);
}

/** Who did something: every lifecycle event names its actor. */
export const actorRoles = ['duty', 'dept', 'leader', 'system', 'integration'] as const;
export type ActorRole = (typeof actorRoles)[number];

export interface Localized {
  zh: string;
  en: string;
}
