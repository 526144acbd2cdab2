import type { CaseState } from './lifecycle.js';
import type { CaseKind, CaseSource } from './vocabulary.js';

/** A case as any audience may see it: its facts and lifecycle state, no title, description or parties. */
export interface CaseSummary extends CaseState {
  id: string;
  seq: number;
  kind: CaseKind;
  category: string;
  source: CaseSource;
  streetCode: string;
  communityCode: string;
  severity: number;
  peopleInvolved: number;
  weight: number;
  reportedAt: string;
}
