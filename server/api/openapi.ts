/** GET /api/openapi.json: every route, with request schemas generated from the same zod schemas that validate. */
import { z } from 'zod';
import { intakeEventSchema, MAX_BATCH } from '../../shared/intake.js';
import { caseQuerySchema } from './read.js';

const errorBody = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const err = (description: string) => ({ description, ...json(errorBody) });

export function openApiDocument(version: string): object {
  const intake = z.toJSONSchema(intakeEventSchema, { io: 'input', unrepresentable: 'any' });
  const caseQuery = z.toJSONSchema(caseQuerySchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, object> };
  return {
    openapi: '3.1.0',
    info: { title: '诉源治理指挥中心 API', version, description: 'Intake for integrations (12345 hotline, grid app, court system, 110 linkage) and the read API of the wall.' },
    paths: {
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
            400: err('Invalid events: one entry per bad field in error.details (path, message); nothing stored'),
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
      '/api/geo': { get: { summary: 'District, streets, schematic community cells, categories, departments', responses: { 200: { description: 'GeoResponse' } } } },
      '/api/client-config': { get: { summary: 'Settings the wall needs', responses: { 200: { description: 'ClientConfig' } } } },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Process is up' } } } },
      '/readyz': { get: { summary: 'Readiness: projections rebuilt, store open', responses: { 200: { description: 'Ready' }, 503: err('Not ready') } } },
    },
    components: {
      schemas: {
        IntakeEvent: intake,
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
