/** Domain vocabulary (DESIGN.md §2). Codes are stable identifiers; labels live in the i18n tables and data/. */

export const caseKinds = ['dispute', 'petition'] as const;
export type CaseKind = (typeof caseKinds)[number];

export const petitionForms = ['visit', 'letter', 'online'] as const;
export type PetitionForm = (typeof petitionForms)[number];

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

/** Case status as far as intake knows it; the dispatch lifecycle refines `open` later. */
export const caseStatuses = ['open', 'resolved'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export interface Localized {
  zh: string;
  en: string;
}
