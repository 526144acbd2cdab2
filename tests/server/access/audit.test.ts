/**
 * The audit trail as the running server writes it (the audit module has its own suite, tests/server/audit/):
 * commands, an unmasking with its reason, admin changes and denials each leave an entry naming who, what, the target
 * and the address; the chain verifies; and an entry changed in audit.db behind the server's back is named by seq.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import type { AuditEntry } from '../../../shared/audit.js';
import { asAdmin, authHeaders, DUTY } from '../../helpers/auth.js';
import { command, reportCase } from '../../helpers/dispatch.js';
import { startServer } from '../../helpers/server.js';
import { ACCESS_PASSWORD, createKiosk, createUser, send } from './principals.js';

let server: RunningServer;
let duty: { id: string; headers: Record<string, string> };
let adminId: string;
beforeAll(async () => {
  server = await startServer();
  const headers = await authHeaders(server, DUTY);
  duty = { id: (await send(server, 'GET', '/api/auth/me', { headers })).body.id, headers };
  adminId = (await asAdmin(server, 'GET', '/api/auth/me')).body.id;
});
afterAll(async () => {
  await server.close();
});

const loopback = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;

/** The entries of one action (newest first), once `ready` holds for them: entries noted on the way are written a moment later. */
async function entries(action: string, ready: (items: AuditEntry[]) => boolean, query = ''): Promise<AuditEntry[]> {
  let items: AuditEntry[] = [];
  await vi.waitFor(async () => {
    items = (await asAdmin(server, 'GET', `/api/admin/audit?action=${action}&limit=500${query}`)).body.items as AuditEntry[];
    expect(ready(items)).toBe(true);
  });
  return items;
}

describe('the audit trail of a running server', () => {
  it('records commands: who, which command on which case, how it ended, from where', async () => {
    const caseId = await reportCase(server);
    expect((await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' })).status).toBe(201);
    expect((await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'street', channel: 'people' })).status).toBe(409);
    const [refused, done] = await entries('command', (items) => items.length === 2, `&target=${caseId}`);
    expect(done).toMatchObject({ actor: { kind: 'user', id: duty.id, role: 'duty' }, action: 'command', target: caseId, outcome: 'ok', details: { type: 'triage', seq: expect.any(Number) } });
    expect(refused).toMatchObject({ actor: { id: duty.id }, target: caseId, outcome: 'failed', details: { type: 'triage', refused: 'version_conflict' } });
    expect(done!.ip).toMatch(loopback);
  });

  it('records an unmasking with the reason given, before the parties are shown', async () => {
    const caseId = await reportCase(server);
    const reason = '回访前核实当事人联系方式';
    const shown = await send(server, 'POST', `/api/cases/${caseId}/unmask`, { headers: duty.headers, body: { reason } });
    expect(shown.status).toBe(200);
    expect(shown.body.masked).toBe(false);
    const [entry] = await entries('case.unmasked', (items) => items.some((e) => e.target === caseId), `&target=${caseId}`);
    expect(entry).toMatchObject({ actor: { kind: 'user', id: duty.id, role: 'duty' }, target: caseId, outcome: 'ok', details: { reason } });
    expect(entry!.ip).toMatch(loopback);
    // An unmasking without a reason shows nothing and records nothing.
    expect((await send(server, 'POST', `/api/cases/${caseId}/unmask`, { headers: duty.headers, body: {} })).status).toBe(400);
    expect(await entries('case.unmasked', () => true, `&target=${caseId}`)).toHaveLength(1);
  });

  it('records admin changes to users, kiosks and keys, with the admin as actor and never a secret', async () => {
    const user = await createUser(server, { username: `aud-${Date.now().toString(36)}`, role: 'dept', deptId: 'court' });
    expect((await asAdmin(server, 'PATCH', `/api/admin/users/${user.id}`, { expectedVersion: user.version, password: 'another-password-entirely' })).status).toBe(200);
    expect((await asAdmin(server, 'PATCH', `/api/admin/users/${user.id}`, { expectedVersion: user.version + 1, disabled: true })).status).toBe(200);
    const kiosk = await createKiosk(server);
    expect((await asAdmin(server, 'POST', `/api/admin/kiosks/${kiosk.id}/revoke`, {})).status).toBe(200);
    const key = await asAdmin(server, 'POST', '/api/admin/keys', { name: '审计测试接入', types: ['case.reported'], sources: ['grid'] });
    expect(key.status).toBe(201);
    expect((await asAdmin(server, 'POST', `/api/admin/keys/${key.body.item.id}/revoke`, {})).status).toBe(200);

    const expected: Array<[string, string, Record<string, unknown>?]> = [
      ['user.created', user.id, { username: user.username, role: 'dept', deptId: 'court' }],
      ['user.updated', user.id, { changed: ['password'] }],
      ['user.disabled', user.id, { changed: ['disabled'] }],
      ['kiosk.created', kiosk.id],
      ['kiosk.revoked', kiosk.id],
      ['apikey.created', key.body.item.id, { types: ['case.reported'], sources: ['grid'] }],
      ['apikey.revoked', key.body.item.id],
    ];
    const all: AuditEntry[] = [];
    for (const [action, target, details] of expected) {
      const [entry] = await entries(action, (items) => items.some((e) => e.target === target), `&target=${target}`);
      expect(entry, action).toMatchObject({ actor: { kind: 'user', id: adminId, role: 'admin' }, action, target, outcome: 'ok', ...(details && { details }) });
      expect(entry!.ip).toMatch(loopback);
      all.push(entry!);
    }
    const text = JSON.stringify(all);
    const keySecret = key.body.secret as string;
    // sygl_<key id>_<secret>: the id may be recorded, the secret never.
    for (const secret of [ACCESS_PASSWORD, 'another-password-entirely', kiosk.code, keySecret.slice(keySecret.indexOf('_', 5) + 1)]) expect(text).not.toContain(secret);
  });

  it('records a denial: who was refused what, from where', async () => {
    expect((await send(server, 'GET', '/api/admin/users', { headers: duty.headers })).status).toBe(403);
    expect((await send(server, 'POST', '/api/admin/kiosks', { headers: duty.headers, body: { name: '越权' } })).status).toBe(403);
    const denials = await entries('authz.denied', (items) => items.filter((e) => e.actor.id === duty.id).length >= 2, `&actorId=${duty.id}`);
    expect(denials.map((e) => e.target)).toEqual(expect.arrayContaining(['GET /api/admin/users', 'POST /api/admin/kiosks']));
    for (const entry of denials) {
      expect(entry).toMatchObject({ actor: { kind: 'user', id: duty.id, role: 'duty' }, outcome: 'denied' });
      expect(entry.ip).toMatch(loopback);
    }
  });

  it('verifies, and names the seq of an entry changed in audit.db behind its back', async () => {
    const before = await asAdmin(server, 'GET', '/api/admin/audit/verify');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ ok: true, entries: expect.any(Number) });
    expect(before.body.entries).toBeGreaterThan(10);

    const [unmasked] = await entries('case.unmasked', (items) => items.length > 0);
    const db = new Database(path.join(server.dataDir, 'audit.db'));
    try {
      const changed = db.prepare('UPDATE audit SET details = ? WHERE seq = ?').run(JSON.stringify({ reason: '改过的理由' }), unmasked!.seq);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    const after = await asAdmin(server, 'GET', '/api/admin/audit/verify');
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ ok: false, seq: unmasked!.seq, reason: expect.any(String) });
  });
});
