/**
 * What one append will write, decided before any INSERT: seqs for the new drafts and stored events for the
 * duplicates. Pure, so the PostgreSQL store can plan a whole group commit (or each append alone after a refusal)
 * the same way. It is safe only under the append lock, where nobody else can add a sourceKey meanwhile.
 */
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import type { AppendOutcome } from './event-store.js';

export interface AppendPlan {
  outcomes: AppendOutcome[];
  /** The events to insert, seqs contiguous from the `nextSeq` given. */
  fresh: StoredEvent[];
}

/**
 * `known` maps sourceKeys to their stored events (the log's, and those of earlier appends in the same commit);
 * a draft repeating a key earlier in the same append gets that draft's event. `known` is not modified.
 */
export function planAppend(drafts: readonly EventDraft[], nextSeq: number, at: string, known: ReadonlyMap<string, StoredEvent>): AppendPlan {
  const mine = new Map<string, StoredEvent>();
  const outcomes: AppendOutcome[] = [];
  const fresh: StoredEvent[] = [];
  for (const draft of drafts) {
    const key = draft.sourceKey;
    const stored = key === undefined ? undefined : (mine.get(key) ?? known.get(key));
    if (stored) {
      outcomes.push({ event: stored, duplicate: true });
      continue;
    }
    const event = { seq: nextSeq + fresh.length, id: draft.id, at, type: draft.type, data: draft.data } as StoredEvent;
    if (key !== undefined) {
      event.sourceKey = key;
      mine.set(key, event);
    }
    fresh.push(event);
    outcomes.push({ event, duplicate: false });
  }
  return { outcomes, fresh };
}

/** Plans appends one after another, each seeing the keys of those before it. */
export function planGroup(appends: ReadonlyArray<readonly EventDraft[]>, nextSeq: number, at: string, known: ReadonlyMap<string, StoredEvent>): AppendPlan[] {
  const seen = new Map(known);
  let seq = nextSeq;
  return appends.map((drafts) => {
    const plan = planAppend(drafts, seq, at, seen);
    seq += plan.fresh.length;
    remember(seen, plan.fresh);
    return plan;
  });
}

export function remember(known: Map<string, StoredEvent>, events: readonly StoredEvent[]): void {
  for (const event of events) if (event.sourceKey !== undefined) known.set(event.sourceKey, event);
}
