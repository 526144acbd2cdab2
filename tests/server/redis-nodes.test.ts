/**
 * A cluster on PostgreSQL and Redis (issue 7), every node a real process and Redis a real redis-server of the
 * suite's own: committed events cross between nodes through the Socket.io Redis adapter, and every client still sees
 * one gapless sequence, each event once; a node killed with -9 loses its clients to another without a gap; Redis
 * killed and restarted under load loses nothing committed, crashes nothing, and fan-out resumes by itself within
 * 10 s; rate limits are one budget across the nodes.
 */
import { describe, expect, it, vi } from 'vitest';
import { clusterSuite } from '../helpers/cluster.js';
import { caseReported } from '../helpers/factories.js';
import { requirePostgres } from '../helpers/pg-env.js';
import { expectEachOnce, expectStream, killNodeUnderWalls, logOf, readiness, settle, writer, type Node } from '../helpers/pg-nodes.js';
import { requireRedis } from '../helpers/redis-env.js';
import { integrationKey } from '../helpers/auth.js';
import { post } from '../helpers/server.js';

const skip = (await requirePostgres('cluster tests (PostgreSQL + Redis)')) !== undefined || requireRedis('cluster tests (PostgreSQL + Redis)') !== undefined;

// Three node processes start per test: on a machine busy with the rest of the suite that alone can take over 30 s.
describe.skipIf(skip)('a cluster on PostgreSQL and Redis', { timeout: 420_000 }, () => {
  const suite = clusterSuite({ redis: true });
  const { client } = suite;
  const cluster = (size: number, env: { RATE_LIMIT_INTAKE?: string } = {}) => suite.cluster(size, { env, redisReadyMs: 10_000 });

  it('carries commits between nodes through Redis: every client gets the same events in the same order, once', async () => {
    const { schema, nodes } = await cluster(3);
    const walls = nodes.flatMap((n) => [client(n.url), client(n.url)]);
    await Promise.all(walls.map((w) => w.connected()));

    await Promise.all(nodes.flatMap((n) => [writer(n, 10, 5), writer(n, 10, 5)]));
    const last = await settle(schema, nodes);
    const log = await logOf(schema);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.filter((e) => e.type === 'case.reported')).toHaveLength(300);
    for (const wall of walls) {
      await wall.until(last);
      expectStream(wall, wall.events, log);
      expectEachOnce(wall.received);
    }
    // The fan-out really went through Redis: each node sent its own commits and heard the others'.
    for (const { redis: r } of await Promise.all(nodes.map((n) => readiness(n.url)))) {
      expect(r?.sent).toBeGreaterThan(0);
      expect(r?.heard).toBeGreaterThan(0);
    }
  });

  it("moves a killed node's clients to another node, and they miss nothing", async () => {
    const { schema, nodes } = await cluster(3);
    await killNodeUnderWalls(schema, nodes, client);
  });

  it('loses nothing committed and crashes nothing when Redis is killed under load, three times, and fans out again within 10 s of its return', async () => {
    const { schema, nodes } = await cluster(3);
    const walls = nodes.map((n) => client(n.url));
    await Promise.all(walls.map((w) => w.connected()));

    let writing = true;
    let acked = 0;
    const load = Promise.all(
      nodes.map(async (n) => {
        while (writing) {
          const res = await post(n, { events: [caseReported(), caseReported()] });
          expect(res.status).toBe(201);
          acked += 2;
        }
      }),
    );
    // Three outages: a command in flight when the connection breaks must not end a node, whichever it is.
    for (let round = 0; round < 3; round++) {
      const before = acked;
      await vi.waitFor(() => expect(acked).toBeGreaterThan(before + 60), { timeout: 10_000, interval: 20 });
      await suite.redis.kill();
      const ackedAtKill = acked;
      // Intake goes on without Redis: the log is the record, PostgreSQL's NOTIFY carries the news meanwhile.
      await vi.waitFor(() => expect(acked).toBeGreaterThan(ackedAtKill + 60), { timeout: 10_000, interval: 20 });
      const down = await Promise.all(nodes.map((n) => readiness(n.url)));
      expect(down.map((r) => r.redis?.ready)).toEqual([false, false, false]);

      await suite.redis.start();
      const back = Date.now();
      const heardBefore = (await Promise.all(nodes.map((n) => readiness(n.url)))).map((r) => r.redis!.heard);
      await vi.waitFor(
        async () => {
          const now = await Promise.all(nodes.map((n) => readiness(n.url)));
          expect(now.every((r) => r.redis?.ready)).toBe(true);
          now.forEach((r, i) => expect(r.redis!.heard).toBeGreaterThan(heardBefore[i]!));
        },
        { timeout: 10_000, interval: 100 },
      );
      console.info(`[redis restart ${round + 1}] fan-out through Redis resumed ${Date.now() - back} ms after Redis answered again`);
    }
    writing = false;
    await load;

    expect(nodes.every((n) => n.alive())).toBe(true);
    const last = await settle(schema, nodes);
    const log = await logOf(schema);
    expect(log.filter((e) => e.type === 'case.reported')).toHaveLength(acked);
    for (const wall of walls) {
      await wall.until(last);
      expectStream(wall, wall.events, log);
      expectEachOnce(wall.received);
    }
  });

  it('shares one intake budget per client (its integration key) across the nodes', async () => {
    const { schema, nodes } = await cluster(2, { RATE_LIMIT_INTAKE: '10' });
    const [a, b] = nodes as [Node, Node];
    // One integration, one key, made on A and sent to both once B has applied it.
    const intake = { 'content-type': 'application/json', authorization: `Bearer ${await integrationKey(a)}` };
    await settle(schema, nodes);
    const answers = [];
    for (let i = 0; i < 7; i++) {
      answers.push(await post(a, caseReported(), intake));
      answers.push(await post(b, caseReported(), intake));
    }
    expect(answers.map((r) => r.status)).toEqual([...Array<number>(10).fill(201), 429, 429, 429, 429]);
    const refused = answers.at(-1)!;
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/at most 10 a minute/);
  });
});
