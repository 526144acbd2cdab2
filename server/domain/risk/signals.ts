/** What a rule reports when its condition holds, before deduplication and sensitive periods turn it into an event. */
import type { AlertFacts, AlertScope, RiskRuleId } from '../../../shared/risk.js';
import type { AlertLevel } from '../../../shared/vocabulary.js';

export interface Signal {
  rule: RiskRuleId;
  scope: AlertScope;
  category: string;
  /** The rule's own level, before sensitive periods raise it. */
  level: AlertLevel;
  /**
   * The figure whose growth updates an open alert (0 for rules where only the level counts). Stale cases: how many
   * went stale since the last alert event, so any new one updates the alert even after others were resolved.
   */
  count: number;
  facts: AlertFacts;
  caseIds: string[];
  streetCode: string;
  communityCode?: string;
}

/** Which fact holds each rule's main count, to read it back from an alert event the engine did not decide itself. */
export const countFact: Record<RiskRuleId, string | undefined> = {
  spike: 'observed',
  collective: 'people',
  respondent: 'cases',
  repeatPetition: 'petitions',
  skipTier: 'petitions',
  // Its count is news since the last event, not a figure in the facts: read back as 0, so any new case is growth.
  staleHighSeverity: undefined,
};

/** Rule + scope: the deduplication key of an alert. Spike scopes already name their category in the key. */
export function dedupKey(rule: RiskRuleId, scope: AlertScope): string {
  return `${rule}|${scope.kind}|${scope.key}`;
}

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));
