/**
 * A case's free text as it leaves the server for the desks: masked by the one policy (shared/masking.ts) with the
 * party names the case's report holds, read from the log (the projections keep no names).
 */
import type { CaseReportedData } from '../../shared/events.js';
import { caseTextMasker } from '../../shared/masking.js';
import type { CaseRecord } from '../domain/case-index.js';
import type { EventStore } from '../store/event-store.js';

export async function reportOf(store: EventStore, record: CaseRecord): Promise<CaseReportedData> {
  const [event] = await store.readAfter(record.seq - 1, 1);
  if (!event || event.type !== 'case.reported') throw new Error(`case ${record.id}: no report at seq ${record.seq}`);
  return event.data;
}

/** The masker of one case's free text: the detector and its parties' names. */
export async function caseMasker(store: EventStore, record: CaseRecord): Promise<(text: string) => string> {
  return caseTextMasker((await reportOf(store, record)).parties);
}
