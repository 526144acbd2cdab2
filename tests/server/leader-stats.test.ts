import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PublicAlertRaised, PublicCaseReported, PublicCaseResolved, PublicEvent } from '../../shared/events.js';
import { applyEvent, communityView, emptyWallState } from '../../shared/wall-state.js';
import { LeaderStats, weekStart } from '../../server/domain/leader-stats.js';
import { BANTIAN, GANGTOU, MAAN_TANG } from '../helpers/factories.js';

const TZ = 480;
const HOUR = 3_600_000;
const ms = (iso: string) => Date.parse(iso);
/** Heat of one open case of weight w reported `minutes` ago with a 1 h half-life, as the wall rounds it. */
const heat1h = (w: number, minutes: number) => Math.round((w + w * 2 ** (-minutes / 60)) * 10) / 10;

/** A wall and the leader fold fed the way Projections feeds them: the leader first, then the wall. */
function setup(halfLifeHours = 24) {
  const wall = emptyWallState({ tzOffsetMinutes: TZ, halfLifeHours });
  const stats = new LeaderStats({ tzOffsetMinutes: TZ });
  let seq = 0;
  const feed = (event: PublicEvent) => {
    stats.apply(event, wall);
    applyEvent(wall, event);
  };
  const reported = (reportedAt: string, o: { category?: string; community?: string; weight?: number } = {}): PublicCaseReported => {
    seq += 1;
    const event: PublicCaseReported = {
      seq,
      id: `e${seq}`,
      at: reportedAt,
      type: 'case.reported',
      case: { caseId: `c${seq}`, kind: 'dispute', category: o.category ?? 'labour', streetCode: BANTIAN, communityCode: o.community ?? GANGTOU, severity: 3, peopleInvolved: 1, weight: o.weight ?? 3, reportedAt },
      source: 'hotline',
    };
    feed(event);
    return event;
  };
  const resolved = (of: PublicCaseReported, resolvedAt: string): void => {
    seq += 1;
    const event: PublicCaseResolved = { seq, id: `e${seq}`, at: resolvedAt, type: 'case.resolved', case: of.case, outcome: 'mediated', resolvedAt };
    feed(event);
  };
  const alert = (raisedAt: string, community: string): void => {
    seq += 1;
    const event: PublicAlertRaised = { seq, id: `e${seq}`, at: raisedAt, type: 'alert.raised', alertId: `a${seq}`, level: 'red', title: '集体讨薪风险', streetCode: BANTIAN, communityCode: community, raisedAt };
    feed(event);
  };
  return { wall, stats, feed, reported, resolved, alert };
}

