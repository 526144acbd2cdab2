import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadHolidayCalendars } from '../../server/calendar-data.js';
import {
  type HolidayCalendarFile,
  type SlaDuration,
  type WorkingCalendar,
  WORKDAY_END_MINUTES,
  deadlineAfter,
  holidayCalendarFileSchema,
  slaDurationSchema,
  workingCalendar,
  workingDaysBetween,
} from '../../shared/deadlines.js';
import { dayKey } from '../../shared/time.js';

const SHENZHEN = 480;
const calendar = workingCalendar(loadHolidayCalendars());
const at = (iso: string) => Date.parse(iso);
const days = (amount: number): SlaDuration => ({ unit: 'workingDays', amount });
const due = (startIso: string, duration: SlaDuration) => new Date(deadlineAfter(at(startIso), duration, calendar, SHENZHEN)).toISOString();
const local = (iso: string) => new Date(at(iso)).toISOString(); // normalises '+08:00' input to the Z form `due` returns

describe('deadlineAfter: working days', () => {
  it('skips weekends and always ends at 18:00 local', () => {
    expect(due('2026-03-06T10:00+08:00', days(1))).toBe(local('2026-03-09T18:00+08:00')); // Fri → Mon
    expect(due('2026-03-09T17:00+08:00', days(1))).toBe(local('2026-03-10T18:00+08:00')); // Mon → Tue
    expect(due('2026-03-09T23:59+08:00', days(1))).toBe(local('2026-03-10T18:00+08:00')); // after hours, same rule
    expect(due('2026-03-07T10:00+08:00', days(1))).toBe(local('2026-03-09T18:00+08:00')); // Sat → Mon is day 1
    expect(due('2026-03-06T10:00+08:00', days(5))).toBe(local('2026-03-13T18:00+08:00'));
  });

  it('counts the 春节 2026 make-up Saturdays and skips the nine days off', () => {
    expect(due('2026-02-13T10:00+08:00', days(1))).toBe(local('2026-02-14T18:00+08:00')); // 调休 Saturday
    expect(due('2026-02-13T10:00+08:00', days(2))).toBe(local('2026-02-24T18:00+08:00')); // 15–23 off
    expect(due('2026-02-13T10:00+08:00', days(3))).toBe(local('2026-02-25T18:00+08:00'));
    expect(due('2026-02-17T10:00+08:00', days(1))).toBe(local('2026-02-24T18:00+08:00')); // whistled on 初一
    expect(due('2026-02-27T10:00+08:00', days(1))).toBe(local('2026-02-28T18:00+08:00')); // second 调休 Saturday
  });

  it('handles 中秋 and 国庆 2026 with the 09-20 (Sun) and 10-10 (Sat) make-up days', () => {
    expect(due('2026-09-19T10:00+08:00', days(1))).toBe(local('2026-09-20T18:00+08:00')); // Sat → 调休 Sunday
    expect(due('2026-09-24T10:00+08:00', days(1))).toBe(local('2026-09-28T18:00+08:00')); // 中秋 25–27 off
    expect(due('2026-09-30T10:00+08:00', days(1))).toBe(local('2026-10-08T18:00+08:00')); // 国庆 1–7 off
    expect(due('2026-10-09T10:00+08:00', days(1))).toBe(local('2026-10-10T18:00+08:00')); // 调休 Saturday
    expect(due('2026-09-30T10:00+08:00', days(3))).toBe(local('2026-10-10T18:00+08:00'));
  });

  it('crosses into 2026 through 元旦 to the 01-04 make-up Sunday', () => {
    expect(due('2025-12-31T10:00+08:00', days(1))).toBe(local('2026-01-04T18:00+08:00'));
    expect(due('2026-01-02T10:00+08:00', days(2))).toBe(local('2026-01-05T18:00+08:00'));
  });

  it('uses the local date, not the UTC one, for a start late at night in UTC', () => {
    // 17:30 UTC on Thursday is already 01:30 on Friday in Shenzhen, so day 1 is Monday, not Friday.
    expect(due('2026-03-05T17:30Z', days(1))).toBe(local('2026-03-09T18:00+08:00'));
    expect(new Date(deadlineAfter(at('2026-03-05T17:30Z'), days(1), calendar, 0)).toISOString()).toBe('2026-03-06T18:00:00.000Z');
  });

  it('falls back to Mon–Fri for a year without a calendar file', () => {
    expect(calendar.covers('2026-05-01')).toBe(true);
    expect(calendar.covers('2027-12-31')).toBe(true);
    expect(calendar.covers('2030-10-01')).toBe(false);
    expect(calendar.isWorkingDay('2030-10-01')).toBe(true); // a Tuesday; no file says it is a holiday
    expect(calendar.isWorkingDay('2030-10-05')).toBe(false); // Saturday
    expect(due('2030-01-04T10:00+08:00', days(1))).toBe(local('2030-01-07T18:00+08:00')); // Fri → Mon
  });

  it('names holidays and rejects malformed day keys', () => {
    expect(calendar.holidayName('2026-02-17')).toEqual({ zh: '春节', en: 'Spring Festival' });
    expect(calendar.holidayName('2026-02-14')).toBeUndefined();
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.isWorkingDay('2026-05-04')).toBe(false);
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(/2026-02-30/);
  });

  it('refuses bad amounts and a calendar that never works, instead of looping forever', () => {
    expect(() => deadlineAfter(0, days(0), calendar, SHENZHEN)).toThrow(RangeError);
    expect(() => deadlineAfter(0, days(1.5), calendar, SHENZHEN)).toThrow(RangeError);
    expect(() => deadlineAfter(0, { unit: 'hours', amount: -1 }, calendar, SHENZHEN)).toThrow(RangeError);
    const never: WorkingCalendar = { isWorkingDay: () => false, covers: () => true, holidayName: () => undefined };
    expect(() => deadlineAfter(at('2026-03-06T10:00+08:00'), days(1), never, SHENZHEN)).toThrow(/no 1 working days found within 3660 days/);
  });
});

