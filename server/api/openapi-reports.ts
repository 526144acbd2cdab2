/** The report routes of /api/openapi.json (see openapi.ts for the rest). */
import { MAX_RANGE_DAYS, reportFormats, reportKinds, reportLangs } from '../../shared/reports.js';

type Fragment = Record<string, unknown>;

export function reportPaths(parts: { actor: Fragment[]; json: (schema: object) => Fragment; err: (description: string) => Fragment }): Record<string, Fragment> {
  const { actor, err } = parts;
  const query = (name: string, schema: object, description?: string) => ({ name, in: 'query', required: false, schema, ...(description && { description }) });
  const date = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
  const street = query('street', { type: 'string', pattern: '^\\d{9}$' }, 'One street (9-digit code); without it, the whole district');
  const lang = query('lang', { enum: [...reportLangs], default: 'zh' });
  const format = query('format', { enum: [...reportFormats], default: 'json' }, 'json: ReportData; html: the printable report page (no script; its own CSP); pdf: that page printed by headless Chromium');
  const bodies = {
    'application/json': { schema: { description: 'ReportData (shared/reports.ts)' } },
    'text/html': { schema: { type: 'string' } },
    'application/pdf': { schema: { type: 'string', format: 'binary' } },
  };
  const pdfUnavailable = err('format=pdf: no Chromium on the server (pdf_unavailable; the HTML report works without it), or too many PDFs waiting (pdf_busy; retry)');
  return {
    '/api/reports': {
      get: {
        summary: 'A daily (日报), weekly (周报, Monday to Sunday), monthly (月度分析研判) or range report for the district or one street, computed now from the event log, compared with the period before',
        parameters: [
          ...actor,
          query('kind', { enum: [...reportKinds], default: 'daily' }),
          query('date', date, 'The day, a day of the week or a day of the month the report covers (default today, local); not with kind=range'),
          query('from', date, `kind=range: first local date (inclusive)`),
          query('to', date, `kind=range: last local date (inclusive); at most ${MAX_RANGE_DAYS} days from \`from\``),
          street,
          lang,
          format,
        ],
        responses: {
          200: { description: 'The report; a PDF comes as an attachment named like 龙岗区_日报_2026-12-02.pdf (RFC 5987 filename*)', content: bodies },
          400: err('Invalid query: error.details per field'),
          403: err('Not duty or leader'),
          404: err('Unknown street'),
          503: pdfUnavailable,
        },
      },
    },
    '/api/reports/archive': {
      get: {
        summary: 'Reports archived by the schedule (daily, weekly and monthly for the district, monthly for each street), newest period first, with headline figures',
        parameters: [...actor, query('kind', { enum: [...reportKinds] }), street, query('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 })],
        responses: { 200: { description: 'ReportArchivePage' }, 400: err('Invalid query'), 403: err('Not duty or leader'), 404: err('Unknown street'), 503: err('The archive is unavailable') },
      },
    },
    '/api/reports/archive/{id}': {
      get: {
        summary: 'One archived report as it was issued (id `kind:scope code:from`), as JSON, the report page or a PDF',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', example: 'daily:440307:2026-12-02' } }, ...actor, lang, format],
        responses: { 200: { description: 'The archived report', content: bodies }, 400: err('Invalid query'), 403: err('Not duty or leader'), 404: err('No archived report with this id'), 503: pdfUnavailable },
      },
    },
  };
}
