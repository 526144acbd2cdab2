/**
 * The access matrix against one real server: every rule of the access table asked as every audience (nobody, an
 * integration key, a wall kiosk, and a user of each role), however the path is spelled; then object scope (a
 * department and another department's case, the wall and personal data); then the socket: who may connect, who may
 * `sync`, and which rooms hear which `case:changed`.
 */
import type { RunningServer } from '../../../server/boot.js';
import { routeRules, socketRules, type RouteRule } from '../../../server/auth/access.js';
import type { CaseNotice } from '../../../shared/socket.js';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asDept, authHeaders } from '../../helpers/auth.js';
import { command, whistledCase } from '../../helpers/dispatch.js';
import { startServer, type TestSocket } from '../../helpers/server.js';
import { Principals, send } from './principals.js';
import { admitted as socketAdmitted, closeSockets, openSocket } from './sockets.js';
import { admitted, audiences, isWrite, MATRIX_DEPT, NO_SUCH_ID, refusal, ruleKey, routeSamples, sessionAudiences, socketSamples, type MatrixAudience } from './samples.js';

let server: RunningServer;
let principals: Principals;
beforeAll(async () => {
  server = await startServer();
  principals = new Principals(server);
  await Promise.all(audiences.map((a) => principals.headers(a)));
});
afterAll(async () => {
  await server.close();
});
afterEach(() => closeSockets());

/** The sample request of a rule, as an audience. Signing out ends the session, so it gets a session of its own. */
async function ask(rule: RouteRule, audience: MatrixAudience, path = routeSamples[ruleKey(rule)]!.path) {
  const sample = routeSamples[ruleKey(rule)]!;
  const headers = rule.path === '/api/auth/logout' ? await principals.fresh(audience) : await principals.headers(audience);
  return send(server, rule.method, path, { headers, ...(sample.body !== undefined && { body: sample.body }) });
}

/** What the guard did with a request: let it through (any answer but an auth refusal or a 5xx), or refused it. */
function verdict(answer: { status: number; body: any }): string {
  if (answer.status >= 500) return `server error ${answer.status}`;
  if (answer.status === 401) return answer.body?.error?.code === 'unauthenticated' ? '401' : `401 ${answer.body?.error?.code}`;
  if (answer.status === 403) return answer.body?.error?.code === 'forbidden' ? '403' : `403 ${answer.body?.error?.code}`;
  return 'through';
}

