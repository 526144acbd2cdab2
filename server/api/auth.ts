/**
 * Sign-in and sign-out: `POST /api/auth/login` (user name and password), `POST /api/auth/kiosk` (a wall's kiosk
 * code), `POST /api/auth/logout`, `GET /api/auth/me`. A sign-in always starts a new session id; failures are counted
 * towards the lockout and audited; the answer never says whether the user name exists.
 */
import { Router, type Request, type Response } from 'express';
import { kioskLoginSchema, loginSchema } from '../../shared/auth.js';
import { zodFieldErrors } from '../../shared/intake.js';
import type { Auditor } from '../auth/auditor.js';
import { describe, sha256, type Authenticator } from '../auth/authenticator.js';
import type { DirectoryWriter } from '../auth/directory-writer.js';
import { principalOf, secureCookies, sessionOf } from '../auth/guard.js';
import type { LoginLockout } from '../auth/lockout.js';
import { decoyHash, verifyPassword } from '../auth/passwords.js';
import { clearedCookie, sessionCookie } from '../auth/session-token.js';
import type { Directory } from '../domain/directory.js';
import { HttpError, invalid } from './errors.js';

export interface AuthDeps {
  directory: Directory;
  authenticator: Authenticator;
  lockout: LoginLockout;
  auditor: Auditor;
  writer: DirectoryWriter;
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
}

/** The lockout's name for a user name (namespaced, so no typed name can spend another kind of budget). */
export const lockNameOf = (username: string) => `user:${username}`;

export function authRouter(deps: AuthDeps): Router {
  const { directory, authenticator, lockout, auditor } = deps;
  const router = Router();

  const begin = (req: Request, res: Response, kind: 'user' | 'kiosk', id: string) => {
    const session = authenticator.start(kind, id);
    const check = authenticator.check(session.token);
    if (!check.ok) throw new Error('a session just started does not stand');
    res.append('Set-Cookie', sessionCookie(session.token, { maxAgeSeconds: authenticator.secondsLeft(check.principal), secure: secureCookies(req) }));
    return check.principal;
  };

  const locked = (res: Response, seconds: number) => {
    res.set('Retry-After', String(seconds));
    throw new HttpError(429, 'locked', `too many failed sign-ins: try again in ${Math.ceil(seconds / 60)} min`, undefined, { retryAfterSeconds: seconds, params: { minutes: Math.ceil(seconds / 60) } });
  };

  /**
   * One sign-in with a password: counted towards the lockout before the password is checked (so a burst of guesses
   * in parallel stops at the limit), audited whichever way it ends, and a new session when it is right.
   */
  router.post('/api/auth/login', async (req, res) => {
    requireJson(req);
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const { username, password } = parsed.data;
    const ip = req.ip ?? 'unknown';
    const anonymous = { kind: 'anonymous' as const, name: username };
    const lockName = lockNameOf(username);
    const wait = await lockout.attempt(lockName, ip);
    if (wait > 0) {
      auditor.note(req, undefined, { action: 'login.locked', outcome: 'denied', actor: anonymous });
      locked(res, wait);
    }
    const user = directory.userByName(username);
    // Check a hash even for an unknown name, so the time taken does not tell which names exist.
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !matches || user.disabled) {
      auditor.note(req, undefined, { action: 'login.failed', outcome: 'failed', actor: anonymous });
      throw new HttpError(401, 'invalid_credentials', 'wrong user name or password, or the account is disabled');
    }
    await lockout.succeeded(lockName, ip);
    const principal = begin(req, res, 'user', user.id);
    auditor.note(req, principal, { action: 'login.succeeded', outcome: 'ok' });
    res.json(describe(principal, authenticator.idleMinutes()));
  });

  router.post('/api/auth/kiosk', async (req, res) => {
    requireJson(req);
    const parsed = kioskLoginSchema.safeParse(req.body);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    // Kiosk codes are long random secrets, hopeless to guess: a right one is always taken, so nobody else's wrong
    // codes (a whole centre behind one address) keep a wall out. Wrong ones are counted per address.
    const kiosk = directory.kioskByCodeHash(sha256(parsed.data.code));
    const anonymous = { kind: 'anonymous' as const, name: '(kiosk code)' };
    if (!kiosk) {
      const wait = await lockout.kioskFailed(req.ip ?? 'unknown');
      if (wait > 0) {
        auditor.note(req, undefined, { action: 'login.locked', outcome: 'denied', actor: anonymous });
        locked(res, wait);
      }
      auditor.note(req, undefined, { action: 'login.failed', outcome: 'failed', actor: anonymous });
      throw new HttpError(401, 'invalid_credentials', 'unknown or revoked kiosk code');
    }
    const principal = begin(req, res, 'kiosk', kiosk.id);
    auditor.note(req, principal, { action: 'login.succeeded', outcome: 'ok' });
    res.json(describe(principal, authenticator.idleMinutes()));
  });

  router.post('/api/auth/logout', async (req, res) => {
    const principal = principalOf(res);
    if (principal && principal.kind !== 'apikey') {
      // Ended in the log, so a copy of the cookie is refused on every node, not only forgotten by this browser.
      await deps.writer.append('access.session.ended', { sessionId: principal.sessionId, principalId: principal.id, expiresAt: new Date(principal.expiresAt).toISOString() });
      auditor.note(req, principal, { action: 'logout', outcome: 'ok' });
    }
    res.append('Set-Cookie', clearedCookie(secureCookies(req)));
    res.status(204).end();
  });

  router.get('/api/auth/me', (_req, res) => {
    res.json(describe(sessionOf(res), authenticator.idleMinutes()));
  });

  return router;
}
