/**
 * What the reports and ledgers view (报表与台账) asks of the server, and the pure rules around it: the query of a report
 * and of a ledger export, the period a report covers, downloads with progress (a PDF or an .xlsx, whose failure is
 * the server's `{error:{message}}`), the ledger upload with its upload progress, and the import job's reads and
 * commands. Every request goes with the session cookie; a 401 tells the session store the session has ended.
 */
import type { ImportDefaults, ImportJob, ColumnMapping, LedgerExportQuery, LedgerField, RowError } from '../../shared/ledger.js';
import { requiredLedgerFields } from '../../shared/ledger.js';
import { MAX_RANGE_DAYS, type ArchivedReport, type ReportArchivePage, type ReportKind, type ReportLang } from '../../shared/reports.js';
import type { ApiFailure, Loaded } from './api.js';
import { createTransport, type Failure, type Outcome } from './api-transport.js';
import { sessionEnded } from './session-signal.js';

const DAY = 86_400_000;

// ——— local dates (YYYY-MM-DD in the district's time zone) ———

/** The district's local date of an instant. */
export function localDate(ms: number, tzOffsetMinutes: number): string {
  return new Date(ms + tzOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

const toMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const fromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function isLocalDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && fromMs(toMs(value)) === value;
}

export function addDays(date: string, days: number): string {
  return fromMs(toMs(date) + days * DAY);
}

/** Whole days from `from` to `to`, both counted. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY) + 1;
}

function monthEnd(year: number, month0: number): string {
  return fromMs(Date.UTC(year, month0 + 1, 0));
}

/** The period a report of `kind` for `date` covers: the day, its Monday-to-Sunday week, or its calendar month. */
export function reportPeriod(kind: Exclude<ReportKind, 'range'>, date: string): { from: string; to: string; days: number } {
  if (kind === 'daily') return { from: date, to: date, days: 1 };
  if (kind === 'weekly') {
    const weekday = (new Date(toMs(date)).getUTCDay() + 6) % 7; // Monday 0
    const from = addDays(date, -weekday);
    return { from, to: addDays(from, 6), days: 7 };
  }
  const [year, month] = date.split('-').map(Number) as [number, number];
  const from = `${date.slice(0, 7)}-01`;
  const to = monthEnd(year, month - 1);
  return { from, to, days: daysBetween(from, to) };
}

/** The date of the period before (-1) or after (+1) the one holding `date`. */
export function stepPeriod(kind: Exclude<ReportKind, 'range'>, date: string, step: -1 | 1): string {
  if (kind === 'daily') return addDays(date, step);
  if (kind === 'weekly') return addDays(date, 7 * step);
  const [year, month] = date.split('-').map(Number) as [number, number];
  return fromMs(Date.UTC(year, month - 1 + step, 1));
}

/** The calendar quarter holding `date`, `offset` quarters on (-1: the one before). */
export function quarterOf(date: string, offset = 0): { from: string; to: string } {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const q = Math.floor((month - 1) / 3) + offset;
  const start = Date.UTC(year, q * 3, 1);
  const first = new Date(start);
  return { from: fromMs(start), to: monthEnd(first.getUTCFullYear(), first.getUTCMonth() + 2) };
}

// ——— report queries ———

/** What the report form holds: a dated report, or a range. `street` empty means the whole district. */
export interface ReportForm {
  kind: ReportKind;
  date: string;
  from: string;
  to: string;
  street: string;
}

export type ReportProblem = { key: 'reports.problem.date' } | { key: 'reports.problem.order' } | { key: 'reports.problem.span'; n: number };

/** Why the form cannot be asked for yet (the server would answer 400), or null. */
export function reportProblem(form: ReportForm): ReportProblem | null {
  if (form.kind !== 'range') return isLocalDate(form.date) ? null : { key: 'reports.problem.date' };
  if (!isLocalDate(form.from) || !isLocalDate(form.to)) return { key: 'reports.problem.date' };
  if (form.from > form.to) return { key: 'reports.problem.order' };
  if (daysBetween(form.from, form.to) > MAX_RANGE_DAYS) return { key: 'reports.problem.span', n: MAX_RANGE_DAYS };
  return null;
}

export type DocFormat = 'json' | 'html' | 'pdf';

/** GET /api/reports for the form (only the parameters its kind takes). */
export function reportUrl(form: ReportForm, lang: ReportLang, format: DocFormat): string {
  const params = new URLSearchParams({ kind: form.kind });
  if (form.kind === 'range') {
    params.set('from', form.from);
    params.set('to', form.to);
  } else {
    params.set('date', form.date);
  }
  if (form.street) params.set('street', form.street);
  params.set('lang', lang);
  params.set('format', format);
  return `/api/reports?${params}`;
}

export function archivedReportUrl(id: string, lang: ReportLang, format: DocFormat): string {
  return `/api/reports/archive/${encodeURIComponent(id)}?${new URLSearchParams({ lang, format })}`;
}

export function archiveListUrl(filter: { kind?: ReportKind | ''; street?: string; limit?: number }): string {
  const params = new URLSearchParams();
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.street) params.set('street', filter.street);
  if (filter.limit) params.set('limit', String(filter.limit));
  return `/api/reports/archive${params.size ? `?${params}` : ''}`;
}

