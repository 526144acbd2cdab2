/**
 * Several server nodes on one PostgreSQL log (issue 7), each a real process: intake on all of them at once reaches
 * every wall client in the same seq order, each event once; a node killed with -9 loses its clients to another node
 * without a gap; only the lease holder fires a due timer, and the lease moves when its holder dies; PostgreSQL cut
 * off (through a TCP relay, never by stopping the server) → 503 and no crash, then recovery and catch-up.
 *
 * TEST_DATABASE_URL picks the server (default postgres://postgres@127.0.0.1:5432/test). Off CI an unreachable
 * server skips the suite with the reason; on CI it is a failure.
 */
import { describe, expect, it, vi } from 'vitest';
import { clusterSuite } from '../helpers/cluster.js';
import { whistledCase } from '../helpers/dispatch.js';
import { LEASE_LOCK_CLASS } from '../../server/lease.js';
import { pgTables } from '../../server/store/pg-schema.js';
import { caseReported } from '../helpers/factories.js';
import { post } from '../helpers/server.js';
import { postgresRelay, requirePostgres, sql, testDatabaseUrl } from '../helpers/pg-env.js';
import { expectEachOnce, expectStream, killNodeUnderWalls, logOf, settle, startNode, writer, type Node } from '../helpers/pg-nodes.js';

const skip = (await requirePostgres('multi-node PostgreSQL tests')) !== undefined;
const MINUTE = 60_000;

// Node processes start per test: on a machine busy with the rest of the suite that alone can take over 30 s.
describe.skipIf(skip)('several nodes on one PostgreSQL log', { timeout: 420_000 }, () => {
  const { client, cluster, schema: freshSchema } = clusterSuite();

  it('gives every client the same events in the same seq order, each once, with intake on all nodes at once', async () => {
    const { schema, nodes } = await cluster(3);
    const walls = nodes.flatMap((n) => [client(n.url), client(n.url)]);
    await Promise.all(walls.map((w) => w.connected()));

    const acked = await Promise.all(nodes.flatMap((n) => [writer(n, 8, 5), writer(n, 8, 5)]));
    expect(acked.reduce((a, b) => a + b, 0)).toBe(240);

    const last = await settle(schema, nodes);
    const log = await logOf(schema);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.filter((e) => e.type === 'case.reported')).toHaveLength(240);
    for (const wall of walls) {
      await wall.until(last);
      expectStream(wall, wall.events, log);
      expectEachOnce(wall.received);
    }
  });

  it("moves a killed node's clients to another node with their lastSeq, and they miss nothing", async () => {
    const { schema, nodes } = await cluster(3);
    const onA = client(nodes[0]!.url);
    await onA.connected();
    const last = await killNodeUnderWalls(schema, nodes, client);
    await onA.until(last);
    expectStream(onA, onA.events, await logOf(schema));
  });

  it('fires a due timer once, from the lease holder only, and moves the lease when its holder dies', async () => {
    const { schema, nodes } = await cluster(3);
    const holders = async (live: Node[]) => {
      const answers = await Promise.all(live.map((n) => n.send<{ held: boolean }>({ cmd: 'lease' })));
      return live.filter((_, i) => answers[i]!.held);
    };
    const [holder] = await holders(nodes);
    expect((await holders(nodes)).map((n) => n.pid)).toEqual([holder!.pid]);
    // PostgreSQL agrees: one session holds this log's lease lock (other logs' nodes may hold theirs), and it is the holder's.
    const sessions = await sql<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
       WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted`,
      [LEASE_LOCK_CLASS, pgTables(schema).appendLock[1] >>> 0],
    );
    expect(sessions.map((s) => s.application_name)).toEqual([expect.stringContaining(`-${holder!.pid}-lease`)]);

    // 特急: the lead department must report in within one clock hour.
    const other = nodes.find((n) => n !== holder)!;
    await whistledCase(other, { lead: 'labour', urgency: 'critical' });
    await settle(schema, nodes);
    await Promise.all(nodes.map((n) => n.send({ cmd: 'advance', ms: 61 * MINUTE })));
    const sweeps = await Promise.all(nodes.map((n) => n.send<{ fired: number; lease: boolean }>({ cmd: 'sweep' })));
    expect(sweeps.map((s) => s.fired)).toEqual(nodes.map((n) => (n === holder ? 1 : 0)));
    await settle(schema, nodes);
    expect((await logOf(schema)).filter((e) => e.type === 'whistle.supervised')).toHaveLength(1);

    // The holder dies: its session ends with it, and a survivor takes the lease on its next try.
    holder!.child.kill('SIGKILL');
    const survivors = nodes.filter((n) => n !== holder);
    let next: Node[] = [];
    await vi.waitFor(async () => {
      next = await holders(survivors);
      expect(next).toHaveLength(1);
    }, { timeout: 10_000, interval: 100 });
    // Twice the deadline: the new holder escalates, once.
    await Promise.all(survivors.map((n) => n.send({ cmd: 'advance', ms: 60 * MINUTE })));
    const again = await Promise.all(survivors.map((n) => n.send<{ fired: number }>({ cmd: 'sweep' })));
    expect(again.map((s) => s.fired)).toEqual(survivors.map((n) => (n === next[0] ? 1 : 0)));
    await settle(schema, survivors);
    const log = await logOf(schema);
    expect(log.filter((e) => e.type === 'whistle.supervised')).toHaveLength(1);
    expect(log.filter((e) => e.type === 'whistle.escalated')).toHaveLength(1);
  });

  it('answers 503 while PostgreSQL is cut off, without crashing, then appends again and catches up', async () => {
    const link = await postgresRelay();
    try {
      const schema = freshSchema();
      const direct = await startNode({ DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
      const relayed = await startNode({ DATABASE_URL: link.url, DATABASE_SCHEMA: schema });
      const wall = client(relayed.url);
      await wall.connected();
      expect((await post(relayed, caseReported())).status).toBe(201);
      await settle(schema, [direct, relayed]);

      await link.cut();
      for (let i = 0; i < 3; i++) expect((await post(relayed, caseReported())).status).toBe(503);
      // The other node still writes; the cut one cannot hear of it yet.
      await writer(direct, 3, 5);
      expect(relayed.alive()).toBe(true);
      expect((await fetch(`${relayed.url}/healthz`)).status).toBe(200);
      expect((await post(relayed, caseReported())).status).toBe(503);

      await link.restore();
      await vi.waitFor(async () => expect((await post(relayed, caseReported())).status).toBe(201), { timeout: 15_000, interval: 200 });
      const last = await settle(schema, [direct, relayed]);
      const log = await logOf(schema);
      expect(log.filter((e) => e.type === 'case.reported')).toHaveLength(17);
      await wall.until(last);
      expectStream(wall, wall.events, log);
      expectEachOnce(wall.received);
    } finally {
      link.stop();
    }
  });
});
