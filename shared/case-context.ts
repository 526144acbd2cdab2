/**
 * Who a case is about, where it sits, and who acts on it: the types the event, command, lifecycle, masking and API
 * modules all speak of, in a module that imports none of them (so none of them import each other for these).
 */
import type { ActorRole, CaseKind, PartyRole } from './vocabulary.js';

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

/** Who did something. `deptId` is set for department users; `id` is a user id, a source name or `timer`. */
export interface Actor {
  role: ActorRole;
  id: string;
  name?: string;
  deptId?: string;
}
