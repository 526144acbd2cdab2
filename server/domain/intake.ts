/**
 * Turns validated intake events into event drafts: checks them against the district's data and the cases
 * known so far, and fixes every derived value (ids, weights, timestamps) so the stored event is the whole fact.
 * Pure: the clock, id source and case lookup are injected.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CaseContext, CaseReportedData, EventDraft, StoredEvent } from '../../shared/events.js';
import type { FieldError, IntakeEvent } from '../../shared/intake.js';
import { lifecycle } from '../../shared/lifecycle.js';
import { caseSources, type CaseSource } from '../../shared/vocabulary.js';
import type { DistrictData } from '../district-data.js';
import { recordFromReport, type CaseRecord } from './case-index.js';

/** Clock skew we tolerate between an integration and us before a timestamp counts as "in the future". */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface CaseLookup {
  byId(id: string): CaseRecord | undefined;
  bySourceKey(key: string): CaseRecord | undefined;
}

export interface IntakeContext {
  district: DistrictData;
  cases: CaseLookup;
  now: number;
  newId: () => string;
  /** Whether the sender may touch this case (an integration key's scope, `caseInScope`); absent: any case. */
  mayTouch?: (record: CaseRecord) => boolean;
}

/**
 * An integration key's cases: those its sources reported, and those whistled (now or before) to a department of the
 * same name as one of its sources — the court system reports the outcome of a case the centre whistled to the court.
 */
export function caseInScope(sources: readonly string[], record: CaseRecord): boolean {
  if (sources.includes(record.source)) return true;
  const whistles = [...(record.previousWhistles ?? []), ...(record.whistle ? [record.whistle] : [])];
  return whistles.some((w) => w.assignments.some((a) => sources.includes(a.deptId)));
}

/** On success, `cases` holds every case the drafts create or change, as they will be once committed. */
export type Decision = { ok: true; drafts: EventDraft[]; cases: CaseRecord[] } | { ok: false; errors: FieldError[] };

export function sourceKeyOf(source: string, sourceRef: string): string {
  return `${source}:${sourceRef}`;
}

/** Heat weight of a case: severity × category weight, growing with the number of people involved. */
export function caseWeight(severity: number, categoryWeight: number, people: number): number {
  return Math.round(severity * categoryWeight * (1 + Math.log10(Math.max(1, people)) / 2) * 100) / 100;
}

/**
 * Decides a whole batch: either every event becomes a draft or the errors of every bad field are returned.
 * `pathPrefix(i)` names event i in error paths (`events[3]` in a batch, nothing for a single event).
 */
