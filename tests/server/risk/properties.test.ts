/**
 * Properties of the engine over random logs: decisions are a function of the log, a live run (drafts committed a
 * few events late) and a replay of what it wrote agree, personal data never leaves in any form, and a snapshot
 * taken anywhere continues exactly like an uninterrupted run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../shared/dispatch.js';
import type { CaseReportedData, EventDraft, Party, StoredEvent } from '../../../shared/events.js';
import { decideAlert, type SensitivePeriod } from '../../../shared/risk.js';
import type { PetitionLevel } from '../../../shared/vocabulary.js';
import { RiskEngine } from '../../../server/domain/risk/engine.js';
import { BANTIAN, GANGTOU, HOUR, MAAN_TANG, T0, contextOf, duty, engineOptions, testRules } from './builders.js';

const MINUTE = 60_000;
const communities = [GANGTOU, MAAN_TANG];

/** Rules loose enough that a short random log fires every one of them. */
function looseRules() {
  const r = testRules();
  r.cooldownHours = 6;
  r.autoCloseHours = 12;
  r.spike = { ...r.spike, scopes: ['community', 'street'], windowHours: 6, baselineDays: 7, minHistoryDays: 1, minCount: 2, priorPerDay: 0.5, levels: [{ level: 'yellow', maxPValue: 0.05, minRatio: 1.5 }, { level: 'red', maxPValue: 0.001, minRatio: 3 }] };
  r.collective.people = [{ level: 'orange', minPeople: 30 }, { level: 'blue', minPeople: 8 }];
  r.collective.respondent = { withinDays: 5, levels: [{ level: 'yellow', minCases: 2 }, { level: 'red', minCases: 4 }] };
  r.repeatPetition = { ...r.repeatPetition, withinDays: 5, levels: [{ level: 'blue', minPetitions: 2 }, { level: 'orange', minPetitions: 4 }], skipTier: { lookbackDays: 3, levels: [{ level: 'yellow', minLevel: 'city' }, { level: 'red', minLevel: 'national' }] } };
  r.staleHighSeverity.levels = [{ level: 'yellow', minSeverity: 4, afterHours: 6 }, { level: 'red', minSeverity: 5, afterHours: 12 }];
  return r;
}
const periods: SensitivePeriod[] = [{ id: 'p-test', name: { zh: '测试敏感期', en: 'Test' }, from: '2026-05-05', to: '2026-05-06', categories: ['labour'], weight: 2, raiseLevels: 1 }];

/** Distinctive personal data, so finding it anywhere in the output cannot be a coincidence. */
const letters = fc.string({ unit: fc.constantFrom(...'abcdefghjkmnpqrstuvwxyz'), minLength: 8, maxLength: 8 });
const person = fc.record({
  name: letters.map((s) => `P${s}`),
  phone: fc.integer({ min: 0, max: 99_999_999 }).map((n) => `139-${String(n).padStart(8, '0').slice(0, 4)}-${String(n).padStart(8, '0').slice(4)}`),
  idNumber: fc.integer({ min: 0, max: 9999 }).map((n) => `4403071988${String(n).padStart(4, '0')}0${n % 2 ? 'x' : '1'}12`),
});

type Action =
  | { kind: 'case'; dt: number; community: number; category: 'labour' | 'land'; petition: boolean; level: PetitionLevel | undefined; applicant: number; respondent: number; people: number; severity: number }
  | { kind: 'resolve' | 'reopen' | 'acknowledge' | 'close' | 'whistle'; dt: number; pick: number }
  | { kind: 'sweep'; dt: number };

const dt = fc.integer({ min: 0, max: 8 * 60 }).map((m) => m * MINUTE);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('case' as const),
      dt,
      community: fc.integer({ min: 0, max: 1 }),
      category: fc.constantFrom('labour' as const, 'land' as const),
      petition: fc.boolean(),
      level: fc.constantFrom(undefined, 'street', 'district', 'city', 'province', 'national'),
      applicant: fc.integer({ min: 0, max: 3 }),
      respondent: fc.integer({ min: 0, max: 3 }),
      people: fc.integer({ min: 1, max: 40 }),
      severity: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('resolve' as const, 'reopen' as const, 'acknowledge' as const, 'close' as const, 'whistle' as const), dt, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sweep' as const), dt }) },
);

