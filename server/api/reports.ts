/**
 * Reports (issue 8): GET /api/reports computes a daily, weekly, monthly or range report for the district or one
 * street from the projections now, as JSON, as the report page (HTML, for the app's iframe and for printing) or as a
 * PDF printed by headless Chromium. The archive routes serve the reports the scheduler froze (server/reports/).
 * Access: duty and leader (auth/access.ts). Reports carry no personal data; a PDF download is noted in the audit log
 * as an export.
 */
import { Router, type Request, type Response } from 'express';
import { archiveItemQuerySchema, archiveQuerySchema, reportQuerySchema, type ReportData, type ReportFormat, type ReportLang } from '../../shared/reports.js';
import { zodFieldErrors } from '../../shared/intake.js';
import type { Auditor } from '../auth/auditor.js';
import { principalOf } from '../auth/guard.js';
import type { DistrictData } from '../district-data.js';
import type { Logger } from '../log.js';
import { ReportArchiveUnavailableError, reportId, type ReportArchive } from '../reports/archive.js';
import { computeReport, maskReport, ReportScopeError } from '../reports/compute.js';
import { renderReportHtml } from '../reports/html.js';
import { nameIn, reportWords } from '../reports/i18n.js';
import { resolvePeriod } from '../reports/period.js';
import { PdfBusyError, PdfUnavailableError, type PdfRenderer } from '../reports/pdf.js';
import { reportSourcesOf, type ReportProjections } from '../reports/scheduler.js';
import { HttpError, invalid, noSuch } from './errors.js';

export interface ReportsDeps {
  projections: ReportProjections;
  district: DistrictData;
  clock: () => number;
  auditor: Auditor;
  /** The archive the scheduler fills; without one the archive lists nothing. */
  archive?: ReportArchive;
  /** Prints PDFs; without one a PDF is a 503. */
  pdf?: PdfRenderer;
  log?: Logger;
}

/**
 * The report page's own policy: no script at all, its inline styles, images only as data: URLs, nothing fetched,
 * and framed only by the app itself (the leader view shows it in an iframe).
 */
export const REPORT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** 龙岗区_日报_2026-12-02.pdf; a range names both ends. */
export function reportFileName(report: Pick<ReportData, 'kind' | 'scope' | 'period'>, lang: ReportLang): string {
  const scope = nameIn(report.scope.name, lang).replace(/[\s/\\:*?"<>|]+/g, '-');
  const dates = report.kind === 'range' ? `${report.period.from}_${report.period.to}` : report.period.from;
  return `${scope}_${reportWords[lang].kindFile[report.kind]}_${dates}.pdf`;
}

/** RFC 6266 with an RFC 5987 UTF-8 name and a plain ASCII fallback for old clients. */
export function attachment(fileName: string, fallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function reportsRouter(deps: ReportsDeps): Router {
  const { projections, district, clock, auditor, archive, pdf, log } = deps;
  const router = Router();

  /** The archive's storage failing is a 503, like the event log's. */
  async function fromArchive<T>(work: (a: ReportArchive) => Promise<T>, none: T): Promise<T> {
    if (!archive) return none;
    try {
      return await work(archive);
    } catch (error) {
      if (!(error instanceof ReportArchiveUnavailableError)) throw error;
      log?.error({ err: error }, 'report archive unavailable');
      throw new HttpError(503, 'unavailable', 'the report archive is unavailable; retry later');
    }
  }

  const unknownStreet = (street: string) => new HttpError(404, 'not_found', `no street ${street} in ${district.info.name.zh} (${district.info.code}); streets are the 9-digit codes of GET /api/geo`);

  async function send(req: Request, res: Response, unmasked: ReportData, lang: ReportLang, format: ReportFormat): Promise<void> {
    const report = maskReport(unmasked);
    if (format === 'json') {
      res.json(report);
      return;
    }
    const html = renderReportHtml(report, lang);
    if (format === 'html') {
      res.set({ 'Content-Security-Policy': REPORT_PAGE_CSP, 'X-Frame-Options': 'SAMEORIGIN', 'Cache-Control': 'no-store' });
      res.type('text/html; charset=utf-8').send(html);
      return;
    }
    if (!pdf) throw new HttpError(503, 'pdf_unavailable', 'PDF reports are not set up on this server; the HTML report works without them');
    let body: Buffer;
    const started = performance.now();
    try {
      body = await pdf.render(html);
    } catch (error) {
      if (error instanceof PdfBusyError) throw new HttpError(503, 'pdf_busy', error.message);
      if (error instanceof PdfUnavailableError) throw new HttpError(503, 'pdf_unavailable', error.message);
      throw error;
    }
    const id = report.id ?? reportId(report);
    log?.info({ report: id, ms: Math.round(performance.now() - started), bytes: body.length }, 'report printed to PDF');
    auditor.note(req, principalOf(res), { action: 'export', outcome: 'ok', target: `report:${id}`, details: { format: 'pdf', lang, archived: report.id !== undefined } });
    res.set({ 'Content-Disposition': attachment(reportFileName(report, lang), `report_${id.replaceAll(':', '_')}.pdf`), 'Cache-Control': 'no-store' });
    res.type('application/pdf').send(body);
  }

  router.get('/api/reports', async (req, res) => {
    const parsed = reportQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const q = parsed.data;
    if (q.street !== undefined && !district.street(q.street)) throw unknownStreet(q.street);
    const now = clock();
    let periods: ReturnType<typeof resolvePeriod>;
    try {
      periods = resolvePeriod(q, now, projections.settings.tzOffsetMinutes);
    } catch (error) {
      // The query is a calendar date (the schema saw to it), but the period or the one before it leaves 0000–9999.
      if (error instanceof RangeError) throw invalid([{ path: q.kind === 'range' ? 'from' : 'date', message: error.message }]);
      throw error;
    }
    const { period, previous } = periods;
    let report: ReportData;
    try {
      report = computeReport(reportSourcesOf(projections, district), { kind: q.kind, ...(q.street !== undefined && { street: q.street }), period, previous }, now);
    } catch (error) {
      if (error instanceof ReportScopeError) throw unknownStreet(q.street ?? '');
      throw error;
    }
    await send(req, res, report, q.lang, q.format);
  });

  router.get('/api/reports/archive', async (req, res) => {
    const parsed = archiveQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const { kind, street, limit } = parsed.data;
    if (street !== undefined && !district.street(street)) throw unknownStreet(street);
    const reports = await fromArchive((a) => a.list({ ...(kind && { kind }), ...(street && { street }), limit }), []);
    res.json({ reports });
  });

  router.get('/api/reports/archive/:id', async (req, res) => {
    const parsed = archiveItemQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const id = String(req.params.id);
    const report = id.length <= 200 ? await fromArchive((a) => a.get(id), undefined) : undefined;
    if (!report) throw noSuch('archived report');
    await send(req, res, report, parsed.data.lang, parsed.data.format);
  });

  return router;
}