describe('LeaderStats: categories per week and hours of the week', () => {
  it('buckets new cases by local Monday-started week and by local weekday × hour', () => {
    const { stats, reported, resolved } = setup();
    const monday = reported('2026-11-16T01:00:00Z'); // Mon 16 Nov 09:00 in Shenzhen
    reported('2026-11-22T15:30:00Z'); // Sun 22 Nov 23:30: still that week
    reported('2026-11-22T16:10:00Z', { category: 'family' }); // Mon 23 Nov 00:10: the next week
    reported('2026-11-03T02:00:00Z', { category: 'debt' }); // three weeks back, late
    resolved(monday, '2026-11-23T02:00:00Z'); // a resolution is not a new case

    const now = ms('2026-11-24T04:00:00Z');
    expect(stats.categoryWeeks(now, 3)).toEqual({
      weeks: ['2026-11-09', '2026-11-16', '2026-11-23'],
      categories: ['labour', 'family'],
      counts: [
        [0, 2, 0],
        [0, 0, 1],
      ],
    });
    expect(stats.categoryWeeks(now, 4).categories).toEqual(['labour', 'debt', 'family']);
    expect(stats.categoryWeeks(now, 4).counts[1]).toEqual([1, 0, 0, 0]);

    const two = stats.hourOfWeek(now, 2);
    expect(two.weeks).toBe(2);
    expect(two.counts).toHaveLength(7);
    expect(two.counts.every((day) => day.length === 24)).toBe(true);
    expect(two.counts[0]![9]).toBe(1);
    expect(two.counts[6]![23]).toBe(1);
    expect(two.counts[0]![0]).toBe(1);
    expect(two.counts.flat().reduce((a, b) => a + b, 0)).toBe(3);
    const thisWeek = stats.hourOfWeek(now, 1);
    expect(thisWeek.counts.flat().reduce((a, b) => a + b, 0)).toBe(1);
    expect(thisWeek.counts[0]![0]).toBe(1);
  });

  it('keeps 13 weeks of categories and 5 of hours, and drops an event older than every kept week', () => {
    const { stats, reported } = setup();
    const first = ms('2026-06-01T02:00:00Z'); // a Monday
    for (let w = 0; w < 15; w++) reported(new Date(first + w * 7 * 24 * HOUR).toISOString());
    const now = first + 14 * 7 * 24 * HOUR;
    const snap = stats.snapshot();
    expect(Object.keys(snap.categoryWeeks)).toHaveLength(13);
    expect(Object.keys(snap.hourWeeks)).toHaveLength(5);
    expect(stats.categoryWeeks(now, 13).counts).toEqual([new Array(13).fill(1)]);
    expect(stats.hourOfWeek(now, 5).counts[0]![10]).toBe(5);
    // Asking for more than is kept gives what is kept.
    expect(stats.categoryWeeks(now, 40).weeks).toHaveLength(13);

    reported('2026-06-02T02:00:00Z'); // week 1, long gone
    expect(stats.snapshot().categoryWeeks).toEqual(snap.categoryWeeks);
    expect(weekStart(ms('2026-06-02T02:00:00Z'), TZ)).toBe('2026-06-01');
  });
});

