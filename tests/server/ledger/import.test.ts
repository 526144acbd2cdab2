/**
 * Importing historical ledgers on a real server: bad rows are each reported by row number, field, column and why,
 * and a commit with any bad row appends nothing (422); a GBK CSV with Chinese headers imports; a 5,000-row file
 * reports progress up to its total; what is obviously not a spreadsheet is refused at once.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import type { ImportJob } from '../../../shared/ledger.js';
import { cookieFor, DUTY, LEADER } from '../../helpers/auth.js';
import { get } from '../../helpers/dispatch.js';
import { startServer } from '../../helpers/server.js';
import { call, exportLedger, importFile, lastSeq, readWorkbook, settle, sheetRows, upload } from './ledger-client.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
  // Signed in before any seq is compared: making the user is an event too.
  await cookieFor(server, DUTY);
  await cookieFor(server, LEADER);
});
afterAll(async () => {
  await server?.close();
});

const HEADERS = ['台账编号', '登记日期', '纠纷类型', '所属街道', '所属社区', '纠纷事项', '申请人', '被申请人', '调解结果', '结案日期'];
/** Rows 2–9 of the sheet: one good row, then one fault each, then a good one. */
const BAD_ROWS = [
  ['LG-2026-001', '2026/9/1', '劳资纠纷', '坂田街道', '岗头社区', '拖欠工资', '张三', '某厂', '调解成功', '2026-09-05 10:00'],
  ['LG-2026-002', '2026/9/2', '劳资纠纷', '火星街道', '岗头社区', '拖欠工资', '', '', '', ''],
  ['LG-2026-003', '2026/9/3', '邻里纠纷', '坂田街道', '良安田社区', '噪音', '', '', '', ''],
  ['LG-2026-004', '2026-13-45', '邻里纠纷', '坂田街道', '岗头社区', '噪音', '', '', '', ''],
  ['LG-2026-005', '2026/9/5', '邻里纠纷', '坂田街道', '岗头社区', '', '', '', '', ''],
  ['LG-2026-001', '2026/9/6', '邻里纠纷', '坂田街道', '岗头社区', '漏水', '', '', '', ''],
  ['LG-2026-007', '2026/9/7', '邻里纠纷', '坂田街道', '岗头社区', '漏水', '', '', '和解了', '2026/9/8'],
  ['LG-2026-008', '2026/9/8', '婚姻家庭纠纷', 'Bantian', '马安堂', '抚养费', '李四', '', '', ''],
];
/** Each bad row's error, in English and in the Chinese a duty officer reads. */
const EXPECTED = [
  { row: 3, field: 'street', column: '所属街道', message: expect.stringContaining('火星街道'), zh: '街道“火星街道”不在龙岗区' },
  { row: 4, field: 'community', column: '所属社区', message: expect.stringContaining('is not in street 坂田街道'), zh: '社区“良安田社区”不在坂田街道（属于平湖街道）' },
  { row: 5, field: 'reportedAt', column: '登记日期', message: expect.stringContaining('is not a date'), zh: '“2026-13-45”不是有效的日期时间（请写成 YYYY-MM-DD HH:mm 或 YYYY/M/D）' },
  { row: 6, field: 'title', column: '纠纷事项', message: expect.stringContaining('missing'), zh: '事项（标题）为空' },
  { row: 7, field: 'sourceRef', column: '台账编号', message: expect.stringContaining('row 2'), zh: '台账编号“LG-2026-001”与第 2 行重复' },
  { row: 8, field: 'outcome', column: '调解结果', message: expect.stringContaining('和解了'), zh: '办理结果“和解了”无法识别' },
];

const csv = (rows: string[][]) => [HEADERS, ...rows].map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');

