/**
 * Issue 17 on three nodes (PostgreSQL + a private Redis, every node its own process): walls whose connections drop
 * for 2 s (the transport destroyed, reconnection held back), under load and in quiet periods, with Redis killed and
 * restarted, and a wall loaded while Redis is down.
 * Every wall must end with exactly the log's events, each once, in order. Times to recover are printed.
 */
import { describe, expect, it, vi } from 'vitest';
import { clusterSuite } from '../helpers/cluster.js';
import { caseReported } from '../helpers/factories.js';
import { requirePostgres } from '../helpers/pg-env.js';
import { CountingClient, expectEachOnce, expectLog, logOf, readiness, settle, type Node } from '../helpers/pg-nodes.js';
import { requireRedis } from '../helpers/redis-env.js';
import { post } from '../helpers/server.js';
import { cookieFor, WALL } from '../helpers/auth.js';

const skip = (await requirePostgres('stream cluster tests')) !== undefined || requireRedis('stream cluster tests') !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Three node processes start per test: on a machine busy with the rest of the suite that alone can take over 30 s.
describe.skipIf(skip)('the stream on three nodes, through cut links and Redis restarts', { timeout: 420_000 }, () => {
  const suite = clusterSuite({ redis: true });
  const { client } = suite;
  const cluster = () => suite.cluster(3);

  /** The network under these walls drops for 2 s: their transports are destroyed and they reconnect only after. */
  async function dropFor2s(walls: CountingClient[]) {
    for (const w of walls) {
      w.socket.io.reconnection(false);
      w.socket.io.engine.close();
    }
    await sleep(2000);
    for (const w of walls) {
      w.socket.io.reconnection(true);
      w.socket.connect();
    }
  }

  async function expectExact(schema: string, nodes: Node[], walls: CountingClient[]) {
    const last = await settle(schema, nodes);
    const log = await logOf(schema);
    console.info(`[cluster] log at ${last}; walls at ${walls.map((w) => w.lastSeq).join(', ')}`);
    await Promise.all(walls.map((w) => w.until(last, 60_000)));
    for (const wall of walls) {
      // From its first snapshot on, exactly the log.
      const from = wall.snapshots[0]!.state.seq;
      expectLog(
        wall.events.filter((e) => e.seq > from),
        log,
        from,
      );
      expectEachOnce(wall.received.filter((seq) => seq > from));
    }
  }

  it(
    'walls whose connections drop for 2 s, under load and in a quiet period, with Redis up and then down, end with the log, each event once',
    async () => {
      const { schema, nodes } = await cluster();
      const dropping = nodes.map((n) => client(n.url));
      const steady = nodes.map((n) => client(n.url));
      const walls = [...dropping, ...steady];
      await Promise.all(walls.map((w) => w.connected()));

      let writing = true;
      const load = Promise.all(
        nodes.map(async (n) => {
          while (writing) {
            expect((await post(n, { events: [caseReported(), caseReported()] })).status).toBe(201);
            await sleep(10);
          }
        }),
      );
      for (const redisDown of [false, true]) {
        if (redisDown) await suite.redis.kill();
        for (let round = 0; round < 2; round++) {
          await sleep(500);
          await dropFor2s(dropping);
          console.info(`[cluster] drop ${round + 1} ${redisDown ? 'with Redis down' : 'with Redis up'}: walls at ${walls.map((w) => w.lastSeq).join(', ')}`);
        }
      }
      writing = false;
      await load;
      await suite.redis.start();
      const t0 = performance.now();
      await expectExact(schema, nodes, walls);
      console.info(`[cluster, drops under load] every wall exact ${(performance.now() - t0).toFixed(0)} ms after the load stopped`);

      // Quiet period: a drop during which a few events commit, then nothing more. A wall must not stay on old figures.
      const away = dropFor2s(dropping);
      for (const n of nodes) expect((await post(n, caseReported())).status).toBe(201);
      await away;
      const t1 = performance.now();
      await expectExact(schema, nodes, walls);
      console.info(`[cluster, drop in a quiet period] every wall exact ${(performance.now() - t1).toFixed(0)} ms after the walls came back`);
    },
    420_000,
  );

  it(
    'a wall loaded while Redis is down gets its snapshot and every event after it',
    async () => {
      const { schema, nodes } = await cluster();
      // Kiosk sessions are made first: a page loaded during the outage has its session already.
      await Promise.all(nodes.map((n) => cookieFor(n, WALL)));
      await suite.redis.kill();
      await vi.waitFor(async () => expect((await Promise.all(nodes.map((n) => readiness(n.url)))).map((r) => r.redis?.ready)).toEqual([false, false, false]), { timeout: 20_000 });
      for (const n of nodes) expect((await post(n, caseReported())).status).toBe(201);
      const t0 = performance.now();
      const walls = nodes.map((n) => client(n.url));
      await Promise.all(walls.map((w) => vi.waitFor(() => expect(w.snapshots.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 })));
      console.info(`[cluster, Redis down] a new wall had its snapshot after ${(performance.now() - t0).toFixed(0)} ms`);
      for (const n of nodes) expect((await post(n, { events: [caseReported(), caseReported()] })).status).toBe(201);
      await expectExact(schema, nodes, walls);
      await suite.redis.start();
      for (const n of nodes) expect((await post(n, caseReported())).status).toBe(201);
      await expectExact(schema, nodes, walls);
    },
    300_000,
  );
});
