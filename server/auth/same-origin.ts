/**
 * Cross-site request refusal (issue 15, item 5): a request that changes something must come from the server's own
 * pages. SameSite=Strict cookies are not enough: a page on another port of the same host is *same-site*, so its
 * form posts, no-cors fetches and beacons carry the officer's cookie.
 *
 * For every method but GET/HEAD/OPTIONS:
 * - an `Origin` header must be the server's own origin (the Host the request came in on; X-Forwarded-Host only under
 *   TRUST_PROXY, as Express reads it) or one of ALLOWED_ORIGINS; `Origin: null` (a sandboxed frame, a
 *   no-referrer redirect) is refused;
 * - without an `Origin`, `Sec-Fetch-Site` must be `same-origin` or `none` (typed by the user);
 * - without either, only a caller with no session cookie passes (curl, a script signing in): every browser sends one
 *   or the other on such a request, so a cookie with neither is not a page of ours;
 * - a caller authenticated by an integration key (the guard set it: intake) is server-to-server, and exempt.
 * And a body must be JSON, but on the ledger upload (a file: there the Origin check is what protects).
 *
 * Refused: 403 `cross_origin_refused`, audited like the guard's own denials.
 */
import type { Request, RequestHandler } from 'express';
import { HttpError } from '../api/errors.js';
import type { Auditor } from './auditor.js';
import { principalOf } from './guard.js';
import { readCookie, SESSION_COOKIE } from './session-token.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes whose body is a file, not JSON. */
const UPLOADS = /^\/api\/ledger\/imports\/?$/i;

/** The `host[:port]` an origin names, or undefined when it is not an http(s) origin. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.origin !== origin) return undefined;
    return url.host;
  } catch {
    return undefined;
  }
}

/**
 * Whether a page of `origin` may act on this server, reached as `host` (the Host header, or X-Forwarded-Host when
 * trusted). Compared by host and port, as the socket handshake is (a port serves one scheme, so the scheme adds
 * nothing, and a TLS proxy without TRUST_PROXY would otherwise refuse every page of its own).
 */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  const from = hostOf(origin);
  return from !== undefined && host !== undefined && from.toLowerCase() === host.toLowerCase();
}

/** Why a state-changing request is refused, or undefined when it may go on. */
export function crossOriginRefusal(req: Request, allowed: readonly string[]): string | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) return originAllowed(origin, req.host, allowed) ? undefined : `requests from ${origin.slice(0, 100)} may not change anything here`;
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none' ? undefined : `a ${site.slice(0, 40)} request may not change anything here`;
  if (readCookie(req.get('cookie'), SESSION_COOKIE)) return 'a signed-in request without Origin or Sec-Fetch-Site is not from a page of this server';
  return undefined;
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

export function sameOrigin(deps: { auditor: Auditor; allowedOrigins: readonly string[] }): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const principal = principalOf(res);
    if (principal?.kind === 'apikey') return next();
    const refusal = crossOriginRefusal(req, deps.allowedOrigins);
    if (refusal) {
      deps.auditor.note(req, principal, {
        action: 'authz.denied',
        outcome: 'denied',
        target: `${req.method} ${req.path}`.slice(0, 200),
        details: { code: 'cross_origin_refused', ...(req.get('origin') !== undefined && { origin: req.get('origin')!.slice(0, 100) }) },
      });
      return next(new HttpError(403, 'cross_origin_refused', refusal));
    }
    if (hasBody(req) && !UPLOADS.test(req.path) && !req.is('application/json')) {
      return next(new HttpError(415, 'unsupported_media_type', 'send the body as application/json'));
    }
    next();
  };
}