describe('LeaderStats: heat frames for the time slider', () => {
  it('takes a frame at every hour boundary an event passes, from the wall as it stood then', () => {
    // Half-life 1 h so decay between boundaries is large: 3 open + 3 recent × 2^(-minutes/60).
    const { wall, stats, reported } = setup(1);
    reported('2026-11-22T10:20:00Z');
    reported('2026-11-22T13:05:00Z', { community: MAAN_TANG, weight: 2 });

    const history = stats.heatHistory(ms('2026-11-22T13:30:00Z'), [GANGTOU, MAAN_TANG, '440307013099'], 1);
    expect(history.codes).toEqual([GANGTOU, MAAN_TANG, '440307013099']);
    expect(history.frames).toHaveLength(24);
    expect(history.frames[0]!.at).toBe('2026-11-21T14:00:00.000Z');
    const last4 = history.frames.slice(-4);
    expect(last4.map((f) => f.at)).toEqual(['2026-11-22T10:00:00.000Z', '2026-11-22T11:00:00.000Z', '2026-11-22T12:00:00.000Z', '2026-11-22T13:00:00.000Z']);
    expect(last4.map((f) => f.heat)).toEqual([
      [0, 0, 0], // before the first case
      [4.9, 0, 0], // 3 + 3 × 2^(-40/60)
      [3.9, 0, 0], // 3 + 3 × 2^(-100/60)
      [3.5, 0, 0], // 3 + 3 × 2^(-160/60); the 13:05 case is not in yet
    ]);
    expect(history.frames.slice(0, 20).every((f) => f.heat.every((h) => h === 0))).toBe(true);

    // With the wall, a last frame is the state now (both cases in).
    const now = ms('2026-11-22T13:30:00Z');
    const live = stats.heatHistory(now, [GANGTOU, MAAN_TANG], 1, wall);
    expect(live.frames).toHaveLength(25);
    expect(live.frames.at(-1)).toEqual({ at: '2026-11-22T13:30:00.000Z', heat: [heat1h(3, 190), heat1h(2, 25)] });
  });

  it('derives every hour from the events before it, with or without a tick since', () => {
    const { wall, stats, reported } = setup(1);
    reported('2026-11-22T10:20:00Z');
    reported('2026-11-22T13:05:00Z', { community: MAAN_TANG, weight: 2 });
    const now = ms('2026-11-22T16:30:00Z');
    const expected = [
      [heat1h(3, 160), 0],
      [heat1h(3, 220), heat1h(2, 55)],
      [heat1h(3, 280), heat1h(2, 115)],
      [heat1h(3, 340), heat1h(2, 175)],
    ];
    expect(stats.heatHistory(now, [GANGTOU, MAAN_TANG], 1).frames.slice(-4).map((f) => f.heat)).toEqual(expected);
    stats.tick(now, wall);
    const after = stats.heatHistory(now, [GANGTOU, MAAN_TANG], 1).frames.slice(-4);
    expect(after.map((f) => f.at.slice(11, 16))).toEqual(['13:00', '14:00', '15:00', '16:00']);
    expect(after.map((f) => f.heat)).toEqual(expected);
  });

  it('a tick at start-up on an empty log does not stop a backfill that follows from drawing its history', () => {
    const { wall, stats, reported } = setup(1);
    stats.tick(ms('2026-11-22T16:00:00Z'), wall); // start-up on an empty log
    reported('2026-11-22T10:20:00Z');
    reported('2026-11-22T13:05:00Z');
    stats.tick(ms('2026-11-22T16:00:00Z'), wall);
    const frames = stats.heatHistory(ms('2026-11-22T16:00:00Z'), [GANGTOU], 1).frames;
    expect(frames.slice(-7).map((f) => f.heat[0])).toEqual([0, heat1h(3, 40), heat1h(3, 100), heat1h(3, 160), expect.any(Number), expect.any(Number), expect.any(Number)]);
  });

  it('places an out-of-order old event in its own hour, and keeps 7 days of hours', () => {
    const { stats, reported, alert } = setup(1);
    reported('2026-11-22T10:20:00Z');
    reported('2026-11-22T13:05:00Z');
    const before = stats.heatHistory(ms('2026-11-22T13:30:00Z'), [GANGTOU], 1).frames;
    reported('2026-11-22T11:30:00Z'); // backfilled late: the hours after it count it
    alert('2026-11-22T12:10:00Z', GANGTOU);
    const after = stats.heatHistory(ms('2026-11-22T13:30:00Z'), [GANGTOU], 1).frames;
    expect(after.slice(0, -3)).toEqual(before.slice(0, -3));
    expect(after.at(-2)!.heat[0]).toBe(Math.round((3 + 3 * 2 ** (-100 / 60) + 3 + 3 * 2 ** (-30 / 60)) * 10) / 10);
    expect(after.at(-1)!.heat[0]).toBeGreaterThan(before.at(-1)!.heat[0]! + 20 * 2 ** (-50 / 60) - 0.1);

    reported('2026-12-10T08:00:00Z'); // 18 days later
    const week = stats.heatHistory(ms('2026-12-10T08:30:00Z'), [GANGTOU], 7);
    expect(week.frames).toHaveLength(168);
    expect(new Set(week.frames.map((f) => f.at)).size).toBe(168);
    // Everything of November folded into the base: 3 open cases of weight 3 and a week of decay (half-life 1 h).
    expect(week.frames[0]!.heat[0]).toBe(9);
  });

  it('issue 22: one event stamped "now" arriving first does not flatten the history that follows it', () => {
    const { stats, reported } = setup(24);
    const now = ms('2026-11-22T12:00:00Z');
    reported(new Date(now - 60_000).toISOString(), { community: MAAN_TANG });
    // Then a week of backfill, oldest first, one case every 3 hours.
    for (let t = now - 7 * 24 * HOUR; t < now - HOUR; t += 3 * HOUR) reported(new Date(t).toISOString());
    const frames = stats.heatHistory(now, [GANGTOU], 7).frames;
    expect(frames).toHaveLength(168);
    expect(new Set(frames.map((f) => f.heat[0])).size).toBeGreaterThan(100);
  });

  it('counts an alert into the frames after it, through the wall heat', () => {
    const { stats, alert, reported } = setup(24);
    alert('2026-11-22T10:00:00Z', GANGTOU);
    reported('2026-11-22T11:00:00Z', { community: MAAN_TANG });
    const frames = stats.heatHistory(ms('2026-11-22T11:10:00Z'), [GANGTOU], 1).frames;
    // A red alert weighs 20 and decays with a 24 h half-life: 20 × 2^(-1/24) = 19.4 at 11:00.
    expect(frames.at(-1)).toEqual({ at: '2026-11-22T11:00:00.000Z', heat: [19.4] });
  });
});

