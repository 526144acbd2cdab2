/** Time bucketing in the district's local time. China has no DST, so a fixed offset is exact. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function dayKey(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString().slice(0, 10);
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
