/**
 * Server-side read model of cases: a fold over stored events that answers /api/cases, heat explanations and
 * the reference checks of intake. Holds summaries only; titles and parties stay in the log.
 */
import type { CaseSummary } from '../../shared/api.js';
import { maskText } from '../../shared/masking.js';
import { isAccessEvent, isAlertEvent, type CaseReportedData, type StoredEvent } from '../../shared/events.js';
import { activeWhistle, evolve, initialCaseState, type WhistleState } from '../../shared/lifecycle.js';
import { isOpenStatus, type CaseKind, type CaseStatus } from '../../shared/vocabulary.js';

export interface CaseRecord extends CaseSummary {
  sourceKey?: string;
  /** sourceKey of the event that resolved it, so a retried resolution is recognised as the same one. */
  resolvedBy?: string;
}

export interface CaseFilter {
  streetCode?: string;
  communityCode?: string;
  kind?: CaseKind;
  category?: string;
  /** A lifecycle status, or `open` / `closed` for all statuses that still need work / do not. */
  status?: CaseStatus | 'open' | 'closed';
  /** Inclusive/exclusive bounds on reportedAt, epoch ms. */
  from?: number;
  to?: number;
}

export function recordFromReport(d: CaseReportedData, seq: number, sourceKey: string | undefined): CaseRecord {
  const { caseId: id, kind, category, source, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = d;
  const record: CaseRecord = { id, seq, kind, category, source, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt, ...initialCaseState() };
  if (sourceKey !== undefined) record.sourceKey = sourceKey;
  return record;
}

/** How many committed command keys are remembered for retries (a day of a busy centre is far fewer). */
export const RECENT_COMMANDS = 50_000;

export interface CommandRecord {
  caseId: string;
  /** Who gave the command (a user id, or `timer`): a command id answers its stored result to that caller only. */
  actorId: string;
  seq: number;
  id: string;
  type: string;
}

export class CaseIndex {
  readonly #byId = new Map<string, CaseRecord>();
  readonly #byKey = new Map<string, CaseRecord>();
  /** Cases in seq order, all and per community, so a query scans only what its filter can match. */
  readonly #all: CaseRecord[] = [];
  readonly #byCommunity = new Map<string, CaseRecord[]>();
  /** Seqs of each case's lifecycle events: the timeline is read from the log on demand, not held in memory. */
  readonly #steps = new Map<string, number[]>();
  /** Recently committed commands by key, so a retry gets the first answer (older retries fall to the store's dedup). */
  readonly #commands = new Map<string, CommandRecord>();
  /** Cases with an active whistle, in the order they were (last) whistled: the roll-call board and the timers. */
  readonly #whistled = new Set<CaseRecord>();
  /** The last seq applied (every event passes through here, alerts too). */
  #seq = 0;
  /** Callers waiting for a seq to be applied, in no particular order (there are rarely more than a few). */
  #waiting: Array<{ seq: number; resolve: () => void }> = [];

  /**
   * The seq of the last event applied: every case here reflects the log up to it, so a command decided on them names
   * it in its append precondition. After `restore` it may lag the snapshot's seq until the next event (a lower bound
   * is still correct there, only slower to check).
   */
  get seq(): number {
    return this.#seq;
  }

  /** Resolves once the event at `seq` has been applied. */
  reached(seq: number): Promise<void> {
    if (seq <= this.#seq) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ seq, resolve }));
  }

  /** Sets that collect every record an event changes while a snapshot is being written (trackChanges). */
  readonly #trackers = new Set<Set<CaseRecord>>();

  /**
   * Collects the records events change from now until `stop()`: a projection snapshot written in slices
   * (server/projection-snapshot.ts) writes these again at its end, so every record is as of one seq.
   */
  trackChanges(): { changed: ReadonlySet<CaseRecord>; stop(): void } {
    const changed = new Set<CaseRecord>();
    this.#trackers.add(changed);
    return { changed, stop: () => this.#trackers.delete(changed) };
  }

  apply(event: StoredEvent): void {
    this.#seq = event.seq;
    this.#fold(event);
    if (this.#waiting.length) this.#wake();
  }

  #wake(): void {
    const due = this.#waiting.filter((w) => w.seq <= this.#seq);
    if (due.length === 0) return;
    this.#waiting = this.#waiting.filter((w) => w.seq > this.#seq);
    for (const w of due) w.resolve();
  }

  #fold(event: StoredEvent): void {
    if (event.type === 'case.reported') {
      this.#add(recordFromReport(event.data, event.seq, event.sourceKey));
      return;
    }
    if (isAlertEvent(event) || isAccessEvent(event)) return;
    const record = this.#byId.get(event.data.case.caseId);
    if (!record) return;
    for (const changed of this.#trackers) changed.add(record);
    evolve(record, event);
    if (activeWhistle(record)) this.#whistled.add(record);
    else this.#whistled.delete(record);
    if (event.type === 'case.resolved' && event.sourceKey) record.resolvedBy = event.sourceKey;
    if (event.sourceKey?.startsWith('cmd:')) this.#rememberCommand(event.sourceKey, { caseId: record.id, actorId: actorIdOf(event), seq: event.seq, id: event.id, type: event.type });
    const steps = this.#steps.get(record.id);
    if (steps) steps.push(event.seq);
    else this.#steps.set(record.id, [event.seq]);
  }

  #rememberCommand(key: string, command: CommandRecord): void {
    this.#commands.set(key, command);
    if (this.#commands.size > RECENT_COMMANDS) this.#commands.delete(this.#commands.keys().next().value!);
  }

  /** Cases with an active whistle. */
  whistled(): Iterable<CaseRecord> {
    return this.#whistled;
  }

  /** Seqs of every step after the report, oldest first. */
  steps(caseId: string): readonly number[] {
    return this.#steps.get(caseId) ?? [];
  }

  /** The event a command with this source key produced, if it was committed. */
  command(sourceKey: string): CommandRecord | undefined {
    return this.#commands.get(sourceKey);
  }

  /** Timelines and command keys, for a projection snapshot. */
  histories(): { steps: Array<[string, number[]]>; commands: Array<[string, CommandRecord]> } {
    return { steps: [...this.#steps], commands: [...this.#commands] };
  }

  restoreHistories(h: ReturnType<CaseIndex['histories']>): void {
    for (const [id, t] of h.steps) {
      this.#steps.set(id, t);
      this.#seq = Math.max(this.#seq, t.at(-1) ?? 0);
    }
    for (const [key, c] of h.commands) this.#commands.set(key, c);
  }

  /** All records in seq order, for a projection snapshot. */
  records(): readonly CaseRecord[] {
    return this.#all;
  }

  /** Restores records saved by `records()`; only on an empty index. */
  restore(records: readonly CaseRecord[]): void {
    if (this.#all.length) throw new Error('restore needs an empty case index');
    for (const record of records) {
      this.#add(record);
      if (activeWhistle(record)) this.#whistled.add(record);
      this.#seq = Math.max(this.#seq, record.seq);
    }
  }

  #add(record: CaseRecord): void {
    if (record.sourceKey) this.#byKey.set(record.sourceKey, record);
    this.#byId.set(record.id, record);
    this.#all.push(record);
    const list = this.#byCommunity.get(record.communityCode);
    if (list) list.push(record);
    else this.#byCommunity.set(record.communityCode, [record]);
  }

  get(id: string): CaseRecord | undefined {
    return this.#byId.get(id);
  }

  bySourceKey(key: string): CaseRecord | undefined {
    return this.#byKey.get(key);
  }

  get size(): number {
    return this.#all.length;
  }

  /** Open cases of the given communities. */
  openIn(communityCodes: readonly string[]): CaseRecord[] {
    return communityCodes.flatMap((code) => (this.#byCommunity.get(code) ?? []).filter((c) => isOpenStatus(c.status)));
  }

  /** Newest first; `beforeSeq` is the cursor of the previous page. */
  query(filter: CaseFilter, page: { limit: number; beforeSeq?: number }, communitiesOfStreet: (code: string) => readonly string[]) {
    const sources = filter.communityCode
      ? [this.#byCommunity.get(filter.communityCode) ?? []]
      : filter.streetCode
        ? communitiesOfStreet(filter.streetCode).map((code) => this.#byCommunity.get(code) ?? [])
        : [this.#all];
    const matches: CaseRecord[] = [];
    for (const list of sources) {
      for (const c of list) if (matchesFilter(c, filter)) matches.push(c);
    }
    if (sources.length > 1) matches.sort((a, b) => a.seq - b.seq);
    let end = matches.length;
    if (page.beforeSeq !== undefined) {
      while (end > 0 && matches[end - 1]!.seq >= page.beforeSeq) end--;
    }
    const items = matches.slice(Math.max(0, end - page.limit), end).reverse();
    const last = items[items.length - 1];
    return { items, total: matches.length, nextCursor: end > page.limit && last ? String(last.seq) : null };
  }
}

/** The id of whoever caused a stored event (a user, `timer`, an integration's source), or '' when it names nobody. */
export function actorIdOf(event: StoredEvent): string {
  const actor = (event.data as { actor?: { id?: unknown } }).actor;
  return typeof actor?.id === 'string' ? actor.id : '';
}

function matchesFilter(c: CaseRecord, f: CaseFilter): boolean {
  if (f.streetCode && c.streetCode !== f.streetCode) return false;
  if (f.kind && c.kind !== f.kind) return false;
  if (f.category && c.category !== f.category) return false;
  if (f.status === 'open' || f.status === 'closed') {
    if (isOpenStatus(c.status) !== (f.status === 'open')) return false;
  } else if (f.status && c.status !== f.status) return false;
  if (f.from !== undefined || f.to !== undefined) {
    const t = Date.parse(c.reportedAt);
    if (f.from !== undefined && t < f.from) return false;
    if (f.to !== undefined && t >= f.to) return false;
  }
  return true;
}

/**
 * A case for the desks: its state, with the free text of returns (reasons) masked by `text` — the case's own masker
 * (its party names and the detector: server/api/case-text.ts) where the caller has read them, the detector alone else.
 */
export function toSummary(record: CaseRecord, text: (s: string) => string = (s) => maskText(s)): CaseSummary {
  const { sourceKey: _key, resolvedBy: _by, ...summary } = record;
  return mapReasons(summary, text);
}

/**
 * A case for every audience of the read routes, the wall included: its state and nothing anyone typed. A return's
 * reason may name a party or hold a phone number, and the wall never sees such text.
 */
export function toPublicSummary(record: CaseRecord): CaseSummary {
  const { sourceKey: _key, resolvedBy: _by, lastReturn: _return, ...summary } = record;
  return mapReasons(summary, () => undefined);
}

function mapReasons(summary: CaseSummary, text: (s: string) => string | undefined): CaseSummary {
  const whistle = (w: WhistleState): WhistleState => ({
    ...w,
    assignments: w.assignments.map(({ reason, ...a }) => {
      const kept = reason === undefined ? undefined : text(reason);
      return kept === undefined ? a : { ...a, reason: kept };
    }),
  });
  const lastReturn = summary.lastReturn && { ...summary.lastReturn, reason: text(summary.lastReturn.reason) ?? '' };
  return {
    ...summary,
    ...(summary.whistle && { whistle: whistle(summary.whistle) }),
    ...(summary.previousWhistles && { previousWhistles: summary.previousWhistles.map(whistle) }),
    ...(lastReturn && { lastReturn }),
  };
}
