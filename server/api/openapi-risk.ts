/** The risk and leader routes of /api/openapi.json (see openapi.ts for the rest). */
import { z } from 'zod';
import { alertCommandSchema } from '../../shared/risk.js';

type Fragment = Record<string, unknown>;

export function riskPaths(parts: { actor: Fragment[]; json: (schema: object) => Fragment; err: (description: string) => Fragment }): Record<string, Fragment> {
  const { actor, json, err } = parts;
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const area = { name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{9}(\\d{3})?$' } };
  const query = (name: string, schema: object) => ({ name, in: 'query', required: false, schema });
  return {
    '/api/areas/{code}/risk': {
      get: {
        summary: 'Why a street or community has its risk score (0–100): parts, inputs, top cases, open alerts, overdue work, daily counts',
        parameters: [area],
        responses: { 200: { description: 'RiskExplanation' }, 404: err('Unknown area') },
      },
    },
    '/api/alerts': {
      get: {
        summary: 'Risk alerts (rules and outside systems), newest first, with open counts per level',
        parameters: [
          ...actor,
          query('status', { enum: ['open', 'raised', 'acknowledged', 'closed'] }),
          query('level', { enum: ['red', 'orange', 'yellow', 'blue'] }),
          query('rule', { type: 'string' }),
          query('streetCode', { type: 'string' }),
          query('communityCode', { type: 'string' }),
          query('limit', { type: 'integer', minimum: 1, maximum: 500 }),
        ],
        responses: { 200: { description: 'AlertPage' }, 400: err('Bad filter'), 403: err('Not duty or leader') },
      },
    },
    '/api/alerts/{id}': {
      get: { summary: 'One alert with its related cases (masked summaries)', parameters: [idParam, ...actor], responses: { 200: { description: '{ alert, cases }' }, 403: err('Not duty or leader'), 404: err('Unknown alert') } },
    },
    '/api/alerts/{id}/commands': {
      post: {
        summary: 'Acknowledge or close an alert; answered after commit',
        parameters: [idParam, ...actor],
        requestBody: json(z.toJSONSchema(alertCommandSchema, { io: 'input', unrepresentable: 'any' })),
        responses: {
          201: { description: 'The event appended and the alert’s new version' },
          200: { description: 'A retry of a command id already done by the same caller on the same alert: the original result' },
          400: err('Invalid command: error.details per field'),
          403: err('Not duty or leader'),
          404: err('Unknown alert'),
          409: err('version_conflict or invalid_transition, error.current holding the alert now as the alert list shows it (masked); or command_id_reused: the commandId was used by another caller or on another alert or case'),
          503: err('The event log is unavailable; nothing stored; retry'),
        },
      },
    },
    '/api/leader/overview': {
      get: { summary: 'The leader view: hotspots by risk score with sparklines, category × week and hour-of-week counts, open alerts, sensitive periods', responses: { 200: { description: 'LeaderOverview' } } },
    },
    '/api/leader/heat-history': {
      get: { summary: 'Community heat per hour over the last days (time slider)', parameters: [query('days', { type: 'integer', minimum: 1, maximum: 7 })], responses: { 200: { description: 'HeatHistory' }, 400: err('Bad days') } },
    },
  };
}
