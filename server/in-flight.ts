/**
 * Cases as committed, overlaid with what decided-but-uncommitted writes will make of them. Intake and dispatch
 * commands decide against this one view, so two concurrent writes can never both act on the same old state.
 */
import type { CaseIndex, CaseRecord } from './domain/case-index.js';
import type { CaseLookup } from './domain/intake.js';

export class CaseWorkspace implements CaseLookup {
  readonly #byId = new Map<string, CaseRecord>();
  readonly #byKey = new Map<string, CaseRecord>();

  constructor(private readonly index: CaseIndex) {}

  byId(id: string): CaseRecord | undefined {
    return this.#byId.get(id) ?? this.index.get(id);
  }

  bySourceKey(key: string): CaseRecord | undefined {
    return this.#byKey.get(key) ?? this.index.bySourceKey(key);
  }

  /** Makes the decided cases visible to concurrent decisions until their events are committed (or fail). */
  hold(records: readonly CaseRecord[]): () => void {
    for (const r of records) {
      this.#byId.set(r.id, r);
      if (r.sourceKey) this.#byKey.set(r.sourceKey, r);
    }
    return () => {
      for (const r of records) {
        if (this.#byId.get(r.id) === r) this.#byId.delete(r.id);
        if (r.sourceKey && this.#byKey.get(r.sourceKey) === r) this.#byKey.delete(r.sourceKey);
      }
    };
  }
}