export function decideIntake(events: readonly IntakeEvent[], ctx: IntakeContext, pathPrefix: (i: number) => string): Decision {
  const errors: FieldError[] = [];
  const drafts: EventDraft[] = [];
  // Cases reported or resolved earlier in this batch, so a batch may report a case and resolve it.
  const batchById = new Map<string, CaseRecord>();
  const batchByKey = new Map<string, CaseRecord>();
  const remember = (record: CaseRecord) => {
    batchById.set(record.id, record);
    if (record.sourceKey) batchByKey.set(record.sourceKey, record);
  };
  const lookup: CaseLookup = {
    byId: (id) => batchById.get(id) ?? ctx.cases.byId(id),
    bySourceKey: (key) => batchByKey.get(key) ?? ctx.cases.bySourceKey(key),
  };

  events.forEach((event, i) => {
    const fail = (field: string, message: string) => errors.push({ path: [pathPrefix(i), field].filter(Boolean).join('.'), message });
    const key = sourceKeyOf(event.source, event.sourceRef);
    const time = (field: string, value: string | undefined): string => {
      if (value === undefined) return new Date(ctx.now).toISOString();
      const t = Date.parse(value);
      if (t > ctx.now + FUTURE_TOLERANCE_MS) fail(field, 'must not be in the future');
      return new Date(t).toISOString();
    };
    const place = (streetCode: string, communityCode: string | undefined) => {
      const street = ctx.district.street(streetCode);
      if (!street) return fail('streetCode', `unknown street code ${streetCode} in ${ctx.district.info.name.zh}`);
      if (communityCode === undefined) return;
      const community = ctx.district.community(communityCode);
      if (!community) fail('communityCode', `unknown community code ${communityCode}`);
      else if (community.streetCode !== streetCode) {
        fail('communityCode', `community ${communityCode} (${community.name}) is not in street ${streetCode} (${street.name})`);
      }
    };

    switch (event.type) {
      case 'case.reported': {
        const before = errors.length;
        if (!(caseSources as readonly string[]).includes(event.source)) fail('source', `source "${event.source}" cannot report a case`);
        const category = ctx.district.category(event.category);
        if (!category) fail('category', `unknown category "${event.category}"`);
        place(event.streetCode, event.communityCode);
        const reportedAt = time('reportedAt', event.reportedAt);
        if (event.occurredAt !== undefined) time('occurredAt', event.occurredAt);
        if (event.petitionForm && event.kind !== 'petition') fail('petitionForm', 'only a petition has a petition form');
        if (event.petitionLevel && event.kind !== 'petition') fail('petitionLevel', 'only a petition has a petition level');
        if (errors.length > before || !category) return;
        const existing = lookup.bySourceKey(key);
        const caseId = existing?.id ?? ctx.newId();
        const context: CaseContext = {
          caseId,
          kind: event.kind,
          category: event.category,
          streetCode: event.streetCode,
          communityCode: event.communityCode,
          severity: event.severity,
          peopleInvolved: event.peopleInvolved,
          weight: caseWeight(event.severity, category.weight, event.peopleInvolved),
          reportedAt,
        };
        const data: CaseReportedData = {
          ...context,
          source: event.source as CaseSource,
          ...(event.petitionForm && { petitionForm: event.petitionForm }),
          ...(event.petitionLevel && { petitionLevel: event.petitionLevel }),
          title: event.title,
          ...(event.description !== undefined && { description: event.description }),
          ...(event.location && { location: event.location }),
          ...(event.occurredAt !== undefined && { occurredAt: new Date(event.occurredAt).toISOString() }),
          parties: event.parties,
        };
        drafts.push({ id: ctx.newId(), type: 'case.reported', sourceKey: key, data });
        if (!existing) remember(recordFromReport(data, 0, key));
        return;
      }
      case 'case.resolved': {
        if ((event.caseId === undefined) === (event.caseSourceRef === undefined)) {
          return fail('caseId', 'give exactly one of caseId or caseSourceRef');
        }
        const target =
          event.caseId !== undefined ? lookup.byId(event.caseId) : lookup.bySourceKey(sourceKeyOf(event.source, event.caseSourceRef!));
        const field = event.caseId !== undefined ? 'caseId' : 'caseSourceRef';
        // A case outside the sender's scope is refused exactly as one that does not exist, before anything about its state.
        if (!target || (ctx.mayTouch && !ctx.mayTouch(target))) {
          return fail(field, event.caseId !== undefined ? 'no case with this caseId is known' : `no case ${event.caseSourceRef} is known from source ${event.source}`);
        }
        // A retry of the resolution that already happened is not a conflict: the store returns the original.
        if (target.resolvedBy !== key && !lifecycle.resolveExternal.includes(target.status)) {
          return fail(field, `case ${target.id} is ${target.status} and cannot be resolved again`);
        }
        const resolvedAt = time('resolvedAt', event.resolvedAt);
        if (Date.parse(resolvedAt) < Date.parse(target.reportedAt)) return fail('resolvedAt', 'must not be before the case was reported');
        const { id: caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = target;
        drafts.push({
          id: ctx.newId(),
          type: 'case.resolved',
          sourceKey: key,
          data: {
            case: { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt },
            source: event.source,
            actor: { role: 'integration', id: event.source },
            ...(target.tier && { tier: target.tier }),
            outcome: event.outcome,
            ...(event.note !== undefined && { note: event.note }),
            resolvedAt,
          },
        });
        remember({ ...target, status: 'resolved', resolvedBy: key });
        return;
      }
      case 'alert.raised': {
        const before = errors.length;
        place(event.streetCode, event.communityCode);
        const raisedAt = time('raisedAt', event.raisedAt);
        if (errors.length > before) return;
        drafts.push({
          id: ctx.newId(),
          type: 'alert.raised',
          sourceKey: key,
          data: {
            alertId: ctx.newId(),
            source: event.source,
            level: event.level,
            title: event.title,
            ...(event.description !== undefined && { description: event.description }),
            streetCode: event.streetCode,
            ...(event.communityCode !== undefined && { communityCode: event.communityCode }),
            raisedAt,
          },
        });
      }
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, drafts, cases: [...batchById.values()] };
}

/** When a retry may leave a field out: the server filled it from its clock the first time, so the sender cannot restate it. */
const clockFilled = new Set(['reportedAt', 'resolvedAt', 'raisedAt']);
const reportFields = ['kind', 'petitionForm', 'petitionLevel', 'category', 'title', 'description', 'streetCode', 'communityCode', 'location', 'severity', 'peopleInvolved', 'occurredAt', 'reportedAt', 'parties'] as const;
const alertFields = ['level', 'title', 'description', 'streetCode', 'communityCode', 'raisedAt'] as const;
const times = new Set(['occurredAt', 'reportedAt', 'resolvedAt', 'raisedAt']);

/** JSON as stored: undefined members dropped, so a parsed event and its stored data compare field by field. */
const asStored = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

function same(field: string, sent: unknown, stored: unknown): boolean {
  if (times.has(field) && typeof sent === 'string' && typeof stored === 'string') return Date.parse(sent) === Date.parse(stored);
  return isDeepStrictEqual(asStored(sent), asStored(stored));
}

/**
 * The fields in which an intake event differs from the event its (source, sourceRef) first stood for — `first` is the
 * stored event, or an earlier draft of the same batch — as the sender would name them; empty when it is the same
 * event again. `draft` is what the event was decided into (its target case, for a resolution). Values are never
 * returned, only field names: the stored event may hold what the sender has no business reading.
 */
export function differingFields(event: IntakeEvent, draft: EventDraft, first: Pick<StoredEvent, 'type' | 'data'>): string[] {
  if (first.type !== event.type) return ['type'];
  const sent = event as unknown as Record<string, unknown>;
  const compare = (fields: readonly string[], stored: Record<string, unknown>) =>
    fields.filter((f) => !(clockFilled.has(f) && sent[f] === undefined) && !same(f, sent[f], stored[f]));
  switch (event.type) {
    case 'case.reported':
      return compare(reportFields, first.data as unknown as Record<string, unknown>);
    case 'alert.raised':
      return compare(alertFields, first.data as unknown as Record<string, unknown>);
    case 'case.resolved': {
      const stored = first.data as unknown as { case: { caseId: string } } & Record<string, unknown>;
      const target = (draft.data as { case: { caseId: string } }).case.caseId;
      const differing = target === stored.case.caseId ? [] : [event.caseId !== undefined ? 'caseId' : 'caseSourceRef'];
      return [...differing, ...compare(['outcome', 'note', 'resolvedAt'], stored)];
    }
  }
}
