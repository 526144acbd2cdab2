/**
 * Showing a case's personal data in full (查看完整信息): the duty officer or leader gives a reason, the server audits
 * it and answers the unmasked detail. It is held for the selected case only, in memory: choosing another case,
 * closing the detail or reloading the page shows the masked detail again.
 */
import type { CaseDetail } from '../../shared/api.js';
import type { Failure } from './api-transport.js';
import type { UnmaskOutcome } from './dispatch-api.js';

export type UnmaskStep = 'idle' | 'asking' | 'sending';

/** What the case detail panel gets to offer unmasking: the step it is at and the user's intents. */
export interface UnmaskControls {
  step: UnmaskStep;
  error: Failure<never> | null;
  onask: () => void;
  oncancel: () => void;
  onsubmit: (reason: string) => void;
  onhide: () => void;
}

export class CaseUnmask {
  #full = $state.raw<CaseDetail | null>(null);
  #step = $state<UnmaskStep>('idle');
  #error = $state.raw<Failure<never> | null>(null);
  readonly #unmask: (caseId: string, reason: string) => Promise<UnmaskOutcome>;

  constructor(unmask: (caseId: string, reason: string) => Promise<UnmaskOutcome>) {
    this.#unmask = unmask;
  }

  get step(): UnmaskStep {
    return this.#step;
  }
  get error(): Failure<never> | null {
    return this.#error;
  }

  /** Opens the reason form. */
  ask(): void {
    this.#step = 'asking';
    this.#error = null;
  }

  cancel(): void {
    this.#step = 'idle';
    this.#error = null;
  }

  /** Masks again: forgets the full detail (also when another case is chosen). */
  reset(): void {
    this.#full = null;
    this.cancel();
  }

  async submit(caseId: string, reason: string): Promise<void> {
    this.#step = 'sending';
    this.#error = null;
    let outcome: UnmaskOutcome;
    try {
      outcome = await this.#unmask(caseId, reason);
    } catch {
      outcome = { ok: false, error: { kind: 'network' } };
    }
    if (outcome.ok) {
      this.#full = outcome.result;
      this.#step = 'idle';
    } else {
      this.#error = outcome.error;
      this.#step = 'asking';
    }
  }

  /**
   * The detail to show: the full one while it is for this case. When the case has moved on since (a new version from a
   * refetch), its new state and timeline with the reported facts in full (a report's title and parties do not change).
   */
  view(detail: CaseDetail): CaseDetail {
    const full = this.#full;
    if (!full || full.case.id !== detail.case.id) return detail;
    if (full.case.version === detail.case.version) return full;
    const { description: _masked, ...rest } = detail;
    return { ...rest, title: full.title, parties: full.parties, masked: false, ...(full.description !== undefined && { description: full.description }) };
  }
}

/** The controls for the panel, bound to one case. */
export function unmaskControls(unmask: CaseUnmask, caseId: string): UnmaskControls {
  return {
    step: unmask.step,
    error: unmask.error,
    onask: () => unmask.ask(),
    oncancel: () => unmask.cancel(),
    onsubmit: (reason) => void unmask.submit(caseId, reason),
    onhide: () => unmask.reset(),
  };
}