/** Where the reports view opens an archived report (the leader view links here). */
export function archiveHash(id: string): string {
  return `#/reports?${new URLSearchParams({ tab: 'archive', archive: id })}`;
}

// ——— ledger export ———

/** The export form: empty strings are "any". */
export interface ExportForm {
  from: string;
  to: string;
  street: string;
  community: string;
  category: string;
  kind: LedgerExportQuery['kind'] | '';
  status: LedgerExportQuery['status'] | '';
}

export function exportProblem(form: ExportForm): ReportProblem | null {
  if (!isLocalDate(form.from) || !isLocalDate(form.to)) return { key: 'reports.problem.date' };
  if (form.from > form.to) return { key: 'reports.problem.order' };
  return null;
}

export function ledgerExportUrl(form: ExportForm, lang: ReportLang): string {
  const params = new URLSearchParams({ from: form.from, to: form.to });
  // A community narrows further than its street; the server takes both.
  for (const key of ['street', 'community', 'category', 'kind', 'status'] as const) if (form[key]) params.set(key, form[key]);
  params.set('lang', lang);
  return `/api/ledger/export?${params}`;
}

// ——— failures ———

/** The message of an error body `{ error: { message, details } }`, with the details' paths, or undefined. */
export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.message !== 'string') return undefined;
  const details = Array.isArray(error.details)
    ? (error.details as Array<{ path?: unknown; message?: unknown }>)
        .filter((d) => typeof d?.message === 'string')
        .map((d) => (typeof d.path === 'string' && d.path ? `${d.path}: ${d.message}` : String(d.message)))
    : [];
  return details.length ? `${error.message}（${details.join('；')}）` : error.message;
}

// ——— downloads ———

export interface DownloadProgress {
  /** Bytes received so far. */
  received: number;
  /** Content-Length, when the server sent one. */
  total: number | null;
}

export type Download = { ok: true; blob: Blob; filename: string } | { ok: false; error: ApiFailure };

/** The file name a Content-Disposition header gives (RFC 5987 `filename*` first), else `fallback`. */
export function dispositionName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header);
  const name = plain?.[1] ?? plain?.[2]?.trim();
  return name || fallback;
}

/**
 * Fetches a file with the session cookie, reporting the bytes as they come (the server may take a while to render a
 * PDF before the first byte). A non-2xx answer is the server's error message, never a saved error page.
 */
