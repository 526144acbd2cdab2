/**
 * Dates on the wall and in the consoles say the year when it is not this year and the day when it is not today (in
 * the district's time, whatever the PC's zone), so an imported case from last year or a backdated alert never reads
 * as today's. Checked over generated instants and offsets against an independent reading through Intl.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayTime, eventTime } from '../../client/lib/format.js';

const MIN = Date.parse('2000-01-01T00:00:00Z');
const MAX = Date.parse('2099-12-31T00:00:00Z');

/** Year, month, day, hour, minute, second at a fixed offset, read by Intl in a zone with that offset. */
function parts(ms: number, tz: number) {
  // Etc/GMT zones are whole hours with the sign inverted; shift by the remainder ourselves.
  const hours = Math.trunc(tz / 60);
  const rest = tz - hours * 60;
  const zone = hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(ms + rest * 60_000).map((x) => [x.type, x.value]));
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

const instant = fc.integer({ min: MIN, max: MAX });
const offset = fc.constantFrom(480, 0, -300, 330, 540, -600, 345);

describe('dayTime', () => {
  it('says MM-DD hh:mm within the current year and YYYY-MM-DD hh:mm outside it', () => {
    fc.assert(
      fc.property(instant, instant, offset, (ms, now, tz) => {
        const at = parts(ms, tz);
        const today = parts(now, tz);
        const text = dayTime(ms, tz, now);
        if (at.y === today.y) expect(text).toBe(`${at.mo}-${at.d} ${at.h}:${at.mi}`);
        else expect(text).toBe(`${at.y}-${at.mo}-${at.d} ${at.h}:${at.mi}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts the year on an instant near the new year exactly when the district is in another year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2001, max: 2098 }), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 }), offset, (year, delta, tz) => {
        const now = Date.UTC(year, 0, 1) - tz * 60_000 + 12 * 3_600_000; // noon on 1 January, district time
        const ms = now - 12 * 3_600_000 + delta; // around midnight at the new year
        const sameYear = parts(ms, tz).y === String(year);
        expect(dayTime(ms, tz, now).startsWith(`${year - 1}-`)).toBe(!sameYear);
      }),
    );
  });
});

describe('eventTime', () => {
  it('says hh:mm:ss today, the date and time on another day, and the year outside the current year', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -400 * 86_400_000, max: 400 * 86_400_000 }), offset, (now, delta, tz) => {
        const ms = Math.min(MAX, Math.max(MIN, now + delta));
        const at = parts(ms, tz);
        const today = parts(now, tz);
        const text = eventTime(ms, tz, now);
        if (at.y === today.y && at.mo === today.mo && at.d === today.d) expect(text).toBe(`${at.h}:${at.mi}:${at.s}`);
        else if (at.y === today.y) expect(text).toBe(`${at.mo}-${at.d} ${at.h}:${at.mi}`);
        else expect(text).toBe(`${at.y}-${at.mo}-${at.d} ${at.h}:${at.mi}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the issue\'s two cases right: a 2025 case and an alert backdated to yesterday, seen on 2026-12-07', () => {
    const now = Date.parse('2026-12-07T08:00:00Z');
    expect(dayTime(Date.parse('2025-11-03T16:00:00Z'), 480, now)).toBe('2025-11-04 00:00');
    expect(eventTime(Date.parse('2026-12-06T03:00:00Z'), 480, now)).toBe('12-06 11:00');
    expect(eventTime(Date.parse('2026-12-07T03:00:00Z'), 480, now)).toBe('11:00:00');
  });
});
