/**
 * The session cookie: a signed token (HMAC-SHA256) naming the session, its principal and the principal's epoch, when
 * it began and when it was last used. Nothing secret is in it and nothing in it can be changed without the key, so
 * any node holding the key (SESSION_SECRET) can check it without a session table; what can end a session early is in
 * the log: the principal's epoch moving on (disabled, new role, new password) or a sign-out (`access.session.ended`).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SESSION_COOKIE = 'sygl_session';

const payloadSchema = z.strictObject({
  v: z.literal(1),
  /** Session id: new at every sign-in, so a token planted before sign-in is never the one after it. */
  sid: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  kind: z.enum(['user', 'kiosk']),
  pid: z.string().min(1).max(64),
  ep: z.number().int().min(0),
  /** Began (ms). */
  iat: z.number().int(),
  /** Last used (ms), for the idle timeout; refreshed at most once a minute. */
  seen: z.number().int(),
});
export type SessionPayload = z.infer<typeof payloadSchema>;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

function sign(body: string, key: Buffer): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function encodeSession(payload: SessionPayload, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(body, key)}`;
}

/** The payload of a well-formed, correctly signed token; undefined for anything else. */
export function decodeSession(token: string, key: Buffer): SessionPayload | undefined {
  if (token.length > 1024) return undefined;
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(body, key));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Cookie header → the named cookie's value (no dependency for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  const attributes = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedCookie(secure: boolean): string {
  return sessionCookie('', { maxAgeSeconds: 0, secure });
}
