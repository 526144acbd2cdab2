/** Time bucketing in the district's local time. China has no DST, so a fixed offset is exact. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function dayKey(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * Epoch ms of the UTC midnight of `year`-`month0`+1-`day` (month and day may run over, as with Date.UTC). Date.UTC
 * reads years 0–99 as 1900–1999; this does not, so 0050-03-01 is the year 50.
 */
export function utcDay(year: number, month0: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month0, day);
}

/** Local dates the app answers for: four-digit years (toISOString writes ±YYYYYY beyond them). */
export const MIN_DATE = '0000-01-01';
export const MAX_DATE = '9999-12-31';

/** `YYYY-MM-DD` of a UTC midnight; a RangeError outside years 0000–9999 or for a time that is not a date. */
export function isoDay(ms: number): string {
  const date = Number.isFinite(ms) ? new Date(ms) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new RangeError(`dates run from ${MIN_DATE} to ${MAX_DATE}`);
  }
  return date.toISOString().slice(0, 10);
}

export function hourKey(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** The last `n` local day keys ending with the day of `ms`, oldest first. */
export function lastDays(ms: number, n: number, tzOffsetMinutes: number): string[] {
  return Array.from({ length: n }, (_, i) => dayKey(ms - (n - 1 - i) * DAY_MS, tzOffsetMinutes));
}

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
