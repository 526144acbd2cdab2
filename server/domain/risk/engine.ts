/**
 * The risk rules engine (docs/architecture.md §6): a fold over committed events that decides alert events. `apply` runs the
 * event-driven rules (spike, collective, respondent, repeat petition, skip-tier) and keeps the open severe cases per
 * community; `sweep` does the time-based work (one stale-cases alert per community, closing quiet alerts). Both return drafts for the caller to append;
 * the engine only changes through applied events and through its own decisions in `apply`, which depend on the
 * events alone (event times, never the clock), so replaying a log decides the same alerts with the same ids.
 */
import { createHash } from 'node:crypto';
import type { CaseReportedData, EventDraft, StoredEvent } from '../../../shared/events.js';
import type { RiskRules, SensitivePeriod } from '../../../shared/risk.js';
import { HOUR_MS } from '../../../shared/time.js';
import { AlertRegistry, type RegistrySnapshot } from './alerts.js';
import { AlertBook, type BookSnapshot } from './book.js';
import { CollectiveRule } from './collective.js';
import { autoCloseDraft, raiseDraft, updateDraft, type Decided } from './drafts.js';
import { IndexedHeap } from './heap.js';
import { Identity } from './identity.js';
import { maxLevel, raiseLevel } from './levels.js';
import { PeriodCalendar } from './periods.js';
import { RepeatRule, type RepeatSnapshot } from './repeat.js';
import { dedupKey, type Signal } from './signals.js';
import { SpikeRule, type SpikeSnapshot } from './spike.js';
import { StaleRule, type StaleSnapshot } from './stale.js';
import { alertTitle, type NameLookup } from './titles.js';
import type { WindowsSnapshot } from './windows.js';

export { AlertRegistry } from './alerts.js';

export interface RiskEngineOptions {
  rules: RiskRules;
  periods: SensitivePeriod[];
  tzOffsetMinutes: number;
  /** HMAC-SHA256 key for people and respondents. */
  identityKey: Buffer | string;
  /** Event ids for the drafts. */
  newId: () => string;
  /** For titles. */
  names?: NameLookup;
}

/** 2: stale cases are watched per community (StaleSnapshot). */
const SNAPSHOT_FORMAT = 2;

interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  fingerprint: string;
  seq: number;
  spike: SpikeSnapshot;
  respondents: WindowsSnapshot;
  repeat: RepeatSnapshot;
  stale: StaleSnapshot;
  book: BookSnapshot;
  unconfirmed: EventDraft[];
  registry: RegistrySnapshot;
}

export class RiskEngine {
  readonly alerts = new AlertRegistry();
  /** Hash of the settings that shape the state; a snapshot with another fingerprint is not restored. */
  readonly fingerprint: string;
  readonly #o: RiskEngineOptions;
  readonly #rules: RiskRules;
  readonly #calendar: PeriodCalendar;
  #spike: SpikeRule;
  readonly #collective: CollectiveRule;
  readonly #repeat: RepeatRule;
  readonly #stale: StaleRule;
  readonly #book: AlertBook;
  /** Rule alerts still `raised`, by when they go quiet (lastSignalAt + autoCloseHours). */
  readonly #quiet = new IndexedHeap();
  /** Drafts `apply` decided whose events have not been applied yet, by sourceKey, in decision order. */
  readonly #unconfirmed = new Map<string, EventDraft>();
  /**
   * What the last sweep decided, by what it is about: a sweep before those events are applied hands out the same
   * drafts again (same ids and source keys) instead of deciding a second raise. Not state: never in a snapshot.
   */
  #sweepMemo = new Map<string, EventDraft>();
  /** The memo's keys by their drafts' source keys, to drop an entry once its event is applied. */
  #memoBySource = new Map<string, string>();
  #seq = 0;

