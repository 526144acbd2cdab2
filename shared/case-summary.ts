import type { CaseContext } from './case-context.js';
import type { CaseState } from './lifecycle.js';
import type { CaseSource } from './vocabulary.js';

/**
 * A case as any audience may see it: its facts (the context every later event copies, under `id`), its source and
 * lifecycle state; no title, description or parties.
 */
export interface CaseSummary extends CaseState, Omit<CaseContext, 'caseId'> {
  id: string;
  seq: number;
  source: CaseSource;
}
