/**
 * The sign-in lockout across two nodes of one log (PostgreSQL) sharing a Redis of the suite's own: guesses spread
 * over both nodes lock the name from the guessing address on both, after as many as on one; the owner's own address
 * signs in on either; an admin's unlock on one node lifts the lock on the other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asAdmin, originOf, TEST_SESSION_SECRET } from '../../helpers/auth.js';
import { dropSchemas, freshSchemaName, requirePostgres, testDatabaseUrl } from '../../helpers/pg-env.js';
import { requireRedis, startRedis, type TestRedis } from '../../helpers/redis-env.js';
import { startServer } from '../../helpers/server.js';
import { ACCESS_PASSWORD, createUser } from './principals.js';

const skip = (await requirePostgres('lockout across nodes (PostgreSQL + Redis)')) !== undefined || requireRedis('lockout across nodes (PostgreSQL + Redis)') !== undefined;
const MAX_FAILURES = 3;

describe.skipIf(skip)('the sign-in lockout on two nodes through Redis', () => {
  let redis: TestRedis;
  const schema = freshSchemaName();
  let nodes: RunningServer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const env = { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, REDIS_URL: redis.url, TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES: MAX_FAILURES, SESSION_SECRET: TEST_SESSION_SECRET };
    const first = await startServer(env);
    nodes = [first, await startServer(env)];
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await redis?.kill();
    await dropSchemas([schema]);
  });

  const signIn = async (node: RunningServer, from: string, username: string, password: string) => {
    const res = await fetch(`${node.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...originOf(node) },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('counts guesses on both nodes as one, locks only the guessing address, and an unlock on one node holds on the other', { timeout: 180_000 }, async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const user = await createUser(a, { username: `red-${randomUUID().slice(0, 8)}`, role: 'admin' });
    // The user is known to both nodes once b has applied a's event.
    await vi.waitFor(async () => expect((await asAdmin(b, 'GET', '/api/admin/users')).body.items.some((u: { id: string }) => u.id === user.id)).toBe(true), { timeout: 30_000 });
    const office = '10.9.0.1';
    const stranger = '10.9.0.2';
    expect((await signIn(b, office, user.username, ACCESS_PASSWORD)).status).toBe(200);

    // Guesses alternate between the nodes: the pair is locked after MAX_FAILURES in all, not per node.
    const statuses = [];
    for (let i = 0; i < MAX_FAILURES; i++) statuses.push((await signIn(i % 2 ? b : a, stranger, user.username, `guess-${i}-guess`)).status);
    expect(statuses).toEqual(Array(MAX_FAILURES).fill(401));
    for (const node of [a, b]) {
      const locked = await signIn(node, stranger, user.username, ACCESS_PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('locked');
    }
    // The owner, at its own address, on either node.
    expect((await signIn(a, office, user.username, ACCESS_PASSWORD)).status).toBe(200);
    expect((await signIn(b, office, user.username, ACCESS_PASSWORD)).status).toBe(200);

    // Unlocked through node a: node b lets the locked address in again.
    const unlocked = await asAdmin(a, 'POST', `/api/admin/users/${user.id}/unlock`, {});
    expect(unlocked.status).toBe(200);
    expect((await signIn(b, stranger, user.username, ACCESS_PASSWORD)).status).toBe(200);
  });
});
