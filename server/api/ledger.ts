/**
 * Ledger (台账) routes (issue 8): the audited .xlsx export of cases with their lifecycle for a period, and the import of
 * historical ledgers (.xlsx or .csv) as jobs: upload → mapping and preview → validation → commit through intake.
 * Import jobs live in this node's memory (server/ledger/jobs.ts): a multi-node deployment must send one import's
 * requests to the same node.
 */
import path from 'node:path';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { JsonObject } from '../../shared/audit.js';
import { zodFieldErrors } from '../../shared/intake.js';
import { importMappingBodySchema, ledgerExportQuerySchema } from '../../shared/ledger.js';
import type { Auditor } from '../auth/auditor.js';
import { sessionOf } from '../auth/guard.js';
import type { DistrictData } from '../district-data.js';
import type { Ingestor } from '../ingest.js';
import type { Projections } from '../projections.js';
import type { EventStore } from '../store/event-store.js';
import { checkExportQuery, exportFilename, selectCases, writeLedger } from '../ledger/export.js';
import { ImportJobs } from '../ledger/jobs.js';
import { registerImportGauges, type Metrics } from '../ops/metrics.js';
import { detectFormat } from '../ledger/parse.js';
import { HttpError, invalid } from './errors.js';

/** An export covers at most this many calendar months (one sheet each). */
export const MAX_EXPORT_MONTHS = 120;
export const MAX_UPLOAD = '64mb';

const uploadQuery = z.strictObject({ filename: z.string().trim().min(1).max(200).optional() });
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function ledgerRouter(deps: { projections: Projections; district: DistrictData; ingestor: Ingestor; store: EventStore; clock: () => number; auditor: Auditor; metrics?: Metrics }): Router {
  const { projections, district, clock, auditor } = deps;
  const cases = projections.cases;
  const tzOffsetMinutes = projections.settings.tzOffsetMinutes;
  const jobs = new ImportJobs({
    district,
    cases: { byId: (id) => cases.get(id), bySourceKey: (key) => cases.bySourceKey(key) },
    ingestor: deps.ingestor,
    clock,
    tzOffsetMinutes,
  });
  if (deps.metrics) registerImportGauges(deps.metrics, jobs.stats);
  const router = Router();
  const owner = (res: Response) => sessionOf(res).id;

  router.get('/api/ledger/export', async (req, res) => {
    const parsed = ledgerExportQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const q = parsed.data;
    const { errors, period } = checkExportQuery(q, district, tzOffsetMinutes, MAX_EXPORT_MONTHS);
    if (errors.length) throw invalid(errors);
    const selected = selectCases(cases.records(), q, period, district.communitiesOf);
    const filters: JsonObject = {};
    for (const key of ['street', 'community', 'category', 'kind', 'status'] as const) if (q[key]) filters[key] = q[key];
    // Recorded before anything is sent: no record, no export.
    await auditor.record(req, sessionOf(res), { action: 'export', outcome: 'ok', target: 'ledger', details: { from: q.from, to: q.to, ...filters, lang: q.lang, rows: selected.length } });

    const filename = exportFilename(q.lang, q.from, q.to);
    res.status(200);
    res.set({
      'Content-Type': XLSX_TYPE,
      'Content-Disposition': `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'Cache-Control': 'no-store',
    });
    try {
      await writeLedger(res, { query: q, period, cases: selected, district, store: deps.store, tzOffsetMinutes, now: clock() });
    } catch (error) {
      // Part of the file is sent: the client must see a broken download, not a short workbook.
      if (res.headersSent) res.destroy(error as Error);
      else throw error;
    }
  });

  router.post('/api/ledger/imports', express.raw({ type: () => true, limit: MAX_UPLOAD }), (req, res) => {
    const query = uploadQuery.safeParse(req.query);
    if (!query.success) throw invalid(zodFieldErrors(query.error));
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) {
      throw invalid([{ path: '(body)', message: body === undefined ? 'send the file as the request body' : 'send the file itself as the body (e.g. Content-Type: text/csv or application/octet-stream), not JSON' }]);
    }
    if (body.length === 0) throw invalid([{ path: '(body)', message: 'the file is empty' }]);
    const format = detectFormat(body);
    // eslint-disable-next-line no-control-regex
    const given = query.data.filename ? path.basename(query.data.filename.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '') : '';
    const ext = /\.([^.]+)$/.exec(given)?.[1]?.toLowerCase();
    if (ext === 'xls' || ext === 'et') throw invalid([{ path: 'filename', message: 'old .xls workbooks are not read: save the ledger as .xlsx or .csv' }]);
    if (ext !== undefined && !['xlsx', 'csv', 'txt'].includes(ext)) throw invalid([{ path: 'filename', message: 'must be an .xlsx or .csv file' }]);
    if (ext === 'xlsx' && format !== 'xlsx') throw invalid([{ path: '(body)', message: 'the file is not an .xlsx workbook' }]);
    const filename = given || `ledger.${format}`;
    res.status(202).json(jobs.create(owner(res), filename, body));
  });

  router.get('/api/ledger/imports/:id', (req, res) => {
    res.json(jobs.view(jobs.get(req.params.id, owner(res))));
  });

  const mappingBody = (req: express.Request) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
    const parsed = importMappingBodySchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    return parsed.data;
  };

  router.post('/api/ledger/imports/:id/validate', (req, res) => {
    const job = jobs.get(req.params.id, owner(res));
    const body = mappingBody(req);
    res.status(202).json(jobs.startValidation(job, body.mapping, body.defaults));
  });

  router.post('/api/ledger/imports/:id/commit', async (req, res) => {
    const job = jobs.get(req.params.id, owner(res));
    const body = mappingBody(req);
    const session = sessionOf(res);
    const view = await jobs.commit(job, body.mapping, body.defaults, (planned) =>
      auditor.record(req, session, { action: 'intake', outcome: 'ok', target: `ledger-import:${job.view.id}`, details: { filename: job.view.filename, ...planned } }),
    );
    res.status(202).json(view);
  });

  return router;
}
