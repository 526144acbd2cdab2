/**
 * Administration (admin role only, by the access table): users, kiosk credentials, integration keys, the audit log.
 * Every change is an access event in the log (so every node applies it) and an audit entry. Secrets (kiosk codes,
 * keys) are shown once in the answer that creates them; only their hashes are kept.
 */
import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { apiKeyCreateSchema, kioskCreateSchema, userCreateSchema, userUpdateSchema, type SecretOnce, type UserView } from '../../shared/auth.js';
import { auditActions } from '../../shared/audit.js';
import type { AccessActor } from '../../shared/access-events.js';
import { zodFieldErrors } from '../../shared/intake.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Auditor } from '../auth/auditor.js';
import { sha256, type Authenticator, type SessionPrincipal } from '../auth/authenticator.js';
import type { DirectoryWriter } from '../auth/directory-writer.js';
import { sessionOf } from '../auth/guard.js';
import type { LoginLockout } from '../auth/lockout.js';
import { hashPassword } from '../auth/passwords.js';
import { lockNameOf } from './auth.js';
import { keyView, kioskView, userView, type Directory, type UserRecord } from '../domain/directory.js';
import type { DistrictData } from '../district-data.js';
import { HttpError, invalid } from './errors.js';
import { maskText } from '../../shared/masking.js';

/** Typed text an audit entry may hold (an unmask's stated reason, an import's file name): the admin is not entitled to a case's personal data. */
const AUDIT_FREE_TEXT = ['reason', 'filename'];

export interface AdminDeps {
  directory: Directory;
  writer: DirectoryWriter;
  authenticator: Authenticator;
  auditor: Auditor;
  audit: AuditLog;
  district: DistrictData;
  lockout: LoginLockout;
}

const auditQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actorId: z.string().max(64).optional(),
  action: z.enum(auditActions).optional(),
  target: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

function body<T>(req: Request, schema: z.ZodType<T>): T {
  if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
  return parsed.data;
}

const actorOf = (p: SessionPrincipal): AccessActor => ({ id: p.id, name: p.name });
const newId = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

