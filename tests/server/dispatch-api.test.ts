/**
 * The dispatch API against the real server: a whole loop from intake to archive, stale versions (409 with the
 * current state), retried command ids (nothing twice), two officers whistling at once (one wins), bad input of
 * every shape (4xx, never 500), object scope for departments, and the department rooms: a department's socket hears
 * its own whistles and never another's.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, authHeaders, cookieFor, LEADER, originOf, WALL, type Who } from '../helpers/auth.js';
import { asDept, command, DUTY, get, reportCase, whistledCase } from '../helpers/dispatch.js';
import { listenAs, startServer } from '../helpers/server.js';
import type { RunningServer } from '../../server/boot.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

async function seq(): Promise<number> {
  return ((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq;
}

describe('the closed loop over HTTP', () => {
  it('takes a case from intake to archive, each step an event with its actor', async () => {
    const { caseId } = await whistledCase(server, { lead: 'labour', assists: ['police'], urgency: 'urgent' });
    const labour = asDept('labour');
    expect((await command(server, caseId, asDept('police'), { type: 'reportIn', expectedVersion: 3 })).status).toBe(201);
    const reported = await command(server, caseId, labour, { type: 'reportIn', expectedVersion: 4 });
    expect(reported.body).toMatchObject({ status: 'handling', version: 5 });
    expect((await command(server, caseId, labour, { type: 'progress', expectedVersion: 5, note: '已约谈企业负责人' })).status).toBe(201);
    expect((await command(server, caseId, labour, { type: 'resolve', expectedVersion: 6, outcome: 'mediated', note: '企业分期支付' })).body.status).toBe('resolved');
    expect((await command(server, caseId, DUTY, { type: 'confirm', expectedVersion: 7 })).body.status).toBe('confirmed');
    expect((await command(server, caseId, DUTY, { type: 'followUp', expectedVersion: 8, satisfaction: 5 })).body.status).toBe('followedUp');
    expect((await command(server, caseId, DUTY, { type: 'archive', expectedVersion: 9 })).body).toMatchObject({ status: 'archived', version: 10 });

    const detail = await get(server, `/api/cases/${caseId}`);
    expect(detail.body.case).toMatchObject({ status: 'archived', version: 10, outcome: 'mediated', satisfaction: 5, tier: 'community' });
    expect(detail.body.timeline.map((t: { type: string }) => t.type)).toEqual([
      'case.triaged',
      'case.whistled',
      'whistle.reportedIn',
      'whistle.reportedIn',
      'whistle.progress',
      'case.resolved',
      'case.confirmed',
      'case.followedUp',
      'case.archived',
    ]);
    expect(detail.body.timeline.every((t: { actor?: { role: string } }) => t.actor?.role)).toBe(true);
    expect(detail.body.timeline[4].detail.note).toBe('已约谈企业负责人');
    // Parties are masked in the detail; the duty desk sees them only by asking, with a reason (audited).
    expect(detail.body).toMatchObject({ masked: true, parties: [{ role: 'applicant', name: '张*丰', phone: '138****1234', idNumber: '440307********1234' }] });
    expect(JSON.stringify(detail.body)).not.toMatch(/张三丰|13800001234|440307199001011234/);
    const unmask = async (who: Who | undefined, reason: string) => {
      const headers = { 'content-type': 'application/json', ...(who && (await authHeaders(server, who))) };
      const res = await fetch(`${server.url}/api/cases/${caseId}/unmask`, { method: 'POST', headers, body: JSON.stringify({ reason }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await unmask(undefined, '回访核实当事人')).status).toBe(401);
    expect((await unmask(labour, '回访核实当事人')).status).toBe(403);
    expect((await unmask(DUTY, '')).status).toBe(400);
    const unmasked = await unmask(DUTY, '回访核实当事人');
    expect(unmasked.status).toBe(200);
    expect(unmasked.body).toMatchObject({ masked: false, parties: [{ name: '张三丰', phone: '13800001234', idNumber: '440307199001011234' }] });
  });

  it('suggests departments from the routing rules with reasons and deadlines per urgency', async () => {
    const caseId = await reportCase(server, { category: 'labour', peopleInvolved: 40 });
    const s = await get(server, `/api/cases/${caseId}/suggestions`);
    expect(s.status).toBe(200);
    expect(s.body.lead.deptId).toBe('labour');
    expect(s.body.assists.map((a: { deptId: string }) => a.deptId)).toEqual(expect.arrayContaining(['police', 'petition', 'street-440307013']));
    expect(s.body.urgency).toBe('urgent');
    expect(s.body.lead.reason.zh).toMatch(/欠薪/);
    for (const u of ['critical', 'urgent', 'normal']) expect(Date.parse(s.body.deadlines[u].reportDueAt)).toBeGreaterThan(Date.now());
  });
});

describe('versions and retries', () => {
  it('answers a stale version with 409 and the current state, and appends nothing', async () => {
    const caseId = await reportCase(server);
    await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'administrative' });
    const before = await seq();
    const stale = await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'district', channel: 'judicial' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', current: { id: caseId, version: 2, status: 'triaged', tier: 'street' } });
    expect(await seq()).toBe(before);
  });

  it('refuses a transition the lifecycle forbids with 409 and the reason', async () => {
    const caseId = await reportCase(server);
    const res = await command(server, caseId, DUTY, { type: 'archive', expectedVersion: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_transition');
    expect(res.body.error.message).toMatch(/archive.*received/);
  });

  it('does a retried command once: same event, duplicate: true, no new seq', async () => {
    const caseId = await reportCase(server);
    const commandId = randomUUID();
    const body = { commandId, type: 'triage' as const, expectedVersion: 1, tier: 'community' as const, channel: 'people' as const };
    const [a, b] = await Promise.all([command(server, caseId, DUTY, body), command(server, caseId, DUTY, body)]);
    const after = await seq();
    const c = await command(server, caseId, DUTY, body);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.event).toEqual(b.body.event);
    expect(c).toMatchObject({ status: 200, body: { duplicate: true, event: a.body.event } });
    expect(await seq()).toBe(after);
    expect((await get(server, `/api/cases/${caseId}`)).body.timeline).toHaveLength(1);
  });

  it('lets exactly one of two officers whistle the same case at once', async () => {
    const caseId = await reportCase(server);
    await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' });
    const whistle = (lead: string) => command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead, assists: [] });
    const results = await Promise.all([whistle('labour'), whistle('justice')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.error.current.status).toBe('whistled');
    expect((await get(server, `/api/cases/${caseId}`)).body.case.whistleCount).toBe(1);
  });
});

describe('bad input and scope', () => {
  it('answers every malformed command with a clear 4xx', async () => {
    const caseId = await reportCase(server);
    const duty = await cookieFor(server, DUTY);
    const raw = async (body: string, headers: Record<string, string> = { 'content-type': 'application/json', cookie: duty }) => {
      // From the desk's page: a browser sends its Origin with every write.
      const res = await fetch(`${server.url}/api/cases/${caseId}/commands`, { method: 'POST', headers: { ...originOf(server), ...headers }, body });
      return { status: res.status, body: (await res.json()) as { error: { code: string; details?: Array<{ path: string }> } } };
    };
    const valid = { commandId: randomUUID(), type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people' };
    // Nobody signed in, a forged or a headers-only identity, or a read-only wall: refused before the body is read.
    expect((await raw(JSON.stringify(valid), { 'content-type': 'application/json' })).status).toBe(401);
    expect((await raw(JSON.stringify(valid), { 'content-type': 'application/json', cookie: 'sygl_session=forged.token' })).status).toBe(401);
    expect((await raw(JSON.stringify(valid), { 'content-type': 'application/json', 'x-actor-role': 'duty' })).status).toBe(401);
    expect((await raw(JSON.stringify(valid), { 'content-type': 'application/json', cookie: await cookieFor(server, WALL) })).status).toBe(403);
    expect((await raw(JSON.stringify(valid), { 'content-type': 'text/plain', cookie: duty })).status).toBe(415);
    expect((await raw('{"type":')).body.error.code).toBe('malformed_json');
    const cases: Array<[unknown, string]> = [
      [{ ...valid, extra: 1 }, '(body)'],
      [{ ...valid, tier: 'planet' }, 'tier'],
      [{ ...valid, expectedVersion: 0 }, 'expectedVersion'],
      [{ ...valid, commandId: 'x' }, 'commandId'],
      [{ ...valid, type: 'explode' }, 'type'],
      [[valid], '(body)'],
      [null, '(body)'],
      [{ ...valid, type: 'followUp', satisfaction: 9 }, 'satisfaction'],
    ];
    for (const [body, path] of cases) {
      const res = await raw(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.map((d) => d.path).join(' '), JSON.stringify(body)).toContain(path);
    }
    const unknownDept = await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people' });
    expect(unknownDept.status).toBe(201);
    const w = await command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead: 'ghost-bureau', assists: [] });
    expect(w.status).toBe(400);
    expect(w.body.error.details[0]).toMatchObject({ path: 'lead' });
    expect((await command(server, 'no-such-case', DUTY, { type: 'archive', expectedVersion: 1 })).status).toBe(404);
  });

  it('shows a department only the cases and whistles it has a part in', async () => {
    const { caseId } = await whistledCase(server, { lead: 'housing' });
    const police = asDept('police');
    expect((await get(server, `/api/cases/${caseId}`, police)).status).toBe(404);
    expect((await get(server, `/api/cases/${caseId}`, asDept('housing'))).status).toBe(200);
    expect((await get(server, `/api/departments/housing/whistles`, police)).status).toBe(403);
    expect((await get(server, `/api/queue`, police)).status).toBe(403);
    expect((await get(server, `/api/whistles`, police)).status).toBe(403);
    // Another department's case answers as a missing one: not even its existence is told.
    const theirs = await command(server, caseId, police, { type: 'reportIn', expectedVersion: 3 });
    expect(theirs).toEqual(await command(server, '0190a0c0-0000-7000-8000-000000000000', police, { type: 'reportIn', expectedVersion: 3 }));
    expect(theirs.body).toEqual({ error: { code: 'not_found', message: 'no such case' } });
    const mine = await get(server, `/api/departments/housing/whistles`, asDept('housing'));
    expect(mine.body.items.map((r: { case: { id: string } }) => r.case.id)).toContain(caseId);
    expect(mine.body.items[0].title).toBeTruthy();
  });

  it('reports metrics by department, street and category, and refuses a bad range', async () => {
    const byDept = await get(server, '/api/metrics?groupBy=department');
    expect(byDept.status).toBe(200);
    const labour = byDept.body.rows.find((r: { key: string }) => r.key === 'labour');
    expect(labour).toMatchObject({ resolved: expect.any(Number), led: expect.any(Number) });
    expect(labour.resolved).toBeGreaterThanOrEqual(1);
    expect((await get(server, '/api/metrics?groupBy=street')).body.rows[0].key).toMatch(/^\d{9}$/);
    expect((await get(server, '/api/metrics?groupBy=planet')).status).toBe(400);
    expect((await get(server, '/api/metrics?from=2026-11-22T00:00:00Z&to=2026-11-01T00:00:00Z')).status).toBe(400);
  });
});

describe('department rooms', () => {
  it('pushes a whistle to its departments the moment it is blown, and never to another department', async () => {
    // Each socket's rooms come from its user's session: a department user, the duty desk.
    const labour = listenAs(server, asDept('labour'));
    const police = listenAs(server, asDept('police'));
    const duty = listenAs(server, DUTY);
    await Promise.all([labour.ready, police.ready, duty.ready]);
    const { caseId } = await whistledCase(server, { lead: 'labour', assists: ['justice'] });
    const other = await whistledCase(server, { lead: 'police' });
    await expect.poll(() => police.notices.some((n) => n.caseId === other.caseId && n.type === 'case.whistled')).toBe(true);
    await expect.poll(() => labour.notices.some((n) => n.caseId === caseId && n.type === 'case.whistled')).toBe(true);
    await expect.poll(() => duty.notices.filter((n) => n.caseId === caseId).length).toBe(3);
    const whistled = labour.notices.find((n) => n.caseId === caseId && n.type === 'case.whistled')!;
    expect(whistled.departments).toEqual(['labour', 'justice']);
    expect(labour.notices.every((n) => n.departments?.includes('labour'))).toBe(true);
    expect(police.notices.every((n) => n.departments?.includes('police'))).toBe(true);
    expect(police.notices.some((n) => n.caseId === caseId)).toBe(false);
    expect(JSON.stringify([labour.notices, duty.notices])).not.toMatch(/张三丰|13800001234|440307199001011234|拖欠/);
    for (const l of [labour, police, duty]) l.socket.close();
  });

  it('has no department socket but a department user\'s: none for an unknown department, none for a wall or a leader', async () => {
    const ghost = await asAdmin(server, 'POST', '/api/admin/users', { username: 't-dept-ghost', name: '幽灵局值守', role: 'dept', deptId: 'ghost', password: 'ghost-password-long' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.details[0].path).toBe('deptId');
    // A kiosk and a leader hear no department's whistles: the server puts them in no department room.
    const wall = listenAs(server, WALL);
    const leader = listenAs(server, LEADER);
    const labour = listenAs(server, asDept('labour'));
    await Promise.all([wall.ready, leader.ready, labour.ready]);
    const { caseId } = await whistledCase(server, { lead: 'labour' });
    await expect.poll(() => labour.notices.some((n) => n.caseId === caseId && n.type === 'case.whistled')).toBe(true);
    expect(wall.notices).toEqual([]);
    expect(leader.notices.some((n) => n.caseId === caseId)).toBe(false);
    for (const l of [wall, leader, labour]) l.socket.close();
  });
});
