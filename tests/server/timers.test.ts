/**
 * Overdue timers on a fake clock against the real server and store: nothing before a deadline, supervision at it,
 * escalation a tier up (and a notice to the leader room) at twice it, each exactly once; and a restart just before a
 * deadline fires it once, after the restart, and never again on the next start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { asDept, command, get, LEADER, whistledCase } from '../helpers/dispatch.js';
import { listenAs, startServer } from '../helpers/server.js';

const MINUTE = 60_000;
/** A Monday morning in Shenzhen (2026-11-23 10:00 +08:00); 特急 counts clock hours, so the calendar does not matter. */
const T0 = Date.parse('2026-11-23T02:00:00Z');

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function fakeClock(start: number) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

async function boot(clock: { read: () => number }, dataDir: string): Promise<RunningServer> {
  // The interval never fires during a test; sweeps are driven explicitly. Sessions count on the fake clock, which
  // jumps up to a day between requests: they must outlast it.
  const server = await startServer({ DATA_DIR: dataDir, TIMER_SWEEP_MS: 60_000, SESSION_IDLE_MINUTES: 24 * 60, SESSION_MAX_HOURS: 7 * 24 }, { clock: clock.read });
  running.push(server);
  return server;
}

async function timerSteps(server: RunningServer, caseId: string) {
  const detail = await get(server, `/api/cases/${caseId}`);
  return (detail.body.timeline as Array<{ type: string; actor?: { role: string }; detail: Record<string, unknown> }>)
    .filter((t) => t.type === 'whistle.supervised' || t.type === 'whistle.escalated')
    .map((t) => `${t.type}:${String(t.detail.deptId)}:${String(t.detail.stage)}`);
}

describe('overdue timers', () => {
  it('supervise at the deadline and escalate at twice it, once each, until the department reports in', async () => {
    const clock = fakeClock(T0);
    const server = await boot(clock, fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-timers-')));
    // A leader's session puts the socket in the leader room.
    const leader = listenAs(server, LEADER);
    const leaderNotices = leader.notices;
    await leader.ready;

    // 特急: lead reports in within 1 clock hour, assists within 2 (data/dispatch/sla.json).
    const { caseId } = await whistledCase(server, { lead: 'labour', assists: ['police'], urgency: 'critical' });
    clock.now = T0 + 59 * MINUTE;
    expect(await server.timers.sweep()).toBe(0);
    clock.now = T0 + 61 * MINUTE;
    expect(await server.timers.sweep()).toBe(1);
    expect(await server.timers.sweep()).toBe(0);
    expect(await timerSteps(server, caseId)).toEqual(['whistle.supervised:labour:reportIn']);

    clock.now = T0 + 121 * MINUTE;
    // Twice the lead's deadline (escalate) and the assist's own deadline (supervise), in deadline order.
    expect(await server.timers.sweep()).toBe(2);
    expect(await timerSteps(server, caseId)).toEqual(['whistle.supervised:labour:reportIn', 'whistle.escalated:labour:reportIn', 'whistle.supervised:police:reportIn']);
    const detail = await get(server, `/api/cases/${caseId}`);
    expect(detail.body.case.tier).toBe('street');
    await expect.poll(() => leaderNotices.some((n) => n.caseId === caseId && n.type === 'whistle.escalated')).toBe(true);

    // Reporting in ends the report-in timers; the lead's resolution timers start counting.
    const version = detail.body.case.version as number;
    expect((await command(server, caseId, asDept('labour'), { type: 'reportIn', expectedVersion: version })).body.status).toBe('handling');
    clock.now = T0 + 241 * MINUTE;
    expect(await server.timers.sweep()).toBe(1); // police: escalated at twice its 2 h deadline (4 h)
    clock.now = T0 + 24 * 60 * MINUTE + MINUTE;
    expect(await server.timers.sweep()).toBe(1);
    expect((await timerSteps(server, caseId)).at(-1)).toBe('whistle.supervised:labour:resolve');
    leader.socket.close();
  });

  it('fires a deadline that passed while the server was down once, after the restart, and never again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-timers-'));
    const clock = fakeClock(T0);
    let server = await boot(clock, dataDir);
    const { caseId } = await whistledCase(server, { lead: 'housing', urgency: 'critical' });
    clock.now = T0 + 59 * MINUTE;
    expect(await server.timers.sweep()).toBe(0);
    await server.close();
    running.splice(running.indexOf(server), 1);

    clock.now = T0 + 62 * MINUTE;
    server = await boot(clock, dataDir);
    // Start-up already swept once; an explicit sweep must find nothing left to do.
    await server.timers.sweep();
    expect(await server.timers.sweep()).toBe(0);
    expect(await timerSteps(server, caseId)).toEqual(['whistle.supervised:housing:reportIn']);
    await server.close();
    running.splice(running.indexOf(server), 1);

    clock.now = T0 + 70 * MINUTE;
    server = await boot(clock, dataDir);
    expect(await server.timers.sweep()).toBe(0);
    expect(await timerSteps(server, caseId)).toEqual(['whistle.supervised:housing:reportIn']);
  });

  it('counts working days for urgent whistles: a Friday whistle is due on Monday evening, not Saturday', async () => {
    const friday = Date.parse('2026-11-27T09:00:00Z'); // Fri 17:00 in Shenzhen
    const clock = fakeClock(friday);
    const server = await boot(clock, fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-timers-')));
    const { caseId } = await whistledCase(server, { lead: 'court', urgency: 'urgent' });
    const assignment = (await get(server, `/api/cases/${caseId}`)).body.case.whistle.assignments[0];
    expect(assignment.reportDueAt).toBe('2026-11-30T10:00:00.000Z'); // Mon 18:00 +08:00
    clock.now = Date.parse('2026-11-29T12:00:00Z');
    expect(await server.timers.sweep()).toBe(0);
    clock.now = Date.parse('2026-11-30T10:00:01Z');
    expect(await server.timers.sweep()).toBe(1);
  });
});
