/** Drives the ledger routes the way the desk does: export a file, upload one, wait for each phase. */
import ExcelJS from 'exceljs';
import type { ColumnMapping, ImportDefaults, ImportJob } from '../../../shared/ledger.js';
import { authHeaders, DUTY, keepRenewed, type Who } from '../../helpers/auth.js';

type Server = { url: string };

export async function exportLedger(server: Server, query: string, who: Who = DUTY) {
  const res = await fetch(`${server.url}/api/ledger/export?${query}`, { headers: await authHeaders(server, who) });
  keepRenewed(server, who, res);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

export async function readWorkbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook;
}

/** The rows of a sheet as objects by header (row 1), each with its row number. */
export function sheetRows(sheet: ExcelJS.Worksheet): Array<Record<string, unknown> & { _row: number }> {
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Array<Record<string, unknown> & { _row: number }> = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const values = row.values as unknown[];
    rows.push({ _row: n, ...Object.fromEntries(headers.map((h, i) => [h, values[i + 1] ?? null])) });
  });
  return rows;
}

export async function call(server: Server, method: string, path: string, body?: unknown, who: Who = DUTY, contentType = 'application/json') {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(await authHeaders(server, who)), ...(body !== undefined && { 'content-type': contentType }) },
    ...(body !== undefined && { body: Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  keepRenewed(server, who, res);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

export async function upload(server: Server, filename: string, file: Buffer | string, who: Who = DUTY, contentType = 'application/octet-stream') {
  return call(server, 'POST', `/api/ledger/imports?filename=${encodeURIComponent(filename)}`, file, who, contentType);
}

/** Polls the job until it leaves the busy phases; `seen` collects every progress observed. */
export async function settle(server: Server, id: string, who: Who = DUTY, seen: Array<ImportJob['progress'] & { phase: string }> = [], timeoutMs = 60_000): Promise<ImportJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(server, 'GET', `/api/ledger/imports/${id}`, undefined, who);
    if (res.status !== 200) throw new Error(`job ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    const job = res.body as ImportJob;
    seen.push({ phase: job.phase, ...job.progress });
    if (!['parsing', 'validating', 'importing'].includes(job.phase)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stuck in ${job.phase} ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Upload → parsed → validated → committed → done, with the suggested mapping unless one is given. */
export async function importFile(server: Server, filename: string, file: Buffer | string, options: { mapping?: ColumnMapping; defaults?: Partial<ImportDefaults>; who?: Who } = {}) {
  const who = options.who ?? DUTY;
  const made = await upload(server, filename, file, who);
  if (made.status !== 202) throw new Error(`upload: ${made.status} ${JSON.stringify(made.body)}`);
  const parsed = await settle(server, made.body.id, who);
  if (parsed.phase !== 'parsed') throw new Error(`parse: ${JSON.stringify(parsed)}`);
  const body = { mapping: options.mapping ?? parsed.suggested, ...(options.defaults && { defaults: options.defaults }) };
  const validating = await call(server, 'POST', `/api/ledger/imports/${parsed.id}/validate`, body, who);
  if (validating.status !== 202) throw new Error(`validate: ${validating.status} ${JSON.stringify(validating.body)}`);
  const validated = await settle(server, parsed.id, who);
  const committing = await call(server, 'POST', `/api/ledger/imports/${parsed.id}/commit`, body, who);
  const done = committing.status === 202 ? await settle(server, parsed.id, who) : undefined;
  return { parsed, validated, committing, done };
}

export async function lastSeq(server: Server): Promise<number> {
  return ((await (await fetch(`${server.url}/readyz`)).json()) as { seq: number }).seq;
}
