/**
 * Report periods (issue 8): whole local days in the district's time zone. A local date `YYYY-MM-DD` starts at its
 * local midnight, the UTC instant `Date.UTC(y, m, d) − tzOffsetMinutes`; China has no DST, so a fixed offset is exact.
 * Calendar arithmetic is done on UTC dates standing for local dates, so it never depends on the host's zone.
 */
import type { ReportKind, ReportPeriod } from '../../shared/reports.js';
import { DAY_MS, isoDay, MAX_DATE, MIN_DATE, utcDay } from '../../shared/time.js';

/** UTC midnight of a local date string, i.e. the date as a "floating" day number × DAY_MS. */
function dateMs(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`"${date}" is not a local date YYYY-MM-DD`);
  }
  return ms;
}

/**
 * The date of a floating day; a RangeError (the API's 400) when a period or the one it is compared with would
 * leave the years 0000–9999.
 */
function dateOf(floatingMs: number): string {
  try {
    return isoDay(floatingMs);
  } catch {
    throw new RangeError(`a report and the period it is compared with must lie between ${MIN_DATE} and ${MAX_DATE}`);
  }
}

/** The period of local dates `from`..`to`, both inclusive. */
export function periodOf(from: string, to: string, tzOffsetMinutes: number): ReportPeriod {
  const a = dateMs(from);
  const b = dateMs(to);
  if (b < a) throw new RangeError(`period ends (${to}) before it starts (${from})`);
  const shift = tzOffsetMinutes * 60_000;
  return { from, to, startMs: a - shift, endMs: b + DAY_MS - shift, days: Math.round((b - a) / DAY_MS) + 1 };
}

/** The local date holding instant `ms`. */
export function localDateOf(ms: number, tzOffsetMinutes: number): string {
  return dateOf(ms + tzOffsetMinutes * 60_000);
}

function monthBounds(date: string): { first: string; last: string } {
  const d = new Date(dateMs(date));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { first: dateOf(utcDay(y, m, 1)), last: dateOf(utcDay(y, m + 1, 0)) };
}

/** Monday of the Monday-to-Sunday week holding `date`. */
function mondayOf(date: string): number {
  const ms = dateMs(date);
  return ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS;
}

/**
 * The period a report covers and the one it is compared with.
 * - daily: the local day `date` (default: today, local); previous: the day before.
 * - weekly: the Monday-to-Sunday week holding `date` (default: this week); previous: the week before.
 * - monthly: the calendar month holding `date` (default: this month); previous: the previous calendar month.
 * - range: `from`..`to`, both inclusive (both required); previous: as many days just before `from`.
 */
export function resolvePeriod(
  q: { kind: ReportKind; date?: string; from?: string; to?: string },
  now: number,
  tzOffsetMinutes: number,
): { period: ReportPeriod; previous: ReportPeriod } {
  const date = q.date ?? localDateOf(now, tzOffsetMinutes);
  const before = (p: ReportPeriod): ReportPeriod => {
    const start = dateMs(p.from);
    return periodOf(dateOf(start - p.days * DAY_MS), dateOf(start - DAY_MS), tzOffsetMinutes);
  };
  switch (q.kind) {
    case 'daily':
      return withPrevious(periodOf(date, date, tzOffsetMinutes), before);
    case 'weekly': {
      const monday = mondayOf(date);
      return withPrevious(periodOf(dateOf(monday), dateOf(monday + 6 * DAY_MS), tzOffsetMinutes), before);
    }
    case 'monthly': {
      const { first, last } = monthBounds(date);
      const prev = monthBounds(dateOf(dateMs(first) - DAY_MS));
      return { period: periodOf(first, last, tzOffsetMinutes), previous: periodOf(prev.first, prev.last, tzOffsetMinutes) };
    }
    case 'range': {
      if (!q.from || !q.to) throw new RangeError('a range report needs `from` and `to`');
      return withPrevious(periodOf(q.from, q.to, tzOffsetMinutes), before);
    }
  }
}

function withPrevious(period: ReportPeriod, before: (p: ReportPeriod) => ReportPeriod) {
  return { period, previous: before(period) };
}

/** ISO 8601 week of a date: the week-year (that of the week's Thursday) and the week number. */
export function isoWeek(date: string): { year: number; week: number } {
  const thursday = mondayOf(date) + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: Math.floor((thursday - utcDay(year, 0, 1)) / (7 * DAY_MS)) + 1 };
}

const monthsEn = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function parts(date: string): { y: number; m: number; d: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

/**
 * A period's title: zh `2026年12月2日 日报` / `2026年第49周` / `2026年11月` / `2026年11月1日至11月15日`;
 * en `Daily report, 2 December 2026` / `Week 49, 2026` / `November 2026` / `1 November to 15 November 2026`.
 * Weeks are ISO weeks (Monday-started; week 1 holds the year's first Thursday), so 29 Dec 2025 is in week 1 of 2026.
 */
export function periodLabel(kind: ReportKind, period: ReportPeriod, lang: 'zh' | 'en'): string {
  const a = parts(period.from);
  const b = parts(period.to);
  const zhDate = (p: { y: number; m: number; d: number }, withYear = true) => `${withYear ? `${p.y}年` : ''}${p.m}月${p.d}日`;
  const enDate = (p: { y: number; m: number; d: number }, withYear = true) => `${p.d} ${monthsEn[p.m - 1]}${withYear ? ` ${p.y}` : ''}`;
  switch (kind) {
    case 'daily':
      return lang === 'zh' ? `${zhDate(a)} 日报` : `Daily report, ${enDate(a)}`;
    case 'weekly': {
      const { year, week } = isoWeek(period.from);
      return lang === 'zh' ? `${year}年第${week}周` : `Week ${week}, ${year}`;
    }
    case 'monthly':
      return lang === 'zh' ? `${a.y}年${a.m}月` : `${monthsEn[a.m - 1]} ${a.y}`;
    case 'range': {
      const sameYear = a.y === b.y;
      if (period.from === period.to) return lang === 'zh' ? zhDate(a) : enDate(a);
      return lang === 'zh' ? `${zhDate(a)}至${zhDate(b, !sameYear)}` : `${enDate(a, !sameYear)} to ${enDate(b)}`;
    }
  }
}
