/**
 * Ledger import benchmark (issue 8: "100,000 rows must work"). Generates a historical ledger of N rows (real
 * streets, communities and categories of 龙岗区, Chinese titles and names, a third resolved) as a CSV and as an
 * .xlsx, then, for each, on a fresh server in this process: upload → parsed → validated → committed through intake,
 * timing each phase and sampling the process's RSS every 50 ms; then the same file again (every row a duplicate),
 * and an export of everything imported. Prints rows/s and peak RSS (the process holds the generated files too).
 *
 * Baseline in the same run: the same number of cases through POST /api/events, without a file.
 *
 * Usage: npx tsx bench/ledger-import.ts [--rows 100000] [--format csv|xlsx|both]
 * (one format per process gives cleaner memory figures: `node --expose-gc --import tsx bench/ledger-import.ts --format xlsx`)
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { bootServer } from '../server/boot.js';
import { loadDistrictData } from '../server/district-data.js';
import type { ImportJob } from '../shared/ledger.js';

const ADMIN_PASSWORD = 'bench-admin-password-long';
const USER_PASSWORD = 'bench-user-password-long';
const HEADERS = ['来源编号', '来源', '登记时间', '类型', '纠纷类别', '街道', '社区', '事项', '当事人(申请人)', '被申请人', '涉及人数', '严重程度', '办结时间', '办理结果'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

function generate(n: number): string[][] {
  const district = loadDistrictData('longgang');
  const communities = district.info.communities;
  const streetName = (code: string) => district.street(code)!.name;
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂';
  const matters = ['拖欠工资', '邻里噪音扰民', '物业费纠纷', '房屋租赁押金未退', '婚姻家庭矛盾', '借款逾期未还', '交通事故赔偿', '消费退款争议'];
  const sources = ['12345热线', '网格员', '来访', '法院委派', '110联动', '网上'];
  const outcomes = ['调解成功', '撤回', '转诉讼', '未化解'];
  let seed = 42;
  const rand = (k: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % k;
  };
  const name = () => surnames[rand(surnames.length)]! + given[rand(given.length)]! + (rand(2) ? given[rand(given.length)]! : '');
  const start = Date.UTC(2025, 0, 1);
  const pad = (v: number) => String(v).padStart(2, '0');
  const local = (ms: number) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  return Array.from({ length: n }, (_, i) => {
    const community = communities[rand(communities.length)]!;
    const category = district.categories[rand(district.categories.length)]!;
    const at = start + rand(365 * 24 * 60) * 60_000;
    const resolved = i % 3 === 0;
    return [
      `LZ-2025-${String(i).padStart(6, '0')}`,
      sources[rand(sources.length)]!,
      local(at),
      rand(10) ? '矛盾纠纷' : '信访',
      category.name.zh,
      streetName(community.streetCode),
      community.name,
      `${community.name}${matters[rand(matters.length)]}（第${i}号）`,
      rand(4) ? `${name()}、${name()}` : name(),
      rand(2) ? name() : '',
      String(1 + rand(20)),
      String(1 + rand(5)),
      resolved ? local(at + (1 + rand(30)) * 86_400_000) : '',
      resolved ? outcomes[rand(outcomes.length)]! : '',
    ];
  });
}

function toCsv(rows: string[][]): Buffer {
  const lines = [HEADERS, ...rows].map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
}

async function toXlsx(rows: string[][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('台账');
  sheet.addRow(HEADERS).commit();
  for (const r of rows) {
    // Dates as real date cells, numbers as numbers, the way a ledger kept in Excel holds them.
    const date = (s: string) => (s ? new Date(`${s.replace(' ', 'T')}:00Z`) : null);
    sheet.addRow([r[0], r[1], date(r[2]!), r[3], r[4], r[5], r[6], r[7], r[8], r[9], Number(r[10]), Number(r[11]), date(r[12]!), r[13]]).commit();
  }
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function run(format: 'csv' | 'xlsx', file: Buffer, rows: number) {
  const server = await bootServer({ ADMIN_PASSWORD, LOG_LEVEL: 'warn' });
  const json = { 'content-type': 'application/json' };
  const login = async (username: string, password: string) => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) });
    return res.headers.getSetCookie().find((c) => c.startsWith('sygl_session='))!.split(';')[0]!;
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  await fetch(`${server.url}/api/admin/users`, { method: 'POST', headers: { ...json, cookie: admin, origin: new URL(server.url).origin }, body: JSON.stringify({ username: 'bench-duty', name: '值班员', role: 'duty', password: USER_PASSWORD }) });
  const cookie = await login('bench-duty', USER_PASSWORD);
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { cookie, origin: new URL(server.url).origin, ...(body !== undefined && { 'content-type': type }) }, ...(body !== undefined && { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as ImportJob & { error?: unknown } };
  };
  const settle = async (id: string) => {
    for (;;) {
      const { body } = await call('GET', `/api/ledger/imports/${id}`);
      if (!['parsing', 'validating', 'importing'].includes(body.phase)) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const once = async (label: string) => {
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = (now - t) / 1000;
      t = now;
    };
    const made = await call('POST', `/api/ledger/imports?filename=bench.${format}`, file, 'application/octet-stream');
    if (made.status !== 202) throw new Error(JSON.stringify(made.body));
    const parsed = await settle(made.body.id);
    lap('parse');
    const heapAfterParse = process.memoryUsage().heapUsed;
    if (parsed.phase !== 'parsed' || parsed.rows !== rows) throw new Error(`parse: ${JSON.stringify({ ...parsed, preview: undefined })}`);
    const body = { mapping: parsed.suggested };
    await call('POST', `/api/ledger/imports/${parsed.id}/validate`, body);
    const validated = await settle(parsed.id);
    lap('validate');
    if (validated.validation!.errorRows) throw new Error(`validation: ${JSON.stringify(validated.validation!.errors.slice(0, 5))}`);
    const committing = await call('POST', `/api/ledger/imports/${parsed.id}/commit`, body);
    if (committing.status !== 202) throw new Error(`commit: ${committing.status} ${JSON.stringify(committing.body.error)}`);
    const done = await settle(parsed.id);
    lap('commit');
    (globalThis as { gc?: () => void }).gc?.();
    const heapAfterImport = process.memoryUsage().heapUsed;
    const total = Object.values(timings).reduce((a, b) => a + b, 0);
    console.log(
      `${format} ${label}: parse ${timings.parse!.toFixed(1)} s, validate ${timings.validate!.toFixed(1)} s, commit (revalidate + append) ${timings.commit!.toFixed(1)} s; ` +
        `total ${total.toFixed(1)} s = ${Math.round(rows / total)} rows/s; result ${JSON.stringify(done.result)}; heap after parse ${mb(heapAfterParse)}, after import (after a GC, with --expose-gc) ${mb(heapAfterImport)}; peak RSS so far ${mb(peakRss)}`,
    );
  };
  (globalThis as { gc?: () => void }).gc?.();
  peakRss = process.memoryUsage().rss;
  console.log(`${format}: file ${mb(file.length)}, RSS before upload ${mb(peakRss)}, heap ${mb(process.memoryUsage().heapUsed)}`);
  await once('first import');
  await once('again (all duplicates)');
  const t = performance.now();
  const res = await fetch(`${server.url}/api/ledger/export?from=2025-01-01&to=2025-12-31`, { headers: { cookie } });
  const size = (await res.arrayBuffer()).byteLength;
  console.log(`${format}: export of ${rows} cases (13 sheets): ${((performance.now() - t) / 1000).toFixed(1)} s, ${mb(size)}; peak RSS ${mb(peakRss)}`);
  await server.close();
}

/**
 * Baseline, in the same run: the same number of cases and resolutions posted by an integration straight to
 * POST /api/events in batches of 1,000 on a fresh server — the intake path an import ends in, without the file.
 */
