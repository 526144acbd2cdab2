/**
 * Reports on two nodes of one PostgreSQL log (in this process, on one fixed clock): only the node holding the lease
 * archives, into the schema's report_archive, and either node serves the archive. Off CI an unreachable PostgreSQL
 * skips the suite with the reason; on CI it is a failure (tests/helpers/pg-env.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchivedReport, ReportData } from '../../../shared/reports.js';
import type { RunningServer } from '../../../server/boot.js';
import { caseReported } from '../../helpers/factories.js';
import { DUTY, LEADER, TEST_SESSION_SECRET } from '../../helpers/auth.js';
import { dropSchemas, freshSchemaName, requirePostgres, sql, testDatabaseUrl } from '../../helpers/pg-env.js';
import { fetchAs, post, startServer } from '../../helpers/server.js';

const unreachable = await requirePostgres('reports on PostgreSQL');
const HOUR = 3_600_000;
/** Wednesday 2 Dec 2026, 10:00 in Shenzhen. */
const NOW = Date.parse('2026-12-02T02:00:00Z');

describe.skipIf(unreachable !== undefined)('reports on two nodes of one PostgreSQL log', () => {
  const schema = freshSchemaName();
  const clock = { now: NOW };
  const nodes: RunningServer[] = [];

  beforeAll(async () => {
    const start = () =>
      startServer(
        { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, SESSION_SECRET: TEST_SESSION_SECRET, RISK_IDENTITY_KEY: 'reports-test-identity-key', TIMER_SWEEP_MS: 60_000, SESSION_IDLE_MINUTES: 24 * 60, SESSION_MAX_HOURS: 7 * 24 },
        { clock: () => clock.now },
      );
    nodes.push(await start());
    nodes.push(await start());
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    if (unreachable === undefined) await dropSchemas([schema]);
  });

  it('archives on the lease holder only, once, and serves the archive from either node', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const made = await post(a, { events: [1, 2, 3].map((i) => caseReported({ reportedAt: new Date(NOW - i * HOUR).toISOString(), peopleInvolved: 2, severity: 1 })) });
    expect(made.status).toBe(201);
    // Both nodes have folded the three cases.
    for (const node of nodes) {
      await expect.poll(async () => ((await (await fetchAs(node, '/api/reports?date=2026-12-02', DUTY)).json()) as ReportData).cases.total, { timeout: 10_000 }).toBe(3);
    }

    clock.now = NOW + 22 * HOUR;
    const [ranA, ranB] = await Promise.all([a.reports.run(), b.reports.run()]);
    expect([ranA, ranB].filter((ids) => ids.length > 0)).toEqual([['daily:440307:2026-12-02']]);
    expect([a.lease.held, b.lease.held].filter(Boolean)).toHaveLength(1);
    expect(await Promise.all([a.reports.run(), b.reports.run()])).toEqual([[], []]);

    const rows = await sql<{ id: string; cases: number }>(`SELECT id, cases FROM "${schema}".report_archive`);
    expect(rows).toEqual([{ id: 'daily:440307:2026-12-02', cases: 3 }]);
    for (const node of nodes) {
      const list = (await (await fetchAs(node, '/api/reports/archive', LEADER)).json()) as { reports: ArchivedReport[] };
      expect(list.reports.map((r) => [r.id, r.headline.cases])).toEqual([['daily:440307:2026-12-02', 3]]);
      const one = (await (await fetchAs(node, `/api/reports/archive/${encodeURIComponent('daily:440307:2026-12-02')}`, DUTY)).json()) as ReportData;
      expect(one.cases.total).toBe(3);
    }
  });
});