async function xlsx(rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('历史台账');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('ledger import: bad rows', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`reports every bad row of a ${format} by number and commits nothing`, async () => {
      const file = format === 'csv' ? Buffer.from(csv(BAD_ROWS)) : await xlsx(BAD_ROWS);
      const before = await lastSeq(server);
      const { parsed, validated, committing } = await importFile(server, `bad.${format}`, file, { defaults: { source: 'court' } });
      expect(parsed.format).toBe(format);
      expect(parsed.rows).toBe(8);
      expect(parsed.suggested).toMatchObject({ sourceRef: '台账编号', reportedAt: '登记日期', category: '纠纷类型', street: '所属街道', community: '所属社区', title: '纠纷事项', outcome: '调解结果', resolvedAt: '结案日期' });
      expect(parsed.preview[0]).toMatchObject({ 台账编号: 'LG-2026-001', 所属街道: '坂田街道' });
      expect(validated.phase).toBe('validated');
      expect(validated.validation).toMatchObject({ rows: 8, valid: 2, duplicates: 0, errorRows: 6, errorCount: 6 });
      expect(validated.validation!.errors).toEqual(EXPECTED.map((e) => expect.objectContaining(e)));
      expect(committing.status).toBe(422);
      expect(committing.body.error.code).toBe('invalid_rows');
      expect((committing.body.error.job as ImportJob).validation!.errorRows).toBe(6);
      expect(await lastSeq(server)).toBe(before);
    });
  }

  it('says in Chinese too why the intake checks refuse a row', async () => {
    const headers = [...HEADERS, '严重程度'];
    const row = (ref: string, changes: Partial<Record<string, string>>) => headers.map((h, i) => changes[h] ?? [ref, '2026/9/10', '邻里纠纷', '坂田街道', '岗头社区', '噪音', '王五', '', '', '', '2'][i]!);
    const rows = [
      row('ZH-CHK-1', { 纠纷事项: '吵'.repeat(201) }),
      row('ZH-CHK-2', { 登记日期: '2099/1/1' }),
      row('ZH-CHK-3', { 调解结果: '调解成功', 结案日期: '2026/9/1' }),
      row('ZH-CHK-4', { 严重程度: '9' }),
      row('ZH CHK 5', {}),
      row('ZH-CHK-6', { 申请人: '张'.repeat(51) }),
    ];
    const text = [headers, ...rows].map((r) => r.join(',')).join('\r\n');
    const { validated, committing } = await importFile(server, 'intake-checks.csv', text, { defaults: { source: 'court' } });
    expect(validated.validation).toMatchObject({ rows: 6, valid: 0, errorRows: 6, errorCount: 6 });
    expect(validated.validation!.errors).toEqual([
      expect.objectContaining({ row: 2, field: 'title', message: expect.any(String), zh: '标题过长（最多 200 字）' }),
      expect.objectContaining({ row: 3, field: 'reportedAt', message: 'must not be in the future', zh: '登记时间不能晚于当前时间' }),
      expect.objectContaining({ row: 4, field: 'resolvedAt', message: 'must not be before the case was reported', zh: '办结时间早于登记时间' }),
      expect.objectContaining({ row: 5, field: 'severity', column: '严重程度', zh: '严重程度不能大于 5' }),
      expect.objectContaining({ row: 6, field: 'sourceRef', zh: expect.stringContaining('台账编号只能包含') }),
      expect.objectContaining({ row: 7, field: 'applicant', zh: '申请人姓名过长（最多 50 字）' }),
    ]);
    expect(committing.status).toBe(422);
  });

  it('imports the good rows once the bad ones are fixed, with codes, English names and defaults', async () => {
    // A court's own case number (案号) is a ledger number like any other.
    const courtNumbered = ['（2026）粤0307民调123号', ...BAD_ROWS[0]!.slice(1)];
    const good = [courtNumbered, BAD_ROWS[7]!];
    const { validated, done } = await importFile(server, 'good.csv', Buffer.from(csv(good)), { defaults: { source: 'court', severity: 3 } });
    expect(validated.validation).toMatchObject({ valid: 2, errorRows: 0 });
    expect(done?.result).toEqual({ cases: 2, resolutions: 1, duplicates: 0 });
    const cases = (await get(server, '/api/cases?limit=10')).body.items as any[];
    const family = cases.find((c) => c.category === 'family');
    expect(family).toMatchObject({ source: 'court', streetCode: '440307013', communityCode: '440307013007', severity: 3, peopleInvolved: 1, reportedAt: '2026-09-07T16:00:00.000Z' });
    const labour = cases.find((c) => c.category === 'labour');
    expect(labour).toMatchObject({ outcome: 'mediated', resolvedAt: '2026-09-05T02:00:00.000Z' });
    const detail = (await get(server, `/api/cases/${labour.id}`)).body;
    expect(detail.title).toBe('拖欠工资');
    expect(detail.parties).toEqual([expect.objectContaining({ role: 'applicant', name: '张*' }), expect.objectContaining({ role: 'respondent', name: '某*' })]);
  });

  it('refuses a mapping that leaves out a required field or names no column', async () => {
    const made = await upload(server, 'map.csv', csv([BAD_ROWS[0]!]));
    const job = await settle(server, made.body.id);
    const res = await call(server, 'POST', `/api/ledger/imports/${job.id}/validate`, { mapping: { sourceRef: '台账编号', title: '没有这列' } });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['mapping.reportedAt', 'mapping.category', 'mapping.street', 'mapping.community', 'mapping.title']));
    // Another user cannot see the job.
    expect((await call(server, 'GET', `/api/ledger/imports/${job.id}`, undefined, LEADER)).status).toBe(404);
  });

  it('refuses what is obviously not a spreadsheet at once, and fails a file it cannot read', async () => {
    expect((await upload(server, 'x.csv', Buffer.alloc(0))).status).toBe(400);
    expect((await upload(server, 'old.xls', 'a,b\n')).status).toBe(400);
    expect((await upload(server, 'ledger.pdf', 'a,b\n')).status).toBe(400);
    expect((await upload(server, 'fake.xlsx', 'a,b\n1,2\n')).status).toBe(400);
    expect((await call(server, 'POST', '/api/ledger/imports?filename=x.csv', { a: 1 })).status).toBe(400);
    const broken = await upload(server, 'broken.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]));
    expect(broken.status).toBe(202);
    const failed = await settle(server, broken.body.id);
    expect(failed).toMatchObject({ phase: 'failed', error: expect.stringContaining('not a readable .xlsx') });
    const headerOnly = await settle(server, (await upload(server, 'empty.csv', '来源编号,登记时间\n')).body.id);
    expect(headerOnly).toMatchObject({ phase: 'failed', error: expect.stringContaining('no data rows') });
  });
});

