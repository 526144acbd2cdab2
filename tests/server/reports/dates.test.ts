/**
 * Dates over the whole range (issue 15, item 6): generated local dates from the year 0 to 9999, and malformed or
 * out-of-range ones, on every report and export route of a real server. Never a 5xx; a 4xx says which field and why;
 * a 200 covers the period asked for, the years 0–99 included (JS Date reads them as 1900–1999 unless told not to).
 * The pure period functions (server and client) are held to the same calendar by the same generated dates.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { periodOf as exportPeriod } from '../../../server/ledger/export.js';
import { isoWeek, periodLabel, resolvePeriod } from '../../../server/reports/period.js';
import { quarterOf, reportPeriod, stepPeriod } from '../../../client/lib/report-dates.js';
import { DUTY } from '../../helpers/auth.js';
import { fetchAs, startServer } from '../../helpers/server.js';
import type { ReportData } from '../../../shared/reports.js';

const DAY = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A calendar date of the years 0000–9999, as YYYY-MM-DD (built by hand: no Date two-digit years in the oracle). */
const daysIn = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
const calendarDate = fc
  .record({ y: fc.oneof(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 99, 100, 1899, 1900, 1970, 2026, 9998, 9999)), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => ({ y, m, d: Math.min(d, daysIn(y, m)) }))
  .map(({ y, m, d }) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

/** Not a calendar date of four-digit years: malformed, a day that does not exist, five digits, a sign. */
const badDate = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.record({ y: fc.integer({ min: 0, max: 9999 }), m: fc.constantFrom(0, 13, 99), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  fc.record({ y: fc.integer({ min: 1, max: 9999 }).filter((y) => !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) }).map(({ y }) => `${pad(y, 4)}-02-29`),
  fc.integer({ min: 10_000, max: 999_999 }).map((y) => `${y}-01-01`),
  fc.integer({ min: 1, max: 9999 }).map((y) => `-${pad(y, 4)}-01-01`),
  fc.integer({ min: 0, max: 9999 }).map((y) => `${pad(y, 4)}-1-1`),
);

/** Days since 0000-01-01 by the proleptic Gregorian calendar, counted by hand (the oracle). */
function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // Leap years among 0 … y−1: the multiples of 4, less those of 100, plus those of 400.
  let days = 365 * y + Math.ceil(y / 4) - Math.ceil(y / 100) + Math.ceil(y / 400);
  for (let month = 1; month < m; month++) days += daysIn(y, month);
  return days + d - 1;
}
/** 0000-01-01 was a Saturday (proleptic Gregorian): Monday is 0. */
const weekday = (date: string) => (dayNumber(date) + 5) % 7;

describe('report and export dates against a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const get = async (path: string) => {
    const res = await fetchAs(server, path, DUTY);
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, body: type.includes('json') ? ((await res.json()) as any) : await res.arrayBuffer() };
  };

  it('GET /api/reports: every kind, every date of 0000–9999 answers the period or a clear 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('daily', 'weekly', 'monthly'), calendarDate, async (kind, date) => {
        const { status, body } = await get(`/api/reports?kind=${kind}&date=${date}`);
        if (status === 400) {
          // Only where the report or the period it is compared with would leave the four-digit years.
          expect(body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'date', message: expect.stringMatching(/0000-01-01 and 9999-12-31/) }] });
          expect(date < '0000-03-01' || date > '9999-11-30').toBe(true);
          return;
        }
        expect(status, JSON.stringify(body)).toBe(200);
        const { period, previous } = body as ReportData;
        expect(dayNumber(period.from) <= dayNumber(date) && dayNumber(date) <= dayNumber(period.to)).toBe(true);
        expect(period.days).toBe(dayNumber(period.to) - dayNumber(period.from) + 1);
        // The period before (only its same stretch while this one runs: previous.to may be cut short).
        const back = dayNumber(period.from) - dayNumber(previous.from);
        if (kind === 'monthly') expect(previous.from.endsWith('-01') && back >= 28 && back <= 31).toBe(true);
        else expect(back).toBe(period.days);
        if (kind === 'daily') expect(period.from).toBe(date);
        if (kind === 'weekly') expect([weekday(period.from), period.days]).toEqual([0, 7]);
        if (kind === 'monthly') expect([period.from, period.to]).toEqual([`${date.slice(0, 7)}-01`, `${date.slice(0, 8)}${daysIn(Number(date.slice(0, 4)), Number(date.slice(5, 7)))}`]);
      }),
      { numRuns: 150 },
    );
  });

  it('GET /api/reports?kind=range: generated ranges of 0000–9999 answer or say which field, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(calendarDate, fc.integer({ min: 0, max: 400 }), async (from, span) => {
        const toMs = Date.parse(`${from}T00:00:00Z`) + span * DAY;
        const to = new Date(toMs).toISOString().slice(0, 10);
        const { status, body } = await get(`/api/reports?kind=range&from=${from}&to=${to}`);
        expect(status, JSON.stringify(body)).toBeLessThan(500);
        if (status === 200) {
          expect([body.period.from, body.period.to, body.period.days]).toEqual([from, to, span + 1]);
          expect(dayNumber(body.previous.from)).toBe(dayNumber(from) - (span + 1));
        } else {
          expect(status).toBe(400);
          expect(body.error.code).toBe('invalid_request');
          expect(body.error.details[0].path).toMatch(/^(from|to)$/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('malformed and out-of-range dates on every report and export route are a 400 naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(badDate, fc.constantFrom('daily', 'weekly', 'monthly', 'range', 'export-from', 'export-to'), async (bad, where) => {
        const q = encodeURIComponent(bad);
        const path =
          where === 'range' ? `/api/reports?kind=range&from=${q}&to=2026-01-01`
          : where === 'export-from' ? `/api/ledger/export?from=${q}&to=2026-01-31`
          : where === 'export-to' ? `/api/ledger/export?from=2026-01-01&to=${q}`
          : `/api/reports?kind=${where}&date=${q}`;
        const { status, body } = await get(path);
        expect(status, `${path} ${JSON.stringify(body)}`).toBe(400);
        expect(body.error.code).toBe('invalid_request');
        expect(body.error.details.map((d: { path: string }) => d.path)).toContain(where === 'range' || where === 'export-from' ? 'from' : where === 'export-to' ? 'to' : 'date');
      }),
      { numRuns: 120 },
    );
  });

  it('GET /api/ledger/export: generated months of 0000–9999 export (an .xlsx) or say why, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(calendarDate, fc.integer({ min: 0, max: 60 }), async (from, span) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + span * DAY).toISOString().slice(0, 10);
        const { status, body } = await get(`/api/ledger/export?from=${from}&to=${to}`);
        if (status === 400) {
          expect(body.error.code).toBe('invalid_request');
          expect(to > '9999-12-31' || to.startsWith('+')).toBe(true);
          return;
        }
        expect(status, JSON.stringify(body instanceof ArrayBuffer ? '' : body)).toBe(200);
        expect(Buffer.from(body as ArrayBuffer).subarray(0, 2).toString()).toBe('PK');
      }),
      { numRuns: 25 },
    );
  });
});

