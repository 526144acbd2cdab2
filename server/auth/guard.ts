/**
 * The access guard in front of every route: finds the route's rule (auth/access.ts), establishes who is calling —
 * the session cookie, or an integration key on intake — and refuses with 401 (nobody, or a session that has ended)
 * or 403 (a role the rule does not allow, audited) before any handler runs. A handler reads the caller with
 * `principalOf(res)`.
 */
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../api/errors.js';
import { allows, ruleFor } from './access.js';
import type { Auditor } from './auditor.js';
import { roleOf, type Authenticator, type KeyPrincipal, type Principal, type SessionPrincipal } from './authenticator.js';
import { clearedCookie, readCookie, SESSION_COOKIE, sessionCookie } from './session-token.js';

const PRINCIPAL = 'principal';
/** Socket.io's default path, where its engine (not Express) answers. */
const SOCKET_PATH = '/socket.io/';
/** Express matches paths case-insensitively: so does this. */
const API_PATH = /^\/api(\/|$)/i;

export function principalOf(res: Response): Principal | undefined {
  return res.locals[PRINCIPAL] as Principal | undefined;
}

/** The caller, known to be a signed-in person or kiosk (the route's rule saw to it). */
export function sessionOf(res: Response): SessionPrincipal {
  const principal = principalOf(res);
  if (!principal || principal.kind === 'apikey') throw new HttpError(401, 'unauthenticated', 'sign in first');
  return principal;
}

export function keyOf(res: Response): KeyPrincipal {
  const principal = principalOf(res);
  if (principal?.kind !== 'apikey') throw new HttpError(401, 'unauthenticated', 'send an integration key');
  return principal;
}

function presentedKey(req: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  return bearer ?? req.get('x-api-key') ?? undefined;
}

export function secureCookies(req: Request): boolean {
  return req.secure;
}

export function guard(deps: { authenticator: Authenticator; auditor: Auditor }): RequestHandler {
  const { authenticator, auditor } = deps;
  return (req, res, next) => {
    // Socket.io's engine answers its own path on the same http server; an answer from here as well would make its
    // late write throw outside any handler and end the process (one anonymous long-polling request did).
    if (req.url.startsWith(SOCKET_PATH)) return;
    const rule = ruleFor(req.method, req.path);
    if (!rule) {
      // No rule, no route. Under /api that holds whatever a handler was registered: fail closed, as the 404 handler
      // would answer (no hint whether a path exists for someone else).
      if (API_PATH.test(req.path)) return next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
      return next();
    }

    if (allows(rule, 'integration')) {
      const key = authenticator.apiKey(presentedKey(req));
      if (!key) return next(new HttpError(401, 'unauthenticated', 'send a valid integration key: Authorization: Bearer sygl_…'));
      res.locals[PRINCIPAL] = key;
      return next();
    }

    const token = readCookie(req.get('cookie'), SESSION_COOKIE);
    const session = authenticator.check(token);
    if (session.ok) {
      res.locals[PRINCIPAL] = session.principal;
      if (session.renewed) res.append('Set-Cookie', sessionCookie(session.renewed, { maxAgeSeconds: authenticator.secondsLeft(session.principal), secure: secureCookies(req) }));
    } else if (token) {
      // A cookie that no longer stands is removed, so the browser stops sending it.
      res.append('Set-Cookie', clearedCookie(secureCookies(req)));
    }
    if (allows(rule, 'public')) return next();
    if (!session.ok) {
      const message = session.reason === 'invalid' ? 'sign in first' : 'the session has ended; sign in again';
      return next(new HttpError(401, 'unauthenticated', message));
    }
    const role = roleOf(session.principal);
    if (role === 'integration' || !allows(rule, role)) {
      auditor.note(req, session.principal, { action: 'authz.denied', outcome: 'denied', target: `${req.method} ${req.path}`.slice(0, 200) });
      return next(new HttpError(403, 'forbidden', `the ${role} role may not do this`));
    }
    next();
  };
}
