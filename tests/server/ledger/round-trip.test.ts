/**
 * Export → import round trip on real servers: cases reported through intake (parties, some resolved by their
 * source, one whistled, reported in and resolved through the dispatch commands) export as an .xlsx with a totals
 * sheet and one sheet per month; that file imports into a fresh server without manual mapping and reproduces the
 * cases; importing it again, or back into the server it came from, adds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { ledgerColumns } from '../../../server/ledger/columns.js';
import { periodOf } from '../../../server/ledger/export.js';
import { dayKey } from '../../../shared/time.js';
import { ADMIN, asAdmin, asDept, WALL } from '../../helpers/auth.js';
import { command, get, LEADER, whistledCase } from '../../helpers/dispatch.js';
import { BANTIAN, caseReported, caseResolved, GANGTOU, MAAN_TANG, nextRef, PINGHU } from '../../helpers/factories.js';
import { post, startServer } from '../../helpers/server.js';
import { exportLedger, importFile, lastSeq, readWorkbook, sheetRows, upload } from './ledger-client.js';

const TZ = 480;
const DAY = 86_400_000;
const PINGHU_COMMUNITY = '440307003002';
/** Whole seconds, so the sheet's times compare exactly. */
const ago = (ms: number) => new Date(Math.floor((Date.now() - ms) / 1000) * 1000).toISOString();

let a: RunningServer;
let b: RunningServer;
const refs: string[] = [];
let from: string;
let to: string;

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
  from = dayKey(Date.now() - 70 * DAY, TZ);
  to = dayKey(Date.now(), TZ);
  // Resolved by its source, two parties, a phone number and a party's name in the title.
  const r1 = nextRef('ledger');
  refs.push(r1);
  expect(
    (
      await post(a, {
        events: [
          caseReported({
            sourceRef: r1,
            title: '申请人张三丰称13800001234所在工厂拖欠工资',
            reportedAt: ago(60 * DAY),
            parties: [
              { role: 'applicant', name: '张三丰' },
              { role: 'applicant', name: '李四' },
              { role: 'respondent', name: '某电子厂' },
            ],
          }),
          caseResolved(r1, { resolvedAt: ago(55 * DAY), outcome: 'withdrawn' }),
        ],
      })
    ).status,
  ).toBe(201);
  // A petition from the grid in another street, open.
  const r2 = nextRef('ledger');
  refs.push(r2);
  expect(
    (await post(a, caseReported({ sourceRef: r2, source: 'grid', kind: 'petition', category: 'property', streetCode: PINGHU, communityCode: PINGHU_COMMUNITY, severity: 4, peopleInvolved: 30, title: '小区物业费上涨引发集体投诉', reportedAt: ago(30 * DAY), parties: [] }))).status,
  ).toBe(201);
  // Whistled, reported in and resolved through the dispatch commands.
  const r3 = nextRef('ledger');
  refs.push(r3);
  const { caseId, version } = await whistledCase(a, { lead: 'labour', assists: ['justice'] }, { sourceRef: r3, source: 'court', communityCode: MAAN_TANG, reportedAt: ago(2 * DAY) });
  expect((await command(a, caseId, asDept('labour'), { type: 'reportIn', expectedVersion: version })).status).toBe(201);
  expect((await command(a, caseId, asDept('labour'), { type: 'resolve', expectedVersion: version + 1, outcome: 'mediated' })).status).toBe(201);
  // Open, reported a moment ago.
  const r4 = nextRef('ledger');
  refs.push(r4);
  expect((await post(a, caseReported({ sourceRef: r4, source: 'walkin', category: 'neighbour', streetCode: BANTIAN, communityCode: GANGTOU, reportedAt: ago(60_000), parties: [{ role: 'respondent', name: '王五' }] }))).status).toBe(201);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** The columns an import reads, as a string per row, keyed on the ledger number. */
function importable(rows: Array<Record<string, unknown>>): Map<string, Record<string, string>> {
  const keys = ledgerColumns.filter((c) => c.field).map((c) => c.zh);
  const text = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v));
  return new Map(rows.map((r) => [String(r['来源编号']), Object.fromEntries(keys.map((k) => [k, text(r[k])]))]));
}