export function adminRouter(deps: AdminDeps): Router {
  const { directory, writer, auditor } = deps;
  const router = Router();
  const knownDept = (id: string) => deps.district.departments.some((d) => d.id === id);
  const userOr404 = (id: string): UserRecord => {
    const user = directory.user(id);
    if (!user) throw new HttpError(404, 'not_found', `no user ${id}`);
    return user;
  };

  router.get('/api/admin/users', (_req, res) => {
    res.json({ items: directory.users().map(userView) });
  });

  router.post('/api/admin/users', async (req, res) => {
    const admin = sessionOf(res);
    const input = body(req, userCreateSchema);
    if (input.deptId && !knownDept(input.deptId)) throw invalid([{ path: 'deptId', message: `no department ${input.deptId}` }]);
    if (directory.userByName(input.username)) throw new HttpError(409, 'username_taken', `the user name ${input.username} is taken`, undefined, { params: { username: input.username } });
    const userId = newId('u');
    const { event, duplicate } = await writer.append(
      'access.user.created',
      { userId, username: input.username, name: input.name, role: input.role, passwordHash: await hashPassword(input.password), actor: actorOf(admin), ...(input.deptId && { deptId: input.deptId }) },
      `user:${input.username}`,
    );
    // Another node created the same name a moment ago: one name, one user.
    if (duplicate) throw new HttpError(409, 'username_taken', `the user name ${input.username} is taken`, undefined, { params: { username: input.username } });
    await auditor.record(req, admin, { action: 'user.created', outcome: 'ok', target: userId, details: { username: input.username, role: input.role, ...(input.deptId && { deptId: input.deptId }) } });
    res.status(201).json(userView(userOr404((event.data as { userId: string }).userId)));
  });

  router.patch('/api/admin/users/:id', async (req, res) => {
    const admin = sessionOf(res);
    const input = body(req, userUpdateSchema);
    const user = userOr404(req.params.id!);
    const current = (): { current: UserView } => ({ current: userView(userOr404(user.id)) });
    if (input.expectedVersion !== user.version) throw new HttpError(409, 'version_conflict', `the user changed since version ${input.expectedVersion}`, undefined, current());
    const role = input.role ?? user.role;
    const deptId = input.deptId === null ? undefined : (input.deptId ?? user.deptId);
    if ((role === 'dept') !== (deptId !== undefined)) throw invalid([{ path: 'deptId', message: 'a department user needs a department; no other role has one' }]);
    if (deptId && !knownDept(deptId)) throw invalid([{ path: 'deptId', message: `no department ${deptId}` }]);
    const losesAdmin = user.role === 'admin' && !user.disabled && (role !== 'admin' || input.disabled === true);
    if (losesAdmin && directory.users().filter((u) => u.role === 'admin' && !u.disabled).length === 1) {
      throw new HttpError(409, 'last_admin', 'keep at least one active admin');
    }
    const { expectedVersion, password, ...changes } = input;
    const { duplicate } = await writer.append(
      'access.user.updated',
      { userId: user.id, ...changes, ...(password && { passwordHash: await hashPassword(password) }), actor: actorOf(admin) },
      `user-edit:${user.id}:${expectedVersion}`,
    );
    if (duplicate) throw new HttpError(409, 'version_conflict', `the user changed since version ${expectedVersion}`, undefined, current());
    const changed = Object.keys(changes).concat(password ? ['password'] : []);
    await auditor.record(req, admin, { action: input.disabled ? 'user.disabled' : 'user.updated', outcome: 'ok', target: user.id, details: { changed } });
    res.json(userView(userOr404(user.id)));
  });

  router.get('/api/admin/kiosks', (_req, res) => {
    res.json({ items: directory.kiosks().map(kioskView) });
  });

  router.post('/api/admin/kiosks', async (req, res) => {
    const admin = sessionOf(res);
    const input = body(req, kioskCreateSchema);
    const kioskId = newId('k');
    const code = randomBytes(24).toString('base64url');
    await writer.append('access.kiosk.created', { kioskId, name: input.name, codeHash: sha256(code), actor: actorOf(admin) });
    await auditor.record(req, admin, { action: 'kiosk.created', outcome: 'ok', target: kioskId, details: { name: input.name } });
    const answer: SecretOnce<ReturnType<typeof kioskView>> = { item: kioskView(directory.kiosk(kioskId)!), secret: code };
    res.status(201).json(answer);
  });

  // Lifts every sign-in lock and slow-down on the user's name, on every node (server/auth/lockout.ts): the way back
  // in for someone a stranger's guesses locked out of an address, without waiting for the window to pass.
  router.post('/api/admin/users/:id/unlock', async (req, res) => {
    const admin = sessionOf(res);
    const user = userOr404(req.params.id!);
    await deps.lockout.unlock(lockNameOf(user.username));
    await auditor.record(req, admin, { action: 'login.unlocked', outcome: 'ok', target: user.id, details: { username: user.username } });
    res.json(userView(user));
  });

  router.post('/api/admin/kiosks/:id/revoke', async (req, res) => {
    const admin = sessionOf(res);
    const kiosk = directory.kiosk(req.params.id!);
    if (!kiosk) throw new HttpError(404, 'not_found', `no kiosk ${req.params.id}`);
    if (!kiosk.revokedAt) {
      await writer.append('access.kiosk.revoked', { kioskId: kiosk.id, actor: actorOf(admin) }, `kiosk-revoke:${kiosk.id}`);
      await auditor.record(req, admin, { action: 'kiosk.revoked', outcome: 'ok', target: kiosk.id });
    }
    res.json(kioskView(directory.kiosk(kiosk.id)!));
  });

  router.get('/api/admin/keys', (_req, res) => {
    res.json({ items: directory.keys().map((k) => keyView(k, deps.authenticator.keyLastUsed.get(k.id))) });
  });

  router.post('/api/admin/keys', async (req, res) => {
    const admin = sessionOf(res);
    const input = body(req, apiKeyCreateSchema);
    const keyId = randomBytes(5).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await writer.append('access.apikey.created', { keyId, name: input.name, types: input.types, sources: input.sources, secretHash: sha256(secret), actor: actorOf(admin) });
    await auditor.record(req, admin, { action: 'apikey.created', outcome: 'ok', target: keyId, details: { name: input.name, types: input.types, sources: input.sources } });
    res.status(201).json({ item: keyView(directory.key(keyId)!), secret: `sygl_${keyId}_${secret}` });
  });

  router.post('/api/admin/keys/:id/revoke', async (req, res) => {
    const admin = sessionOf(res);
    const key = directory.key(req.params.id!);
    if (!key) throw new HttpError(404, 'not_found', `no key ${req.params.id}`);
    if (!key.revokedAt) {
      await writer.append('access.apikey.revoked', { keyId: key.id, actor: actorOf(admin) }, `key-revoke:${key.id}`);
      await auditor.record(req, admin, { action: 'apikey.revoked', outcome: 'ok', target: key.id });
    }
    res.json(keyView(directory.key(key.id)!, deps.authenticator.keyLastUsed.get(key.id)));
  });

  router.get('/api/admin/audit', async (req, res) => {
    const parsed = auditQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(zodFieldErrors(parsed.error));
    const items = await deps.audit.list(parsed.data);
    res.json({
      items: items.map((item) => {
        const details = item.details as Record<string, unknown> | undefined;
        if (!details || !AUDIT_FREE_TEXT.some((k) => typeof details[k] === 'string')) return item;
        return { ...item, details: Object.fromEntries(Object.entries(details).map(([k, v]) => [k, AUDIT_FREE_TEXT.includes(k) && typeof v === 'string' ? maskText(v) : v])) };
      }),
    });
  });

  router.get('/api/admin/audit/verify', async (_req, res) => {
    res.json(await deps.audit.verify());
  });

  return router;
}
