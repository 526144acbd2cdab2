/**
 * Sessions against real servers: no fixation (a new session id at every sign-in, planted, tampered and forged
 * cookies refused); idle and absolute expiry on a movable clock; sign-out ends the session on the server, also after
 * a restart; and a change of access (disabled, another role or department, a new password, a kiosk revoked) refuses
 * the old cookie and drops the principal's live socket within 5 s, also one that was offline at the time.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asAdmin, login, originOf } from '../../helpers/auth.js';
import { whistledCase } from '../../helpers/dispatch.js';
import { startServer, type TestSocket } from '../../helpers/server.js';
import { ACCESS_PASSWORD, createKiosk, createUser, kioskLogin, send, sessionPayload } from './principals.js';
import { admitted, closeSockets, disconnected, openSocket, refused } from './sockets.js';

afterEach(() => closeSockets());

const unique = () => randomUUID().slice(0, 8);
const me = (server: { url: string }, cookie: string) => send(server, 'GET', '/api/auth/me', { headers: { cookie } });
const clearsCookie = (answer: { headers: Headers }) => answer.headers.getSetCookie().some((c) => /^sygl_session=;.*Max-Age=0/.test(c));

/** A token in the cookie's format, signed with a key of our own choosing. */
function forge(payload: object, key: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `sygl_session=${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('session fixation and tampering', () => {
  let server: RunningServer;
  let user: { id: string; username: string };
  beforeAll(async () => {
    server = await startServer();
    user = await createUser(server, { username: `fix-${unique()}`, role: 'duty' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('starts a new session at sign-in whatever cookie the browser already holds', async () => {
    // An attacker's own valid session, and a made-up one, planted in the victim's browser before sign-in.
    const attackers = await createUser(server, { username: `atk-${unique()}`, role: 'duty' });
    const plantedValid = await login(server.url, attackers.username, ACCESS_PASSWORD);
    const plantedForged = forge({ v: 1, sid: 'A'.repeat(22), kind: 'user', pid: user.id, ep: 1, iat: Date.now(), seen: Date.now() }, 'guess');
    for (const planted of [plantedValid, plantedForged]) {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: planted, ...originOf(server) },
        body: JSON.stringify({ username: user.username, password: ACCESS_PASSWORD }),
      });
      expect(res.status).toBe(200);
      const issued = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session=') && !c.startsWith('sygl_session=;'))!.split(';')[0]!;
      expect(sessionPayload(issued).sid).not.toBe(sessionPayload(planted).sid);
      expect(sessionPayload(issued).pid).toBe(user.id);
      // The planted cookie gains nothing from the victim's sign-in.
      const plantedMe = await me(server, planted);
      expect(plantedMe.body?.id).not.toBe(user.id);
    }
  });

  it('gives every sign-in its own session id, each ended on its own', async () => {
    const cookies = [];
    for (let i = 0; i < 3; i++) cookies.push(await login(server.url, user.username, ACCESS_PASSWORD));
    expect(new Set(cookies.map((c) => sessionPayload(c).sid)).size).toBe(3);
    expect((await send(server, 'POST', '/api/auth/logout', { headers: { cookie: cookies[0]! } })).status).toBe(204);
    expect((await me(server, cookies[0]!)).status).toBe(401);
    expect((await me(server, cookies[1]!)).status).toBe(200);
    expect((await me(server, cookies[2]!)).status).toBe(200);
  });

  it('refuses a tampered, forged or malformed cookie with 401 and clears it', async () => {
    const cookie = await login(server.url, user.username, ACCESS_PASSWORD);
    expect((await me(server, cookie)).status).toBe(200);
    const [body, mac] = cookie.replace('sygl_session=', '').split('.') as [string, string];
    const payload = sessionPayload(cookie);
    const reencoded = (changes: object) => `sygl_session=${Buffer.from(JSON.stringify({ ...payload, ...changes })).toString('base64url')}.${mac}`;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const variants: Record<string, string> = {
      'the admin named in the payload, the old signature': reencoded({ pid: 'u-admin-admin' }),
      'a later sign-in time, the old signature': reencoded({ iat: payload.iat + 3_600_000, seen: payload.seen + 3_600_000 }),
      'a changed character in the payload': `sygl_session=${flip(body, 5)}.${mac}`,
      'a changed character in the signature': `sygl_session=${body}.${flip(mac, 3)}`,
      'no signature': `sygl_session=${body}`,
      'an empty signature': `sygl_session=${body}.`,
      'a third part': `${cookie}.x`,
      'signed with another key': forge(payload, 'not-the-server-key-but-long-enough-anyway'),
      'signed with the test session secret (not this server’s key)': forge(payload, 'test-session-secret-at-least-32-characters'),
      'an admin session forged with another key': forge({ ...payload, pid: 'u-admin-admin' }, 'x'.repeat(32)),
      'not base64': 'sygl_session=%%%%.####',
      'very long': `sygl_session=${'a'.repeat(4000)}.${mac}`,
      empty: 'sygl_session=',
    };
    const answers: Record<string, string> = {};
    for (const [what, bad] of Object.entries(variants)) {
      const answer = await me(server, bad);
      answers[what] = `${answer.status} ${answer.body?.error?.code}${bad !== 'sygl_session=' && !clearsCookie(answer) ? ' (cookie kept)' : ''}`;
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(variants).map((what) => [what, '401 unauthenticated'])));
    // A refused cookie changes nothing for the real one.
    expect((await me(server, cookie)).status).toBe(200);
    // Nor does it open the socket.
    expect((await refused(openSocket(server.url, { cookie: variants['the admin named in the payload, the old signature']! }))).data?.code).toBe('unauthenticated');
  });
});

describe('expiry (a movable clock)', () => {
  const MINUTE = 60_000;
  let now = Date.now();
  let server: RunningServer;
  let user: { username: string };
  let kioskCode: string;
  beforeAll(async () => {
    server = await startServer({ SESSION_IDLE_MINUTES: 30, SESSION_MAX_HOURS: 12, KIOSK_SESSION_DAYS: 30 }, { clock: () => now });
    user = await createUser(server, { username: `exp-${unique()}`, role: 'duty' });
    kioskCode = (await createKiosk(server)).code;
  });
  afterAll(async () => {
    await server.close();
  });

  /** The renewed cookie a request was answered with, or the one it sent. */
  const renewed = (answer: { headers: Headers }, sent: string) => answer.headers.getSetCookie().find((c) => c.startsWith('sygl_session=') && !c.startsWith('sygl_session=;'))?.split(';')[0] ?? sent;

  it('ends a session left idle for SESSION_IDLE_MINUTES, and not one in use', async () => {
    let cookie = await login(server.url, user.username, ACCESS_PASSWORD);
    now += 29 * MINUTE;
    const active = await me(server, cookie);
    expect(active.status).toBe(200);
    const fresh = renewed(active, cookie);
    expect(sessionPayload(fresh).sid).toBe(sessionPayload(cookie).sid);
    expect(sessionPayload(fresh).seen).toBeGreaterThan(sessionPayload(cookie).seen);
    now += 29 * MINUTE;
    // 58 minutes since sign-in, 29 since last use: the renewed cookie stands, the original one has been idle too long.
    expect((await me(server, fresh)).status).toBe(200);
    const stale = await me(server, cookie);
    expect(stale.status).toBe(401);
    expect(clearsCookie(stale)).toBe(true);
    cookie = fresh;
    now += 30 * MINUTE;
    expect((await me(server, cookie)).status).toBe(401);
  });

  it('ends a session SESSION_MAX_HOURS after sign-in however active it is', async () => {
    const signedIn = now;
    let cookie = await login(server.url, user.username, ACCESS_PASSWORD);
    const statuses: number[] = [];
    while (now + 20 * MINUTE < signedIn + 12 * 60 * MINUTE) {
      now += 20 * MINUTE;
      const answer = await me(server, cookie);
      statuses.push(answer.status);
      cookie = renewed(answer, cookie);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThan(30);
    now = signedIn + 12 * 60 * MINUTE;
    const ended = await me(server, cookie);
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toMatch(/ended/);
  });

  it('keeps a kiosk signed in without use until KIOSK_SESSION_DAYS, then ends it', async () => {
    const signedIn = now;
    const cookie = await kioskLogin(server, kioskCode);
    now = signedIn + 29 * 24 * 60 * MINUTE;
    expect((await me(server, cookie)).status).toBe(200);
    now = signedIn + 30 * 24 * 60 * MINUTE;
    expect((await me(server, cookie)).status).toBe(401);
  });
});

describe('sign-out', () => {
  it('ends the session on the server: the old cookie is refused, its socket dropped, also after a restart', async () => {
    let server = await startServer();
    try {
      const user = await createUser(server, { username: `out-${unique()}`, role: 'duty' });
      const cookie = await login(server.url, user.username, ACCESS_PASSWORD);
      const other = await login(server.url, user.username, ACCESS_PASSWORD);
      const socket = openSocket(server.url, { cookie });
      await admitted(socket);
      const gone = disconnected(socket);
      const out = await send(server, 'POST', '/api/auth/logout', { headers: { cookie } });
      expect(out.status).toBe(204);
      expect(clearsCookie(out)).toBe(true);
      expect(await gone).toBe('io server disconnect');
      expect((await me(server, cookie)).status).toBe(401);
      expect((await refused(openSocket(server.url, { cookie }))).data?.code).toBe('unauthenticated');
      // Ended in the log, not in memory: a restarted node (same data dir and key) still refuses it.
      const dataDir = server.config.DATA_DIR;
      await server.close();
      server = await startServer({ DATA_DIR: dataDir });
      expect((await me(server, cookie)).status).toBe(401);
      expect((await me(server, other)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('a change of access', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  async function connectedUser() {
    const user = await createUser(server, { username: `chg-${unique()}`, role: 'dept', deptId: 'labour' });
    const cookie = await login(server.url, user.username, ACCESS_PASSWORD);
    return { user, cookie };
  }

  /** Applies an admin change and returns how long the socket took to be dropped (it must be, within 5 s). */
  async function dropTime(socket: TestSocket, change: () => Promise<{ status: number; body: unknown }>): Promise<number> {
    const gone = disconnected(socket, 5000);
    const started = performance.now();
    const answer = await change();
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(await gone).toBe('io server disconnect');
    return performance.now() - started;
  }

  const changes: Array<[string, Record<string, unknown>]> = [
    ['disabled', { disabled: true }],
    ['given another role', { role: 'leader', deptId: null }],
    ['moved to another department', { deptId: 'court' }],
    ['given a new password', { password: 'a-brand-new-password-1' }],
  ];
  for (const [what, patch] of changes) {
    it(`a user ${what}: the old cookie is refused and the live socket dropped within 5 s`, async () => {
      const { user, cookie } = await connectedUser();
      const socket = openSocket(server.url, { cookie });
      await admitted(socket);
      const ms = await dropTime(socket, () => asAdmin(server, 'PATCH', `/api/admin/users/${user.id}`, { expectedVersion: user.version, ...patch }));
      expect(ms).toBeLessThan(5000);
      expect((await me(server, cookie)).status).toBe(401);
      expect((await refused(openSocket(server.url, { cookie }))).data?.code).toBe('unauthenticated');
    });
  }

  it('a new display name ends nothing', async () => {
    const { user, cookie } = await connectedUser();
    const socket = openSocket(server.url, { cookie });
    await admitted(socket);
    expect((await asAdmin(server, 'PATCH', `/api/admin/users/${user.id}`, { expectedVersion: user.version, name: '改个名字' })).status).toBe(200);
    expect((await me(server, cookie)).status).toBe(200);
    // Still connected: it answers a request (sync is not a dept event, so a refusal proves the round trip).
    expect(await socket.timeout(2000).emitWithAck('sync', { lastSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(socket.connected).toBe(true);
  });

  it('a kiosk revoked: its wall socket dropped within 5 s and its cookie refused', async () => {
    const kiosk = await createKiosk(server);
    const cookie = await kioskLogin(server, kiosk.code);
    const socket = openSocket(server.url, { cookie });
    await admitted(socket);
    const ms = await dropTime(socket, () => asAdmin(server, 'POST', `/api/admin/kiosks/${kiosk.id}/revoke`, {}));
    expect(ms).toBeLessThan(5000);
    expect((await me(server, cookie)).status).toBe(401);
    const again = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: kiosk.code }) });
    expect(again.status).toBe(401);
  });

  it('a socket offline while its password changed cannot resume the old session (connection-state recovery)', async () => {
    const { user, cookie } = await connectedUser();
    const socket = openSocket(server.url, { cookie }, { reconnection: true });
    await admitted(socket);
    // Recovery needs a broadcast the client has seen (its offset).
    const heard = new Promise<void>((resolve) => socket.once('case:changed', () => resolve()));
    await whistledCase(server, { lead: 'labour' });
    await heard;
    // The transport drops (not a deliberate disconnect, which would discard the recoverable session).
    socket.io.reconnection(false);
    const down = disconnected(socket);
    socket.io.engine.close();
    expect(await down).toBe('forced close');

    expect((await asAdmin(server, 'PATCH', `/api/admin/users/${user.id}`, { expectedVersion: user.version, password: 'a-brand-new-password-2' })).status).toBe(200);
    const started = performance.now();
    const outcome = new Promise<string>((resolve) => {
      socket.once('connect_error', (error) => resolve(`refused ${(error as { data?: { code?: string } }).data?.code}`));
      socket.once('connect', () => socket.once('disconnect', (reason) => resolve(`dropped (${reason}, recovered: ${socket.recovered})`)));
    });
    socket.io.reconnection(true);
    socket.connect();
    const ended = await Promise.race([outcome, new Promise<string>((resolve) => setTimeout(() => resolve(`still connected (recovered: ${socket.recovered})`), 5000))]);
    expect(ended).toMatch(/^refused unauthenticated$|^dropped \(io server disconnect/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

});
