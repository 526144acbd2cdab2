/**
 * The PostgreSQL audit log against a real server: the shared contract, then what only a shared database has to
 * get right: two logs (two pools, as two nodes) recording at once, and pruning while another node records, each
 * leaving one unforked chain. Every log gets a fresh schema; all are dropped at the end.
 *
 * Off CI an unreachable server skips the suite with the reason; on CI it is a failure (tests/helpers/pg-env.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditLog, type AuditLog } from '../../../server/audit/audit-log.js';
import { AUDIT_LOCK_CLASS } from '../../../server/audit/pg-storage.js';
import { runVerifyCommand } from '../../../server/audit/verify-command.js';
import { LEASE_LOCK_CLASS } from '../../../server/lease.js';
import { dropSchemas, freshSchemaName, requirePostgres, sql, testDatabaseUrl } from '../../helpers/pg-env.js';
import { draft, runAuditContract, testClock } from './contract.js';

const unreachable = await requirePostgres('PostgreSQL audit log tests');
const schemas = new Set<string>();
const freshSchema = () => {
  const schema = freshSchemaName();
  schemas.add(schema);
  return schema;
};
const openNode = (schema: string, clock: () => number, node: string) =>
  openAuditLog({ url: testDatabaseUrl, schema, applicationName: `sygl-audit-test-${node}` }, clock);

afterAll(async () => {
  if (unreachable === undefined) await dropSchemas(schemas);
});

describe.skipIf(unreachable !== undefined)('PostgreSQL audit log', () => {
  runAuditContract('postgresql', {
    open: async (clock, location = freshSchema()) => ({ log: await openNode(location, clock, 'contract'), location }),
    tamper: async (schema, statement) => {
      await sql(statement({ audit: `"${schema}".audit`, meta: `"${schema}".audit_meta` }));
    },
    cliArgs: (schema) => ['--database-url', testDatabaseUrl, '--schema', schema],
  });

  it('verify command: exit 2 for a schema without an audit log, and creates nothing there', async () => {
    const schema = freshSchema();
    const err: string[] = [];
    const code = await runVerifyCommand(['verify', '--database-url', testDatabaseUrl, '--schema', schema], {}, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err[0]).toMatch(`no audit log in PostgreSQL schema "${schema}"`);
    expect(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
  });

  describe('several nodes', () => {
    const opened: AuditLog[] = [];
    afterAll(async () => {
      await Promise.all(opened.map((log) => log.close()));
    });
    const nodes = async (schema: string) => {
      const clock = testClock();
      const pair = await Promise.all([openNode(schema, clock.now, 'a'), openNode(schema, clock.now, 'b')]);
      opened.push(...pair);
      return pair;
    };

    it('takes a lock class of its own, apart from the event store and the lease', () => {
      // 'SGLa', 'SGLd' (server/store/pg-schema.ts) and 'SGLl' (server/lease.ts).
      expect([0x53474c61, 0x53474c64, LEASE_LOCK_CLASS]).not.toContain(AUDIT_LOCK_CLASS);
    });

    it('two nodes recording hundreds of entries at once make one unforked chain that verifies', async () => {
      const schema = freshSchema();
      const [a, b] = await nodes(schema);
      // Waves, so each node commits many times (records made together share one commit) and the two contend.
      const record = async (log: AuditLog, node: string) => {
        const entries = [];
        for (let wave = 0; wave < 30; wave++) {
          const singles = Array.from({ length: 8 }, (_, i) => log.record(draft({ target: `${node}-${wave}-${i}` })));
          const batch = log.recordMany([draft({ target: `${node}-${wave}-x` }), draft({ target: `${node}-${wave}-y` })]);
          entries.push(...(await Promise.all(singles)), ...(await batch));
        }
        return entries;
      };
      const [fromA, fromB] = await Promise.all([record(a, 'a'), record(b, 'b')]);
      const seqs = [...fromA, ...fromB].map((e) => e.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
      // The nodes' commits interleaved: the test raced them rather than one writing everything first.
      const writer = new Map([...fromA.map((e) => [e.seq, 'a'] as const), ...fromB.map((e) => [e.seq, 'b'] as const)]);
      const turns = seqs.filter((seq) => seq > 1 && writer.get(seq) !== writer.get(seq - 1)).length;
      expect(turns).toBeGreaterThan(2);

      const byHash = new Map([...fromA, ...fromB].map((e) => [e.prevHash, e]));
      expect(byHash.size).toBe(600);
      expect(await a.verify()).toMatchObject({ ok: true, entries: 600, head: { seq: 600 } });
      expect(await b.verify()).toEqual(await a.verify());
      const stored = await sql<{ n: string }>(`SELECT count(DISTINCT prev_hash) AS n FROM "${schema}".audit`);
      expect(Number(stored[0]!.n)).toBe(600);
    });

    it('one node prunes while the other records: the chain stays whole', async () => {
      const schema = freshSchema();
      const clock = testClock();
      const a = await openNode(schema, clock.now, 'a');
      const b = await openNode(schema, clock.now, 'b');
      opened.push(a, b);
      for (let i = 0; i < 4; i++) await a.recordMany(Array.from({ length: 500 }, () => draft()));
      clock.advance(86_400_000);
      const [deleted, recorded] = await Promise.all([
        a.prune(new Date(clock.now())),
        Promise.all(Array.from({ length: 200 }, () => b.record(draft({ action: 'login.succeeded' })))),
      ]);
      expect(deleted).toBe(2000);
      expect(recorded).toHaveLength(200);
      expect(await b.verify()).toMatchObject({ ok: true, entries: 201, head: { seq: 2201 } });
      expect(await a.list({ limit: 1, action: 'audit.pruned' })).toMatchObject([{ details: { deleted: 2000, checkpointSeq: 2000 } }]);
    });
  });
});
