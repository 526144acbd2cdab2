/**
 * Who may use the system and how (issue 6): the roles, the sign-in and administration payloads, and what the client
 * is told about the signed-in principal. Server and client validate with the same schemas.
 */
import { z } from 'zod';
import { humanText } from './text.js';
import { eventSources } from './vocabulary.js';

/** People who sign in with a password. */
export const userRoles = ['duty', 'dept', 'leader', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

/** What a request or a socket acts as: a person's role, or `wall` for a kiosk credential (read-only). */
export const accessRoles = [...userRoles, 'wall'] as const;
export type AccessRole = (typeof accessRoles)[number];

/** The intake event types an integration key may be allowed to send. */
export const intakeTypes = ['case.reported', 'case.resolved', 'alert.raised'] as const;
export type IntakeType = (typeof intakeTypes)[number];

const username = z.string().regex(/^[a-z0-9][a-z0-9_.-]{2,31}$/, 'lower-case letters, digits, _ . -; 3 to 32 characters');
const displayName = humanText({ max: 40 });
const deptId = z.string().regex(/^[a-z0-9-]{2,40}$/);
/** Long enough to resist guessing offline should the hashes ever leak; no composition rules (NIST SP 800-63B). */
export const MIN_PASSWORD = 12;
const password = z.string().min(MIN_PASSWORD, `at least ${MIN_PASSWORD} characters`).max(256);

export const loginSchema = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const kioskLoginSchema = z.strictObject({ code: z.string().min(16).max(200) });

export const userCreateSchema = z
  .strictObject({ username, name: displayName, role: z.enum(userRoles), deptId: deptId.optional(), password })
  .refine((u) => (u.role === 'dept') === (u.deptId !== undefined), { path: ['deptId'], message: 'a department user needs a department; no other role has one' });

export const userUpdateSchema = z
  .strictObject({
    expectedVersion: z.number().int().min(1),
    name: displayName.optional(),
    role: z.enum(userRoles).optional(),
    deptId: deptId.nullable().optional(),
    password: password.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((u) => Object.keys(u).length > 1, { message: 'change at least one field' });

export const kioskCreateSchema = z.strictObject({ name: displayName });
export const apiKeyCreateSchema = z.strictObject({
  name: displayName,
  types: z.array(z.enum(intakeTypes)).min(1).max(intakeTypes.length),
  sources: z.array(z.enum(eventSources)).min(1).max(eventSources.length),
});
export const unmaskSchema = z.strictObject({ reason: humanText({ min: 4, minMessage: 'say why (at least 4 characters)', max: 200, multiline: true }) });

export type LoginInput = z.infer<typeof loginSchema>;
export type UserCreateInput = z.infer<typeof userCreateSchema>;
export type UserUpdateInput = z.infer<typeof userUpdateSchema>;
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateSchema>;

/** The signed-in principal, as `GET /api/auth/me` and the login answer describe it. */
export interface Me {
  kind: 'user' | 'kiosk';
  id: string;
  name: string;
  role: AccessRole;
  username?: string;
  deptId?: string;
  /** When the session ends however active it is (ISO). */
  expiresAt: string;
  /** Idle timeout in minutes; absent for kiosks. */
  idleMinutes?: number;
}

export interface UserView {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  deptId?: string;
  disabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface KioskView {
  id: string;
  name: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyView {
  id: string;
  name: string;
  types: IntakeType[];
  sources: string[];
  createdAt: string;
  revokedAt?: string;
  /** Last use this node saw (each node counts its own). */
  lastUsedAt?: string;
}

/** Answer to creating a kiosk or key: the secret, shown this once and never again (only its hash is kept). */
export interface SecretOnce<T> {
  item: T;
  secret: string;
}