  constructor(options: RiskEngineOptions) {
    this.#o = options;
    this.#rules = options.rules;
    const identity = new Identity(options.identityKey);
    this.#calendar = new PeriodCalendar(options.periods, options.tzOffsetMinutes);
    this.#spike = new SpikeRule(options.rules.spike);
    this.#collective = new CollectiveRule(options.rules.collective, identity);
    this.#repeat = new RepeatRule(options.rules.repeatPetition, identity);
    this.#stale = new StaleRule(options.rules.staleHighSeverity);
    this.#book = new AlertBook(options.rules.cooldownHours * HOUR_MS);
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify({ format: SNAPSHOT_FORMAT, rules: options.rules, periods: options.periods, tz: options.tzOffsetMinutes, key: identity.tag() }))
      .digest('hex')
      .slice(0, 32);
  }

  /** seq of the last event applied. */
  get seq(): number {
    return this.#seq;
  }

  /** Folds one committed StoredEvent (seq order). Returns alert drafts decided because of it. */
  apply(event: StoredEvent): EventDraft[] {
    if (event.seq <= this.#seq) return [];
    this.#seq = event.seq;
    if (event.sourceKey?.startsWith('risk:')) this.#confirm(event.sourceKey);
    switch (event.type) {
      case 'case.reported':
        return this.#reported(event.seq, event.data, Date.parse(event.data.reportedAt));
      case 'case.resolved':
        this.#stale.close(event.data.case.caseId);
        break;
      case 'case.followedUp':
        if (event.data.reopened && this.#rules.staleHighSeverity.enabled) this.#stale.track(event.data.case);
        break;
      case 'case.whistled':
        this.alerts.apply(event);
        if (event.data.alertId) this.#quiet.delete(event.data.alertId);
        break;
      case 'alert.raised':
      case 'alert.updated':
      case 'alert.acknowledged':
      case 'alert.closed':
        this.alerts.apply(event);
        this.#alertEvent(event);
        break;
      default:
    }
    return [];
  }

  /** Time-based work at `now` (stale high-severity cases; auto-closing quiet alerts): drafts only. */
  sweep(now: number): EventDraft[] {
    const drafts: EventDraft[] = [];
    const memo = new Map<string, EventDraft>();
    const updated = new Set<string>();
    if (this.#rules.staleHighSeverity.enabled) {
      for (const signal of this.#stale.due(now)) {
        const key = dedupKey(signal.rule, signal.scope);
        const draft = this.#sweepMemo.get(key) ?? this.#decide(signal, now, undefined, () => `al-s${now}-${signal.rule}-${signal.scope.key}`, false);
        if (!draft) continue;
        memo.set(key, draft);
        drafts.push(draft);
        if (draft.type === 'alert.updated') updated.add(draft.data.alertId);
      }
    }
    const quietMs = this.#rules.autoCloseHours * HOUR_MS;
    for (const { id } of this.#quiet.upTo(now)) {
      const alert = this.alerts.get(id);
      if (!alert || alert.status !== 'raised' || updated.has(id)) continue;
      // An update decided but not yet committed is a signal too.
      if ((this.#book.openAlert(id)?.lastSignalAt ?? -Infinity) + quietMs > now) continue;
      const key = `close|${id}`;
      const draft = this.#sweepMemo.get(key) ?? autoCloseDraft(this.#o.newId(), alert, now, this.#rules.autoCloseHours);
      memo.set(key, draft);
      drafts.push(draft);
    }
    this.#sweepMemo = memo;
    this.#memoBySource = new Map([...memo].map(([key, draft]) => [draft.sourceKey!, key]));
    return drafts;
  }

  /** Drafts apply() decided whose events have not been applied yet (a crash between a commit and its alert). */
  unconfirmed(): EventDraft[] {
    return [...this.#unconfirmed.values()];
  }

  #confirm(sourceKey: string): void {
    this.#unconfirmed.delete(sourceKey);
    const memoKey = this.#memoBySource.get(sourceKey);
    if (memoKey !== undefined) {
      this.#sweepMemo.delete(memoKey);
      this.#memoBySource.delete(sourceKey);
    }
  }

  #reported(seq: number, d: CaseReportedData, at: number): EventDraft[] {
    const r = this.#rules;
    const reportedAt = Date.parse(d.reportedAt);
    const signals: Signal[] = [];
    if (r.spike.enabled) signals.push(...this.#spike.add(d, reportedAt));
    if (r.collective.enabled) {
      const people = this.#collective.people(d);
      if (people) signals.push(people);
      signals.push(...this.#collective.respondents(d, reportedAt));
    }
    if (r.repeatPetition.enabled) signals.push(...this.#repeat.add(d, reportedAt));
    if (r.staleHighSeverity.enabled) this.#stale.track(d);
    this.#book.prune(at);
    if (!signals.length) return [];
    const drafts: EventDraft[] = [];
    const taken = new Map<string, number>();
    for (const signal of signals) {
      const base = `al-${seq}-${signal.rule}-${signal.scope.kind}`;
      const draft = this.#decide(signal, at, seq, () => {
        const n = (taken.get(base) ?? 0) + 1;
        taken.set(base, n);
        return n === 1 ? base : `${base}-${n}`;
      }, true);
      if (!draft) continue;
      drafts.push(draft);
      this.#unconfirmed.set(draft.sourceKey!, draft);
    }
    return drafts;
  }

  /**
   * Deduplication and sensitive periods: raise, update or nothing. With `commit`, the decision is recorded at once
   * (apply); without, it is left to the event (sweep).
   */
  #decide(signal: Signal, at: number, triggerSeq: number | undefined, newAlertId: () => string, commit: boolean): EventDraft | undefined {
    const { raise, ids } = this.#calendar.raiseFor(at, signal.category);
    const level = raiseLevel(signal.level, raise);
    const facts = level === signal.level ? signal.facts : { ...signal.facts, baseLevel: signal.level };
    const key = dedupKey(signal.rule, signal.scope);
    const verdict = this.#book.judge(key, level, signal.count, at);
    if (verdict.kind === 'quiet') return undefined;
    if (verdict.kind === 'raise') {
      const alertId = newAlertId();
      const decided: Decided = { level, periods: ids, facts, at, ...(triggerSeq !== undefined && { triggerSeq }) };
      const draft = raiseDraft(this.#o.newId(), alertId, signal, alertTitle(signal, this.#o.names, ids.length > 0), decided);
      if (commit) {
        this.#book.recordRaise({
          key,
          alertId,
          rule: signal.rule,
          scope: { ...signal.scope },
          level,
          count: signal.count,
          lastSignalAt: at,
          open: true,
          periods: ids,
          streetCode: signal.streetCode,
          ...(signal.communityCode && { communityCode: signal.communityCode }),
        });
      }
      return draft;
    }
    const entry = verdict.entry;
    const periods = [...new Set([...entry.periods, ...ids])];
    const decided: Decided = { level: maxLevel(entry.level, level), periods, facts, at, ...(triggerSeq !== undefined && { triggerSeq }) };
    const draft = updateDraft(this.#o.newId(), entry, signal, decided, alertTitle(signal, this.#o.names, ids.length > 0));
    if (commit) this.#book.recordUpdate(entry, decided.level, signal.count, at, periods);
    return draft;
  }

  #alertEvent(event: Extract<StoredEvent, { type: 'alert.raised' | 'alert.updated' | 'alert.acknowledged' | 'alert.closed' }>): void {
    const autoCloseMs = this.#rules.autoCloseHours * HOUR_MS;
    switch (event.type) {
      case 'alert.raised': {
        const d = event.data;
        if (!d.rule || !d.scope) return;
        const entry = this.#book.onRaised({ ...d, rule: d.rule, scope: d.scope }, dedupKey(d.rule, d.scope));
        // Stale alerts on single cases (before format 2) are left to close by themselves.
        if (d.rule === 'staleHighSeverity' && d.scope.kind === 'community') this.#stale.alerted(d.scope.key, entry.level, Date.parse(d.raisedAt));
        if (this.alerts.get(d.alertId)?.status === 'raised') this.#quiet.set(d.alertId, Date.parse(d.raisedAt) + autoCloseMs);
        return;
      }
      case 'alert.updated': {
        const d = event.data;
        const entry = this.#book.onUpdated(d);
        if (entry?.rule === 'staleHighSeverity' && entry.scope.kind === 'community') this.#stale.alerted(entry.scope.key, entry.level, Date.parse(d.updatedAt));
        if (this.#quiet.get(d.alertId) !== undefined) this.#quiet.set(d.alertId, Date.parse(d.updatedAt) + autoCloseMs);
        return;
      }
      case 'alert.acknowledged':
        this.#quiet.delete(event.data.alertId);
        return;
      case 'alert.closed':
        this.#quiet.delete(event.data.alertId);
        this.#book.onClosed(event.data.alertId);
        return;
    }
  }

  snapshot(): unknown {
    const data: EngineSnapshot = {
      format: SNAPSHOT_FORMAT,
      fingerprint: this.fingerprint,
      seq: this.#seq,
      spike: this.#spike.snapshot(),
      respondents: this.#collective.snapshot(),
      repeat: this.#repeat.snapshot(),
      stale: this.#stale.snapshot(),
      book: this.#book.snapshot(),
      unconfirmed: structuredClone(this.unconfirmed()),
      registry: this.alerts.snapshot(),
    };
    return data;
  }

  /** Throws on a bad or foreign snapshot (other settings, another identity key, another format). */
  static restore(data: unknown, options: RiskEngineOptions): RiskEngine {
    const engine = new RiskEngine(options);
    const s = data as Partial<EngineSnapshot> | null;
    if (!s || typeof s !== 'object' || s.format !== SNAPSHOT_FORMAT) throw new Error('not a risk engine snapshot of this format');
    if (s.fingerprint !== engine.fingerprint) throw new Error('risk engine snapshot was made with other settings or another identity key');
    if (!Number.isInteger(s.seq) || !s.spike || !s.respondents || !s.repeat || !Array.isArray(s.stale?.cases) || !Array.isArray(s.stale?.covered) || !s.book || !Array.isArray(s.unconfirmed) || !s.registry) {
      throw new Error('risk engine snapshot is incomplete');
    }
    return engine.#load(s as EngineSnapshot);
  }

  #load(s: EngineSnapshot): this {
    this.#seq = s.seq;
    this.alerts.load(s.registry);
    this.#spike = SpikeRule.restore(s.spike, this.#rules.spike);
    this.#collective.restore(s.respondents);
    this.#repeat.restore(s.repeat);
    this.#stale.restore(s.stale);
    this.#book.restore(s.book);
    for (const d of structuredClone(s.unconfirmed)) this.#unconfirmed.set(d.sourceKey!, d);
    const autoCloseMs = this.#rules.autoCloseHours * HOUR_MS;
    for (const a of this.alerts.list({ status: 'raised' })) if (a.rule) this.#quiet.set(a.id, Date.parse(a.lastSignalAt) + autoCloseMs);
    return this;
  }
}
