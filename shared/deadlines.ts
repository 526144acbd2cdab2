/**
 * Working-day deadlines for whistled (吹哨) cases. Departments are held to working days, and in China those are not
 * simply Mon–Fri: public holidays close weekdays and 调休 turns some weekends into working days, announced each year
 * by the State Council. That calendar is data (data/calendar/<year>.json), validated by the schema here.
 *
 * Pure and browser-safe: all arithmetic is on local day keys ('YYYY-MM-DD') obtained by shifting by a fixed offset and
 * reading UTC fields, so the machine's own time zone never leaks in. China has no DST, so a fixed offset is exact.
 */
import { z } from 'zod';
import { DAY_MS, HOUR_MS, dayKey, utcDay } from './time.js';
import type { Localized } from './vocabulary.js';

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight of a day key, or NaN when the key is malformed or names a day that does not exist (2026-02-30). */
function dayKeyUtcMs(key: string): number {
  const m = DAY_KEY.exec(key);
  if (!m) return Number.NaN;
  const ms = utcDay(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 02-30 over into March; a round trip exposes it.
  return new Date(ms).toISOString().slice(0, 10) === key ? ms : Number.NaN;
}

function weekdayOf(key: string): number {
  const ms = dayKeyUtcMs(key);
  if (Number.isNaN(ms)) throw new RangeError(`not a valid day key: "${key}" (expected an existing date as YYYY-MM-DD)`);
  return new Date(ms).getUTCDay();
}

const isWeekend = (key: string) => {
  const d = weekdayOf(key);
  return d === 0 || d === 6;
};

const nextDayKey = (key: string) => new Date(dayKeyUtcMs(key) + DAY_MS).toISOString().slice(0, 10);

const dayKeySchema = z.string().refine((s) => !Number.isNaN(dayKeyUtcMs(s)), 'must be an existing date as YYYY-MM-DD');
const localizedSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

/**
 * Just enough shape for the cross-date checks. They run whenever it holds, not only on an otherwise valid file, so one
 * run lists every problem; the dates they see may then be malformed, which they tolerate.
 */
const datesShape = z.object({
  year: z.number(),
  holidays: z.array(z.object({ dates: z.array(z.string()) })),
  workdays: z.array(z.object({ date: z.string() })),
});

export const holidayCalendarFileSchema = z
  .strictObject({
    year: z.number().int().min(2000).max(2100),
    // provisional = built from the statutory days before the State Council's notice (with its 调休) was published.
    status: z.enum(['official', 'provisional']),
    source: z.string().min(1),
    holidays: z.array(z.strictObject({ name: localizedSchema, dates: z.array(dayKeySchema).min(1) })),
    workdays: z.array(z.strictObject({ name: localizedSchema, date: dayKeySchema })),
  })
  .superRefine((file, ctx) => {
    const year = String(file.year);
    const holidayDates = new Set<string>();
    file.holidays.forEach((h, i) =>
      h.dates.forEach((date, j) => {
        const path = ['holidays', i, 'dates', j];
        if (!date.startsWith(`${year}-`)) ctx.addIssue({ code: 'custom', path, message: `${date} is not in ${year}` });
        if (holidayDates.has(date)) ctx.addIssue({ code: 'custom', path, message: `${date} is listed twice` });
        holidayDates.add(date);
      }),
    );
    const workdayDates = new Set<string>();
    file.workdays.forEach(({ date }, i) => {
      const path = ['workdays', i, 'date'];
      if (!date.startsWith(`${year}-`)) ctx.addIssue({ code: 'custom', path, message: `${date} is not in ${year}` });
      if (holidayDates.has(date)) ctx.addIssue({ code: 'custom', path, message: `${date} is both a holiday and a working day` });
      if (workdayDates.has(date)) ctx.addIssue({ code: 'custom', path, message: `${date} is listed twice` });
      // 调休 only ever moves work onto a weekend; a weekday "workday" is a typo that would silently change nothing.
      if (!Number.isNaN(dayKeyUtcMs(date)) && !isWeekend(date)) ctx.addIssue({ code: 'custom', path, message: `${date} is a weekday; 调休 working days are Saturdays or Sundays` });
      workdayDates.add(date);
    });
  }, { when: (payload) => datesShape.safeParse(payload.value).success });

export type HolidayCalendarFile = z.infer<typeof holidayCalendarFileSchema>;

export interface WorkingCalendar {
  /** dayKey = 'YYYY-MM-DD' local date */
  isWorkingDay(dayKey: string): boolean;
  /** true when a calendar file covers that date's year; outside coverage, Mon–Fri are working days */
  covers(dayKey: string): boolean;
  holidayName(dayKey: string): Localized | undefined;
}

export function workingCalendar(files: readonly HolidayCalendarFile[]): WorkingCalendar {
  const years = new Set<number>();
  const holidays = new Map<string, Localized>();
  const workdays = new Set<string>();
  for (const file of files) {
    // Two files for one year would make the answer depend on load order.
    if (years.has(file.year)) throw new Error(`two holiday calendars for ${file.year}`);
    years.add(file.year);
    for (const h of file.holidays) for (const date of h.dates) holidays.set(date, h.name);
    for (const w of file.workdays) workdays.add(w.date);
  }
  return {
    isWorkingDay: (key) => workdays.has(key) || (!holidays.has(key) && !isWeekend(key)),
    covers: (key) => !Number.isNaN(dayKeyUtcMs(key)) && years.has(Number(key.slice(0, 4))),
    holidayName: (key) => holidays.get(key),
  };
}

export const slaDurationSchema = z.discriminatedUnion('unit', [
  // 特急 runs on the clock: fractional hours (0.5 = 30 minutes) are allowed.
  z.strictObject({ unit: z.literal('hours'), amount: z.number().positive() }),
  z.strictObject({ unit: z.literal('workingDays'), amount: z.number().int().min(1) }),
]);

export type SlaDuration = z.infer<typeof slaDurationSchema>;

/** Local end of the working day, in minutes after local midnight: 18:00. */
export const WORKDAY_END_MINUTES = 18 * 60;

/** Ten years: far beyond any real SLA, but finite, so a calendar with no working days fails loudly instead of hanging. */
const MAX_SEARCH_DAYS = 3660;

/**
 * The instant (epoch ms) a duration started at `startMs` runs out.
 * - hours: startMs + amount hours (clock hours, calendar ignored; used for 特急).
 * - workingDays: 18:00 local on the amount-th working day strictly after the local date of startMs, so a case
 *   whistled late on a working day still gets the whole next day. A 调休 weekend day counts; holidays do not.
 * Local time = UTC + tzOffsetMinutes (Shenzhen: 480).
 */
export function deadlineAfter(startMs: number, duration: SlaDuration, calendar: WorkingCalendar, tzOffsetMinutes: number): number {
  if (duration.unit === 'hours') {
    if (!(duration.amount > 0) || !Number.isFinite(duration.amount)) throw new RangeError(`invalid SLA of ${duration.amount} hours`);
    return startMs + duration.amount * HOUR_MS;
  }
  if (!Number.isInteger(duration.amount) || duration.amount < 1) throw new RangeError(`invalid SLA of ${duration.amount} working days`);
  let key = dayKey(startMs, tzOffsetMinutes);
  let remaining = duration.amount;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    key = nextDayKey(key);
    if (calendar.isWorkingDay(key) && --remaining === 0) {
      return dayKeyUtcMs(key) + (WORKDAY_END_MINUTES - tzOffsetMinutes) * 60_000;
    }
  }
  throw new Error(`no ${duration.amount} working days found within ${MAX_SEARCH_DAYS} days after ${dayKey(startMs, tzOffsetMinutes)}`);
}

/**
 * How many working days lie in the local dates (a, b]: 0 on the same day, negative when b is before a (so "overdue by
 * n working days" keeps its sign). For reports.
 */
export function workingDaysBetween(aMs: number, bMs: number, calendar: WorkingCalendar, tzOffsetMinutes: number): number {
  const from = dayKey(Math.min(aMs, bMs), tzOffsetMinutes);
  const to = dayKey(Math.max(aMs, bMs), tzOffsetMinutes);
  const span = (dayKeyUtcMs(to) - dayKeyUtcMs(from)) / DAY_MS;
  if (span > MAX_SEARCH_DAYS) throw new Error(`refusing to count working days over ${span} days (${from}..${to})`);
  let count = 0;
  for (let key = from; key !== to; ) {
    key = nextDayKey(key);
    if (calendar.isWorkingDay(key)) count++;
  }
  return aMs <= bMs ? count : -count;
}
