/**
 * Signing tests in the way a real client does: the test server's first admin (TEST_ADMIN_PASSWORD) creates one user
 * per role (and per department) and one integration key through the admin API, and each is signed in once per
 * server; cookies and keys are kept per server URL. Nothing here bypasses the access guard.
 */
import { randomUUID } from 'node:crypto';

export const TEST_ADMIN_PASSWORD = 'test-admin-password-long';
export const TEST_SESSION_SECRET = 'test-session-secret-at-least-32-characters';
const USER_PASSWORD = 'test-user-password-long';

export type Who = { role: 'duty' | 'leader' | 'admin' | 'wall' } | { role: 'dept'; dept: string };
export const DUTY: Who = { role: 'duty' };
export const LEADER: Who = { role: 'leader' };
export const ADMIN: Who = { role: 'admin' };
export const WALL: Who = { role: 'wall' };
export const asDept = (dept: string): Who => ({ role: 'dept', dept });

interface ServerAccess {
  cookies: Map<string, Promise<string>>;
  key?: Promise<string>;
}
const byServer = new Map<string, ServerAccess>();
const access = (url: string): ServerAccess => {
  let entry = byServer.get(url);
  if (!entry) byServer.set(url, (entry = { cookies: new Map() }));
  return entry;
};

/**
 * The Origin a browser sends with every request that changes something (the server refuses a signed-in write
 * without one: server/auth/same-origin.ts). Node's fetch sends none, so the helpers add it, as the page would.
 */
export const originOf = (server: { url: string }) => ({ origin: new URL(server.url).origin });

export function cookieFrom(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session='))?.split(';')[0];
  if (!cookie) throw new Error(`no session cookie in the answer (${res.status})`);
  return cookie;
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...originOf({ url }) }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in of ${username} answered ${res.status}: ${await res.text()}`);
  return cookieFrom(res);
}

const whoKey = (who: Who) => (who.role === 'dept' ? `dept:${who.dept}` : who.role);

/** An admin request with the test admin's session. */
export async function asAdmin(server: { url: string }, method: string, path: string, body?: unknown) {
  const cookie = await cookieFor(server, ADMIN);
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, ...originOf(server), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  keepRenewed(server, ADMIN, res);
  return { status: res.status, body: (await res.json()) as any };
}

async function signIn(server: { url: string }, who: Who): Promise<string> {
  if (who.role === 'admin') return login(server.url, 'admin', TEST_ADMIN_PASSWORD);
  if (who.role === 'wall') {
    const made = await asAdmin(server, 'POST', '/api/admin/kiosks', { name: `测试大屏 ${randomUUID().slice(0, 4)}` });
    if (made.status !== 201) throw new Error(`kiosk: ${made.status} ${JSON.stringify(made.body)}`);
    const res = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json', ...originOf(server) }, body: JSON.stringify({ code: made.body.secret }) });
    return cookieFrom(res);
  }
  const username = who.role === 'dept' ? `t-dept-${who.dept}`.slice(0, 32) : `t-${who.role}`;
  const made = await asAdmin(server, 'POST', '/api/admin/users', {
    username,
    name: who.role === 'dept' ? `${who.dept}值守`.slice(0, 40) : who.role === 'duty' ? '测试值班员' : '测试领导',
    role: who.role,
    password: USER_PASSWORD,
    ...(who.role === 'dept' && { deptId: who.dept }),
  });
  if (made.status !== 201 && made.status !== 409) throw new Error(`user ${username}: ${made.status} ${JSON.stringify(made.body)}`);
  if (made.status === 409) {
    // Made already, maybe through another node of the same log a moment ago, which this node may not have applied
    // yet. Wait for it here rather than try to sign in early: failed sign-ins count towards the lockout.
    for (let attempt = 0; ; attempt++) {
      const users = await asAdmin(server, 'GET', '/api/admin/users');
      if ((users.body.items as Array<{ username: string }>).some((u) => u.username === username)) break;
      if (attempt >= 100) throw new Error(`user ${username} was taken but never appeared on ${server.url}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return login(server.url, username, USER_PASSWORD);
}

/** A session cookie for `who` on this server (made once, then reused). */
export function cookieFor(server: { url: string }, who: Who): Promise<string> {
  const entry = access(server.url);
  const key = whoKey(who);
  let cookie = entry.cookies.get(key);
  if (!cookie) {
    cookie = signIn(server, who);
    entry.cookies.set(key, cookie);
    cookie.catch(() => entry.cookies.delete(key));
  }
  return cookie;
}

/** Keeps a session cookie the server renewed, as a browser does: the idle timeout counts from the renewal. */
export function keepRenewed(server: { url: string }, who: Who, res: Response): void {
  const renewed = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session=') && !c.startsWith('sygl_session=;'));
  if (renewed) access(server.url).cookies.set(whoKey(who), Promise.resolve(renewed.split(';')[0]!));
}

export async function authHeaders(server: { url: string }, who: Who): Promise<Record<string, string>> {
  return { cookie: await cookieFor(server, who), ...originOf(server) };
}

/** An integration key allowed every intake type and source, made once per server. */
export function integrationKey(server: { url: string }): Promise<string> {
  const entry = access(server.url);
  if (!entry.key) {
    entry.key = asAdmin(server, 'POST', '/api/admin/keys', {
      name: '测试接入',
      types: ['case.reported', 'case.resolved', 'alert.raised'],
      sources: ['grid', 'hotline', 'walkin', 'court', 'police', 'online', 'system'],
    }).then((made) => {
      if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.body)}`);
      return made.body.secret as string;
    });
    entry.key.catch(() => (entry.key = undefined));
  }
  return entry.key;
}

/** Forgets what was signed in on a server (after a restart with another data dir, say). */
export function forgetServer(url: string): void {
  byServer.delete(url);
}