describe('ledger export → import', () => {
  let file: Buffer;

  it('exports one sheet per month after a totals sheet, with the ledger columns, masked', async () => {
    const res = await exportLedger(a, `from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(`台账_${from}_${to}.xlsx`)}`);
    file = res.body;
    const workbook = await readWorkbook(file);
    const period = periodOf(from, to, TZ);
    const names = workbook.worksheets.map((s) => s.name);
    expect(names).toEqual(['汇总', ...period.months.map((m) => `${m.year}年${m.month}月`)]);
    const monthSheets = workbook.worksheets.slice(1);
    for (const sheet of monthSheets) {
      expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(ledgerColumns.map((c) => c.zh));
    }
    const rows = monthSheets.flatMap(sheetRows);
    expect(rows.map((r) => r['来源编号']).sort()).toEqual([...refs].sort());
    const byRef = new Map(rows.map((r) => [r['来源编号'] as string, r]));
    const first = byRef.get(refs[0]!)!;
    expect(first['事项']).toBe('申请人张*丰称138****1234所在工厂拖欠工资');
    expect(first['当事人(申请人)']).toBe('张*丰、李*');
    expect(first['被申请人']).toBe('某**厂');
    expect(first['办理结果']).toBe('撤回');
    expect(first['来源']).toBe('12345热线');
    expect(first['纠纷类别']).toBe('劳资纠纷');
    expect(first['街道']).toBe('坂田街道');
    expect(first['社区']).toBe('岗头社区');
    expect(first['当前状态']).toBe('已办结');
    const whistled = byRef.get(refs[2]!)!;
    expect(whistled['牵头部门']).toContain('人力资源局');
    expect(whistled['协办部门']).toContain('司法局');
    expect(whistled['吹哨时间']).toBeInstanceOf(Date);
    expect(whistled['报到时间']).toBeInstanceOf(Date);
    expect(whistled['是否按时报到']).toBe('是');
    expect(whistled['办理结果']).toBe('调解成功');
    expect(whistled['层级']).toBe('社区');
    expect(whistled['调解渠道']).toBe('人民调解');
    expect(byRef.get(refs[3]!)!['当前状态']).toBe('已受理');
    // Every sheet sorts by reporting time and numbers its rows from 1.
    for (const sheet of monthSheets) sheetRows(sheet).forEach((r, i) => expect(r['序号']).toBe(i + 1));

    const totals = workbook.getWorksheet('汇总')!;
    const totalRow = totals.getRows(1, totals.rowCount)!.find((r) => r.getCell(1).value === '合计')!;
    expect(totalRow.getCell(2).value).toBe(4);
    expect(totalRow.getCell(3).value).toBe(2);
    expect(totalRow.getCell(8).value).toBe(0.5);
    expect(totalRow.getCell(9).value).toBe(0.5);
  });

  it('prints as centres file a ledger: A4 landscape, one page wide, the header row repeated, filters on the header', async () => {
    const workbook = await readWorkbook(file);
    for (const sheet of workbook.worksheets) {
      expect(sheet.pageSetup.paperSize, sheet.name).toBe(9);
      expect(sheet.pageSetup.orientation, sheet.name).toBe('landscape');
      expect(sheet.pageSetup.fitToPage, sheet.name).toBe(true);
      expect(sheet.pageSetup.fitToWidth, sheet.name).toBe(1);
      expect(sheet.pageSetup.fitToHeight, sheet.name).toBe(0);
    }
    for (const sheet of workbook.worksheets.slice(1)) {
      expect(sheet.pageSetup.printTitlesRow, sheet.name).toBe('1:1');
      const last = String.fromCharCode(64 + ledgerColumns.length);
      expect(String(sheet.autoFilter), sheet.name).toBe(`A1:${ledgerColumns.length > 26 ? 'A' + String.fromCharCode(64 + ledgerColumns.length - 26) : last}${sheet.rowCount}`);
    }
  });

  it('imports into a fresh server without manual mapping and reproduces the cases', async () => {
    const { parsed, validated, committing, done } = await importFile(b, `台账_${from}_${to}.xlsx`, file);
    expect(parsed.format).toBe('xlsx');
    expect(parsed.rows).toBe(4);
    expect(parsed.sheets).not.toContain('汇总');
    for (const c of ledgerColumns) if (c.field) expect(parsed.suggested[c.field]).toBe(c.zh);
    expect(validated.validation).toMatchObject({ rows: 4, valid: 4, duplicates: 0, errorRows: 0, errors: [] });
    expect(committing.status).toBe(202);
    expect(done?.phase).toBe('done');
    expect(done?.result).toEqual({ cases: 4, resolutions: 2, duplicates: 0 });

    const again = await exportLedger(b, `from=${from}&to=${to}`);
    const original = importable((await readWorkbook(file)).worksheets.slice(1).flatMap(sheetRows));
    const copy = importable((await readWorkbook(again.body)).worksheets.slice(1).flatMap(sheetRows));
    expect(copy).toEqual(original);

    const cases = (await get(b, '/api/cases?limit=50')).body as { items: any[] };
    const imported = cases.items.find((c) => c.source === 'grid')!;
    expect(imported).toMatchObject({ kind: 'petition', category: 'property', streetCode: PINGHU, communityCode: PINGHU_COMMUNITY, severity: 4, peopleInvolved: 30, status: 'received' });
    const withdrawn = cases.items.find((c) => c.outcome === 'withdrawn')!;
    expect(withdrawn.reportedAt).toBe(new Date(Date.parse(original.get(refs[0]!)!['登记时间']!) - TZ * 60_000).toISOString());
    expect(withdrawn.resolvedAt).toBe(new Date(Date.parse(original.get(refs[0]!)!['办结时间']!) - TZ * 60_000).toISOString());
  });

  it('adds nothing when the same file is imported again', async () => {
    const before = await lastSeq(b);
    const { validated, done } = await importFile(b, 'again.xlsx', file);
    expect(validated.validation).toMatchObject({ rows: 4, valid: 4, duplicates: 4, errorRows: 0 });
    expect(done?.result).toEqual({ cases: 0, resolutions: 0, duplicates: 4 });
    expect(await lastSeq(b)).toBe(before);
  });

  it('adds nothing when the export is imported back into the server it came from', async () => {
    const before = await lastSeq(a);
    const { validated, done } = await importFile(a, 'back.xlsx', file);
    expect(validated.validation).toMatchObject({ valid: 4, duplicates: 4, errorRows: 0 });
    expect(done?.result).toEqual({ cases: 0, resolutions: 0, duplicates: 4 });
    expect(await lastSeq(a)).toBe(before);
  });

  it('exports with English headers and labels that map back fully', async () => {
    const res = await exportLedger(a, `from=${from}&to=${to}&lang=en`);
    expect(res.status).toBe(200);
    const workbook = await readWorkbook(res.body);
    expect(workbook.worksheets[0]!.name).toBe('Totals');
    expect((workbook.worksheets[1]!.getRow(1).values as unknown[]).slice(1)).toEqual(ledgerColumns.map((c) => c.en));
    const { parsed, validated } = await importFile(b, 'ledger-en.xlsx', res.body);
    for (const c of ledgerColumns) if (c.field) expect(parsed.suggested[c.field]).toBe(c.en);
    expect(validated.validation).toMatchObject({ rows: 4, valid: 4, duplicates: 4, errorRows: 0 });
  });

  it('audits every export, and refuses it to departments and the wall', async () => {
    await exportLedger(a, `from=${from}&to=${to}&street=${BANTIAN}&status=closed`, LEADER);
    const audit = await asAdmin(a, 'GET', '/api/admin/audit?action=export&limit=50');
    const entry = audit.body.items.find((e: any) => e.target === 'ledger' && e.details?.street === BANTIAN);
    expect(entry).toMatchObject({ action: 'export', outcome: 'ok', details: { from, to, street: BANTIAN, status: 'closed', rows: 2 } });
    expect(entry.actor.role).toBe('leader');
    const imports = await asAdmin(a, 'GET', '/api/admin/audit?action=intake&limit=50');
    expect(imports.body.items.some((e: any) => e.target?.startsWith('ledger-import:') && e.details?.filename === 'back.xlsx')).toBe(true);
    for (const who of [asDept('labour'), WALL, ADMIN]) {
      expect((await exportLedger(a, `from=${from}&to=${to}`, who)).status).toBe(403);
      expect((await upload(a, 'x.csv', 'a,b\n1,2\n', who)).status).toBe(403);
    }
  });

  it('answers a bad query with 400 and the fields at fault', async () => {
    const bad = await exportLedger(a, 'from=2026-13-01&to=2026-01-01&kind=robbery');
    expect(bad.status).toBe(400);
    const paths = (JSON.parse(bad.body.toString()).error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['kind']));
    const reversed = JSON.parse((await exportLedger(a, 'from=2026-12-01&to=2026-11-01')).body.toString());
    expect(reversed.error.details).toEqual([expect.objectContaining({ path: 'to' })]);
    const unknown = JSON.parse((await exportLedger(a, `from=${from}&to=${to}&street=440307999&category=aliens`)).body.toString());
    expect(unknown.error.details.map((d: any) => d.path).sort()).toEqual(['category', 'street']);
    const wrongStreet = JSON.parse((await exportLedger(a, `from=${from}&to=${to}&street=${PINGHU}&community=${GANGTOU}`)).body.toString());
    expect(wrongStreet.error.details).toEqual([expect.objectContaining({ path: 'community' })]);
  });
});
