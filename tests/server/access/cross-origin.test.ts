/**
 * Cross-site requests (issue 15, item 5) against a real server: every state-changing route of the access table, sent
 * with a session that may call it, from generated foreign origins (another port of the same host, `localhost` for
 * `127.0.0.1`, another scheme, `null`, other hosts), or with a foreign Sec-Fetch-Site, or with neither header: all
 * refused with 403 `cross_origin_refused` and audited; the same requests from the server's own origin go through;
 * an integration key (server-to-server) is exempt. The browser's own view of it is tests/browser/cross-site.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { routeRules, type RouteRule } from '../../../server/auth/access.js';
import type { AuditEntry } from '../../../shared/audit.js';
import { asAdmin, integrationKey } from '../../helpers/auth.js';
import { startServer } from '../../helpers/server.js';
import { createKiosk, Principals, send } from './principals.js';
import { isWrite, ruleKey, routeSamples, sessionAudiences, type SessionAudience } from './samples.js';

let server: RunningServer;
let principals: Principals;
let port: number;
beforeAll(async () => {
  server = await startServer({ ALLOWED_ORIGINS: 'https://wall.example.org' });
  principals = new Principals(server);
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
});

const writes = routeRules.filter(isWrite).filter((rule) => !rule.allow.includes('integration'));

/** A session the rule lets through (a fresh one for sign-out, which ends it). */
async function sessionFor(rule: RouteRule): Promise<Record<string, string>> {
  const audience = (rule.allow.includes('public') ? 'admin' : sessionAudiences.find((a) => rule.allow.includes(a))) as SessionAudience;
  return rule.path === '/api/auth/logout' ? principals.fresh(audience) : principals.headers(audience);
}

/** Origins that are not this server's: other ports, the other name of the loopback, another scheme, other hosts. */
const foreignOrigin = () =>
  fc.oneof(
    fc.integer({ min: 1, max: 65_535 }).filter((p) => p !== port).map((p) => `http://127.0.0.1:${p}`),
    fc.constantFrom('http', 'https').map((scheme) => `${scheme}://localhost:${port}`),
    fc.constant('null'),
    fc.domain().map((host) => `https://${host}`),
    fc.webUrl(),
  );

describe('a state-changing request from another origin', () => {
  it('every route refuses foreign origins, foreign Sec-Fetch-Site and a cookie with neither header', async () => {
    for (const rule of writes) {
      const sample = routeSamples[ruleKey(rule)]!;
      const session = await sessionFor(rule);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            foreignOrigin().map((origin) => ({ origin })),
            fc.constantFrom('cross-site', 'same-site', '').map((site) => ({ origin: undefined, 'sec-fetch-site': site })),
            fc.constant({ origin: undefined }),
          ),
          async (extra) => {
            // Straight through fetch: the helpers would add this server's Origin.
            const headers: Record<string, string> = { cookie: session.cookie!, ...(sample.body !== undefined && { 'content-type': 'application/json' }) };
            for (const [name, value] of Object.entries(extra)) if (value !== undefined) headers[name] = value;
            const res = await fetch(`${server.url}${sample.path}`, { method: rule.method, headers, ...(sample.body !== undefined && { body: JSON.stringify(sample.body) }) });
            const body = (await res.json()) as any;
            expect(res.status, `${ruleKey(rule)} ${JSON.stringify(extra)}`).toBe(403);
            expect(body.error.code).toBe('cross_origin_refused');
            expect(body.error.message).toMatch(/change anything here|not from a page/);
          },
        ),
        { numRuns: 12 },
      );
    }
  });

  it('nothing is changed: the refused revocations leave the key and the kiosk working', async () => {
    const kiosk = await createKiosk(server);
    const key = await integrationKey(server);
    const keys = await asAdmin(server, 'GET', '/api/admin/keys');
    const keyId = (keys.body.items as Array<{ id: string }>)[0]!.id;
    const admin = await principals.headers('admin');
    for (const path of [`/api/admin/kiosks/${kiosk.id}/revoke`, `/api/admin/keys/${keyId}/revoke`]) {
      const answer = await send(server, 'POST', path, { headers: { cookie: admin.cookie!, origin: `http://127.0.0.1:${port + 1}` } });
      expect(answer.body.error.code).toBe('cross_origin_refused');
    }
    const kioskIn = await send(server, 'POST', '/api/auth/kiosk', { body: { code: kiosk.code } });
    expect(kioskIn.status).toBe(200);
    const intake = await send(server, 'POST', '/api/events', { headers: { authorization: `Bearer ${key}` }, body: {} });
    expect(intake.status).toBe(400);
  });

  it('is audited as a denial with the origin it came from', async () => {
    const foreign = `http://127.0.0.1:${port + 2}`;
    await send(server, 'POST', '/api/admin/kiosks', { headers: { cookie: (await principals.headers('admin')).cookie!, origin: foreign }, body: { name: '跨站' } });
    let denied: AuditEntry | undefined;
    for (let attempt = 0; attempt < 50 && !denied; attempt++) {
      const items = (await asAdmin(server, 'GET', '/api/admin/audit?action=authz.denied&limit=500')).body.items as AuditEntry[];
      denied = items.find((e) => e.details?.origin === foreign);
      if (!denied) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(denied).toMatchObject({ outcome: 'denied', target: 'POST /api/admin/kiosks', actor: { kind: 'user', role: 'admin' }, details: { code: 'cross_origin_refused' } });
  });
});

describe('requests that may change something', () => {
  it('from the server’s own origin, ALLOWED_ORIGINS, or Sec-Fetch-Site same-origin/none go through', async () => {
    const cookie = (await principals.headers('admin')).cookie!;
    for (const origin of [server.url, 'https://wall.example.org']) {
      const answer = await send(server, 'POST', '/api/admin/kiosks', { headers: { origin, cookie }, body: { name: '本站' } });
      expect(answer.status, origin).toBe(201);
    }
    // Sec-Fetch-Site alone (no Origin at all): raw fetch, since the helpers add the Origin.
    for (const site of ['same-origin', 'none']) {
      const res = await fetch(`${server.url}/api/admin/kiosks`, { method: 'POST', headers: { cookie, 'sec-fetch-site': site, 'content-type': 'application/json' }, body: JSON.stringify({ name: '本站' }) });
      expect(res.status, site).toBe(201);
    }
  });

  it('a sign-in with neither header and no cookie (a script) goes through; an integration key is exempt', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password-here' }) });
    expect(res.status).toBe(401);
    const key = await integrationKey(server);
    const intake = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(intake.status).toBe(400);
    expect(((await intake.json()) as any).error.code).not.toBe('cross_origin_refused');
  });

  it('a body that is not JSON is refused (415), the ledger upload excepted', async () => {
    const cookie = (await principals.headers('admin')).cookie!;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${server.url}/api/admin/kiosks`, { method: 'POST', headers: { cookie, origin: server.url, 'content-type': type }, body: 'name=x' });
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as any).error.code).toBe('unsupported_media_type');
    }
    const revoke = await fetch(`${server.url}/api/admin/kiosks/0190a0c0-0000-7000-8000-000000000000/revoke`, { method: 'POST', headers: { cookie, origin: server.url, 'content-type': 'text/plain' }, body: 'x' });
    expect(revoke.status).toBe(415);
  });
});
