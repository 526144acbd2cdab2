/**
 * Cross-site requests in a real Chromium (issue 15, item 5). An officer is signed in on the app's origin
 * (http://127.0.0.1:<port>, the SameSite=Strict session cookie in the browser); a page served from another port of
 * the same host (same-site, so the browser sends the cookie) and one from `localhost` (another site) try every
 * state-changing route the server registers (server.routes(), as the access inventory reads them) with no-cors
 * fetch (credentials included), a form post and sendBeacon. Every attempt is refused (the audit log holds the
 * refusal with the attacking origin) and nothing changed: the kiosk still signs a wall in, the key still posts to
 * intake, the user is as before and the admin's session still stands. Run as the admin, then as the duty officer
 * (whose routes the admin may not call).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { routeRules } from '../../server/auth/access.js';
import { ADMIN, asAdmin, DUTY, integrationKey, type Who } from '../helpers/auth.js';
import { reportCase } from '../helpers/dispatch.js';
import { caseReported } from '../helpers/factories.js';
import { post, startServer } from '../helpers/server.js';
import { createKiosk, createUser, kioskLogin } from '../server/access/principals.js';
import { signInContext } from './auth-harness.js';
import { CHROMIUM, chromiumAvailable, launchChromium } from './harness.js';

const available = chromiumAvailable();
if (!available) console.warn(`[cross-site browser tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** The attacker's page: it runs whatever attack the test hands it. */
function attackerSite(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>不相干的页面</title><body></body>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

interface Attempt {
  method: string;
  url: string;
  body: string;
}

describe.skipIf(!available)('cross-site requests in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let attacker: { server: http.Server; port: number };
  let ids: { kiosk: { id: string; code: string }; keyId: string; key: string; user: { id: string; version: number }; caseId: string };

  beforeAll(async () => {
    server = await startServer({ LOG_LEVEL: 'warn' });
    attacker = await attackerSite();
    browser = await launchChromium();
    const key = await integrationKey(server);
    const keys = await asAdmin(server, 'GET', '/api/admin/keys');
    ids = {
      kiosk: await createKiosk(server),
      key,
      keyId: (keys.body.items as Array<{ id: string }>)[0]!.id,
      user: await createUser(server, { username: `xs-${Date.now() % 100_000}`, role: 'duty' }),
      caseId: await reportCase(server),
    };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    attacker?.server.close();
    await server?.close();
  });

  /** Every state-changing route the app registers, its parameters filled with real objects. */
  function attempts(): Attempt[] {
    const registered = server.routes().filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !r.path.startsWith('/^'));
    const keys = new Set(registered.map((r) => `${r.method} ${r.path}`));
    // The inventory test holds the table and the registered routes equal; this keeps the table honest here too.
    expect([...keys].sort()).toEqual(routeRules.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`).sort());
    return [...keys].map((key) => {
      const [method, path] = key.split(' ') as [string, string];
      const filled = path
        .replace(/\/api\/admin\/kiosks\/:id/, `/api/admin/kiosks/${ids.kiosk.id}`)
        .replace(/\/api\/admin\/keys\/:id/, `/api/admin/keys/${ids.keyId}`)
        .replace(/\/api\/admin\/users\/:id/, `/api/admin/users/${ids.user.id}`)
        .replace(/\/api\/cases\/:id/, `/api/cases/${ids.caseId}`)
        .replace(/:id/, '0190a0c0-0000-7000-8000-000000000000');
      const body =
        path.endsWith('/commands') ? { commandId: crypto.randomUUID(), expectedVersion: 1, type: 'triage', tier: 'street', channel: 'people' }
        : path.endsWith('/unmask') ? { reason: '跨站读取当事人' }
        : path === '/api/admin/users/:id' ? { expectedVersion: ids.user.version, disabled: true }
        : path === '/api/admin/users' ? { username: 'xs-intruder', name: '入侵者', role: 'admin', password: 'intruder-password-long' }
        : path === '/api/events' ? caseReported()
        : path === '/api/auth/login' ? { username: 'admin', password: 'wrong-password-here' }
        : {};
      return { method, url: `${server.url}${filled}`, body: JSON.stringify(body) };
    });
  }

  /** Runs every attack from a page at `origin` in a browser holding `who`'s session; resolves when all were sent. */
  async function attackFrom(context: BrowserContext, origin: string, list: readonly Attempt[]): Promise<void> {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.evaluate(async (all) => {
      const sent: Array<Promise<unknown>> = [];
      for (const a of all) {
        // no-cors allows only simple methods; a PATCH goes as CORS, and the browser stops it at the preflight.
        sent.push(fetch(a.url, { method: a.method, mode: a.method === 'POST' ? 'no-cors' : 'cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: a.body }).catch(() => undefined));
        if (a.method !== 'POST') continue;
        navigator.sendBeacon(a.url, new Blob([a.body], { type: 'text/plain' }));
        // A form post into a frame of its own, as a hostile page would, with the JSON as a field's name.
        const frame = document.createElement('iframe');
        frame.name = `f${sent.length}`;
        document.body.append(frame);
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = a.url;
        form.target = frame.name;
        form.enctype = 'text/plain';
        const field = document.createElement('input');
        field.name = a.body;
        field.value = '';
        form.append(field);
        document.body.append(form);
        sent.push(new Promise((resolve) => { frame.addEventListener('load', resolve, { once: true }); setTimeout(resolve, 10_000); }));
        form.submit();
      }
      await Promise.all(sent);
    }, list);
    await page.close();
  }

  const refusals = async (origin: string) => {
    const items = (await asAdmin(server, 'GET', '/api/admin/audit?action=authz.denied&limit=500')).body.items as Array<{ target?: string; details?: { code?: string; origin?: string } }>;
    return items.filter((e) => e.details?.code === 'cross_origin_refused' && e.details.origin === origin);
  };

  async function unchanged(): Promise<void> {
    // The kiosk signs a wall in; the key posts to intake; the user is as it was; the admin's session stands.
    expect(await kioskLogin(server, ids.kiosk.code)).toMatch(/^sygl_session=/);
    expect((await post(server, caseReported())).status).toBe(201);
    const users = (await asAdmin(server, 'GET', '/api/admin/users')).body.items as Array<{ id: string; version: number; disabled: boolean; username: string }>;
    expect(users.find((u) => u.id === ids.user.id)).toMatchObject({ version: ids.user.version, disabled: false });
    expect(users.some((u) => u.username === 'xs-intruder')).toBe(false);
    expect((await asAdmin(server, 'GET', '/api/auth/me')).status).toBe(200);
    const kiosks = (await asAdmin(server, 'GET', '/api/admin/kiosks')).body.items as Array<{ id: string; revokedAt?: string }>;
    expect(kiosks.find((k) => k.id === ids.kiosk.id)?.revokedAt).toBeUndefined();
    const detail = (await asAdmin(server, 'GET', '/api/admin/audit?action=case.unmasked&limit=500')).body.items;
    expect(detail).toHaveLength(0);
  }

  for (const who of [ADMIN, DUTY] as Who[]) {
    it(`as the ${who.role}: a page on another port of 127.0.0.1 (same site, the cookie goes along) changes nothing`, { timeout: 180_000 }, async () => {
      const context = await browser.newContext();
      try {
        await signInContext(context, server, who);
        const origin = `http://127.0.0.1:${attacker.port}`;
        const list = attempts();
        await attackFrom(context, origin, list);
        await unchanged();
        // Each POST route the role may call was refused as cross-origin three times: fetch, beacon and form (a PATCH
        // never leaves the browser: its CORS preflight gets no allowance; unchanged() saw the user as it was).
        const allowed = routeRules.filter((r) => r.method !== 'GET' && (r.allow.includes(who.role) || r.allow.includes('public')));
        await vi.waitFor(async () => {
          const refused = await refusals(origin);
          const byTarget = new Map<string, number>();
          for (const e of refused) byTarget.set(e.target!, (byTarget.get(e.target!) ?? 0) + 1);
          for (const a of list.filter((x) => allowed.some((r) => r.method === x.method && new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, '[^/]+')}$`).test(new URL(x.url).pathname)))) {
            const target = `${a.method} ${new URL(a.url).pathname}`;
            if (a.method === 'POST') expect(byTarget.get(target) ?? 0, target).toBeGreaterThanOrEqual(3);
          }
        }, { timeout: 20_000 });
      } finally {
        await context.close();
      }
    });
  }

  it('a page on localhost (another site: no cookie goes along) is refused too, and changes nothing', { timeout: 180_000 }, async () => {
    const context = await browser.newContext();
    try {
      await signInContext(context, server, ADMIN);
      const origin = `http://localhost:${attacker.port}`;
      await attackFrom(context, origin, attempts());
      await unchanged();
      await vi.waitFor(async () => expect((await refusals(origin)).length).toBeGreaterThan(0), { timeout: 20_000 });
    } finally {
      await context.close();
    }
  });

  it('the app itself, in the same browser, still changes things (its requests carry its own Origin)', { timeout: 120_000 }, async () => {
    const context = await browser.newContext();
    try {
      await signInContext(context, server, ADMIN);
      const page = await context.newPage();
      await page.goto(`${server.url}/healthz`);
      const status = await page.evaluate(async () => (await fetch('/api/admin/kiosks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '本站大屏' }) })).status);
      expect(status).toBe(201);
    } finally {
      await context.close();
    }
  });
});
