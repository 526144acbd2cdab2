/**
 * The intake service: decides a batch against committed and in-flight state, appends it durably, and answers
 * with what was stored. In-flight work is tracked so two concurrent requests cannot both resolve one case.
 */
import type { FieldError, IntakeEvent, IntakeResult } from '../shared/intake.js';
import type { CaseRecord } from './domain/case-index.js';
import { decideIntake, type CaseLookup } from './domain/intake.js';
import { uuidv7 } from './domain/ids.js';
import type { DistrictData } from './district-data.js';
import type { Projections } from './projections.js';
import type { EventStore } from './store/event-store.js';

export class IntakeRejected extends Error {
  constructor(readonly errors: FieldError[]) {
    super('invalid events');
  }
}

export interface IngestOutcome {
  created: boolean;
  results: IntakeResult[];
}

export class Ingestor {
  readonly #inFlightById = new Map<string, CaseRecord>();
  readonly #inFlightByKey = new Map<string, CaseRecord>();
  readonly #cases: CaseLookup;

  constructor(
    private readonly deps: { store: EventStore; projections: Projections; district: DistrictData; clock: () => number; newId?: () => string },
  ) {
    const index = deps.projections.cases;
    this.#cases = {
      byId: (id) => this.#inFlightById.get(id) ?? index.get(id),
      bySourceKey: (key) => this.#inFlightByKey.get(key) ?? index.bySourceKey(key),
    };
  }

  async ingest(events: readonly IntakeEvent[], pathPrefix: (i: number) => string): Promise<IngestOutcome> {
    const decision = decideIntake(
      events,
      { district: this.deps.district, cases: this.#cases, now: this.deps.clock(), newId: this.deps.newId ?? (() => uuidv7(this.deps.clock())) },
      pathPrefix,
    );
    if (!decision.ok) throw new IntakeRejected(decision.errors);
    const held = this.#hold(decision.cases);
    try {
      const outcomes = await this.deps.store.append(decision.drafts);
      return {
        created: outcomes.some((o) => !o.duplicate),
        results: outcomes.map(({ event, duplicate }, index) => ({
          index,
          id: event.id,
          seq: event.seq,
          type: event.type,
          duplicate,
          ...(event.type === 'case.reported' && { caseId: event.data.caseId }),
          ...(event.type === 'case.resolved' && { caseId: event.data.case.caseId }),
          ...(event.type === 'alert.raised' && { alertId: event.data.alertId }),
        })),
      };
    } finally {
      held();
    }
  }

  /** Makes the decided cases visible to concurrent decisions until their events are committed (or fail). */
  #hold(records: readonly CaseRecord[]): () => void {
    for (const r of records) {
      this.#inFlightById.set(r.id, r);
      if (r.sourceKey) this.#inFlightByKey.set(r.sourceKey, r);
    }
    return () => {
      for (const r of records) {
        if (this.#inFlightById.get(r.id) === r) this.#inFlightById.delete(r.id);
        if (r.sourceKey && this.#inFlightByKey.get(r.sourceKey) === r) this.#inFlightByKey.delete(r.sourceKey);
      }
    };
  }
}
