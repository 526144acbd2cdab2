/**
 * The intake service: decides a batch against committed and in-flight state, appends it durably, and answers
 * with what was stored. Decided cases are held in the workspace so two concurrent requests cannot both resolve one case.
 */
import type { FieldError, IntakeEvent, IntakeResult } from '../shared/intake.js';
import type { EventDraft, StoredEvent } from '../shared/events.js';
import type { CaseRecord } from './domain/case-index.js';
import { decideIntake, differingFields } from './domain/intake.js';
import { uuidv7 } from './domain/ids.js';
import type { DistrictData } from './district-data.js';
import type { CaseWorkspace } from './in-flight.js';
import type { EventStore } from './store/event-store.js';

export class IntakeRejected extends Error {
  constructor(readonly errors: FieldError[]) {
    super('invalid events');
  }
}

/** A sourceRef sent again with another payload: nothing of the request was stored (README, intake). */
export class SourceRefConflict extends Error {
  constructor(readonly errors: FieldError[]) {
    super('sourceRef conflict');
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

  /** `mayTouch`: the cases the sender may resolve (an integration key's scope); absent, any. */
  async ingest(events: readonly IntakeEvent[], pathPrefix: (i: number) => string, mayTouch?: (record: CaseRecord) => boolean): Promise<IngestOutcome> {
    const decision = decideIntake(
      events,
      { district: this.deps.district, cases: this.deps.cases, now: this.deps.clock(), newId: this.deps.newId ?? (() => uuidv7(this.deps.clock())), ...(mayTouch && { mayTouch }) },
      pathPrefix,
    );
    if (!decision.ok) throw new IntakeRejected(decision.errors);
    const { drafts } = decision;
    // A sourceRef already stored (or earlier in this batch) must stand for the same event, or nothing is written.
    const stored = new Map((await this.deps.store.bySourceKeys(drafts.flatMap((d) => (d.sourceKey ? [d.sourceKey] : [])))).map((e) => [e.sourceKey!, e as Pick<StoredEvent, 'type' | 'data'>]));
    const conflicts = conflictsOf(events, drafts, pathPrefix, (draft, i) => {
      const first = stored.get(draft.sourceKey!);
      if (!first) stored.set(draft.sourceKey!, drafts[i]!);
      return first;
    });
    if (conflicts.length) throw new SourceRefConflict(conflicts);
    const held = this.deps.cases.hold(decision.cases);
    try {
      const outcomes = await this.deps.store.append(drafts);
      // Another request with the same sourceRef may have been written between the check and the append: the store
      // returns its event as the duplicate. Rare, and answered the same way, though the rest of this batch is written.
      const late = conflictsOf(events, drafts, pathPrefix, (_draft, i) => (outcomes[i]!.duplicate ? outcomes[i]!.event : undefined));
      if (late.length) throw new SourceRefConflict(late);
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

function conflictsOf(
  events: readonly IntakeEvent[],
  drafts: readonly EventDraft[],
  pathPrefix: (i: number) => string,
  firstOf: (draft: EventDraft, i: number) => Pick<StoredEvent, 'type' | 'data'> | undefined,
): FieldError[] {
  return drafts.flatMap((draft, i) => {
    if (draft.sourceKey === undefined) return [];
    const first = firstOf(draft, i);
    if (!first) return [];
    return differingFields(events[i]!, draft, first).map((field) => ({
      path: [pathPrefix(i), field].filter(Boolean).join('.'),
      message: 'differs from the event first sent with this source and sourceRef',
    }));
  });
}