describe('deadlineAfter: clock hours (特急)', () => {
  it('ignores holidays and weekends', () => {
    expect(due('2026-02-17T10:00+08:00', { unit: 'hours', amount: 2 })).toBe(local('2026-02-17T12:00+08:00'));
    expect(due('2026-10-01T23:00+08:00', { unit: 'hours', amount: 24 })).toBe(local('2026-10-02T23:00+08:00'));
    expect(due('2026-03-07T10:00+08:00', { unit: 'hours', amount: 0.5 })).toBe(local('2026-03-07T10:30+08:00'));
  });
});

describe('workingDaysBetween', () => {
  const between = (a: string, b: string) => workingDaysBetween(at(a), at(b), calendar, SHENZHEN);
  it('counts working days in the local dates (a, b]', () => {
    expect(between('2026-02-13T10:00+08:00', '2026-02-24T09:00+08:00')).toBe(2); // 02-14 (调休) and 02-24
    expect(between('2026-09-30T10:00+08:00', '2026-10-10T10:00+08:00')).toBe(3);
    expect(between('2026-03-09T08:00+08:00', '2026-03-09T20:00+08:00')).toBe(0);
    expect(between('2026-03-13T10:00+08:00', '2026-03-06T10:00+08:00')).toBe(-5);
  });
});

describe('deadlineAfter properties', () => {
  const start = fc.integer({ min: at('2025-06-01T00:00Z'), max: at('2028-06-01T00:00Z') });
  const amount = fc.integer({ min: 1, max: 40 });

  it('ends at 18:00 local on a working day, grows with n, and is n working days away', () => {
    fc.assert(
      fc.property(start, amount, (startMs, n) => {
        const deadline = deadlineAfter(startMs, days(n), calendar, SHENZHEN);
        const localMs = deadline + SHENZHEN * 60_000;
        expect(calendar.isWorkingDay(dayKey(deadline, SHENZHEN))).toBe(true);
        expect(new Date(localMs).getUTCHours() * 60 + new Date(localMs).getUTCMinutes()).toBe(WORKDAY_END_MINUTES);
        expect(localMs % 60_000).toBe(0);
        expect(deadlineAfter(startMs, days(n + 1), calendar, SHENZHEN)).toBeGreaterThan(deadline);
        expect(deadline).toBeGreaterThan(startMs);
        expect(workingDaysBetween(startMs, deadline, calendar, SHENZHEN)).toBe(n);
      }),
    );
  });
});

const validFile = (): HolidayCalendarFile => ({
  year: 2026,
  status: 'official',
  source: 'test',
  holidays: [{ name: { zh: '元旦', en: "New Year's Day" }, dates: ['2026-01-01', '2026-01-02', '2026-01-03'] }],
  workdays: [{ name: { zh: '元旦调休上班', en: 'Make-up working day (New Year)' }, date: '2026-01-04' }],
});

