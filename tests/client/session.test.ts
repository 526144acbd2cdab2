import { describe, expect, it } from 'vitest';
import type { CaseDetail } from '../../shared/api.js';
import type { Me } from '../../shared/auth.js';
import { CaseUnmask } from '../../client/lib/case-unmask.svelte.js';
import { explicitRoute, hashQuery, homeOf, mayOpen, parseRoute, viewsFor } from '../../client/lib/route.js';
import { Session } from '../../client/lib/session.svelte.js';
import { summary } from './dispatch-fixtures.js';

const duty: Me = { kind: 'user', id: 'u1', name: '王值班', role: 'duty', username: 'duty1', expiresAt: '2030-01-01T00:00:00Z', idleMinutes: 30 };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

class MemoryStorage {
  #items = new Map<string, string>();
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
}

function harness(answer: (url: string, init?: RequestInit) => Response | Promise<Response>, hash = '#/duty') {
  const page = { hash, visits: [] as string[], calls: [] as Array<{ url: string; init?: RequestInit }> };
  const storage = new MemoryStorage() as unknown as Storage;
  const session = new Session({
    fetch: (async (url: string, init?: RequestInit) => (page.calls.push({ url, init }), answer(url, init))) as typeof fetch,
    hash: () => page.hash,
    navigate: (next) => {
      page.visits.push(next);
      page.hash = next;
    },
    storage: () => storage,
    persist: () => storage,
  });
  return { session, page };
}

describe('routes by role', () => {
  it('sends each role home and lets it open only its own views', () => {
    expect(homeOf('wall')).toBe('wall');
    expect(homeOf('dept')).toBe('dept');
    expect(homeOf('admin')).toBe('admin');
    expect(mayOpen('dept', 'leader')).toBe(false);
    expect(mayOpen('dept', 'dept')).toBe(true);
    expect(mayOpen('leader', 'wall')).toBe(true);
    expect(mayOpen('duty', 'admin')).toBe(false);
    expect(mayOpen('wall', 'login')).toBe(true);
  });

  it('offers the reports and ledgers to the duty desk and the leader only', () => {
    expect(viewsFor('duty')).toEqual(['duty', 'reports']);
    expect(viewsFor('leader')).toEqual(['leader', 'wall', 'reports']);
    expect(homeOf('duty')).toBe('duty');
    expect(homeOf('leader')).toBe('leader');
    for (const role of ['wall', 'dept', 'admin'] as const) expect(mayOpen(role, 'reports')).toBe(false);
    expect(explicitRoute('#/reports?archive=abc')).toBe('reports');
    expect(hashQuery('#/reports?archive=abc').get('archive')).toBe('abc');
  });

  it('reads the route and its query from the hash', () => {
    expect(parseRoute('')).toBe('wall');
    expect(explicitRoute('')).toBeNull();
    expect(explicitRoute('#/dept?x=1')).toBe('dept');
    expect(hashQuery('#/wall?kiosk=abc').get('kiosk')).toBe('abc');
  });
});

