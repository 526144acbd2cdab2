/**
 * Typed fetch helpers for the administration routes (admin role): users, kiosk (wall) credentials, integration keys,
 * the audit log and its verification. Reads come back as `Loaded<T>`, changes as outcomes whose failures say what
 * the admin view shows: a version conflict with the user as it now is, field errors, the last admin, "try again".
 */
import type { AuditAction, AuditEntry } from '../../shared/audit.js';
import type { ApiKeyCreateInput, ApiKeyView, KioskView, SecretOnce, UserCreateInput, UserUpdateInput, UserView } from '../../shared/auth.js';
import type { Loaded } from './api.js';
import { createTransport, failureOf, type Failure, type Outcome } from './api-transport.js';

export type AdminFailure = Failure<UserView>;
export type AdminOutcome<R> = Outcome<R, UserView>;

/** GET /api/admin/audit/verify (server/audit/audit-log.ts VerifyResult). */
export type AuditVerification = { ok: true; entries: number; head: { seq: number; hash: string } } | { ok: false; seq: number; reason: string };

export interface AuditQuery {
  from?: string;
  to?: string;
  actorId?: string;
  action?: AuditAction;
  target?: string;
  limit?: number;
  before?: number;
}

/** A 409 carries the user as it now is (version_conflict); anything else there is not a user. */
const currentUser = (raw: unknown): UserView | undefined => (typeof (raw as UserView | null)?.version === 'number' ? (raw as UserView) : undefined);

export function adminFailure(status: number, body: unknown): AdminFailure {
  return failureOf(status, body, currentUser);
}

export function auditQueryString(query: AuditQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  return params.size ? `?${params}` : '';
}

export function createAdminApi(options: { fetch?: typeof fetch } = {}) {
  const { read, command } = createTransport({ ...(options.fetch && { fetch: options.fetch }) });
  const id = encodeURIComponent;
  const items = async <T>(path: string, signal?: AbortSignal): Promise<Loaded<T[]>> => {
    const answer = await read<{ items: T[] }>(path, signal);
    return answer.ok ? { ok: true, data: answer.data.items } : answer;
  };

  return {
    users: (signal?: AbortSignal) => items<UserView>('/api/admin/users', signal),
    createUser: (input: UserCreateInput): Promise<AdminOutcome<UserView>> => command('/api/admin/users', input, adminFailure),
    updateUser: (userId: string, input: UserUpdateInput): Promise<AdminOutcome<UserView>> => command(`/api/admin/users/${id(userId)}`, input, adminFailure, 'PATCH'),
    /** Lifts every sign-in lock and slow-down on the user's name. */
    unlockUser: (userId: string): Promise<AdminOutcome<UserView>> => command(`/api/admin/users/${id(userId)}/unlock`, {}, adminFailure),

    kiosks: (signal?: AbortSignal) => items<KioskView>('/api/admin/kiosks', signal),
    createKiosk: (name: string): Promise<AdminOutcome<SecretOnce<KioskView>>> => command('/api/admin/kiosks', { name }, adminFailure),
    revokeKiosk: (kioskId: string): Promise<AdminOutcome<KioskView>> => command(`/api/admin/kiosks/${id(kioskId)}/revoke`, {}, adminFailure),

    keys: (signal?: AbortSignal) => items<ApiKeyView>('/api/admin/keys', signal),
    createKey: (input: ApiKeyCreateInput): Promise<AdminOutcome<SecretOnce<ApiKeyView>>> => command('/api/admin/keys', input, adminFailure),
    revokeKey: (keyId: string): Promise<AdminOutcome<ApiKeyView>> => command(`/api/admin/keys/${id(keyId)}/revoke`, {}, adminFailure),

    audit: (query: AuditQuery, signal?: AbortSignal) => items<AuditEntry>(`/api/admin/audit${auditQueryString(query)}`, signal),
    verifyAudit: (signal?: AbortSignal) => read<AuditVerification>('/api/admin/audit/verify', signal),
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;

/** The link a wall opens once to sign itself in with its kiosk code (the page then takes the code out of the address). */
export function wallUrl(origin: string, pathname: string, code: string): string {
  return `${origin}${pathname}#/wall?kiosk=${encodeURIComponent(code)}`;
}