export async function fetchFile(path: string, fallbackName: string, onprogress: (p: DownloadProgress) => void, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}): Promise<Download> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let response: Response;
  try {
    response = await doFetch(path, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ok: false, error: { kind: 'network' } };
  }
  if (response.status === 401) sessionEnded();
  if (!response.ok) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    return { ok: false, error: { kind: 'http', status: response.status, message: errorMessage(body) } };
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  const filename = dispositionName(response.headers.get('content-disposition'), fallbackName);
  onprogress({ received: 0, total });
  try {
    if (!response.body) return { ok: true, blob: await response.blob(), filename };
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      onprogress({ received, total });
    }
    return { ok: true, blob: new Blob(chunks as BlobPart[], { type }), filename };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ok: false, error: { kind: 'network' } };
  }
}

/** Hands a fetched file to the browser as a download. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ——— ledger import ———

export function isLedgerFile(name: string): boolean {
  return /\.(xlsx|csv)$/i.test(name);
}

/** Required fields the mapping leaves out (each must name a column of the file). */
export function missingFields(mapping: ColumnMapping, headers: readonly string[]): LedgerField[] {
  return requiredLedgerFields.filter((field) => {
    const column = mapping[field];
    return !column || !headers.includes(column);
  });
}

/** The suggested mapping kept to the file's own headers (a stale guess would be refused by the server). */
export function initialMapping(job: Pick<ImportJob, 'suggested' | 'headers'>): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const [field, column] of Object.entries(job.suggested) as Array<[LedgerField, string | undefined]>) {
    if (column && job.headers.includes(column)) mapping[field] = column;
  }
  return mapping;
}

/** Two mappings name the same columns for the same fields. */
export function sameMapping(a: ColumnMapping, b: ColumnMapping): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<LedgerField>;
  for (const key of keys) if ((a[key] || undefined) !== (b[key] || undefined)) return false;
  return true;
}

/** The mapping as sent: unmapped fields left out. */
export function mappingBody(mapping: ColumnMapping, defaults: ImportDefaults): { mapping: ColumnMapping; defaults: ImportDefaults } {
  const sent: ColumnMapping = {};
  for (const [field, column] of Object.entries(mapping) as Array<[LedgerField, string | undefined]>) if (column) sent[field] = column;
  return { mapping: sent, defaults };
}

/** Row errors grouped per row, in row order (a row may have several). */
export function errorsByRow(errors: readonly RowError[]): Array<{ row: number; errors: RowError[] }> {
  const rows = new Map<number, RowError[]>();
  for (const e of errors) {
    let list = rows.get(e.row);
    if (!list) rows.set(e.row, (list = []));
    list.push(e);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([row, list]) => ({ row, errors: list }));
}

