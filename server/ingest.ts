/**
 * The intake service: decides a batch against committed and in-flight state, appends it durably, and answers
 * with what was stored. Decided cases are held in the workspace so two concurrent requests cannot both resolve one case.
 */
import type { FieldError, IntakeEvent, IntakeResult } from '../shared/intake.js';
import { decideIntake } from './domain/intake.js';
import { uuidv7 } from './domain/ids.js';
import type { DistrictData } from './district-data.js';
import type { CaseWorkspace } from './in-flight.js';
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
  constructor(
    private readonly deps: { store: EventStore; cases: CaseWorkspace; district: DistrictData; clock: () => number; newId?: () => string },
  ) {}

  async ingest(events: readonly IntakeEvent[], pathPrefix: (i: number) => string): Promise<IngestOutcome> {
    const decision = decideIntake(
      events,
      { district: this.deps.district, cases: this.deps.cases, now: this.deps.clock(), newId: this.deps.newId ?? (() => uuidv7(this.deps.clock())) },
      pathPrefix,
    );
    if (!decision.ok) throw new IntakeRejected(decision.errors);
    const held = this.deps.cases.hold(decision.cases);
    try {
      const outcomes = await this.deps.store.append(decision.drafts);
      return {
        created: outcomes.some((o) => !o.duplicate),
        results: outcomes.map(({ event, duplicate }, index) => ({
          index,
          id: event.id,
          seq: event.seq,
          type: event.type as IntakeResult['type'],
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
}
