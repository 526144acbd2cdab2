/**
 * One sample request for every rule of the access table (server/auth/access.ts) and every socket event, and who the
 * access matrix asks as. Params look valid but name nothing that exists and bodies fail validation, so a caller the
 * guard lets through gets a 2xx, 400 or 404 and changes nothing. The inventory test fails when a rule has no sample
 * here or a sample has no rule, so a new route cannot skip the matrix.
 */
import type { RouteRule } from '../../../server/auth/access.js';
import type { ClientToServerEvents } from '../../../shared/socket.js';

export const ruleKey = (rule: { method: string; path: string }) => `${rule.method} ${rule.path}`;

/** The matrix's department user belongs here; its own whistle list is the sample of the department route. */
export const MATRIX_DEPT = 'labour';
/** A well-formed UUIDv7 that no case, alert or user has. */
export const NO_SUCH_ID = '0190a0c0-0000-7000-8000-000000000000';
const STREET = '440307013';

export interface Sample {
  path: string;
  /** Sent as JSON; every write has one. */
  body?: unknown;
}

export const routeSamples: Record<string, Sample> = {
  'GET /healthz': { path: '/healthz' },
  'GET /readyz': { path: '/readyz' },
  'GET /metrics': { path: '/metrics' },
  'GET /api/openapi.json': { path: '/api/openapi.json' },
  'POST /api/auth/login': { path: '/api/auth/login', body: {} },
  'POST /api/auth/kiosk': { path: '/api/auth/kiosk', body: {} },
  'POST /api/auth/logout': { path: '/api/auth/logout' },
  'GET /api/auth/me': { path: '/api/auth/me' },
  'POST /api/events': { path: '/api/events', body: {} },
  'GET /api/snapshot': { path: '/api/snapshot' },
  'GET /api/geo': { path: '/api/geo' },
  'GET /api/client-config': { path: '/api/client-config' },
  'GET /api/cases': { path: '/api/cases?limit=5' },
  'GET /api/areas/:code/heat': { path: `/api/areas/${STREET}/heat` },
  'GET /api/areas/:code/risk': { path: `/api/areas/${STREET}/risk` },
  'GET /api/queue': { path: '/api/queue' },
  'GET /api/cases/:id': { path: `/api/cases/${NO_SUCH_ID}` },
  'POST /api/cases/:id/unmask': { path: `/api/cases/${NO_SUCH_ID}/unmask`, body: {} },
  'GET /api/cases/:id/suggestions': { path: `/api/cases/${NO_SUCH_ID}/suggestions` },
  'POST /api/cases/:id/commands': { path: `/api/cases/${NO_SUCH_ID}/commands`, body: {} },
  'GET /api/whistles': { path: '/api/whistles' },
  'GET /api/departments/:deptId/whistles': { path: `/api/departments/${MATRIX_DEPT}/whistles` },
  'GET /api/metrics': { path: '/api/metrics' },
  'GET /api/alerts': { path: '/api/alerts' },
  'GET /api/alerts/:id': { path: `/api/alerts/${NO_SUCH_ID}` },
  'POST /api/alerts/:id/commands': { path: `/api/alerts/${NO_SUCH_ID}/commands`, body: {} },
  'GET /api/leader/overview': { path: '/api/leader/overview' },
  'GET /api/leader/heat-history': { path: '/api/leader/heat-history?days=1' },
  'GET /api/reports': { path: '/api/reports?kind=daily&date=not-a-date' },
  'GET /api/reports/archive': { path: '/api/reports/archive?limit=1' },
  'GET /api/reports/archive/:id': { path: `/api/reports/archive/${NO_SUCH_ID}` },
  'GET /api/ledger/export': { path: '/api/ledger/export?from=not-a-date' },
  'POST /api/ledger/imports': { path: '/api/ledger/imports?filename=empty.csv', body: {} },
  'GET /api/ledger/imports/:id': { path: `/api/ledger/imports/${NO_SUCH_ID}` },
  'POST /api/ledger/imports/:id/validate': { path: `/api/ledger/imports/${NO_SUCH_ID}/validate`, body: {} },
  'POST /api/ledger/imports/:id/commit': { path: `/api/ledger/imports/${NO_SUCH_ID}/commit`, body: {} },
  'GET /api/admin/users': { path: '/api/admin/users' },
  'POST /api/admin/users': { path: '/api/admin/users', body: {} },
  'PATCH /api/admin/users/:id': { path: `/api/admin/users/${NO_SUCH_ID}`, body: {} },
  'POST /api/admin/users/:id/unlock': { path: `/api/admin/users/${NO_SUCH_ID}/unlock` },
  'GET /api/admin/kiosks': { path: '/api/admin/kiosks' },
  'POST /api/admin/kiosks': { path: '/api/admin/kiosks', body: {} },
  'POST /api/admin/kiosks/:id/revoke': { path: `/api/admin/kiosks/${NO_SUCH_ID}/revoke`, body: {} },
  'GET /api/admin/keys': { path: '/api/admin/keys' },
  'POST /api/admin/keys': { path: '/api/admin/keys', body: {} },
  'POST /api/admin/keys/:id/revoke': { path: `/api/admin/keys/${NO_SUCH_ID}/revoke`, body: {} },
  'GET /api/admin/audit': { path: '/api/admin/audit?limit=1' },
  'GET /api/admin/audit/verify': { path: '/api/admin/audit/verify' },
};

/** The arguments (before the ack) of one well-formed request per client event. */
export const socketSamples: { [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]> extends [...infer A, unknown] ? A : never } = {
  sync: [{ lastSeq: 0 }],
};

/** Who the matrix asks as: nobody, an intake key, a wall kiosk, and one signed-in user per role. */
export const audiences = ['anonymous', 'integration', 'wall', 'duty', 'dept', 'leader', 'admin'] as const;
export type MatrixAudience = (typeof audiences)[number];
export const sessionAudiences = ['wall', 'duty', 'dept', 'leader', 'admin'] as const;
export type SessionAudience = (typeof sessionAudiences)[number];

/** Whether the rule lets the audience past the guard. */
export function admitted(rule: RouteRule, audience: MatrixAudience): boolean {
  return rule.allow.includes('public') || rule.allow.includes(audience === 'anonymous' ? 'public' : audience);
}

/**
 * The refusal the guard owes an audience the rule leaves out: 401 when it shows no credential of the kind the route
 * takes (nothing at all, a key where a session is needed, a session where a key is needed), 403 for a signed-in
 * role the rule does not allow.
 */
export function refusal(rule: RouteRule, audience: MatrixAudience): 401 | 403 {
  if (audience === 'anonymous' || audience === 'integration') return 401;
  return rule.allow.includes('integration') ? 401 : 403;
}

export const isWrite = (rule: Pick<RouteRule, 'method'>) => rule.method !== 'GET';