const scenario = fc.record({
  people: fc.array(person, { minLength: 4, maxLength: 4 }),
  respondents: fc.array(letters.map((s) => `某${s}有限公司`), { minLength: 4, maxLength: 4 }),
  actions: fc.array(action, { minLength: 10, maxLength: 150 }),
  delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const options = (prefix: string) => engineOptions(looseRules(), periods, prefix);

/**
 * The server's way: each event is folded as it is committed; each decided draft is committed a random 0–3 input
 * events later, in decision order (one appender); a draft whose sourceKey is already in the log is a no-op.
 */
function liveRun(s: Scenario): { log: StoredEvent[]; engine: RiskEngine; drafts: EventDraft[]; now: number } {
  const engine = new RiskEngine(options('live'));
  const log: StoredEvent[] = [];
  const keys = new Set<string>();
  const queue: Array<{ draft: EventDraft; due: number }> = [];
  const drafts: EventDraft[] = [];
  const reported: CaseReportedData[] = [];
  let now = T0;
  let step = 0;
  let delayIndex = 0;
  const append = (type: StoredEvent['type'], data: unknown, sourceKey?: string) => {
    if (sourceKey && keys.has(sourceKey)) return;
    if (sourceKey) keys.add(sourceKey);
    const event = { seq: log.length + 1, id: `e${log.length + 1}`, at: new Date(now).toISOString(), type, data, ...(sourceKey && { sourceKey }) } as StoredEvent;
    log.push(event);
    enqueue(engine.apply(event));
  };
  const enqueue = (decided: EventDraft[]) => {
    for (const draft of decided) {
      drafts.push(draft);
      const due = Math.max(step + s.delays[delayIndex++ % s.delays.length]!, queue.at(-1)?.due ?? 0);
      queue.push({ draft, due });
    }
  };
  const flush = (upTo: number) => {
    while (queue.length && queue[0]!.due <= upTo) {
      const { draft } = queue.shift()!;
      append(draft.type, draft.data, draft.sourceKey);
    }
  };
  for (const a of s.actions) {
    now += a.dt;
    step += 1;
    flush(step);
    if (a.kind === 'case') {
      const p = s.people[a.applicant]!;
      const parties: Party[] = [{ role: 'applicant', name: p.name, phone: p.phone, idNumber: p.idNumber }, { role: 'respondent', name: s.respondents[a.respondent]! }];
      const d: CaseReportedData = {
        caseId: `c${log.length + 1}`,
        kind: a.petition ? 'petition' : 'dispute',
        category: a.category,
        streetCode: BANTIAN,
        communityCode: communities[a.community]!,
        severity: a.severity,
        peopleInvolved: a.people,
        weight: a.severity,
        // Now and then a case entered late.
        reportedAt: new Date(now - (a.people % 7 === 0 ? 5 * HOUR : 0)).toISOString(),
        source: 'hotline',
        title: `${p.name}反映${s.respondents[a.respondent]}欠薪，电话${p.phone}`,
        parties,
        ...(a.petition && a.level && { petitionLevel: a.level }),
      };
      reported.push(d);
      append('case.reported', d);
    } else if (a.kind === 'sweep') {
      enqueue(engine.sweep(now));
    } else if (a.kind === 'resolve' || a.kind === 'reopen') {
      const d = reported[a.pick % Math.max(1, reported.length)];
      if (!d) continue;
      if (a.kind === 'resolve') append('case.resolved', { case: contextOf(d), source: 'hotline', outcome: 'mediated', resolvedAt: new Date(now).toISOString() });
      else append('case.followedUp', { case: contextOf(d), actor: duty, at: new Date(now).toISOString(), satisfaction: 1, reopened: true });
    } else {
      const open = engine.alerts.list({ status: 'open' });
      const alert = open[a.pick % Math.max(1, open.length)];
      if (!alert) continue;
      if (a.kind === 'whistle') {
        const d = reported[a.pick % reported.length]!;
        append('case.whistled', { case: contextOf(d), actor: duty, at: new Date(now).toISOString(), whistleId: `w${log.length}`, urgency: 'urgent', tier: 'street', assignments: [], alertId: alert.id });
        continue;
      }
      const command = a.kind === 'close' ? { type: 'close' as const, note: '已处置完毕', commandId: `cmd-${step}x`, expectedVersion: alert.version } : { type: 'acknowledge' as const, commandId: `cmd-${step}x`, expectedVersion: alert.version };
      const decision = decideAlert(alert, command, duty as Actor, now);
      if (decision.ok) append(decision.type, decision.data);
    }
  }
  flush(Infinity);
  return { log, engine, drafts, now };
}

function replay(log: readonly StoredEvent[], prefix: string, engine = new RiskEngine(options(prefix))): { engine: RiskEngine; drafts: EventDraft[] } {
  const drafts: EventDraft[] = [];
  for (const e of log) drafts.push(...engine.apply(e));
  return { engine, drafts };
}

const withoutId = (drafts: readonly EventDraft[]) => drafts.map(({ id: _id, ...rest }) => rest);

describe('risk engine properties', () => {
  it('decides the same alerts for the same log', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { log } = liveRun(s);
        const a = replay(log, 'same');
        const b = replay(log, 'same');
        expect(b.drafts).toEqual(a.drafts);
        expect(b.engine.alerts.list()).toEqual(a.engine.alerts.list());
        expect(b.engine.snapshot()).toEqual(a.engine.snapshot());
      }),
      { numRuns: 60 },
    );
  });

  it('a replay of what a live run wrote ends with the same alerts, and nothing left unconfirmed', () => {
    let fired = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const live = liveRun(s);
        const again = replay(live.log, 'replay');
        expect(again.engine.alerts.list()).toEqual(live.engine.alerts.list());
        expect(live.engine.unconfirmed()).toEqual([]);
        expect(again.engine.unconfirmed()).toEqual([]);
        // Every decision the replay makes is already in the log, under the same source key.
        const keys = new Set(live.log.map((e) => e.sourceKey));
        for (const d of again.drafts) expect(keys.has(d.sourceKey)).toBe(true);
        fired += live.engine.alerts.size;
      }),
      { numRuns: 80 },
    );
    expect(fired).toBeGreaterThan(0);
  });

  it('never lets an ID number, phone or party name into a draft, the alerts or the snapshot', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const live = liveRun(s);
        const alertEvents = live.log.filter((e) => e.type.startsWith('alert.'));
        const text = JSON.stringify([live.drafts, alertEvents, live.engine.alerts.list(), live.engine.snapshot(), live.engine.sweep(live.now + 30 * 24 * HOUR)]);
        for (const p of s.people) {
          for (const secret of [p.name, p.phone, p.idNumber, p.idNumber.toUpperCase(), p.idNumber.slice(0, 14)]) expect(text).not.toContain(secret);
        }
        for (const r of s.respondents) expect(text).not.toContain(r.slice(1, 9));
      }),
      { numRuns: 60 },
    );
  });

  it('snapshot → restore → continue equals an uninterrupted run', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, cut) => {
        const { log, now } = liveRun(s);
        const k = cut % (log.length + 1);
        const whole = replay(log, 'whole');
        const first = replay(log.slice(0, k), 'first');
        const restored = RiskEngine.restore(JSON.parse(JSON.stringify(first.engine.snapshot())), options('restored'));
        const rest = replay(log.slice(k), 'restored', restored);
        expect(withoutId(rest.drafts)).toEqual(withoutId(whole.drafts.slice(first.drafts.length)));
        expect(restored.alerts.list()).toEqual(whole.engine.alerts.list());
        expect(restored.unconfirmed()).toEqual(whole.engine.unconfirmed());
        expect(restored.snapshot()).toEqual(whole.engine.snapshot());
        expect(withoutId(restored.sweep(now + 7 * HOUR))).toEqual(withoutId(whole.engine.sweep(now + 7 * HOUR)));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a snapshot made with other settings or another key, and garbage', () => {
    const { log } = liveRun(fc.sample(scenario, { numRuns: 1, seed: 7 })[0]!);
    const snapshot = replay(log, 'x').engine.snapshot();
    const other = { ...options('y'), rules: { ...looseRules(), cooldownHours: 7 } };
    expect(() => RiskEngine.restore(snapshot, other)).toThrow(/other settings/);
    expect(() => RiskEngine.restore(snapshot, { ...options('y'), identityKey: 'another-identity-key-0123456789' })).toThrow(/identity key/);
    expect(() => RiskEngine.restore({ format: 99 }, options('y'))).toThrow(/format/);
    expect(() => RiskEngine.restore(null, options('y'))).toThrow();
    expect(() => RiskEngine.restore({ ...(snapshot as object), book: undefined }, options('y'))).toThrow(/incomplete/);
  });
});
