/**
 * Request rate limits on one node (the budget in memory): past the budget a client gets 429 with Retry-After and a
 * message saying the limit, nothing is stored, and reads are never limited. The shared budget across nodes through
 * Redis is in redis-nodes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { command, DUTY, reportCase } from '../helpers/dispatch.js';
import { caseReported } from '../helpers/factories.js';
import { asAdmin, integrationKey } from '../helpers/auth.js';
import { fetchAs, post, startServer } from '../helpers/server.js';

describe('rate limits on one node', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_INTAKE: 5, RATE_LIMIT_COMMANDS: 3 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses intake past the budget with 429 and Retry-After, and stores nothing of the refused request', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(server, caseReported())).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    const before = (await (await fetch(`${server.url}/readyz`)).json()) as { seq: number };
    const last = await post(server, caseReported());
    expect(last.status).toBe(201);

    const refused = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await integrationKey(server)}` },
      body: JSON.stringify(caseReported()),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/intake.*at most 5 a minute/),
      // The variables of the message, for the client to word it in the UI's language.
      params: { seconds: expect.any(Number), perMinute: 5 },
    });
    const after = (await (await fetch(`${server.url}/readyz`)).json()) as { seq: number };
    expect(after.seq).toBe(before.seq + 1);
    // Reads go on.
    expect((await fetchAs(server, '/api/snapshot')).status).toBe(200);
    // The budget is the client's: another integration, with a key of its own, has its own.
    const other = await asAdmin(server, 'POST', '/api/admin/keys', { name: '另一接入', types: ['case.reported'], sources: ['hotline'] });
    expect(other.status).toBe(201);
    expect((await post(server, caseReported(), { 'content-type': 'application/json', authorization: `Bearer ${other.body.secret}` })).status).toBe(201);
  });

  it('keeps a budget of its own for commands', async () => {
    const fresh = await startServer({ RATE_LIMIT_COMMANDS: 2 });
    try {
      const caseId = await reportCase(fresh);
      const triage = (version: number) => command(fresh, caseId, DUTY, { type: 'triage', expectedVersion: version, tier: 'community', channel: 'people' });
      const first = await triage(1);
      expect(first.status).toBe(201);
      const second = await triage(1);
      expect(second.status).toBe(409);
      const third = await triage(2);
      expect(third.status).toBe(429);
      expect(third.body.error.message).toMatch(/commands.*at most 2 a minute/);
      // Intake is another budget.
      expect((await post(fresh, caseReported())).status).toBe(201);
    } finally {
      await fresh.close();
    }
  });
});