/** The share done of a job's phase, 0..1 (null when the total is not known yet). */
export function fraction(progress: { done: number; total: number } | undefined): number | null {
  if (!progress || progress.total <= 0) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

export type UploadOutcome = { ok: true; job: ImportJob } | { ok: false; error: ApiFailure };

/**
 * Uploads a ledger file as the raw request body (XMLHttpRequest: fetch cannot report upload progress). The answer is
 * the import job (202), or the server's error message.
 */
export function uploadLedger(file: Blob, filename: string, onprogress: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/ledger/imports?${new URLSearchParams({ filename })}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onprogress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => resolve({ ok: false, error: { kind: 'network' } });
    xhr.onabort = () => resolve({ ok: false, error: { kind: 'network' } });
    xhr.onload = () => {
      if (xhr.status === 401) sessionEnded();
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof (body as ImportJob).id === 'string') resolve({ ok: true, job: body as ImportJob });
      else if (xhr.status >= 200 && xhr.status < 300) resolve({ ok: false, error: { kind: 'parse' } });
      else resolve({ ok: false, error: { kind: 'http', status: xhr.status, message: errorMessage(body) } });
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** A command's failure as the failure a panel shows (its message is the server's, with the details). */
export function commandFailureText(error: Failure<unknown>): ApiFailure {
  switch (error.kind) {
    case 'network':
      return { kind: 'network' };
    case 'parse':
      return { kind: 'parse' };
    case 'conflict':
      return { kind: 'http', status: 409, message: error.message };
    case 'invalid':
      return { kind: 'http', status: 400, message: errorMessage({ error: { message: error.message, details: error.details } }) ?? error.message };
    case 'http':
      return { kind: 'http', status: error.status, ...(error.message && { message: error.message }) };
  }
}

export interface LedgerImportApi {
  upload: typeof uploadLedger;
  job(id: string, signal?: AbortSignal): Promise<Loaded<ImportJob>>;
  validate(id: string, body: ReturnType<typeof mappingBody>): Promise<Outcome<ImportJob, unknown>>;
  commit(id: string, body: ReturnType<typeof mappingBody>): Promise<Outcome<ImportJob, unknown>>;
}

/** The import commands keep the raw error body: a 422 on commit carries the validation report. */
function keepBody(status: number, body: unknown): Failure<unknown> {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return { kind: 'http', status, ...(typeof error?.code === 'string' && { code: error.code }), message: errorMessage(body) ?? '' };
}

export function createReportsApi(options: { fetch?: typeof fetch } = {}) {
  const { read, command } = createTransport({ ...(options.fetch && { fetch: options.fetch }) });
  const id = encodeURIComponent;
  const ledger: LedgerImportApi = {
    upload: uploadLedger,
    job: (jobId, signal) => read<ImportJob>(`/api/ledger/imports/${id(jobId)}`, signal),
    validate: (jobId, body) => command<ImportJob, unknown>(`/api/ledger/imports/${id(jobId)}/validate`, body, keepBody),
    commit: (jobId, body) => command<ImportJob, unknown>(`/api/ledger/imports/${id(jobId)}/commit`, body, keepBody),
  };
  return {
    archive: (filter: Parameters<typeof archiveListUrl>[0], signal?: AbortSignal) => read<ReportArchivePage>(archiveListUrl(filter), signal),
    /** A report page as HTML text (shown in a sandboxed frame), or why not. */
    async html(path: string, signal?: AbortSignal): Promise<Loaded<string>> {
      const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
      let response: Response;
      try {
        response = await doFetch(path, { signal, headers: { accept: 'text/html' } });
      } catch (error) {
        if (signal?.aborted) throw error;
        return { ok: false, error: { kind: 'network' } };
      }
      if (response.status === 401) sessionEnded();
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw error;
        return { ok: false, error: { kind: 'network' } };
      }
      if (!response.ok) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        return { ok: false, error: { kind: 'http', status: response.status, message: errorMessage(body) } };
      }
      return { ok: true, data: text };
    },
    ledger,
  };
}

export type ReportsApi = ReturnType<typeof createReportsApi>;

/** A short label of an archived report's period: one day, or from–to (the end without its year when it is the same). */
export function periodLabel(period: { from: string; to: string }): string {
  if (period.from === period.to) return period.from;
  const to = period.to.slice(0, 4) === period.from.slice(0, 4) ? period.to.slice(5) : period.to;
  return `${period.from} – ${to}`;
}

export type { ArchivedReport };

/** How many of each kind the leader view lists: the latest days, weeks and month. */
export const LEADER_PICKS: Readonly<Record<Exclude<ReportKind, 'range'>, number>> = { daily: 3, weekly: 2, monthly: 1 };

/**
 * The leader view's short list from the archive's newest reports of each kind: the district's own reports first (a
 * street's monthly report shows only when the district has none of that kind), newest period first within a kind.
 */
export function leaderPicks(byKind: Partial<Record<Exclude<ReportKind, 'range'>, readonly ArchivedReport[]>>): ArchivedReport[] {
  const picked: ArchivedReport[] = [];
  for (const kind of ['daily', 'weekly', 'monthly'] as const) {
    const list = [...(byKind[kind] ?? [])].sort((a, b) => (a.period.from < b.period.from ? 1 : a.period.from > b.period.from ? -1 : 0));
    const district = list.filter((r) => r.scope.level === 'district');
    picked.push(...(district.length ? district : list).slice(0, LEADER_PICKS[kind]));
  }
  return picked;
}

/** Bytes for people: 1.2 MB. */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
