/**
 * The ledger import side of the reports and ledgers view (报表与台账): which files it takes, the column mapping and
 * its rules, row errors and job progress, the upload with its upload progress (a 401 tells the session store the
 * session has ended), and the import job's reads and commands.
 */
import type { ImportDefaults, ImportJob, ColumnMapping, LedgerField, RowError } from '../../shared/ledger.js';
import { requiredLedgerFields } from '../../shared/ledger.js';
import type { ApiFailure, Loaded } from './api.js';
import { errorMessage, type createTransport, type Failure, type Outcome } from './api-transport.js';
import { serverErrorOf } from './error-text.js';
import { sessionEnded } from './session-signal.js';

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
      else resolve({ ok: false, error: { kind: 'http', status: xhr.status, ...serverErrorOf(body), message: errorMessage(body) } });
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
      return { kind: 'http', status: 409, code: error.code, message: error.message, ...(error.params && { params: error.params }) };
    case 'invalid':
      return { kind: 'http', status: 400, code: error.code ?? 'invalid_request', details: error.details, message: errorMessage({ error: { message: error.message, details: error.details } }) ?? error.message };
    case 'http':
      return { kind: 'http', status: error.status, ...(error.code && { code: error.code }), ...(error.params && { params: error.params }), ...(error.details && { details: error.details }), ...(error.message && { message: error.message }) };
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
  const { params, details } = serverErrorOf(body);
  return { kind: 'http', status, ...(typeof error?.code === 'string' && { code: error.code }), message: errorMessage(body) ?? '', ...(params && { params }), ...(details?.length && { details }) };
}

/** The import job's reads and commands over the reports view's transport (the upload goes by XMLHttpRequest). */
export function createLedgerImportApi({ read, command }: Pick<ReturnType<typeof createTransport>, 'read' | 'command'>): LedgerImportApi {
  const id = encodeURIComponent;
  return {
    upload: uploadLedger,
    job: (jobId, signal) => read<ImportJob>(`/api/ledger/imports/${id(jobId)}`, signal),
    validate: (jobId, body) => command<ImportJob, unknown>(`/api/ledger/imports/${id(jobId)}/validate`, body, keepBody),
    commit: (jobId, body) => command<ImportJob, unknown>(`/api/ledger/imports/${id(jobId)}/commit`, body, keepBody),
  };
}
