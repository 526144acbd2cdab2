/**
 * Answers with personal data are kept by no browser or proxy (issue 15): every API read, as a caller it lets
 * through (case detail, unmask, exports, the audit log, …), carries `Cache-Control: no-store`. Only the district's
 * geography (public shapes, no data) may be cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { routeRules } from '../../../server/auth/access.js';
import { reportCase } from '../../helpers/dispatch.js';
import { startServer } from '../../helpers/server.js';
import { Principals, send } from './principals.js';
import { ruleKey, routeSamples, sessionAudiences } from './samples.js';

let server: RunningServer;
let principals: Principals;
beforeAll(async () => {
  server = await startServer();
  principals = new Principals(server);
});
afterAll(async () => {
  await server.close();
});

const CACHEABLE = new Set(['GET /api/geo', 'GET /api/openapi.json']);

describe('Cache-Control on API answers', () => {
  it('every /api read and the unmask answer say no-store', async () => {
    const caseId = await reportCase(server);
    for (const rule of routeRules.filter((r) => r.method === 'GET' && r.path.startsWith('/api/') && !CACHEABLE.has(ruleKey(r)))) {
      const audience = sessionAudiences.find((a) => rule.allow.includes(a)) ?? 'admin';
      const path = routeSamples[ruleKey(rule)]!.path.replace('0190a0c0-0000-7000-8000-000000000000', caseId);
      const answer = await send(server, 'GET', path, { headers: await principals.headers(audience) });
      expect(answer.headers.get('cache-control'), `${ruleKey(rule)} → ${answer.status}`).toBe('no-store');
    }
    const detail = await send(server, 'GET', `/api/cases/${caseId}`, { headers: await principals.headers('duty') });
    expect(detail.status).toBe(200);
    const unmasked = await send(server, 'POST', `/api/cases/${caseId}/unmask`, { headers: await principals.headers('duty'), body: { reason: '核实当事人身份' } });
    expect(unmasked.status).toBe(200);
    expect(unmasked.headers.get('cache-control')).toBe('no-store');
  });
});
