/** GET /api/openapi.json: every route, with request schemas generated from the same zod schemas that validate. */
import { z } from 'zod';
import { commandSchema } from '../../shared/dispatch.js';
import { intakeEventSchema, MAX_BATCH } from '../../shared/intake.js';
import { riskPaths } from './openapi-risk.js';
import { reportPaths } from './openapi-reports.js';
import { ledgerPaths } from './openapi-ledger.js';
import { caseQuerySchema } from './read.js';
import { accessPaths, withAccess } from './openapi-access.js';

const errorBody = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const err = (description: string) => ({ description, ...json(errorBody) });

export function openApiDocument(version: string): object {
  const intake = z.toJSONSchema(intakeEventSchema, { io: 'input', unrepresentable: 'any' });
  const command = z.toJSONSchema(commandSchema, { io: 'input', unrepresentable: 'any' });
  // Who is acting comes from the session cookie (components.securitySchemes); no parameter names it.
  const actor: Array<Record<string, unknown>> = [];
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const caseQuery = z.toJSONSchema(caseQuerySchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, object> };
  return {
    openapi: '3.1.0',
    info: { title: '诉源治理指挥中心 API', version, description: 'Intake for integrations (12345 hotline, grid app, court system, 110 linkage) and the read API of the wall.' },
    paths: withAccess({
      ...accessPaths({ json, err }),
      '/api/events': {
        post: {
          summary: `Ingest one event or a batch of up to ${MAX_BATCH}; all-or-nothing; idempotent on (source, sourceRef)`,
          requestBody: json({
            oneOf: [
              { $ref: '#/components/schemas/IntakeEvent' },
              { type: 'object', required: ['events'], additionalProperties: false, properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: { $ref: '#/components/schemas/IntakeEvent' } } } },
            ],
          }),
          responses: {
            201: { description: 'Stored durably (some events new)', ...json({ $ref: '#/components/schemas/IntakeResponse' }) },
            200: { description: 'Every event was a repeat: the original results, nothing appended', ...json({ $ref: '#/components/schemas/IntakeResponse' }) },
            400: err('Invalid events: one entry per bad field in error.details (path, message); nothing stored. A case.resolved naming a case outside the key’s scope (not reported by its sources nor whistled to a department of that name) is refused exactly as an unknown case'),
            409: err('source_ref_conflict: a (source, sourceRef) sent again with another payload; error.details names each differing field (never its stored value); nothing stored'),
            413: err('Body or batch over the limit'),
            415: err('Body is not application/json'),
            503: err('The event log is unavailable; nothing stored; retry'),
          },
        },
      },
      '/api/snapshot': { get: { summary: 'The wall state at the current seq (aggregates and masked summaries only)', responses: { 200: { description: 'WallSnapshot' } } } },
      '/api/cases': {
        get: {
          summary: 'Cases, newest first, paginated by cursor; summaries without personal data',
          parameters: Object.entries(caseQuery.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
          responses: { 200: { description: 'CasePage' }, 400: err('Invalid query') },
        },
      },
      '/api/areas/{code}/heat': {
        get: {
          summary: 'Why a street or community has its heat: parts, top cases, categories',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{9}(\\d{3})?$' } }],
          responses: { 200: { description: 'HeatExplanation' }, 404: err('Unknown area') },
        },
      },
      '/api/queue': {
        get: {
          summary: 'The duty intake queue: received, triaged, returned and reopened cases with titles, a page at a time, oldest first by default',
          parameters: [
            ...actor,
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['received', 'triaged', 'returned', 'reopened'] }, description: 'One open status (default: all four)' },
            { name: 'streetCode', in: 'query', schema: { type: 'string', pattern: '^\\d{9}$' } },
            { name: 'category', in: 'query', schema: { type: 'string', maxLength: 40 } },
            { name: 'sort', in: 'query', schema: { type: 'string', enum: ['oldest', 'newest'], default: 'oldest' }, description: 'oldest: the cases waiting longest first' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'How many matching cases to skip, in the chosen order' },
          ],
          responses: { 200: { description: '{ items: QueueRow[], total: number (every match, not only this page), offset, limit, sort }' }, 400: err('Invalid query: error.details per field'), 403: err('Not duty or leader') },
        },
      },
      '/api/cases/{id}': {
        get: { summary: 'One case: facts, title, parties, lifecycle state and timeline', parameters: [idParam, ...actor], responses: { 200: { description: 'CaseDetail' }, 404: err('Unknown case, or one the department has no part in: the same body') } },
      },
      '/api/cases/{id}/suggestions': {
        get: { summary: 'Departments the routing rules suggest for a whistle, with reasons and deadlines per urgency', parameters: [idParam, ...actor], responses: { 200: { description: 'DispatchSuggestion' }, 403: err('Not duty'), 404: err('Unknown case') } },
      },
      '/api/cases/{id}/commands': {
        post: {
          summary: 'A lifecycle command (triage, whistle, reportIn, progress, return, resolve, confirm, followUp, archive, supervise); answered after commit',
          parameters: [idParam, ...actor],
          requestBody: json({ $ref: '#/components/schemas/Command' }),
          responses: {
            201: { description: 'CommandResult: the event appended and the new version' },
            200: { description: 'A retry of a command id already done by the same caller on the same case: the original result, nothing appended' },
            400: err('Invalid command: error.details per field'),
            403: err('The actor may not do this (role, or not its department’s part); error.current holds the case as the caller’s desk shows it'),
            404: err('Unknown case, or one the caller may not read (a department’s without a part in it): the same body, answered before anything else'),
            409: err('version_conflict (stale expectedVersion) or invalid_transition, error.current holding the case as the caller’s desk shows it; or command_id_reused: the commandId was used by another caller or on another case or alert (nothing of that command is told)'),
            503: err('The event log is unavailable; nothing stored; retry'),
          },
        },
      },
      '/api/whistles': { get: { summary: 'The roll-call board: every active whistle with its case', parameters: actor, responses: { 200: { description: '{ items: WhistleRow[] }' }, 403: err('Not duty or leader') } } },
      '/api/departments/{deptId}/whistles': {
        get: {
          summary: "A department's open parts of whistles",
          parameters: [{ name: 'deptId', in: 'path', required: true, schema: { type: 'string' } }, ...actor],
          responses: { 200: { description: '{ items: DeptWhistleRow[] }' }, 403: err('Another department'), 404: err('Unknown department') },
        },
      },
      '/api/metrics': {
        get: {
          summary: 'On-time report-in, mean time to report in, resolution, mediation, overdue, satisfaction and tier containment by department, street or category',
          parameters: [
            ...actor,
            ...['groupBy', 'from', 'to', 'streetCode', 'category', 'deptId'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          ],
          responses: { 200: { description: 'MetricsResponse' }, 400: err('Invalid query') },
        },
      },
      '/api/geo': { get: { summary: 'District, streets, schematic community cells, categories, departments', responses: { 200: { description: 'GeoResponse' } } } },
      '/api/client-config': { get: { summary: 'Settings the wall needs', responses: { 200: { description: 'ClientConfig' } } } },
      ...riskPaths({ actor, json, err }),
      ...reportPaths({ actor, json, err }),
      ...ledgerPaths({ actor, json, err }),
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Process is up' } } } },
      '/readyz': { get: { summary: 'Readiness: started, not stopping, and intake would succeed (event log writable, PostgreSQL answering); problems and checks', responses: { 200: { description: 'Ready' }, 503: err('Starting (with replay progress), stopping or not ready') } } },
      '/metrics': { get: { summary: 'Prometheus metrics; bearer METRICS_TOKEN or an address in METRICS_ALLOW', responses: { 200: { description: 'text/plain exposition format' }, 401: err('No token or a wrong one'), 404: err('Metrics are off (neither METRICS_TOKEN nor METRICS_ALLOW set)') } } },
    }, err),
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sygl_session', description: 'Set by POST /api/auth/login or /api/auth/kiosk' },
        integrationKey: { type: 'http', scheme: 'bearer', description: 'An integration key sygl_<id>_<secret>, made by an admin, scoped to event types and sources' },
      },
      schemas: {
        IntakeEvent: intake,
        Command: command,
        IntakeResponse: {
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  index: { type: 'integer' },
                  id: { type: 'string' },
                  seq: { type: 'integer' },
                  type: { type: 'string' },
                  duplicate: { type: 'boolean' },
                  caseId: { type: 'string' },
                  alertId: { type: 'string' },
                },
              },
            },
          },
        },
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
      },
    },
  };
}
