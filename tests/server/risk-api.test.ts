/**
 * The risk routes end to end on a real server: a rule alert raised from intake, its lifecycle over HTTP (acknowledge,
 * close, stale versions, retries, roles), a whistle blown from it, the area explanation, and what the wall receives:
 * the alert's level and area, never a party's name, phone or ID number.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../shared/risk.js';
import type { RunningServer } from '../../server/boot.js';
import { authHeaders } from '../helpers/auth.js';
import { command, DUTY, get, reportCase, type Who } from '../helpers/dispatch.js';
import { alertRaised, BANTIAN, caseReported, GANGTOU } from '../helpers/factories.js';
import { fetchAs, post, RecordingClient, startServer } from '../helpers/server.js';

const ID_NUMBER = '440307198805052345';
const PHONE = '13912345678';
const NAME = '欧阳青山';

async function alertCommand(server: RunningServer, alertId: string, who: Who, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/alerts/${alertId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(server, who)) },
    body: JSON.stringify({ commandId: randomUUID(), ...body }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('risk alerts over HTTP', () => {
  let server: RunningServer;
  let wall: RecordingClient;
  let caseId: string;
  let alert: AlertRecord;

  beforeAll(async () => {
    server = await startServer();
    wall = new RecordingClient(server.url);
    // The wall has its snapshot before the case arrives, so the alert reaches it as an event.
    await wall.connected();
    await wall.until(((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq);
    caseId = await reportCase(server, {
      peopleInvolved: 400,
      severity: 5,
      parties: [{ role: 'applicant', name: NAME, phone: PHONE, idNumber: ID_NUMBER }],
    });
    alert = await waitFor(async () => {
      const page = await get(server, '/api/alerts?status=open&rule=collective');
      return (page.body.alerts as AlertRecord[]).find((a) => a.caseIds.includes(caseId));
    });
  });
  afterAll(async () => {
    wall.socket.close();
    await server.close();
  });

  it('raises a collective alert for a case with hundreds of people, in the log like any event', async () => {
    expect(alert).toMatchObject({ rule: 'collective', status: 'raised', source: 'system', streetCode: BANTIAN, communityCode: GANGTOU });
    expect(['red', 'orange']).toContain(alert.level);
    const detail = await get(server, `/api/alerts/${alert.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.cases.map((c: { id: string }) => c.id)).toEqual([caseId]);
  });

  it('keeps party data out of alerts and out of every frame the wall receives', async () => {
    await wall.until(alert.version);
    const everything = JSON.stringify([alert, (await get(server, '/api/alerts')).body, wall.events, wall.snapshots]);
    for (const secret of [ID_NUMBER, PHONE, NAME]) expect(everything).not.toContain(secret);
    const raised = wall.events.find((e) => e.type === 'alert.raised');
    expect(raised).toMatchObject({ alertId: alert.id, level: alert.level, rule: 'collective' });
  });

  it('explains the area risk with the alert, the case and a score above zero', async () => {
    const res = await fetchAs(server, `/api/areas/${GANGTOU}/risk`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.view.score).toBeGreaterThan(0);
    expect(body.view.inputs.openAlerts).toBeGreaterThanOrEqual(1);
    expect(body.alerts.map((a: AlertRecord) => a.id)).toContain(alert.id);
    expect(body.topCases.map((c: { id: string }) => c.id)).toContain(caseId);
    expect((await fetchAs(server, '/api/areas/999999999/risk')).status).toBe(404);
  });

  it('lets only the duty desk and leaders act, and refuses bad commands with 4xx', async () => {
    expect((await alertCommand(server, alert.id, { role: 'dept', dept: 'labour' }, { type: 'acknowledge', expectedVersion: alert.version })).status).toBe(403);
    const noActor = await fetch(`${server.url}/api/alerts/${alert.id}/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noActor.status).toBe(401);
    expect((await get(server, '/api/alerts', { role: 'dept', dept: 'labour' })).status).toBe(403);
    const bad = await alertCommand(server, alert.id, DUTY, { type: 'close', expectedVersion: alert.version, note: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('note');
    expect((await alertCommand(server, alert.id, DUTY, { type: 'shout', expectedVersion: 1 })).status).toBe(400);
    expect((await alertCommand(server, 'no-such-alert', DUTY, { type: 'acknowledge', expectedVersion: 1 })).status).toBe(404);
    expect((await get(server, '/api/alerts?level=purple')).status).toBe(400);
  });

  it('whistles a case from the alert and records the whistle on it', async () => {
    const triaged = await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' });
    expect(triaged.status).toBe(201);
    const unknown = await command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'critical', lead: 'labour', assists: [], alertId: 'al-nothing' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('alertId');
    const whistled = await command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'critical', lead: 'labour', assists: ['street-440307013'], alertId: alert.id });
    expect(whistled.body.error ?? null).toBeNull();
    expect(whistled.status).toBe(201);
    const after = (await get(server, `/api/alerts/${alert.id}`)).body.alert as AlertRecord;
    expect(after.whistles).toEqual([{ caseId, whistleId: expect.any(String) }]);
    expect(after.status).toBe('acknowledged');
    alert = after;
  });

  it('closes with a note; a stale version gets 409 with the alert now, a retry gets the first answer', async () => {
    const stale = await alertCommand(server, alert.id, DUTY, { type: 'close', expectedVersion: alert.seq, note: '已吹哨处置' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.current.version).toBe(alert.version);
    const commandId = randomUUID();
    const closed = await alertCommand(server, alert.id, DUTY, { commandId, type: 'close', expectedVersion: alert.version, note: '已吹哨处置，劳动监察介入' });
    expect(closed.status).toBe(201);
    expect(closed.body.status).toBe('closed');
    const retry = await alertCommand(server, alert.id, DUTY, { commandId, type: 'close', expectedVersion: alert.version, note: '已吹哨处置，劳动监察介入' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, event: closed.body.event });
    const again = await alertCommand(server, alert.id, DUTY, { type: 'acknowledge', expectedVersion: closed.body.version });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_transition');
    const record = (await get(server, `/api/alerts/${alert.id}`)).body.alert as AlertRecord;
    expect(record.closed).toMatchObject({ note: '已吹哨处置，劳动监察介入', actor: { role: 'duty' } });
    expect((await get(server, '/api/alerts?status=open')).body.alerts.map((a: AlertRecord) => a.id)).not.toContain(alert.id);
  });

  it('folds alerts from outside systems into the same list and lifecycle', async () => {
    const res = await post(server, alertRaised({ level: 'orange', title: '网格员上报：工地聚集' }));
    expect(res.status).toBe(201);
    const alertId = res.body.results[0].alertId as string;
    const external = await waitFor(async () => ((await get(server, '/api/alerts?rule=external')).body.alerts as AlertRecord[]).find((a) => a.id === alertId));
    expect(external).toMatchObject({ level: 'orange', status: 'raised', caseIds: [] });
    expect(external.rule).toBeUndefined();
    const ack = await alertCommand(server, alertId, { role: 'leader' }, { type: 'acknowledge', expectedVersion: external.version, note: '请街道关注' });
    expect(ack.status).toBe(201);
    expect(ack.body.status).toBe('acknowledged');
  });
});

describe('risk alerts across a restart', () => {
  it('replaying the log gives back the same alerts', async () => {
    const first = await startServer();
    const dataDir = first.config.DATA_DIR;
    for (let i = 0; i < 3; i++) await post(first, caseReported({ peopleInvolved: 200 + i, severity: 4 }));
    const before = await waitFor(async () => {
      const alerts = (await get(first, '/api/alerts')).body.alerts as AlertRecord[];
      return alerts.length >= 3 ? alerts : undefined;
    });
    await first.close();
    // Once from the snapshot written at shutdown, once from the whole log.
    const again = await startServer({ DATA_DIR: dataDir });
    expect((await get(again, '/api/alerts')).body.alerts).toEqual(before);
    await again.close();
    const fs = await import('node:fs');
    const path = await import('node:path');
    fs.rmSync(path.join(dataDir, 'longgang', 'projections.snapshot.json'));
    const rebuilt = await startServer({ DATA_DIR: dataDir });
    expect((await get(rebuilt, '/api/alerts')).body.alerts).toEqual(before);
    await rebuilt.close();
  });
});