describe('Session', () => {
  it('knows who is signed in, and that a 401 from /me means nobody', async () => {
    const signedIn = harness(() => json(200, duty));
    await signedIn.session.load();
    expect(signedIn.session.state).toBe('ready');
    expect(signedIn.session.role).toBe('duty');
    expect(signedIn.session.deptId).toBeNull();

    const nobody = harness(() => json(401, { error: { code: 'unauthenticated' } }));
    await nobody.session.load();
    expect(nobody.session.state).toBe('ready');
    expect(nobody.session.me).toBeNull();

    const offline = harness(() => Promise.reject(new TypeError('failed')));
    await offline.session.load();
    expect(offline.session.state).toBe('error');
  });

  it('signs in, and tells a wrong password, a lockout with its wait, and a lost network apart', async () => {
    const answers = [
      json(401, { error: { code: 'invalid_credentials' } }),
      json(429, { error: { code: 'locked', retryAfterSeconds: 840 } }, { 'retry-after': '840' }),
      json(200, duty),
    ];
    const { session, page } = harness(() => answers.shift() ?? Promise.reject(new TypeError('failed')));
    expect(await session.login('duty1', 'wrong')).toEqual({ ok: false, error: { kind: 'invalid' } });
    expect(await session.login('duty1', 'wrong')).toEqual({ ok: false, error: { kind: 'locked', retryAfterSeconds: 840 } });
    expect(await session.login('duty1', 'right-password')).toEqual({ ok: true, me: duty });
    expect(session.me).toEqual(duty);
    expect(await session.kioskLogin('code')).toEqual({ ok: false, error: { kind: 'network' } });
    expect(page.calls.map((c) => c.url)).toEqual(['/api/auth/login', '/api/auth/login', '/api/auth/login', '/api/auth/kiosk']);
    expect(JSON.parse(String(page.calls[2]!.init!.body))).toEqual({ username: 'duty1', password: 'right-password' });
  });

  it('sends a user whose session ended to the login page with a message, and back where they were afterwards', async () => {
    const { session, page } = harness(() => json(200, duty), '#/duty');
    await session.load();
    session.ended();
    expect(session.me).toBeNull();
    expect(session.notice).toBe('expired');
    expect(page.visits).toEqual(['#/login']);
    // Signing in again as the same role goes back to the duty desk; the place is forgotten once used.
    expect(session.landing('duty')).toBe('#/duty');
    expect(session.landing('duty')).toBe('#/duty');
    session.rememberHere(); // on the login page: nothing to remember
    expect(session.landing('leader')).toBe('#/leader');
  });

  it('shows a kiosk wall whose session ended its own "access withdrawn" page, not the login form, also after a restart', async () => {
    const kiosk: Me = { kind: 'kiosk', id: 'k1', name: '指挥中心主屏', role: 'wall', expiresAt: '2030-01-01T00:00:00Z', idleMinutes: 0 } as Me;
    let known = true;
    const { session, page } = harness((url) => (url === '/api/auth/kiosk' ? json(200, kiosk) : known ? json(200, kiosk) : json(401, { error: { code: 'unauthenticated', message: 'x' } })), '#/wall');
    expect((await session.kioskLogin('code')).ok).toBe(true);
    expect(session.withdrawn).toBe(false);
    // The admin revokes the code: the server drops the wall's socket and /me answers 401.
    known = false;
    await session.check();
    expect(session.me).toBeNull();
    expect(session.withdrawn).toBe(true);
    expect(session.notice).toBeNull();
    expect(page.visits).toEqual([]);
    // The screen restarts: still its own page.
    const again = harness(() => json(401, { error: { code: 'unauthenticated', message: 'x' } }), '#/wall');
    expect((await again.session.kioskLogin('code')).ok).toBe(false);
    await again.session.load();
    expect(again.session.withdrawn).toBe(false); // this browser never was a kiosk
    // A user's session ending on the wall route is the login page as before.
    const user = harness(() => json(200, { ...duty, role: 'leader' }), '#/wall');
    await user.session.load();
    user.session.ended();
    expect(user.session.withdrawn).toBe(false);
    expect(user.page.visits).toEqual(['#/login']);
  });

  it('does not send someone back to a view their role may not open', async () => {
    const { session } = harness(() => json(200, duty), '#/admin');
    await session.load();
    session.ended();
    expect(session.landing('duty')).toBe('#/duty');
  });

  it('signs out on the server and shows the login page', async () => {
    const { session, page } = harness((url) => (url === '/api/auth/me' ? json(200, duty) : new Response(null, { status: 204 })));
    await session.load();
    await session.logout();
    expect(page.calls.at(-1)).toMatchObject({ url: '/api/auth/logout', init: { method: 'POST' } });
    expect(session.me).toBeNull();
    expect(session.notice).toBe('signedOut');
    expect(page.visits).toEqual(['#/login']);
  });

  it('checks with the server when in doubt, and ends the session only if the server no longer knows it', async () => {
    let known = true;
    const { session, page } = harness(() => (known ? json(200, duty) : json(401, { error: { code: 'unauthenticated' } })));
    await session.load();
    await session.check();
    expect(session.me).toEqual(duty);
    known = false;
    await session.check();
    expect(session.me).toBeNull();
    expect(session.notice).toBe('expired');
    expect(page.visits).toEqual(['#/login']);
  });
});

describe('CaseUnmask', () => {
  const masked = (version: number): CaseDetail => ({
    case: { ...summary('received'), id: 'c1', version },
    title: '张*丰 138****1234 欠薪',
    parties: [{ role: 'applicant', name: '张*丰', phone: '138****1234' }],
    masked: true,
    timeline: [],
  });
  const full: CaseDetail = { ...masked(1), title: '张三丰 13800001234 欠薪', parties: [{ role: 'applicant', name: '张三丰', phone: '13800001234' }], masked: false };

  it('shows the full detail after a reason, keeps the reported facts in full as the case moves on, and masks again on reset', async () => {
    const reasons: string[] = [];
    const unmask = new CaseUnmask(async (_id, reason) => (reasons.push(reason), { ok: true, result: full }));
    expect(unmask.view(masked(1))).toEqual(masked(1));
    unmask.ask();
    expect(unmask.step).toBe('asking');
    await unmask.submit('c1', '回访核对电话');
    expect(reasons).toEqual(['回访核对电话']);
    expect(unmask.step).toBe('idle');
    expect(unmask.view(masked(1))).toBe(full);
    const later = unmask.view(masked(2));
    expect(later).toMatchObject({ masked: false, title: full.title, parties: full.parties, case: { version: 2 } });
    // Another case is not unmasked by this one.
    expect(unmask.view({ ...masked(1), case: { ...masked(1).case, id: 'c2' } }).masked).toBe(true);
    unmask.reset();
    expect(unmask.view(masked(2)).masked).toBe(true);
  });

  it('keeps the form open with the failure when the server refuses', async () => {
    const unmask = new CaseUnmask(async () => ({ ok: false, error: { kind: 'http', status: 403, code: 'forbidden' } }));
    unmask.ask();
    await unmask.submit('c1', '回访核对电话');
    expect(unmask.step).toBe('asking');
    expect(unmask.error).toEqual({ kind: 'http', status: 403, code: 'forbidden' });
    expect(unmask.view(masked(1)).masked).toBe(true);
  });
});
