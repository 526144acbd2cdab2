/**
 * Turns what a request or a socket presents (the session cookie, an integration key) into a principal, checked
 * against the directory folded from the log, or says why not. Pure apart from the clock: no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccessRole, IntakeType, Me, UserRole } from '../../shared/auth.js';
import type { ApiKeyRecord, Directory } from '../domain/directory.js';
import { decodeSession, encodeSession, newSessionId, type SessionPayload } from './session-token.js';

export type SessionPrincipal =
  | { kind: 'user'; id: string; name: string; username: string; role: UserRole; deptId?: string; sessionId: string; expiresAt: number; /** The user's epoch the session was made in. */ epoch: number }
  | { kind: 'kiosk'; id: string; name: string; role: 'wall'; sessionId: string; expiresAt: number };

export interface KeyPrincipal {
  kind: 'apikey';
  id: string;
  name: string;
  types: readonly IntakeType[];
  sources: readonly string[];
}

export type Principal = SessionPrincipal | KeyPrincipal;

export function roleOf(principal: Principal): AccessRole | 'integration' {
  return principal.kind === 'apikey' ? 'integration' : principal.role;
}

export interface SessionSettings {
  /** A user's session ends after this long without a request. */
  idleMs: number;
  /** Any user session ends this long after sign-in, however active. */
  maxMs: number;
  /** A kiosk (wall) session ends this long after sign-in; kiosks have no idle timeout (nobody touches a wall). */
  kioskMaxMs: number;
}

export type SessionCheck = { ok: true; principal: SessionPrincipal; renewed?: string } | { ok: false; reason: 'invalid' | 'expired' | 'ended' };

/** A cookie seen less than this long ago is not re-issued: at most one Set-Cookie a minute per session. */
const RENEW_AFTER_MS = 60_000;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Integration keys look like `sygl_<key id>_<secret>`: the id finds the key, the secret proves it. */
const KEY_PATTERN = /^sygl_([a-z0-9]{8,32})_([A-Za-z0-9_-]{32,64})$/;

export class Authenticator {
  /** Last use of each integration key seen by this node (ms). */
  readonly keyLastUsed = new Map<string, number>();

  constructor(
    private readonly deps: { directory: Directory; key: Buffer; clock: () => number; settings: SessionSettings },
  ) {}

  /** A new session for a principal that has just proved who it is. */
  start(kind: 'user' | 'kiosk', id: string): { token: string; expiresAt: number } {
    const now = this.deps.clock();
    const epoch = kind === 'user' ? (this.deps.directory.user(id)?.epoch ?? 0) : 0;
    const payload: SessionPayload = { v: 1, sid: newSessionId(), kind, pid: id, ep: epoch, iat: now, seen: now };
    return { token: encodeSession(payload, this.deps.key), expiresAt: now + this.#max(kind) };
  }

  #max(kind: 'user' | 'kiosk'): number {
    return kind === 'kiosk' ? this.deps.settings.kioskMaxMs : this.deps.settings.maxMs;
  }

  check(token: string | undefined): SessionCheck {
    if (!token) return { ok: false, reason: 'invalid' };
    const payload = decodeSession(token, this.deps.key);
    if (!payload) return { ok: false, reason: 'invalid' };
    const now = this.deps.clock();
    const expiresAt = payload.iat + this.#max(payload.kind);
    if (now >= expiresAt) return { ok: false, reason: 'expired' };
    if (payload.kind === 'user' && now - payload.seen >= this.deps.settings.idleMs) return { ok: false, reason: 'expired' };
    if (this.deps.directory.sessionEnded(payload.sid)) return { ok: false, reason: 'ended' };
    const principal = this.#principal(payload, expiresAt);
    if (!principal) return { ok: false, reason: 'ended' };
    const renewed = payload.kind === 'user' && now - payload.seen >= RENEW_AFTER_MS ? encodeSession({ ...payload, seen: now }, this.deps.key) : undefined;
    return { ok: true, principal, ...(renewed && { renewed }) };
  }

  /** Whether a session (of a socket, say) still stands: not expired, not ended, its principal unchanged. */
  stillValid(principal: SessionPrincipal): boolean {
    if (this.deps.clock() >= principal.expiresAt || this.deps.directory.sessionEnded(principal.sessionId)) return false;
    if (principal.kind === 'kiosk') {
      const kiosk = this.deps.directory.kiosk(principal.id);
      return !!kiosk && !kiosk.revokedAt;
    }
    const user = this.deps.directory.user(principal.id);
    // The epoch too: a new password moves it without changing anything else a socket could be checked on.
    return !!user && !user.disabled && user.epoch === principal.epoch && user.role === principal.role && user.deptId === principal.deptId;
  }

  #principal(payload: SessionPayload, expiresAt: number): SessionPrincipal | undefined {
    const { directory } = this.deps;
    if (payload.kind === 'kiosk') {
      const kiosk = directory.kiosk(payload.pid);
      if (!kiosk || kiosk.revokedAt) return undefined;
      return { kind: 'kiosk', id: kiosk.id, name: kiosk.name, role: 'wall', sessionId: payload.sid, expiresAt };
    }
    const user = directory.user(payload.pid);
    if (!user || user.disabled || user.epoch !== payload.ep) return undefined;
    return { kind: 'user', id: user.id, name: user.name, username: user.username, role: user.role, sessionId: payload.sid, expiresAt, epoch: user.epoch, ...(user.deptId && { deptId: user.deptId }) };
  }

  /** The key a request presents (`Authorization: Bearer …` or `X-Api-Key`), if it is one that stands. */
  apiKey(presented: string | undefined): KeyPrincipal | undefined {
    const match = presented ? KEY_PATTERN.exec(presented) : null;
    if (!match) return undefined;
    const key: ApiKeyRecord | undefined = this.deps.directory.key(match[1]!);
    if (!key || key.revokedAt) return undefined;
    const given = Buffer.from(sha256(match[2]!));
    const stored = Buffer.from(key.secretHash);
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return undefined;
    this.keyLastUsed.set(key.id, this.deps.clock());
    return { kind: 'apikey', id: key.id, name: key.name, types: key.types, sources: key.sources };
  }

  /** Seconds until the session ends however active it is: the cookie's Max-Age. */
  secondsLeft(principal: SessionPrincipal): number {
    return Math.max(0, (principal.expiresAt - this.deps.clock()) / 1000);
  }

  idleMinutes(): number {
    return Math.round(this.deps.settings.idleMs / 60_000);
  }
}

export function describe(principal: SessionPrincipal, idleMinutes: number): Me {
  return {
    kind: principal.kind,
    id: principal.id,
    name: principal.name,
    role: principal.role,
    expiresAt: new Date(principal.expiresAt).toISOString(),
    ...(principal.kind === 'user' && { username: principal.username, idleMinutes, ...(principal.deptId && { deptId: principal.deptId }) }),
  };
}