describe('LeaderStats: frames hold the wall’s own heat', () => {
  it('a frame taken at a boundary equals communityView(wall, code, boundary).heat for every community', () => {
    const communities = [GANGTOU, MAAN_TANG, '440307013008'];
    const step = fc.record({
      minutes: fc.integer({ min: -600, max: 400 }),
      kind: fc.constantFrom('report', 'report', 'resolve', 'alert'),
      community: fc.integer({ min: 0, max: 2 }),
      weight: fc.double({ min: 0.5, max: 9, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (halfLife, batches) => {
        const { wall, stats, reported, resolved, alert } = setup(halfLife);
        const open: PublicCaseReported[] = [];
        const taken: Array<{ at: string; heat: number[] }> = [];
        let t = ms('2026-11-10T00:00:00Z');
        for (const batch of batches) {
          for (const s of batch) {
            // Mostly forward in time, sometimes a late (backfilled) event.
            const at = new Date(Math.max(ms('2026-11-01T00:00:00Z'), t + s.minutes * 60_000)).toISOString();
            if (s.minutes > 0) t += s.minutes * 60_000;
            const community = communities[s.community]!;
            if (s.kind === 'report') open.push(reported(at, { community, weight: Math.round(s.weight * 10) / 10 }));
            else if (s.kind === 'resolve' && open.length) resolved(open.shift()!, new Date(Math.max(Date.parse(open[0]?.case.reportedAt ?? at), Date.parse(at))).toISOString());
            else alert(at, community);
          }
          const boundary = (Math.floor(t / HOUR) + 1) * HOUR;
          stats.tick(boundary, wall);
          const frame = stats.heatHistory(boundary, communities, 1).frames.at(-1)!;
          expect(frame.at).toBe(new Date(boundary).toISOString());
          expect(frame.heat).toEqual(communities.map((c) => communityView(wall, c, boundary).heat));
          taken.push(frame);
          t = boundary;
        }
        expect(taken.length).toBe(batches.length);
      }),
      { numRuns: 150 },
    );
  });
});

describe('LeaderStats: frames by event time, whatever the order of arrival (issue 22)', () => {
  it('the same events in any order give the same 7 days of frames', () => {
    const communities = [GANGTOU, MAAN_TANG, '440307013008'];
    const now = ms('2026-11-22T12:00:00Z');
    const item = fc.record({
      minutesAgo: fc.integer({ min: 1, max: 9 * 24 * 60 }),
      resolvedAfter: fc.option(fc.integer({ min: 1, max: 3 * 24 * 60 }), { nil: undefined }),
      alert: fc.boolean(),
      community: fc.integer({ min: 0, max: 2 }),
      weight: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 40 }), fc.integer(), (items, salt) => {
        type Ev = { t: number; make: (f: ReturnType<typeof setup>, reports: Map<number, PublicCaseReported>) => void };
        const events: Ev[] = [];
        items.forEach((it, i) => {
          const t = now - it.minutesAgo * 60_000;
          const community = communities[it.community]!;
          if (it.alert) events.push({ t, make: (f) => f.alert(new Date(t).toISOString(), community) });
          else {
            events.push({ t, make: (f, reports) => reports.set(i, f.reported(new Date(t).toISOString(), { community, weight: it.weight })) });
            const r = it.resolvedAfter === undefined ? undefined : t + it.resolvedAfter * 60_000;
            if (r !== undefined && r < now) events.push({ t: r, make: (f, reports) => f.resolved(reports.get(i)!, new Date(r).toISOString()) });
          }
        });
        const run = (order: Ev[]) => {
          const f = setup(6);
          const reports = new Map<number, PublicCaseReported>();
          // A case's resolution always arrives after its report (the log refuses it otherwise); the rest in any order.
          const pending = [...order];
          for (let e = pending.shift(); e; e = pending.shift()) {
            try {
              e.make(f, reports);
            } catch {
              pending.push(e); // a resolution met before its case: it comes again after the rest
            }
          }
          return f.stats.heatHistory(now, communities, 7).frames;
        };
        const byTime = [...events].sort((a, b) => a.t - b.t);
        const shuffled = [...events].sort((a, b) => ((Math.imul(a.t ^ salt, 2654435761) >>> 0) % 997) - ((Math.imul(b.t ^ salt, 2654435761) >>> 0) % 997));
        expect(run(shuffled)).toEqual(run(byTime));
      }),
      { numRuns: 100 },
    );
  });
});

