/** Hash routes of the single-page app: `#/wall` (default), `#/duty`, `#/dept`, `#/leader`, `#/admin`, `#/login`. */
export const routes = ['wall', 'duty', 'dept', 'leader', 'admin', 'login'] as const;
export type Route = (typeof routes)[number];

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (routes as readonly string[]).includes(name) ? (name as Route) : 'wall';
}