async function baseline(rows: number) {
  const server = await bootServer({ ADMIN_PASSWORD, LOG_LEVEL: 'warn' });
  const json = { 'content-type': 'application/json' };
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const admin = login.headers.getSetCookie().find((c) => c.startsWith('sygl_session='))!.split(';')[0]!;
  const made = await fetch(`${server.url}/api/admin/keys`, { method: 'POST', headers: { ...json, cookie: admin, origin: new URL(server.url).origin }, body: JSON.stringify({ name: 'bench', types: ['case.reported', 'case.resolved'], sources: ['court'] }) });
  const key = ((await made.json()) as { secret: string }).secret;
  const events: unknown[] = [];
  for (let i = 0; i < rows; i++) {
    const reportedAt = new Date(Date.UTC(2025, i % 12, 1 + (i % 28), 1, 30)).toISOString();
    events.push({ type: 'case.reported', source: 'court', sourceRef: `BL-${i}`, kind: 'dispute', category: 'labour', title: `某公司拖欠工资 ${i}`, description: '员工反映公司拖欠三个月工资，涉及多人，请求调解。', streetCode: '440307013', communityCode: '440307013002', severity: 2, peopleInvolved: 1, reportedAt, parties: [{ role: 'applicant', name: '张*丰' }] });
    if (i % 3 === 0) events.push({ type: 'case.resolved', source: 'court', sourceRef: `BL-${i}#resolved`, caseSourceRef: `BL-${i}`, outcome: 'mediated', resolvedAt: new Date(Date.parse(reportedAt) + 86_400_000).toISOString() });
  }
  const t = performance.now();
  for (let at = 0; at < events.length; ) {
    let end = Math.min(at + 1000, events.length);
    // A case and its resolution go in the same batch.
    if (end < events.length && (events[end] as { type: string }).type === 'case.resolved') end -= 1;
    const res = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { ...json, authorization: `Bearer ${key}` }, body: JSON.stringify({ events: events.slice(at, end) }) });
    if (res.status !== 201) throw new Error(`baseline intake: ${res.status} ${await res.text()}`);
    at = end;
  }
  const seconds = (performance.now() - t) / 1000;
  console.log(`baseline: ${rows} cases + ${Math.ceil(rows / 3)} resolutions through POST /api/events (batches of 1,000): ${seconds.toFixed(1)} s = ${Math.round(rows / seconds)} rows/s`);
  await server.close();
}

const rows = Number(arg('rows', '100000'));
const format = arg('format', 'both');
const t0 = performance.now();
const data = generate(rows);
console.log(`generated ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (node ${process.version}, ${(await import('node:os')).cpus().length} cpus)`);
await baseline(rows);
if (format !== 'xlsx') await run('csv', toCsv(data), rows);
if (format !== 'csv') {
  const xlsx = await toXlsx(data);
  await run('xlsx', xlsx, rows);
}
clearInterval(sampler);
