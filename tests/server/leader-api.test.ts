/**
 * The leader's routes. First on folds fed with crafted events and a fixed clock (exact figures), then on the real
 * server through intake (wiring: the fold is fed by the log, intake alerts reach the overview, bad input is a 400).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCaseReported, PublicEvent } from '../../shared/events.js';
import type { AlertRecord, HeatHistory, LeaderOverview, RiskClientSettings, SensitivePeriod } from '../../shared/risk.js';
import { applyEvent, emptyWallState } from '../../shared/wall-state.js';
import { leaderRouter, type LeaderSources } from '../../server/api/leader.js';
import { errorHandler } from '../../server/api/errors.js';
import type { RunningServer } from '../../server/boot.js';
import { LeaderStats } from '../../server/domain/leader-stats.js';
import { loadDistrictData } from '../../server/district-data.js';
import { createLogger } from '../../server/log.js';
import { BANTIAN, GANGTOU, MAAN_TANG, PINGHU, alertRaised, caseReported } from '../helpers/factories.js';
import { DUTY, LEADER } from '../helpers/auth.js';
import { fetchAs, post, startServer } from '../helpers/server.js';

const TZ = 480;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Sunday 22 Nov 2026, 12:00 in Shenzhen. */
const NOW = Date.parse('2026-11-22T04:00:00Z');
const PINGHU_COMMUNITY = '440307003002';

const period = (id: string, from: string, to: string): SensitivePeriod => ({ id, name: { zh: id, en: id }, from, to, categories: ['labour'], weight: 2, raiseLevels: 1 });

const settings: RiskClientSettings = {
  score: {
    severity: { points: 40, scale: { community: 20, street: 60 } },
    alerts: { points: 30, scale: { community: 20, street: 40 }, weights: { red: 20, orange: 10, yellow: 5, blue: 2 } },
    overdue: { points: 15, scale: { community: 2, street: 5 } },
    trend: { points: 15, days: 7, fullAtRatio: 3 },
  },
  periods: [period('before-new-year', '2026-11-01', '2026-11-30'), period('spring-festival', '2027-01-10', '2027-02-06')],
};

const openAlert = { id: 'al-1', seq: 9, version: 9, source: 'system', rule: 'spike', level: 'orange', title: '岗头社区劳资纠纷异常激增', streetCode: BANTIAN, communityCode: GANGTOU, raisedAt: '2026-11-22T03:00:00.000Z', lastSignalAt: '2026-11-22T03:00:00.000Z', updates: 0, status: 'raised', caseIds: [], facts: { observed: 3 }, periods: [], whistles: [] } satisfies AlertRecord;

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