describe('ledger import: encodings and size', () => {
  it('imports a GBK-encoded CSV with Chinese headers', async () => {
    const text = ['来源编号,来源,登记时间,类型,纠纷类别,街道,社区,事项,当事人(申请人),涉及人数,严重程度', 'GBK-1,12345热线,2026-08-01 09:30,矛盾纠纷,物业纠纷,坂田街道,岗头社区,电梯长期停运,赵六,15,3', 'GBK-2,网格员,2026-08-02 14:00,信访,邻里纠纷,平湖街道,良安田社区,楼上漏水,,2,1'].join('\r\n');
    const gbk = iconv.encode(text, 'gbk');
    expect(gbk.equals(Buffer.from(text))).toBe(false);
    const { parsed, done } = await importFile(server, '历史台账.csv', gbk);
    expect(parsed.headers).toContain('当事人(申请人)');
    expect(parsed.preview[0]).toMatchObject({ 事项: '电梯长期停运' });
    expect(done?.result).toEqual({ cases: 2, resolutions: 0, duplicates: 0 });
    const cases = (await get(server, '/api/cases?limit=20')).body.items as any[];
    expect(cases.find((c) => c.category === 'property' && c.source === 'hotline')).toMatchObject({ peopleInvolved: 15, severity: 3, reportedAt: '2026-08-01T01:30:00.000Z' });
    expect(cases.find((c) => c.kind === 'petition' && c.source === 'grid')).toMatchObject({ streetCode: '440307003', communityCode: '440307003002' });
  });

  it('imports 5,000 rows with progress up to the total, then adds nothing the second time', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => {
      const day = String((i % 28) + 1).padStart(2, '0');
      return [`BULK-${i}`, `2026-07-${day} 08:${String(i % 60).padStart(2, '0')}`, '劳资纠纷', '坂田街道', '岗头社区', `第${i}号拖欠工资`, `工人${i}`, '', i % 3 === 0 ? '调解成功' : '', i % 3 === 0 ? `2026-08-${day}` : ''];
    });
    const file = Buffer.from(csv(rows));
    const made = await upload(server, 'bulk.csv', file);
    const seen: Array<{ phase: string; done: number; total: number }> = [];
    const parsed = await settle(server, made.body.id, DUTY, seen);
    expect(parsed).toMatchObject({ phase: 'parsed', rows: 5000, progress: { done: 5000, total: 5000 } });
    const body = { mapping: parsed.suggested, defaults: { source: 'hotline' } };
    expect((await call(server, 'POST', `/api/ledger/imports/${parsed.id}/validate`, body)).status).toBe(202);
    const validated = await settle(server, parsed.id, DUTY, seen);
    expect(validated.validation).toMatchObject({ rows: 5000, valid: 5000, errorRows: 0 });
    const before = await lastSeq(server);
    const committing = await call(server, 'POST', `/api/ledger/imports/${parsed.id}/commit`, body);
    expect(committing.status).toBe(202);
    expect(committing.body.phase).toBe('importing');
    // Only one commit at a time.
    expect((await call(server, 'POST', `/api/ledger/imports/${parsed.id}/commit`, body)).status).toBe(409);
    const done = await settle(server, parsed.id, DUTY, seen);
    expect(done.phase).toBe('done');
    expect(done.progress).toEqual({ done: 5000, total: 5000 });
    expect(done.result).toEqual({ cases: 5000, resolutions: 1667, duplicates: 0 });
    expect(await lastSeq(server)).toBe(before + 5000 + 1667);
    const importing = seen.filter((s) => s.phase === 'importing');
    expect(importing.every((s) => s.total === 5000 && s.done <= 5000)).toBe(true);

    const again = await importFile(server, 'bulk.csv', file, { defaults: { source: 'hotline' } });
    expect(again.validated.validation).toMatchObject({ valid: 5000, duplicates: 5000 });
    expect(again.done?.result).toEqual({ cases: 0, resolutions: 0, duplicates: 5000 });
    expect(await lastSeq(server)).toBe(before + 5000 + 1667);
  });

  it('reads Chinese text whole from a streamed .xlsx whose characters straddle the chunks of its XML', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('二〇二六年六月');
    sheet.addRow(['来源编号', '登记时间', '纠纷类别', '街道', '社区', '事项']).commit();
    const titles: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const title = `第${i}号：${'龙岗区坂田街道岗头社区某电子厂拖欠员工工资引发集体劳资纠纷'.slice(i % 7)}`;
      titles.push(title);
      sheet.addRow([`ZH-${i}`, new Date(Date.UTC(2026, 5, 1 + (i % 30), 9, 0)), i % 2 ? '婚姻家庭纠纷' : '劳资纠纷', '坂田街道', '岗头社区', title]).commit();
    }
    sheet.commit();
    await workbook.commit();
    const { parsed, validated, done } = await importFile(server, '六月.xlsx', Buffer.concat(chunks), { defaults: { source: 'online' } });
    expect(parsed.sheets).toEqual(['二〇二六年六月']);
    expect(validated.validation).toMatchObject({ rows: 3000, valid: 3000, errorRows: 0 });
    expect(done?.result).toMatchObject({ cases: 3000 });
    const exported = await readWorkbook((await exportLedger(server, 'from=2026-06-01&to=2026-06-30')).body);
    const rows = sheetRows(exported.getWorksheet('2026年6月')!).filter((r) => String(r['来源编号']).startsWith('ZH-'));
    expect(rows).toHaveLength(3000);
    for (const r of rows) expect(r['事项']).toBe(titles[Number(String(r['来源编号']).slice(3))]);
  });
});

