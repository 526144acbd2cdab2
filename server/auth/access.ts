/**
 * Who may call what: every HTTP route and socket event with the roles allowed, in one table. The guard enforces the
 * table for every request before any handler runs; handlers add object scope (a department's own cases) before any
 * state, an object out of scope answering exactly as a missing one. The route inventory test compares this table with
 * the routes the app really registers and with the access-matrix tests, so a route added without a rule or without a
 * test fails the suite.
 */
import type { AccessRole } from '../../shared/auth.js';

/** `public`: no sign-in; `integration`: an intake key; the rest are session roles. */
export type Audience = AccessRole | 'integration' | 'public';

export interface RouteRule {
  method: 'GET' | 'POST' | 'PATCH';
  /** Express path syntax (`:param`). */
  path: string;
  allow: readonly Audience[];
}

const viewers = ['wall', 'duty', 'dept', 'leader'] as const;
const signedIn = ['wall', 'duty', 'dept', 'leader', 'admin'] as const;
const desk = ['duty', 'leader'] as const;

export const routeRules: readonly RouteRule[] = [
  { method: 'GET', path: '/healthz', allow: ['public'] },
  { method: 'GET', path: '/readyz', allow: ['public'] },
  // No session or intake key: the route itself demands METRICS_TOKEN or an address in METRICS_ALLOW (ops/metrics.ts).
  { method: 'GET', path: '/metrics', allow: ['public'] },
  { method: 'GET', path: '/api/openapi.json', allow: ['public'] },
  { method: 'POST', path: '/api/auth/login', allow: ['public'] },
  { method: 'POST', path: '/api/auth/kiosk', allow: ['public'] },
  { method: 'POST', path: '/api/auth/logout', allow: ['public'] },
  { method: 'GET', path: '/api/auth/me', allow: signedIn },
  { method: 'POST', path: '/api/events', allow: ['integration'] },
  { method: 'GET', path: '/api/snapshot', allow: viewers },
  { method: 'GET', path: '/api/geo', allow: signedIn },
  { method: 'GET', path: '/api/client-config', allow: signedIn },
  { method: 'GET', path: '/api/cases', allow: ['wall', ...desk] },
  { method: 'GET', path: '/api/areas/:code/heat', allow: ['wall', ...desk] },
  { method: 'GET', path: '/api/areas/:code/risk', allow: ['wall', ...desk] },
  { method: 'GET', path: '/api/queue', allow: desk },
  { method: 'GET', path: '/api/cases/:id', allow: ['duty', 'dept', 'leader'] },
  { method: 'POST', path: '/api/cases/:id/unmask', allow: desk },
  { method: 'GET', path: '/api/cases/:id/suggestions', allow: ['duty'] },
  { method: 'POST', path: '/api/cases/:id/commands', allow: ['duty', 'dept', 'leader'] },
  { method: 'GET', path: '/api/whistles', allow: desk },
  { method: 'GET', path: '/api/departments/:deptId/whistles', allow: ['duty', 'dept', 'leader'] },
  { method: 'GET', path: '/api/metrics', allow: desk },
  { method: 'GET', path: '/api/alerts', allow: desk },
  { method: 'GET', path: '/api/alerts/:id', allow: desk },
  { method: 'POST', path: '/api/alerts/:id/commands', allow: desk },
  { method: 'GET', path: '/api/leader/overview', allow: ['leader'] },
  { method: 'GET', path: '/api/leader/heat-history', allow: ['leader'] },
  { method: 'GET', path: '/api/reports', allow: desk },
  { method: 'GET', path: '/api/reports/archive', allow: desk },
  { method: 'GET', path: '/api/reports/archive/:id', allow: desk },
  { method: 'GET', path: '/api/ledger/export', allow: desk },
  { method: 'POST', path: '/api/ledger/imports', allow: desk },
  { method: 'GET', path: '/api/ledger/imports/:id', allow: desk },
  { method: 'POST', path: '/api/ledger/imports/:id/validate', allow: desk },
  { method: 'POST', path: '/api/ledger/imports/:id/commit', allow: desk },
  { method: 'GET', path: '/api/admin/users', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/users', allow: ['admin'] },
  { method: 'PATCH', path: '/api/admin/users/:id', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/users/:id/unlock', allow: ['admin'] },
  { method: 'GET', path: '/api/admin/kiosks', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/kiosks', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/kiosks/:id/revoke', allow: ['admin'] },
  { method: 'GET', path: '/api/admin/keys', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/keys', allow: ['admin'] },
  { method: 'POST', path: '/api/admin/keys/:id/revoke', allow: ['admin'] },
  { method: 'GET', path: '/api/admin/audit', allow: ['admin'] },
  { method: 'GET', path: '/api/admin/audit/verify', allow: ['admin'] },
];

/** Socket.io: who may connect (and so which rooms the server puts them in), and who may send each client event. */
export const socketRules = {
  connect: ['wall', 'duty', 'dept', 'leader'],
  events: { sync: ['wall', 'leader'] },
} as const satisfies { connect: readonly AccessRole[]; events: Record<string, readonly AccessRole[]> };

interface CompiledRule extends RouteRule {
  pattern: RegExp;
}

/**
 * Matched the way Express matches routes (case-insensitive, one optional trailing slash): a rule that matched more
 * strictly than its route would let `/API/ADMIN/USERS` or `/api/admin/users/` reach the handler with no rule.
 */
const compiled: CompiledRule[] = routeRules.map((rule) => ({
  ...rule,
  pattern: new RegExp(`^${rule.path.replace(/[.]/g, '\\.').replace(/:[a-zA-Z]+/g, '[^/]+')}/?$`, 'i'),
}));

/** The rule for a request, if the route exists. HEAD is a GET. */
export function ruleFor(method: string, path: string): RouteRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((rule) => rule.method === m && rule.pattern.test(path));
}

export function allows(rule: RouteRule, audience: Audience): boolean {
  return rule.allow.includes(audience);
}

/** A route the app registers: its method and Express path (a pattern route's path is its RegExp source, `/…/`). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/** What the route inventory reads of an Express 5 router stack (router 2.x layers). */
interface StackLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: StackLayer[] };
}

/**
 * Every route registered on an Express app, nested routers included, in registration order; read-only. The route
 * inventory test (tests/server/access/inventory.test.ts) compares it with `routeRules`.
 */
export function registeredRoutes(app: { router: unknown }): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const walk = (stack: readonly StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const { path, methods } = layer.route;
        const where = typeof path === 'string' ? `${prefix}${path}` : String(path);
        for (const [method, on] of Object.entries(methods)) if (on) routes.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: where });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app.router as { stack: StackLayer[] }).stack, '');
  return routes;
}
