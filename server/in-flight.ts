/**
 * Cases as committed, overlaid with what decided-but-uncommitted writes will make of them. Intake and dispatch
 * commands decide against this one view, so two concurrent writes can never both act on the same old state.
 *
 * Dispatch commands go further and wait (`settled`) until no write holds their case, then decide on committed state
 * alone: their append precondition (server/commands.ts) names the seq that state reflects, and an event still in
 * flight on this node would land after it and refuse the command, though it decided knowing that event.
 */
import type { CaseIndex, CaseRecord } from './domain/case-index.js';
import type { CaseLookup } from './domain/intake.js';

/** The writes holding one case: how many, and a promise that settles when the last lets go. */
interface Holds {
  count: number;
  settled: Promise<void>;
  resolve: () => void;
}

export class CaseWorkspace implements CaseLookup {
  readonly #byId = new Map<string, CaseRecord>();
  readonly #byKey = new Map<string, CaseRecord>();
  readonly #holds = new Map<string, Holds>();

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
      this.#take(r.id);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const r of records) {
        if (this.#byId.get(r.id) === r) this.#byId.delete(r.id);
        if (r.sourceKey && this.#byKey.get(r.sourceKey) === r) this.#byKey.delete(r.sourceKey);
        this.#letGo(r.id);
      }
    };
  }

  /** Settles when no write holds the case any more; undefined when none does now. */
  settled(id: string): Promise<void> | undefined {
    return this.#holds.get(id)?.settled;
  }

  #take(id: string): void {
    const holds = this.#holds.get(id);
    if (holds) {
      holds.count += 1;
      return;
    }
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    this.#holds.set(id, { count: 1, settled, resolve });
  }

  #letGo(id: string): void {
    const holds = this.#holds.get(id)!;
    if (--holds.count > 0) return;
    this.#holds.delete(id);
    holds.resolve();
  }
}
