/**
 * Changes to who may use the system, as events in the log (issue 6): users, kiosk credentials, integration keys and
 * ended sessions. In the log they reach every node in seq order like everything else, so a user disabled on one node
 * is disabled on all of them at once. They are private: the stream says only that one happened (`access.changed`,
 * to keep seq gapless for the wall), and no view ever shows a hash.
 */
import type { IntakeType, UserRole } from './auth.js';

export interface AccessActor {
  id: string;
  name: string;
}

export interface UserCreatedData {
  userId: string;
  username: string;
  name: string;
  role: UserRole;
  deptId?: string;
  passwordHash: string;
  actor: AccessActor;
}

/** Only the fields that changed. `deptId: null` removes the department. */
export interface UserUpdatedData {
  userId: string;
  name?: string;
  role?: UserRole;
  deptId?: string | null;
  passwordHash?: string;
  disabled?: boolean;
  actor: AccessActor;
}

export interface KioskCreatedData {
  kioskId: string;
  name: string;
  /** SHA-256 of the kiosk code: the code is long and random, so a fast hash is enough. */
  codeHash: string;
  actor: AccessActor;
}

export interface KioskRevokedData {
  kioskId: string;
  actor: AccessActor;
}

export interface ApiKeyCreatedData {
  keyId: string;
  name: string;
  types: IntakeType[];
  sources: string[];
  /** SHA-256 of the key's secret part. */
  secretHash: string;
  actor: AccessActor;
}

export interface ApiKeyRevokedData {
  keyId: string;
  actor: AccessActor;
}

/** A session signed out before it expired: refused on every node until `expiresAt`. */
export interface SessionEndedData {
  sessionId: string;
  principalId: string;
  expiresAt: string;
}

export interface AccessEventDataMap {
  'access.user.created': UserCreatedData;
  'access.user.updated': UserUpdatedData;
  'access.kiosk.created': KioskCreatedData;
  'access.kiosk.revoked': KioskRevokedData;
  'access.apikey.created': ApiKeyCreatedData;
  'access.apikey.revoked': ApiKeyRevokedData;
  'access.session.ended': SessionEndedData;
}

export type AccessEventType = keyof AccessEventDataMap;

export function isAccessType(type: string): type is AccessEventType {
  return type.startsWith('access.');
}
