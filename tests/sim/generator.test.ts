import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDistrictData, type DistrictData } from '../../server/district-data.js';
import { createSimulation, type SimulationOptions } from '../../server/sim/generator.js';
import { idCheckChar } from '../../server/sim/people.js';
import { intakeEventSchema, type CaseReportedIntake, type IntakeEvent } from '../../shared/intake.js';
import { DAY_MS, HOUR_MS } from '../../shared/time.js';

// Local midnight (UTC+8) of a Monday, so day and hour arithmetic below reads in Shenzhen time.
const END = Date.UTC(2026, 10, 22, 16);
const TZ_MS = 8 * HOUR_MS;
const localHour = (iso: string) => new Date(Date.parse(iso) + TZ_MS).getUTCHours();
const localWeekday = (iso: string) => new Date(Date.parse(iso) + TZ_MS).getUTCDay();

const longgang = loadDistrictData('longgang');

function run(data: DistrictData, days: number, overrides: Partial<SimulationOptions> = {}, windowMs = days * DAY_MS): IntakeEvent[] {
  const sim = createSimulation({ seed: 42, district: data.info, categories: data.categories, ratePerHour: 8, ...overrides });
  const out: IntakeEvent[] = [];
  for (let t = END - days * DAY_MS; t < END; t += windowMs) out.push(...sim.eventsBetween(t, Math.min(END, t + windowMs)));
  return out;
}

const timeOf = (e: IntakeEvent) => Date.parse(e.type === 'case.reported' ? e.reportedAt! : e.type === 'case.resolved' ? e.resolvedAt! : e.raisedAt!);
const casesOf = (events: IntakeEvent[]) => events.filter((e): e is CaseReportedIntake => e.type === 'case.reported');

