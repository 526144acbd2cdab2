/** The ledger (台账) routes of /api/openapi.json (see openapi.ts for the rest). */
import { z } from 'zod';
import { importMappingBodySchema, ledgerExportQuerySchema } from '../../shared/ledger.js';

type Fragment = Record<string, unknown>;

const importJob =
  'ImportJob: { id, filename, format (xlsx|csv), phase (parsing|parsed|validating|validated|importing|done|failed), progress { done, total }, rows, headers, suggested (field → header), preview (first rows by header), sheets?, validation? { rows, valid, duplicates, errorRows, errorCount, errors: RowError[] (row, sheet?, field, column, message, zh? (the reason in Chinese); the first 1,000) }, result? { cases, resolutions, duplicates }, error? }';

export function ledgerPaths(parts: { actor: Fragment[]; json: (schema: object) => Fragment; err: (description: string) => Fragment }): Record<string, Fragment> {
  const { actor, json, err } = parts;
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const exportQuery = z.toJSONSchema(ledgerExportQuerySchema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object>; required?: string[] };
  const mappingBody = json(z.toJSONSchema(importMappingBodySchema, { io: 'input', unrepresentable: 'any' }));
  return {
    '/api/ledger/export': {
      get: {
        summary:
          'The ledger (台账) of cases reported (local date) in from..to as an .xlsx attachment: a totals sheet (汇总: counts by month × outcome, category and street; resolution and mediation rates), then one sheet per calendar month with every case and its lifecycle (序号, 案件编号, 来源, 来源编号, 登记时间 … 当前状态). Party names and titles are masked. Every export is audited (action export).',
        parameters: [...actor, ...Object.entries(exportQuery.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: (exportQuery.required ?? []).includes(name), schema }))],
        responses: {
          200: { description: 'The workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } },
          400: err('Invalid query (not a date, `to` before `from`, unknown street, community or category, more than 120 months): error.details per field'),
          403: err('Not duty or leader'),
          503: err('The audit log is unavailable: nothing exported'),
        },
      },
    },
    '/api/ledger/imports': {
      post: {
        summary:
          'Upload a historical ledger (.xlsx or .csv, UTF-8 or GBK; at most 64 MB) as the raw request body, not JSON. Starts an import job that parses the file in the background; poll GET /api/ledger/imports/{id}. Jobs live an hour in the memory of the node that took the upload.',
        parameters: [...actor, { name: 'filename', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string' } } } },
        responses: {
          202: { description: `${importJob} (phase parsing)` },
          400: err('Empty body, a JSON body, an .xls or other extension, or a .xlsx that is not a workbook'),
          403: err('Not duty or leader'),
          413: err('Larger than 64 MB'),
          429: err('Too many imports at once on this node'),
        },
      },
    },
    '/api/ledger/imports/{id}': {
      get: { summary: 'An import job of the caller, with its progress', parameters: [idParam, ...actor], responses: { 200: { description: importJob }, 403: err('Not duty or leader'), 404: err('Unknown, expired or another user’s job') } },
    },
    '/api/ledger/imports/{id}/validate': {
      post: {
        summary: 'Validate every row with a column mapping (field → header) and defaults, in the background (phase validating, then validated with the report)',
        parameters: [idParam, ...actor],
        requestBody: mappingBody,
        responses: { 202: { description: importJob }, 400: err('Invalid body, a required field not mapped, a header the file does not have'), 404: err('Unknown job'), 409: err('The job is busy or its file could not be read'), 415: err('Not JSON') },
      },
    },
    '/api/ledger/imports/{id}/commit': {
      post: {
        summary:
          'Validate again, then (no bad row) import through intake in batches of 500 events (phase importing, then done with result). Idempotent: rows already in the log (same source and ledger number) add nothing. Audited once (action intake).',
        parameters: [idParam, ...actor],
        requestBody: mappingBody,
        responses: {
          202: { description: importJob },
          400: err('Invalid body or mapping'),
          404: err('Unknown job'),
          409: err('The job is busy (a commit is running) or its file could not be read'),
          422: err('Some rows are invalid; nothing was imported; error.job holds the job with its validation report'),
          503: err('The audit log is unavailable: nothing imported'),
        },
      },
    },
  };
}