describe('leaderRouter on folded projections', () => {
  const district = loadDistrictData('longgang');
  const wall = emptyWallState({ tzOffsetMinutes: TZ, halfLifeHours: 24 });
  const leader = new LeaderStats({ tzOffsetMinutes: TZ });
  const listed: unknown[] = [];
  const sources: LeaderSources = {
    wall,
    leader,
    risk: {
      alerts: {
        list: (filter) => {
          listed.push(filter);
          return [openAlert];
        },
        openByLevel: () => ({ red: 0, orange: 1, yellow: 0, blue: 0 }),
      },
    },
  };
  let server: http.Server;
  let url: string;
  let seq = 0;
  const feed = (event: PublicEvent) => {
    leader.apply(event, wall);
    applyEvent(wall, event);
  };
  const reported = (at: number, community: string, street: string, category = 'labour') => {
    seq += 1;
    const reportedAt = new Date(at).toISOString();
    const event: PublicCaseReported = { seq, id: `e${seq}`, at: reportedAt, type: 'case.reported', source: 'hotline', case: { caseId: `c${seq}`, kind: 'dispute', category, streetCode: street, communityCode: community, severity: 3, peopleInvolved: 2, weight: 3, reportedAt } };
    feed(event);
  };

  beforeAll(async () => {
    reported(NOW - 3 * HOUR, GANGTOU, BANTIAN);
    reported(NOW - 2 * HOUR, GANGTOU, BANTIAN);
    reported(NOW - 1 * HOUR, GANGTOU, BANTIAN, 'family');
    reported(NOW - 2 * DAY, MAAN_TANG, BANTIAN, 'neighbour');
    reported(NOW - 9 * DAY, PINGHU_COMMUNITY, PINGHU, 'debt');
    const app = express();
    app.use(leaderRouter({ projections: sources, district, risk: settings, clock: () => NOW }));
    app.use(errorHandler(createLogger('silent')));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('ranks communities with any risk and every street, with 14-day sparklines', async () => {
    const { status, body } = await getJson<LeaderOverview>(`${url}/api/leader/overview`);
    expect(status).toBe(200);
    expect(body.generatedAt).toBe(new Date(NOW).toISOString());
    const communities = body.hotspots.communities;
    expect(communities.map((h) => h.code)).toEqual([GANGTOU, MAAN_TANG, PINGHU_COMMUNITY]);
    expect(communities.every((h, i) => i === 0 || communities[i - 1]!.score >= h.score)).toBe(true);
    const top = communities[0]!;
    expect(top.level).toBe('community');
    expect(top.daily).toHaveLength(14);
    expect(top.daily.at(-1)).toBe(3);
    expect(top.daily.reduce((a, b) => a + b, 0)).toBe(3);
    expect(top.score).toBe(Math.min(100, Math.round(top.parts.severity + top.parts.alerts + top.parts.overdue + top.parts.trend)));
    expect(top.openAlerts).toBe(0);
    expect(communities[1]!.daily[11]).toBe(1);

    const streets = body.hotspots.streets;
    expect(streets).toHaveLength(district.info.streets.length);
    expect(streets[0]!.code).toBe(BANTIAN);
    expect(streets[0]!.daily.at(-1)).toBe(3);
    expect(streets[0]!.daily.reduce((a, b) => a + b, 0)).toBe(4);
    expect(streets.find((s) => s.code === PINGHU)!.daily[4]).toBe(1);
  });

  it('gives the busy fields by week, the busy hours, the open alerts and the periods on today', async () => {
    const { body } = await getJson<LeaderOverview>(`${url}/api/leader/overview`);
    expect(body.categoryWeeks.weeks).toHaveLength(12);
    expect(body.categoryWeeks.weeks.at(-1)).toBe('2026-11-16');
    expect(body.categoryWeeks.categories).toEqual(['labour', 'debt', 'family', 'neighbour']);
    expect(body.categoryWeeks.counts[0]!.at(-1)).toBe(2);
    expect(body.categoryWeeks.counts[1]!.at(-2)).toBe(1);
    expect(body.hourOfWeek.weeks).toBe(4);
    // Sunday (6) 09:00, 10:00 and 11:00 local.
    expect([9, 10, 11].map((h) => body.hourOfWeek.counts[6]![h])).toEqual([1, 1, 1]);
    expect(body.alerts).toEqual({ alerts: [openAlert], openByLevel: { red: 0, orange: 1, yellow: 0, blue: 0 } });
    expect(listed.at(-1)).toEqual({ status: 'open', limit: 50 });
    expect(body.periods.map((p) => p.id)).toEqual(['before-new-year']);
  });

  it('replays heat hour by hour for the asked number of days, ending with the state now', async () => {
    const { status, body } = await getJson<HeatHistory>(`${url}/api/leader/heat-history?days=2`);
    expect(status).toBe(200);
    expect(body.codes).toHaveLength(district.info.communities.length);
    // NOW is on the hour, so the 48th boundary frame is the live one.
    expect(body.frames).toHaveLength(48);
    expect(body.frames.at(-1)!.at).toBe(new Date(NOW).toISOString());
    const g = body.codes.indexOf(GANGTOU);
    expect(body.frames.at(-1)!.heat[g]).toBeGreaterThan(body.frames.at(-2)!.heat[g]!);
    expect(body.frames.every((f) => f.heat.length === body.codes.length)).toBe(true);
    const week = await getJson<HeatHistory>(`${url}/api/leader/heat-history`);
    expect(week.body.frames).toHaveLength(7 * 24);
  });

  it('answers 400 naming the field for days outside 1–7, not whole, not a number, or an unknown parameter', async () => {
    for (const query of ['days=0', 'days=8', 'days=2.5', 'days=abc', 'days=']) {
      const { status, body } = await getJson<{ error: { code: string; details: Array<{ path: string; message: string }> } }>(`${url}/api/leader/heat-history?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details[0]!.path, query).toBe('days');
    }
    const unknown = await getJson<{ error: { code: string } }>(`${url}/api/leader/heat-history?days=2&hours=3`);
    expect(unknown.status).toBe(400);
  });

  it('answers without alerts when the rules are off', async () => {
    const app = express();
    app.use(leaderRouter({ projections: { ...sources, risk: null }, district, risk: settings, clock: () => NOW }));
    const off = http.createServer(app);
    await new Promise<void>((resolve) => off.listen(0, '127.0.0.1', resolve));
    try {
      const { body } = await getJson<LeaderOverview>(`http://127.0.0.1:${(off.address() as AddressInfo).port}/api/leader/overview`);
      expect(body.alerts).toEqual({ alerts: [], openByLevel: { red: 0, orange: 0, yellow: 0, blue: 0 } });
    } finally {
      await new Promise<void>((resolve) => off.close(() => resolve()));
    }
  });
});

/** A GET on the real server as a leader. */
async function leaderGet<T>(server: RunningServer, path: string): Promise<{ status: number; body: T }> {
  const res = await fetchAs(server, path, LEADER);
  return { status: res.status, body: (await res.json()) as T };
}

describe('leader routes on the real server', () => {
  let server: RunningServer;
  let now = Date.parse('2026-11-20T02:00:00Z');

  beforeAll(async () => {
    // Sessions count idle time on the server's clock, which the test moves on by hours.
    server = await startServer({ RISK_SWEEP_MS: 3_600_000, SESSION_IDLE_MINUTES: 24 * 60 }, { clock: () => now });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('folds what intake stores into the ranking, the fields and the heat history', async () => {
    const earlier = new Date(now - 5 * HOUR).toISOString();
    const res = await post(server, {
      events: [
        caseReported({ reportedAt: earlier, communityCode: MAAN_TANG, category: 'labour' }),
        caseReported({ communityCode: MAAN_TANG, category: 'labour', severity: 5 }),
        caseReported({ communityCode: GANGTOU, category: 'family', severity: 1, peopleInvolved: 1 }),
        alertRaised({ level: 'red', communityCode: MAAN_TANG, raisedAt: new Date(now - HOUR).toISOString() }),
      ],
    });
    expect(res.status).toBe(201);
    now += 2 * HOUR + 60_000;

    const overview = await leaderGet<LeaderOverview>(server, '/api/leader/overview');
    expect(overview.status).toBe(200);
    const [top] = overview.body.hotspots.communities;
    expect(top!.code).toBe(MAAN_TANG);
    expect(top!.openAlerts).toBe(1);
    expect(top!.daily.at(-1)).toBe(2);
    expect(overview.body.hotspots.streets[0]!.code).toBe(BANTIAN);
    expect(overview.body.categoryWeeks.categories).toEqual(['labour', 'family']);
    expect(overview.body.alerts.openByLevel.red).toBe(1);
    expect(overview.body.alerts.alerts.map((a) => a.communityCode)).toEqual([MAAN_TANG]);
    // Masked: nothing personal from the intake events anywhere in the answer.
    expect(JSON.stringify(overview.body)).not.toMatch(/张三丰|13800001234|440307199001011234|拖欠12名/);

    // The frames are taken by the periodic sweep; run it now rather than wait for it.
    await server.risk.sweep();
    const history = await leaderGet<HeatHistory>(server, '/api/leader/heat-history?days=1');
    expect(history.status).toBe(200);
    const m = history.body.codes.indexOf(MAAN_TANG);
    const frames = history.body.frames;
    expect(frames).toHaveLength(25);
    expect(frames[0]!.at).toBe('2026-11-19T05:00:00.000Z');
    expect(frames.at(-1)!.at).toBe(new Date(now).toISOString());
    const heatAt = (iso: string) => frames.find((f) => f.at === iso)!.heat[m]!;
    // Each event counts from its own time (issue 22): the first case (dated 21:00Z) from the 22:00Z frame on, the red
    // alert (raised 01:00Z, though it arrived at 02:00Z) from the 02:00Z frame, the second case (02:00Z) after it.
    expect(heatAt('2026-11-19T20:00:00.000Z')).toBe(0);
    expect(heatAt('2026-11-19T21:00:00.000Z')).toBe(0);
    const withFirst = heatAt('2026-11-19T22:00:00.000Z');
    expect(withFirst).toBeGreaterThan(0);
    expect(heatAt('2026-11-20T01:00:00.000Z')).toBeLessThanOrEqual(withFirst);
    expect(heatAt('2026-11-20T02:00:00.000Z')).toBeGreaterThan(withFirst + 15);
    expect(heatAt('2026-11-20T03:00:00.000Z')).toBeGreaterThan(heatAt('2026-11-20T02:00:00.000Z'));
    expect(heatAt('2026-11-20T04:00:00.000Z')).toBeLessThan(heatAt('2026-11-20T03:00:00.000Z'));
    expect(frames.at(-1)!.heat[m]).toBeCloseTo(heatAt('2026-11-20T04:00:00.000Z'), 0);
  });

  it('answers 400 with the field on a bad number of days', async () => {
    const res = await leaderGet<{ error: { details: Array<{ path: string }> } }>(server, '/api/leader/heat-history?days=9');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d) => d.path)).toEqual(['days']);
  });

  it('is the leader\'s alone: the duty desk and the wall get 403, nobody 401', async () => {
    for (const path of ['/api/leader/overview', '/api/leader/heat-history?days=1']) {
      expect((await fetchAs(server, path, DUTY)).status, path).toBe(403);
      expect((await fetchAs(server, path)).status, path).toBe(403);
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(401);
    }
  });
});