describe('simulation (30 days of 龙岗区 at the backfill rate)', () => {
  let events: IntakeEvent[];
  let cases: CaseReportedIntake[];
  beforeAll(() => {
    events = run(longgang, 30);
    cases = casesOf(events);
  });

  it('is deterministic: same seed and windows give the same events, another seed others', () => {
    expect(run(longgang, 30)).toEqual(events);
    const other = run(longgang, 30, { seed: 7 });
    const content = (es: IntakeEvent[]) => casesOf(es).slice(0, 200).map((c) => [c.reportedAt, c.category, c.communityCode, c.title]);
    expect(content(other)).not.toEqual(content(events));
  });

  it('does not depend on how time is cut into windows', () => {
    expect(run(longgang, 30, {}, 37 * 60_000)).toEqual(events);
  });

  it('produces a realistic daily volume', () => {
    expect(cases.length / 30).toBeGreaterThan(150);
    expect(cases.length / 30).toBeLessThan(250);
  });

  it('emits only events the intake contract accepts, on codes present in the district data', () => {
    for (const e of events) {
      const parsed = intakeEventSchema.safeParse(e);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      // Nothing is filled in by defaults or stripped: what the feed sends is what the server stores.
      expect(parsed.data).toEqual(e);
      if (e.type === 'case.resolved') continue;
      expect(longgang.street(e.streetCode)).toBeDefined();
      if (e.communityCode) expect(longgang.community(e.communityCode)?.streetCode).toBe(e.streetCode);
      if (e.type === 'case.reported') expect(longgang.category(e.category)).toBeDefined();
    }
  });

  it('keeps sourceRefs unique and events time-ordered inside the window', () => {
    expect(new Set(events.map((e) => e.sourceRef)).size).toBe(events.length);
    const times = events.map(timeOf);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(END - 30 * DAY_MS);
    expect(times.at(-1)).toBeLessThan(END);
  });

  it('resolves only cases reported earlier, each at most once, from the same source', () => {
    const reported = new Map<string, { index: number; c: CaseReportedIntake }>();
    const resolved = new Set<string>();
    events.forEach((e, index) => {
      if (e.type === 'case.reported') reported.set(e.sourceRef, { index, c: e });
      if (e.type !== 'case.resolved') return;
      const ref = e.caseSourceRef!;
      const original = reported.get(ref);
      expect(original, `resolution of unknown case ${ref}`).toBeDefined();
      expect(original!.index).toBeLessThan(index);
      expect(e.source).toBe(original!.c.source);
      expect(Date.parse(e.resolvedAt!)).toBeGreaterThanOrEqual(Date.parse(original!.c.reportedAt!));
      expect(resolved.has(ref)).toBe(false);
      resolved.add(ref);
    });
    expect(resolved.size).toBeGreaterThan(cases.length * 0.6);
  });

  it('closes most cases within a week, mostly by mediation, and leaves some open', () => {
    const early = new Map(cases.filter((c) => Date.parse(c.reportedAt!) < END - 10 * DAY_MS).map((c) => [c.sourceRef, Date.parse(c.reportedAt!)]));
    const closings = events.filter((e) => e.type === 'case.resolved' && early.has(e.caseSourceRef!));
    const withinWeek = closings.filter((e) => e.type === 'case.resolved' && Date.parse(e.resolvedAt!) - early.get(e.caseSourceRef!)! <= 7 * DAY_MS);
    expect(withinWeek.length / early.size).toBeGreaterThan(0.75);
    expect(closings.length).toBeLessThan(early.size);
    const mediated = closings.filter((e) => e.type === 'case.resolved' && e.outcome === 'mediated');
    expect(mediated.length / closings.length).toBeGreaterThan(0.6);
  });

  it('follows the weekly rhythm: weekend days are quieter', () => {
    const isWeekend = (iso: string) => [0, 6].includes(localWeekday(iso));
    const days = Array.from({ length: 30 }, (_, i) => new Date(END - (i + 1) * DAY_MS).toISOString());
    const weekendDays = days.filter(isWeekend).length;
    expect(weekendDays).toBe(10);
    const perDay = (weekend: boolean) => cases.filter((c) => isWeekend(c.reportedAt!) === weekend).length / (weekend ? weekendDays : 30 - weekendDays);
    expect(perDay(true)).toBeLessThan(perDay(false) * 0.85);
  });

  it('weights the mix toward family, labour, debt, property, land and traffic', () => {
    const main = cases.filter((c) => ['labour', 'family', 'debt', 'property', 'land', 'traffic'].includes(c.category));
    expect(main.length / cases.length).toBeGreaterThanOrEqual(0.6);
    const sources = (s: string) => cases.filter((c) => c.source === s).length;
    expect(sources('grid') + sources('hotline')).toBeGreaterThan(cases.length * 0.4);
    const low = cases.filter((c) => c.severity <= 2).length;
    expect(low / cases.length).toBeGreaterThan(0.5);
  });

  it('has hotspots several times busier than a typical community', () => {
    const counts = new Map<string, number>();
    for (const c of cases) counts.set(c.communityCode, (counts.get(c.communityCode) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]!).toBeGreaterThan(3 * sorted[Math.floor(sorted.length / 2)]!);
  });

  it('has collective wage bursts with related cases and alerts', () => {
    const bursts = cases.filter((c) => c.peopleInvolved >= 30 && c.category === 'labour');
    expect(bursts.length).toBeGreaterThan(0);
    const head = bursts[0]!;
    const related = cases.filter((c) => c.sourceRef.startsWith(`${head.sourceRef}-c`));
    expect(related.length).toBeGreaterThanOrEqual(2);
    for (const c of related) {
      expect(c.communityCode).toBe(head.communityCode);
      expect(Date.parse(c.reportedAt!) - Date.parse(head.reportedAt!)).toBeLessThanOrEqual(HOUR_MS);
    }
    expect(events.some((e) => e.type === 'alert.raised' && (e.level === 'red' || e.level === 'orange'))).toBe(true);
  });

  it('has repeat petitioners: one ID number in three or more petitions', () => {
    const byId = new Map<string, number>();
    for (const c of cases) {
      if (c.kind !== 'petition') continue;
      expect(['visit', 'letter', 'online']).toContain(c.petitionForm);
      for (const p of c.parties) if (p.idNumber) byId.set(p.idNumber, (byId.get(p.idNumber) ?? 0) + 1);
    }
    expect(Math.max(...byId.values())).toBeGreaterThanOrEqual(3);
  });

  it('makes up well-formed parties and locations near the community', () => {
    for (const c of cases) {
      for (const p of c.parties) {
        if (p.phone) expect(p.phone).toMatch(/^1[3-9]\d{9}$/);
        if (p.idNumber) {
          expect(p.idNumber).toMatch(/^\d{17}[\dX]$/);
          expect(p.idNumber[17]).toBe(idCheckChar(p.idNumber.slice(0, 17)));
        }
      }
      if (!c.location) continue;
      const [lng, lat] = longgang.community(c.communityCode)!.labelPoint;
      const dy = (c.location.lat - lat) * 111_320;
      const dx = (c.location.lng - lng) * 111_320 * Math.cos((lat * Math.PI) / 180);
      expect(Math.hypot(dx, dy)).toBeLessThan(310);
    }
    expect(cases.some((c) => !c.location)).toBe(true);
  });
});