describe('LeaderStats: snapshots', () => {
  it('round-trips through JSON and carries on exactly like an uninterrupted fold', () => {
    const a = setup(6);
    const b = setup(6);
    const times = ['2026-11-10T01:00:00Z', '2026-11-12T09:40:00Z', '2026-11-18T23:10:00Z', '2026-11-20T06:00:00Z', '2026-11-22T03:30:00Z', '2026-11-22T07:45:00Z'];
    const categories = ['labour', 'family', 'labour', 'debt', 'property', 'labour'];
    times.slice(0, 4).forEach((t, i) => {
      a.reported(t, { category: categories[i] });
      b.reported(t, { category: categories[i] });
    });
    const restored = LeaderStats.restore(JSON.parse(JSON.stringify(b.stats.snapshot())), { tzOffsetMinutes: TZ });
    expect(restored.snapshot()).toEqual(b.stats.snapshot());
    // Continue the restored one against b's wall (b's own stats are no longer fed).
    const later = times.slice(4).map((t, i) => a.reported(t, { category: categories[4 + i], community: i ? GANGTOU : MAAN_TANG }));
    for (const event of later) {
      restored.apply(event, b.wall);
      applyEvent(b.wall, event);
    }
    const now = ms('2026-11-22T09:00:00Z');
    a.stats.tick(now, a.wall);
    restored.tick(now, b.wall);
    expect(restored.snapshot()).toEqual(a.stats.snapshot());
    expect(restored.heatHistory(now, [GANGTOU, MAAN_TANG], 7)).toEqual(a.stats.heatHistory(now, [GANGTOU, MAAN_TANG], 7));
    expect(restored.categoryWeeks(now)).toEqual(a.stats.categoryWeeks(now));
  });

  it('ignores an event it has already folded', () => {
    const { stats, wall, reported } = setup();
    const event = reported('2026-11-22T03:00:00Z');
    const before = stats.snapshot();
    stats.apply(event, wall);
    expect(stats.snapshot()).toEqual(before);
  });

  it('refuses a snapshot of another shape or time zone', () => {
    const { stats, reported } = setup();
    reported('2026-11-22T03:00:00Z');
    expect(() => LeaderStats.restore({ version: 99 }, { tzOffsetMinutes: TZ })).toThrow(/not usable/);
    expect(() => LeaderStats.restore(null, { tzOffsetMinutes: TZ })).toThrow(/not usable/);
    expect(() => LeaderStats.restore(stats.snapshot(), { tzOffsetMinutes: 0 })).toThrow(/time zone/);
  });
});
