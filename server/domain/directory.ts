/**
 * Who may use the system, folded from the access events in the log: users, kiosk credentials, integration keys and
 * sessions signed out early. Every node folds the same events in the same order, so a user disabled on one node is
 * refused by all of them as soon as they apply that event. `epoch` grows with every change that must end a user's
 * sessions (disabled, another role or department, a new password): a session names the epoch it was made in.
 */
import type { ApiKeyView, IntakeType, KioskView, UserRole, UserView } from '../../shared/auth.js';
import type { AccessEventType } from '../../shared/access-events.js';
import type { StoredEvent } from '../../shared/events.js';

export interface UserRecord {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  deptId?: string;
  passwordHash: string;
  disabled: boolean;
  /** Changes applied to the user; admin edits name the version they were based on. */
  version: number;
  epoch: number;
  createdAt: string;
  updatedAt: string;
}

export interface KioskRecord {
  id: string;
  name: string;
  codeHash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  types: IntakeType[];
  sources: string[];
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

type AccessEvent = Extract<StoredEvent, { type: AccessEventType }>;

export interface DirectorySnapshot {
  users: UserRecord[];
  kiosks: KioskRecord[];
  keys: ApiKeyRecord[];
  ended: Array<[string, number]>;
}

export class Directory {
  readonly #users = new Map<string, UserRecord>();
  readonly #byUsername = new Map<string, UserRecord>();
  readonly #kiosks = new Map<string, KioskRecord>();
  readonly #kioskByHash = new Map<string, KioskRecord>();
  readonly #keys = new Map<string, ApiKeyRecord>();
  /** Sessions signed out early → when they would have expired anyway (ms); pruned past that. */
  readonly #ended = new Map<string, number>();
  /** Called with the principal whose sessions just ended (disabled, role moved, password changed, revoked). */
  onRevoked: ((principalId: string) => void) | undefined;
  /** Called with a session signed out early. */
  onSessionEnded: ((sessionId: string) => void) | undefined;

  apply(event: AccessEvent): void {
    const at = event.at;
    switch (event.type) {
      case 'access.user.created': {
        const d = event.data;
        const user: UserRecord = { id: d.userId, username: d.username, name: d.name, role: d.role, passwordHash: d.passwordHash, disabled: false, version: 1, epoch: 1, createdAt: at, updatedAt: at };
        if (d.deptId) user.deptId = d.deptId;
        this.#users.set(user.id, user);
        this.#byUsername.set(user.username, user);
        return;
      }
      case 'access.user.updated': {
        const d = event.data;
        const user = this.#users.get(d.userId);
        if (!user) return;
        const ends = (d.disabled === true && !user.disabled) || (d.role !== undefined && d.role !== user.role) || (d.deptId !== undefined && (d.deptId ?? undefined) !== user.deptId) || d.passwordHash !== undefined;
        if (d.name !== undefined) user.name = d.name;
        if (d.role !== undefined) user.role = d.role;
        if (d.deptId === null) delete user.deptId;
        else if (d.deptId !== undefined) user.deptId = d.deptId;
        if (d.passwordHash !== undefined) user.passwordHash = d.passwordHash;
        if (d.disabled !== undefined) user.disabled = d.disabled;
        user.version += 1;
        user.updatedAt = at;
        if (ends) {
          user.epoch += 1;
          this.onRevoked?.(user.id);
        }
        return;
      }
      case 'access.kiosk.created': {
        const d = event.data;
        const kiosk: KioskRecord = { id: d.kioskId, name: d.name, codeHash: d.codeHash, createdAt: at };
        this.#kiosks.set(kiosk.id, kiosk);
        this.#kioskByHash.set(kiosk.codeHash, kiosk);
        return;
      }
      case 'access.kiosk.revoked': {
        const kiosk = this.#kiosks.get(event.data.kioskId);
        if (!kiosk || kiosk.revokedAt) return;
        kiosk.revokedAt = at;
        this.onRevoked?.(kiosk.id);
        return;
      }
      case 'access.apikey.created': {
        const d = event.data;
        this.#keys.set(d.keyId, { id: d.keyId, name: d.name, types: [...d.types], sources: [...d.sources], secretHash: d.secretHash, createdAt: at });
        return;
      }
      case 'access.apikey.revoked': {
        const key = this.#keys.get(event.data.keyId);
        if (key && !key.revokedAt) key.revokedAt = at;
        return;
      }
      case 'access.session.ended': {
        const expires = Date.parse(event.data.expiresAt);
        this.#ended.set(event.data.sessionId, expires);
        this.#prune(Date.parse(at));
        this.onSessionEnded?.(event.data.sessionId);
        return;
      }
    }
  }

  #prune(now: number): void {
    for (const [sid, expires] of this.#ended) if (expires < now) this.#ended.delete(sid);
  }

  user(id: string): UserRecord | undefined {
    return this.#users.get(id);
  }

  userByName(username: string): UserRecord | undefined {
    return this.#byUsername.get(username);
  }

  users(): UserRecord[] {
    return [...this.#users.values()];
  }

  kiosk(id: string): KioskRecord | undefined {
    return this.#kiosks.get(id);
  }

  kioskByCodeHash(hash: string): KioskRecord | undefined {
    const kiosk = this.#kioskByHash.get(hash);
    return kiosk && !kiosk.revokedAt ? kiosk : undefined;
  }

  kiosks(): KioskRecord[] {
    return [...this.#kiosks.values()];
  }

  key(id: string): ApiKeyRecord | undefined {
    return this.#keys.get(id);
  }

  keys(): ApiKeyRecord[] {
    return [...this.#keys.values()];
  }

  sessionEnded(sessionId: string): boolean {
    return this.#ended.has(sessionId);
  }

  hasAdmin(): boolean {
    for (const user of this.#users.values()) if (user.role === 'admin' && !user.disabled) return true;
    return false;
  }

  snapshot(): DirectorySnapshot {
    return { users: this.users(), kiosks: this.kiosks(), keys: this.keys(), ended: [...this.#ended] };
  }

  static restore(snapshot: DirectorySnapshot): Directory {
    const directory = new Directory();
    for (const user of snapshot.users) {
      directory.#users.set(user.id, user);
      directory.#byUsername.set(user.username, user);
    }
    for (const kiosk of snapshot.kiosks) {
      directory.#kiosks.set(kiosk.id, kiosk);
      directory.#kioskByHash.set(kiosk.codeHash, kiosk);
    }
    for (const key of snapshot.keys) directory.#keys.set(key.id, key);
    for (const [sid, expires] of snapshot.ended) directory.#ended.set(sid, expires);
    return directory;
  }
}

export function userView(user: UserRecord): UserView {
  const { id, username, name, role, deptId, disabled, version, createdAt, updatedAt } = user;
  return { id, username, name, role, disabled, version, createdAt, updatedAt, ...(deptId && { deptId }) };
}

export function kioskView(kiosk: KioskRecord): KioskView {
  return { id: kiosk.id, name: kiosk.name, createdAt: kiosk.createdAt, ...(kiosk.revokedAt && { revokedAt: kiosk.revokedAt }) };
}

export function keyView(key: ApiKeyRecord, lastUsedAt?: number): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    types: [...key.types],
    sources: [...key.sources],
    createdAt: key.createdAt,
    ...(key.revokedAt && { revokedAt: key.revokedAt }),
    ...(lastUsedAt !== undefined && { lastUsedAt: new Date(lastUsedAt).toISOString() }),
  };
}