describe('the period functions over the years 0–9999', () => {
  it('the export covers exactly the months of its dates, the years 0–99 included', () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 0, max: 120 }), fc.integer({ min: -720, max: 840 }), (from, span, tz) => {
        const toMs = Date.parse(`${from}T00:00:00Z`) + span * DAY;
        fc.pre(new Date(toMs).getUTCFullYear() <= 9999);
        const to = new Date(toMs).toISOString().slice(0, 10);
        const period = exportPeriod(from, to, tz);
        expect(period.months[0]!.key).toBe(from.slice(0, 7));
        expect(period.months.at(-1)!.key).toBe(to.slice(0, 7));
        expect(period.months[0]!.start).toBe(period.start);
        expect(period.months.at(-1)!.end).toBe(period.end);
        for (let i = 1; i < period.months.length; i++) expect(period.months[i]!.start).toBe(period.months[i - 1]!.end);
      }),
    );
  });

  it('server and client agree on every dated period; ISO weeks and labels keep the year', () => {
    fc.assert(
      fc.property(fc.constantFrom('daily', 'weekly', 'monthly') as fc.Arbitrary<'daily' | 'weekly' | 'monthly'>, calendarDate, (kind, date) => {
        let server: ReturnType<typeof resolvePeriod>;
        try {
          server = resolvePeriod({ kind, date }, 0, 480);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          return;
        }
        const client = reportPeriod(kind, date);
        expect([client.from, client.to, client.days]).toEqual([server.period.from, server.period.to, server.period.days]);
        const year = Number(date.slice(0, 4));
        if (kind === 'monthly') expect(periodLabel('monthly', server.period, 'zh')).toBe(`${year}年${Number(date.slice(5, 7))}月`);
        const { year: weekYear, week } = isoWeek(date);
        expect(Math.abs(weekYear - year)).toBeLessThanOrEqual(1);
        expect(week).toBeGreaterThanOrEqual(1);
        expect(week).toBeLessThanOrEqual(53);
        if (kind === 'monthly' && date > '0000-02-01' && date < '9999-12-01') {
          expect(stepPeriod('monthly', date, 1).slice(0, 7)).not.toBe(date.slice(0, 7));
          expect(dayNumber(stepPeriod('monthly', date, -1))).toBeLessThan(dayNumber(date));
          const q = quarterOf(date);
          expect(q.from <= date && date <= q.to).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
