/**
 * The report archive on SQLite and on PostgreSQL (skipped outside CI without one): a put is kept once under its id,
 * frozen; the list is newest period first and filters by kind and street; the schedule decides which periods are due.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData, ReportKind } from '../../../shared/reports.js';
import { openReportArchive, type ReportArchive } from '../../../server/reports/archive.js';
import { dueReports, ReportScheduler } from '../../../server/reports/scheduler.js';
import { loadDistrictData } from '../../../server/district-data.js';
import { createLogger } from '../../../server/log.js';
import { dropSchemas, freshSchemaName, requirePostgres, testDatabaseUrl } from '../../helpers/pg-env.js';
import { reportFixture } from './fixture.js';

const TZ = 480;
const district = loadDistrictData('longgang');

function report(kind: ReportKind, from: string, to: string, street?: string, cases = 3): ReportData {
  const r = reportFixture();
  r.kind = kind;
  r.period = { ...r.period, from, to };
  r.cases.total = cases;
  if (street) r.scope = { level: 'street', code: street, name: { zh: district.street(street)!.name, en: district.street(street)!.nameEn ?? '' } };
  return r;
}

function archiveContract(name: string, open: () => Promise<ReportArchive>) {
  describe(name, () => {
    let archive: ReportArchive;
    beforeAll(async () => {
      archive = await open();
    });
    afterAll(async () => {
      await archive?.close();
    });

    it('keeps a report once under kind:scope:from, as first put', async () => {
      expect(await archive.put(report('daily', '2026-12-01', '2026-12-01', undefined, 5))).toBe(true);
      expect(await archive.put(report('daily', '2026-12-01', '2026-12-01', undefined, 9))).toBe(false);
      expect(await archive.has('daily:440307:2026-12-01')).toBe(true);
      expect(await archive.has('daily:440307:2026-11-30')).toBe(false);
      const stored = await archive.get('daily:440307:2026-12-01');
      expect(stored?.id).toBe('daily:440307:2026-12-01');
      expect(stored?.cases.total).toBe(5);
      expect(stored?.summary.zh[0]).toBe(reportFixture().summary.zh[0]);
      expect(await archive.get('nope')).toBeUndefined();
    });

    it('lists newest period first, the district before its streets, with headline figures', async () => {
      await archive.put(report('daily', '2026-12-02', '2026-12-02'));
      await archive.put(report('weekly', '2026-11-23', '2026-11-29'));
      await archive.put(report('monthly', '2026-11-01', '2026-11-30'));
      await archive.put(report('monthly', '2026-11-01', '2026-11-30', '440307013'));
      await archive.put(report('monthly', '2026-11-01', '2026-11-30', '440307003'));
      const all = await archive.list({ limit: 50 });
      expect(all.map((r) => r.id)).toEqual([
        'daily:440307:2026-12-02',
        'daily:440307:2026-12-01',
        'weekly:440307:2026-11-23',
        'monthly:440307:2026-11-01',
        'monthly:440307003:2026-11-01',
        'monthly:440307013:2026-11-01',
      ]);
      expect(all[1]).toEqual({
        id: 'daily:440307:2026-12-01',
        kind: 'daily',
        scope: { level: 'district', code: '440307', name: { zh: '龙岗区', en: 'Longgang District' } },
        period: { from: '2026-12-01', to: '2026-12-01' },
        generatedAt: '2026-12-03T00:30:00.000Z',
        headline: { cases: 5, resolved: 31, alerts: 5 },
      });
      expect((await archive.list({ kind: 'monthly', limit: 50 })).map((r) => r.scope.code)).toEqual(['440307', '440307003', '440307013']);
      expect((await archive.list({ street: '440307013', limit: 50 })).map((r) => r.id)).toEqual(['monthly:440307013:2026-11-01']);
      expect(await archive.list({ limit: 2 })).toHaveLength(2);
    });
  });
}

archiveContract('report archive on SQLite', () => openReportArchive({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-archive-')) }));

const unreachable = await requirePostgres('report archive on PostgreSQL');
const schemas = new Set<string>();
const freshSchema = () => {
  const schema = freshSchemaName();
  schemas.add(schema);
  return schema;
};
afterAll(async () => {
  if (unreachable === undefined) await dropSchemas(schemas);
});

describe.skipIf(unreachable !== undefined)('report archive on PostgreSQL', () => {
  archiveContract('contract', () => openReportArchive({ url: testDatabaseUrl, schema: freshSchema() }));

  it('two nodes opening the same schema at once both get the one table', async () => {
    const other = freshSchema();
    const [a, b] = await Promise.all([openReportArchive({ url: testDatabaseUrl, schema: other }), openReportArchive({ url: testDatabaseUrl, schema: other })]);
    try {
      expect(await a.put(report('daily', '2026-12-01', '2026-12-01'))).toBe(true);
      expect(await b.put(report('daily', '2026-12-01', '2026-12-01'))).toBe(false);
      expect((await b.list({ limit: 5 })).map((r) => r.id)).toEqual(['daily:440307:2026-12-01']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('the report schedule', () => {
  const at = (iso: string) => Date.parse(iso);
  const ids = (now: number, since: number) => dueReports(now, since, TZ, district).map((d) => d.id);

  it('is due for finished days, weeks and months after the log began, back 7 days, 4 weeks, 3 months', () => {
    // Thursday 3 Dec 2026, 08:00 local; the log began on Wednesday 2 Dec.
    expect(ids(at('2026-12-03T00:00:00Z'), at('2026-12-02T01:00:00Z'))).toEqual(['daily:440307:2026-12-02']);
    // Began long ago: 3 months (district and each street), 4 weeks and 7 days, oldest period end first.
    const all = ids(at('2026-12-03T00:00:00Z'), 0);
    const monthly = all.filter((id) => id.startsWith('monthly:'));
    expect(monthly).toHaveLength(3 * (1 + district.info.streets.length));
    expect(new Set(monthly.map((id) => id.split(':')[2]))).toEqual(new Set(['2026-09-01', '2026-10-01', '2026-11-01']));
    expect(all.filter((id) => id.startsWith('weekly:'))).toEqual(['weekly:440307:2026-11-02', 'weekly:440307:2026-11-09', 'weekly:440307:2026-11-16', 'weekly:440307:2026-11-23']);
    expect(all.filter((id) => id.startsWith('daily:'))).toEqual(['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02'].map((d) => `daily:440307:${d}`));
    // The week of 23–29 Nov is not due before Monday 30 Nov 00:30 local: half an hour for late deliveries.
    expect(ids(at('2026-11-29T16:29:00Z'), 0).filter((id) => id.startsWith('weekly:')).at(-1)).toBe('weekly:440307:2026-11-16');
    expect(ids(at('2026-11-29T16:30:00Z'), 0).filter((id) => id.startsWith('weekly:')).at(-1)).toBe('weekly:440307:2026-11-23');
  });

  it('runs only on the node holding the lease, once per report', async () => {
    const puts: string[] = [];
    const stored = new Set<string>();
    const archive = {
      has: async (id: string) => stored.has(id),
      put: async (r: ReportData) => {
        const id = `${r.kind}:${r.scope.code}:${r.period.from}`;
        puts.push(id);
        if (stored.has(id)) return false;
        stored.add(id);
        return true;
      },
    } as unknown as ReportArchive;
    let held = false;
    const deps = {
      archive,
      projections: { cases: { records: () => [] }, risk: null, seq: 7, settings: { tzOffsetMinutes: TZ } },
      district,
      store: { readAfter: async () => [{ seq: 1, id: 'e1', at: '2026-12-01T20:00:00.000Z', type: 'case.reported', data: {} }] as never },
      lease: { hold: async () => held },
      clock: () => at('2026-12-03T00:00:00Z'),
      log: createLogger('silent'),
    };
    const scheduler = new ReportScheduler(deps);
    expect(await scheduler.run()).toEqual([]);
    held = true;
    expect(await scheduler.run()).toEqual(['daily:440307:2026-12-02']);
    expect(await scheduler.run()).toEqual([]);
    expect(puts).toEqual(['daily:440307:2026-12-02']);
    await scheduler.stop();
  });
});
