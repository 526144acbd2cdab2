/** Hash routes of the single-page app: `#/wall` (default), `#/duty`, `#/dept`, `#/leader`, `#/reports`, `#/admin`, `#/login`. */
import type { AccessRole } from '../../shared/auth.js';

export const routes = ['wall', 'duty', 'dept', 'leader', 'reports', 'admin', 'login'] as const;
export type Route = (typeof routes)[number];

export function parseRoute(hash: string): Route {
  return explicitRoute(hash) ?? 'wall';
}

/** The route the hash names, or null when it names none (an empty hash: each role then goes to its home). */
export function explicitRoute(hash: string): Route | null {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (routes as readonly string[]).includes(name) ? (name as Route) : null;
}

/** The `?a=b` part of a hash route. */
export function hashQuery(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/**
 * Which views a role can use: the server's access table (server/auth/access.ts) decides what each role may call, and
 * a view is offered only where everything it calls is allowed. The wall stream goes to the wall and the leader; the
 * reports and ledgers (报表与台账) to the desks that may read them, duty and leader.
 */
const viewsOf: Record<AccessRole, readonly Route[]> = {
  wall: ['wall'],
  duty: ['duty', 'reports'],
  dept: ['dept'],
  leader: ['leader', 'wall', 'reports'],
  admin: ['admin'],
};

export function viewsFor(role: AccessRole): readonly Route[] {
  return viewsOf[role];
}

export function mayOpen(role: AccessRole, route: Route): boolean {
  return route === 'login' || viewsOf[role].includes(route);
}

/** Where a role lands after signing in. */
export function homeOf(role: AccessRole): Route {
  return viewsOf[role][0]!;
}