/** The paths of the schema's complaints, as 'holidays.0.dates.1'. */
const badPaths = (value: unknown) => {
  const r = holidayCalendarFileSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('holidayCalendarFileSchema', () => {
  it('accepts a well-formed file', () => {
    expect(badPaths(validFile())).toEqual([]);
  });

  it('rejects dates that do not exist or lie outside the year', () => {
    const f = validFile();
    f.holidays[0]!.dates[1] = '2026-02-30';
    expect(badPaths(f)).toEqual(['holidays.0.dates.1']);
    const g = validFile();
    g.holidays[0]!.dates.push('2025-12-31');
    g.workdays[0]!.date = '2027-01-02';
    expect(badPaths(g)).toEqual(['holidays.0.dates.3', 'workdays.0.date']);
    expect(badPaths({ ...validFile(), year: 2026.5 })).toEqual(['year']);
  });

  it('rejects a weekday workday and a date that is both holiday and workday', () => {
    const f = validFile();
    f.workdays[0]!.date = '2026-01-07'; // a Wednesday
    expect(badPaths(f)).toEqual(['workdays.0.date']);
    const g = validFile();
    g.workdays[0]!.date = '2026-01-03'; // Saturday, but also in the 元旦 block
    expect(holidayCalendarFileSchema.safeParse(g).error?.issues[0]?.message).toMatch(/both a holiday and a working day/);
  });

  it('rejects unknown keys, also nested ones', () => {
    expect(holidayCalendarFileSchema.safeParse({ ...validFile(), notes: 'x' }).error?.issues[0]?.message).toMatch(/notes/);
    const f = validFile();
    Object.assign(f.workdays[0]!, { weekday: 'Sun' });
    expect(badPaths(f)).toEqual(['workdays.0']);
  });
});

describe('slaDurationSchema', () => {
  it('allows fractional hours but only whole working days', () => {
    expect(slaDurationSchema.safeParse({ unit: 'hours', amount: 0.5 }).success).toBe(true);
    expect(slaDurationSchema.safeParse({ unit: 'workingDays', amount: 3 }).success).toBe(true);
    expect(slaDurationSchema.safeParse({ unit: 'workingDays', amount: 1.5 }).success).toBe(false);
    expect(slaDurationSchema.safeParse({ unit: 'workingDays', amount: 0 }).success).toBe(false);
    expect(slaDurationSchema.safeParse({ unit: 'hours', amount: 0 }).success).toBe(false);
    expect(slaDurationSchema.safeParse({ unit: 'minutes', amount: 5 }).success).toBe(false);
    expect(slaDurationSchema.safeParse({ unit: 'hours', amount: 2, extra: 1 }).success).toBe(false);
  });
});

describe('loadHolidayCalendars', () => {
  it('loads the real 2026 and 2027 files', () => {
    const files = loadHolidayCalendars();
    expect(files.map((f) => f.year)).toEqual(expect.arrayContaining([2026, 2027]));
    const y2026 = files.find((f) => f.year === 2026)!;
    expect(y2026.status).toBe('official');
    expect(y2026.holidays.flatMap((h) => h.dates)).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    const y2027 = files.find((f) => f.year === 2027)!;
    // Until the State Council publishes 2027, only statutory days are listed and no 调休 may be made up.
    if (y2027.status === 'provisional') expect(y2027.workdays).toEqual([]);
    expect(() => workingCalendar(files)).not.toThrow();
  });

  it('names the file and every bad path of an invalid calendar, and a misnamed file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calendar-'));
    try {
      const bad = validFile();
      bad.holidays[0]!.dates = ['2026-02-30', '2025-12-31'];
      bad.workdays[0]!.date = '2026-01-07';
      fs.writeFileSync(path.join(dir, '2026.json'), JSON.stringify({ ...bad, status: 'final', extra: true }));
      const message = (() => {
        try {
          loadHolidayCalendars(dir);
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(message).toMatch(/2026\.json is not a valid holiday calendar:/);
      const paths = message.split('\n').slice(1).map((line) => line.trim().split(':')[0]);
      expect(paths).toEqual(['status', 'holidays.0.dates.0', '(file)', 'holidays.0.dates.1', 'workdays.0.date']);
      expect(message).toMatch(/workdays\.0\.date: 2026-01-07 is a weekday/);
      fs.writeFileSync(path.join(dir, '2026.json'), JSON.stringify(validFile()));
      expect(loadHolidayCalendars(dir).map((f) => f.year)).toEqual([2026]);
      fs.renameSync(path.join(dir, '2026.json'), path.join(dir, 'next-year.json'));
      expect(() => loadHolidayCalendars(dir)).toThrow(/next-year\.json holds year 2026/);
      fs.writeFileSync(path.join(dir, 'next-year.json'), '{ not json');
      expect(() => loadHolidayCalendars(dir)).toThrow(/next-year\.json is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses two calendars for one year', () => {
    expect(() => workingCalendar([validFile(), validFile()])).toThrow(/two holiday calendars for 2026/);
  });
});
