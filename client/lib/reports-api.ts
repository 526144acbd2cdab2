/**
 * What the reports and ledgers view (报表与台账) asks of the server for reports: the query of a report, of the report
 * archive and of a ledger export, the server's error message, and downloads with progress (a PDF or an .xlsx, whose
 * failure is the server's `{error:{message}}`). Every request goes with the session cookie; a 401 tells the session
 * store the session has ended. Dates and periods are in report-dates.ts, the ledger import in ledger-import-api.ts.
 */
import type { ArchivedReport, ReportArchivePage, ReportKind, ReportLang } from '../../shared/reports.js';
import type { ApiFailure, Loaded } from './api.js';
import { createTransport, errorMessage } from './api-transport.js';
import { serverErrorOf } from './error-text.js';
import { createLedgerImportApi } from './ledger-import-api.js';
import type { ExportForm, ReportForm } from './report-dates.js';
import { sessionEnded } from './session-signal.js';

// ——— report queries ———

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

export function ledgerExportUrl(form: ExportForm, lang: ReportLang): string {
  const params = new URLSearchParams({ from: form.from, to: form.to });
  // A community narrows further than its street; the server takes both.
  for (const key of ['street', 'community', 'category', 'kind', 'status'] as const) if (form[key]) params.set(key, form[key]);
  params.set('lang', lang);
  return `/api/ledger/export?${params}`;
}

// ——— failures ———


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
    return { ok: false, error: { kind: 'http', status: response.status, ...serverErrorOf(body), message: errorMessage(body) } };
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

export function createReportsApi(options: { fetch?: typeof fetch } = {}) {
  const { read, command } = createTransport({ ...(options.fetch && { fetch: options.fetch }) });
  const ledger = createLedgerImportApi({ read, command });
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
        return { ok: false, error: { kind: 'http', status: response.status, ...serverErrorOf(body), message: errorMessage(body) } };
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