describe('simulation rhythm and options', () => {
  it('is quiet at night: every hour 0–5 has fewer arrivals than 10:00 over 14 days', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const c of casesOf(run(longgang, 14))) byHour[localHour(c.reportedAt!)]!++;
    for (let h = 0; h <= 5; h++) expect(byHour[h]!).toBeLessThan(byHour[10]! / 3);
    expect(byHour[15]!).toBeGreaterThan(byHour[12]!);
  });

  it('works for 宝安区 from its data alone', () => {
    const baoan = loadDistrictData('baoan');
    const events = run(baoan, 3, { ratePerHour: 40 });
    expect(casesOf(events).length).toBeGreaterThan(1000);
    for (const e of events) {
      expect(intakeEventSchema.safeParse(e).success).toBe(true);
      if (e.type === 'case.reported') expect(baoan.community(e.communityCode)?.streetCode).toBe(e.streetCode);
    }
  });

  it('follows a rate that changes over time', () => {
    const switchAt = END - DAY_MS;
    const events = casesOf(run(longgang, 2, { ratePerHour: (ms) => (ms < switchAt ? 8 : 80) }));
    const late = events.filter((c) => Date.parse(c.reportedAt!) >= switchAt).length;
    expect(late).toBeGreaterThan(5 * (events.length - late));
  });

  it('gives the same events however a span is cut into windows (property)', () => {
    const from = END - 2 * DAY_MS;
    const whole = run(longgang, 2);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2 * DAY_MS - 1 }), { maxLength: 30 }), (cuts) => {
        const sim = createSimulation({ seed: 42, district: longgang.info, categories: longgang.categories, ratePerHour: 8 });
        const bounds = [from, ...cuts.sort((a, b) => a - b).map((c) => from + c), END];
        const pieces = bounds.slice(1).flatMap((to, i) => sim.eventsBetween(bounds[i]!, to));
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses windows that overlap or leave a gap', () => {
    const sim = createSimulation({ seed: 1, district: longgang.info, categories: longgang.categories, ratePerHour: 60 });
    sim.eventsBetween(END, END + HOUR_MS);
    expect(() => sim.eventsBetween(END, END + 2 * HOUR_MS)).toThrow(RangeError);
    expect(() => sim.eventsBetween(END + 2 * HOUR_MS, END + 3 * HOUR_MS)).toThrow(RangeError);
    expect(sim.eventsBetween(END + HOUR_MS, END + HOUR_MS)).toEqual([]);
  });
});
