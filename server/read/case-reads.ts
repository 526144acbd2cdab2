/**
 * The desks' case reads: queue rows, case detail and timelines, assembled from the projections and the log in batched
 * reads. The projections keep no free text or names (docs/architecture.md), so a row's title and the names its
 * masking needs come from the case's `case.reported` event; a page of rows is one `bySeqs` read, not one read per row,
 * and reports already read are kept (a report never changes once in the log), with a bound on how many.
 */
import type { CaseDetail, QueueRow, TimelineEntry } from '../../shared/api.js';
import type { CaseReportedData } from '../../shared/events.js';
import { isAccessEvent, isAlertEvent } from '../../shared/events.js';
import { caseTextMasker, maskParty } from '../../shared/masking.js';
import { toSummary, type CaseIndex, type CaseRecord } from '../domain/case-index.js';
import type { EventStore } from '../store/event-store.js';

/** How many case reports stay in memory: a few pages of every desk's lists (about 1 KB each). */
export const REPORT_CACHE_SIZE = 20_000;

/** The fields of a step that people type (shared/dispatch.ts): the rest are ids, codes and times. */
const FREE_TEXT_KEYS = new Set(['note', 'reason', 'title', 'description']);

/** Free text (notes, reasons) anywhere in a step's detail, masked the way the case's own text is. */
function mapStrings<T>(value: T, text: (s: string) => string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, text)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? (FREE_TEXT_KEYS.has(k) ? text(v) : v) : mapStrings(v, text)])) as T;
  }
  return value;
}

interface Report {
  data: CaseReportedData;
  /** The case's own masker: the detector and its parties' names. */
  text: (s: string) => string;
  /** The title as lists show it, masked once. */
  maskedTitle: string;
}

export interface CaseReads {
  /** List rows (summary and title), masked: one read for the page. */
  rows(records: readonly CaseRecord[]): Promise<QueueRow[]>;
  /** A case's detail with its timeline; masked unless `masked` is false (an audited unmask). */
  detail(record: CaseRecord, masked: boolean): Promise<CaseDetail>;
  /** The masker of one case's free text. */
  masker(record: CaseRecord): Promise<(text: string) => string>;
}

export function caseReads(store: EventStore, cases: Pick<CaseIndex, 'steps'>, cacheSize = REPORT_CACHE_SIZE): CaseReads {
  // Insertion-ordered: a hit moves the entry to the end, the oldest goes first when full.
  const kept = new Map<number, Report>();
  const keep = (seq: number, report: Report) => {
    kept.delete(seq);
    kept.set(seq, report);
    if (kept.size > cacheSize) kept.delete(kept.keys().next().value!);
  };

  async function load(records: readonly CaseRecord[]): Promise<Report[]> {
    const missing = [...new Set(records.filter((r) => !kept.has(r.seq)).map((r) => r.seq))];
    const fresh = new Map<number, Report>();
    if (missing.length > 0) {
      for (const event of await store.bySeqs(missing)) {
        if (event.type !== 'case.reported') continue;
        const text = caseTextMasker(event.data.parties);
        fresh.set(event.seq, { data: event.data, text, maskedTitle: text(event.data.title) });
      }
    }
    return records.map((record) => {
      const report = kept.get(record.seq) ?? fresh.get(record.seq);
      if (!report) throw new Error(`case ${record.id}: no report at seq ${record.seq}`);
      keep(record.seq, report);
      return report;
    });
  }

  async function timeline(record: CaseRecord, text: (s: string) => string): Promise<TimelineEntry[]> {
    const entries: TimelineEntry[] = [];
    for (const event of await store.bySeqs(cases.steps(record.id))) {
      if (event.type === 'case.reported' || isAlertEvent(event) || isAccessEvent(event)) continue;
      const { case: _case, actor, at: _at, ...detail } = event.data as typeof event.data & { actor?: TimelineEntry['actor']; at?: string };
      entries.push({ seq: event.seq, type: event.type, at: event.at, detail: mapStrings(detail, text), ...(actor && { actor }) });
    }
    return entries;
  }

  return {
    async rows(records) {
      const reports = await load(records);
      // Lists show titles and return reasons masked: personal data or a party's name typed into them is personal data too.
      return records.map((record, i) => ({ case: toSummary(record, reports[i]!.text), title: reports[i]!.maskedTitle }));
    },
    async detail(record, masked) {
      const [report] = await load([record]);
      const d = report!.data;
      const text = masked ? report!.text : (s: string) => s;
      return {
        case: toSummary(record, text),
        title: masked ? report!.maskedTitle : d.title,
        parties: masked ? d.parties.map(maskParty) : d.parties,
        masked,
        timeline: await timeline(record, text),
        ...(d.description !== undefined && { description: text(d.description) }),
        ...(d.location && { location: d.location }),
        ...(d.occurredAt && { occurredAt: d.occurredAt }),
        ...(d.petitionForm && { petitionForm: d.petitionForm }),
      };
    },
    async masker(record) {
      return (await load([record]))[0]!.text;
    },
  };
}