describe('every rule × every audience', () => {
  for (const rule of routeRules) {
    it(`${rule.method} ${rule.path}`, async () => {
      expect(routeSamples[ruleKey(rule)], 'a sample request in samples.ts').toBeDefined();
      const expected: Record<string, string> = {};
      const actual: Record<string, string> = {};
      for (const audience of audiences) {
        expected[audience] = admitted(rule, audience) ? 'through' : String(refusal(rule, audience));
        actual[audience] = verdict(await ask(rule, audience));
      }
      expect(actual).toEqual(expected);
    });
  }

  // The matrix proves the guard enforces the table; these keep the table itself from being loosened unnoticed.
  it('keeps the table within its policy: admin alone administers, intake is keys only, little is public', () => {
    const where = (test: (rule: RouteRule) => boolean) => routeRules.filter(test).map(ruleKey);
    expect(where((r) => r.path.startsWith('/api/admin/') && (r.allow.length !== 1 || r.allow[0] !== 'admin')), 'admin routes open to others').toEqual([]);
    expect(where((r) => r.allow.includes('admin') && !r.path.startsWith('/api/admin/') && !['/api/auth/me', '/api/geo', '/api/client-config'].includes(r.path) && !r.allow.includes('public')), 'admin on work routes').toEqual([]);
    expect(where((r) => r.allow.includes('integration'))).toEqual(['POST /api/events']);
    expect(routeRules.find((r) => r.path === '/api/events')?.allow).toEqual(['integration']);
    expect(where((r) => r.allow.includes('public'))).toEqual(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/openapi.json', 'POST /api/auth/login', 'POST /api/auth/kiosk', 'POST /api/auth/logout']);
    expect(where((r) => r.path.startsWith('/api/leader/') && r.allow.join() !== 'leader'), 'leader routes open to others').toEqual([]);
    expect(where((r) => r.allow.includes('dept') && !['/api/auth/me', '/api/snapshot', '/api/geo', '/api/client-config', '/api/cases/:id', '/api/cases/:id/commands', '/api/departments/:deptId/whistles'].includes(r.path)), 'department routes beyond its own cases').toEqual([]);
  });

  it('refuses the wall kiosk every write that is not signing in or out', async () => {
    const writes = routeRules.filter((rule) => isWrite(rule) && !rule.allow.includes('public'));
    expect(writes.filter((rule) => rule.allow.includes('wall')), 'writes the table lets the wall do').toEqual([]);
    for (const rule of writes) expect({ route: ruleKey(rule), status: (await ask(rule, 'wall')).status }).toEqual({ route: ruleKey(rule), status: rule.allow.includes('integration') ? 401 : 403 });
  });

  it('answers a refusal with the error shape and nothing of the route', async () => {
    const rule = routeRules.find((r) => r.path === '/api/admin/users' && r.method === 'GET')!;
    const answer = await ask(rule, 'duty');
    expect(answer.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect(answer.text).not.toContain('admin');
  });

  it('refuses however the path is spelled: case, trailing slash, HEAD', async () => {
    const spellings = (path: string) => [path.toUpperCase(), path.replace('/api/', '/Api/'), `${path}/`, `${path.toUpperCase()}/`];
    const leaks: string[] = [];
    for (const rule of routeRules.filter((r) => !r.allow.includes('public'))) {
      const path = routeSamples[ruleKey(rule)]!.path.split('?')[0]!;
      for (const spelled of spellings(path)) {
        const answer = await ask(rule, 'anonymous', spelled);
        // Refused (401), or no such route (404): never the route's own answer.
        const refusedOrAbsent = (answer.status === 401 && answer.body?.error?.code === 'unauthenticated') || (answer.status === 404 && answer.body?.error?.code === 'not_found');
        if (!refusedOrAbsent) leaks.push(`${rule.method} ${spelled} → ${answer.status} ${answer.text.slice(0, 60)}`);
      }
      if (rule.method === 'GET') {
        const head = await fetch(`${server.url}${path}`, { method: 'HEAD' });
        if (head.status !== 401) leaks.push(`HEAD ${path} → ${head.status}`);
      }
    }
    expect(leaks, 'requests an anonymous caller got past the guard').toEqual([]);
  });
});

describe('object scope', () => {
  const title = '王小明与李四华欠薪纠纷';
  const parties = [{ role: 'applicant' as const, name: '王小明', phone: '13912345678', idNumber: '440307198805051234' }];
  const personal = /王小明|李四华|欠薪纠纷|13912345678|440307198805051234/;
  let own: string;
  let other: string;

  beforeAll(async () => {
    own = (await whistledCase(server, { lead: MATRIX_DEPT }, { title, parties })).caseId;
    other = (await whistledCase(server, { lead: 'court' }, { title, parties })).caseId;
  });

  it("gives a department its own case, and 404 for another department's, with none of its data", async () => {
    const dept = await principals.headers('dept');
    const mine = await send(server, 'GET', `/api/cases/${own}`, { headers: dept });
    expect(mine.status).toBe(200);
    expect(mine.body.case.id).toBe(own);

    const theirs = await send(server, 'GET', `/api/cases/${other}`, { headers: dept });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect(theirs.text).not.toMatch(personal);
    expect(theirs.text).not.toMatch(/court|labour|440307013|whistle/);
    // Indistinguishable from a case that does not exist.
    const none = await send(server, 'GET', `/api/cases/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`, { headers: dept });
    expect(theirs.text).toBe(none.text);
  });

  it("refuses a department another department's whistle list (403) and gives it its own", async () => {
    const dept = await principals.headers('dept');
    const theirs = await send(server, 'GET', '/api/departments/court/whistles', { headers: dept });
    expect(theirs.status).toBe(403);
    expect(theirs.text).not.toMatch(personal);
    const mine = await send(server, 'GET', `/api/departments/${MATRIX_DEPT}/whistles`, { headers: dept });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((row: { case: { id: string } }) => row.case.id)).toContain(own);
    expect(mine.body.items.map((row: { case: { id: string } }) => row.case.id)).not.toContain(other);
  });

  it("refuses a department a command on another department's case without telling it the case's state", async () => {
    const dept = await principals.headers('dept');
    const answer = await send(server, 'POST', `/api/cases/${other}/commands`, { headers: dept, body: { type: 'reportIn', expectedVersion: 3, commandId: randomUUID() } });
    expect(answer.status).toBe(404);
    expect(answer.text).not.toMatch(personal);
    // Not even that it exists: the bytes of a case that does not (object-scope.test.ts asks this of every role and route).
    const none = await send(server, 'POST', `/api/cases/${NO_SUCH_ID}/commands`, { headers: dept, body: { type: 'reportIn', expectedVersion: 3, commandId: randomUUID() } });
    expect(answer.text).toBe(none.text);
  });

  it('gives the wall case summaries and aggregates without titles or parties', async () => {
    const wall = await principals.headers('wall');
    for (const path of ['/api/cases?limit=500', '/api/snapshot', '/api/areas/440307013/heat', '/api/areas/440307013/risk']) {
      const answer = await send(server, 'GET', path, { headers: wall });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expect(answer.text, path).not.toMatch(personal);
      expect(answer.text, path).not.toMatch(/"(title|parties|description|name|phone|idNumber)"/);
    }
    const cases = await send(server, 'GET', '/api/cases?limit=500', { headers: wall });
    expect(cases.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([own, other]));
  });
  // A return's free text (lastReturn.reason, whistle.assignments[].reason) may name a party: the read routes the wall
  // uses send summaries without it (toPublicSummary), the desks get it masked.
  describe('a return reason', () => {
    beforeAll(async () => {
      const { caseId, version } = await whistledCase(server, { lead: MATRIX_DEPT });
      const returned = await command(server, caseId, { role: 'dept', dept: MATRIX_DEPT }, { type: 'return', expectedVersion: version, reason: '当事人王小明电话13912345678要求转法院' });
      if (returned.status !== 201) throw new Error(`return: ${returned.status} ${JSON.stringify(returned.body)}`);
    });

    it("(free text that may name a party) stays off the wall's case list", async () => {
      const cases = await send(server, 'GET', '/api/cases?limit=500', { headers: await principals.headers('wall') });
      expect(cases.status).toBe(200);
      expect(cases.text).not.toMatch(personal);
    });
  });
});

describe('the socket', () => {
  const expectedCode = (audience: MatrixAudience) => (audience === 'anonymous' || audience === 'integration' ? 'unauthenticated' : 'forbidden');

  it('admits the roles the socket rules name and refuses the others with a code', async () => {
    const outcome: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const audience of audiences) {
      const socket = openSocket(server.url, await principals.headers(audience));
      expected[audience] = (socketRules.connect as readonly string[]).includes(audience) ? 'connected' : expectedCode(audience);
      outcome[audience] = await socketAdmitted(socket).then(
        () => 'connected',
        (error: { data?: { code?: string } }) => error.data?.code ?? String(error),
      );
    }
    expect(outcome).toEqual(expected);
  });

  it('lets each connected role send each client event only as the socket rules say', async () => {
    const outcome: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const audience of sessionAudiences.filter((a) => (socketRules.connect as readonly string[]).includes(a))) {
      const socket = openSocket(server.url, await principals.headers(audience));
      await socketAdmitted(socket);
      for (const [event, args] of Object.entries(socketSamples)) {
        const allowed = (socketRules.events[event as keyof typeof socketRules.events] as readonly string[]).includes(audience);
        expected[`${audience} ${event}`] = allowed ? 'ok' : 'forbidden';
        const answer = (await socket.timeout(5000).emitWithAck(event as 'sync', ...(args as [{ lastSeq: number }]))) as { ok: boolean; error?: { code: string } };
        outcome[`${audience} ${event}`] = answer.ok ? 'ok' : answer.error!.code;
      }
    }
    expect(outcome).toEqual(expected);
  });

  it("gives a department's socket its own department's case:changed and never another's; the wall none", async () => {
    const heard = new Map<string, CaseNotice[]>();
    const listen = async (name: string, headers: Record<string, string>): Promise<TestSocket> => {
      const socket = openSocket(server.url, headers);
      heard.set(name, []);
      socket.on('case:changed', (notices) => heard.get(name)!.push(...notices));
      await socketAdmitted(socket);
      return socket;
    };
    await listen('labour', await principals.headers('dept'));
    await listen('court', await authHeaders(server, asDept('court')));
    const wall = await listen('wall', await principals.headers('wall'));
    let wallSeq = 0;
    wall.on('events', (batch) => (wallSeq = Math.max(wallSeq, ...batch.map((e) => e.seq))));
    const idsHeard = (name: string) => new Set(heard.get(name)!.map((n) => n.caseId));

    const toLabour = (await whistledCase(server, { lead: MATRIX_DEPT })).caseId;
    const toCourt = (await whistledCase(server, { lead: 'court' })).caseId;
    // Each socket hears its notices in order: once the court socket has the court case, it would have had the labour one.
    await expect.poll(() => idsHeard('court').has(toCourt)).toBe(true);
    const toLabourAgain = (await whistledCase(server, { lead: MATRIX_DEPT })).caseId;
    await expect.poll(() => idsHeard('labour').has(toLabourAgain)).toBe(true);

    expect(idsHeard('labour')).toEqual(new Set([toLabour, toLabourAgain]));
    expect(idsHeard('court')).toEqual(new Set([toCourt]));
    expect(heard.get('labour')!.every((n) => n.departments?.includes(MATRIX_DEPT))).toBe(true);

    // The wall hears the public stream; a case:changed would have reached it before the batch of the same events.
    const last = ((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq;
    await expect.poll(() => wallSeq).toBeGreaterThanOrEqual(last);
    expect(heard.get('wall')).toEqual([]);
  });
});
