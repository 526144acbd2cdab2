/**
 * The demo's people and credentials (`npm run demo`): an admin (unless one exists), a leader, three duty officers,
 * one user per department, a kiosk code for the wall and an integration key for the feed, all with secrets made
 * once and kept in `demo-credentials.json` (mode 0600) in the data dir, so a restart prints the same sign-in. They
 * are created through the same access events as an admin's, and the feed and the simulated desks use them like
 * any integration and any officer.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { intakeTypes, type UserRole } from '../../shared/auth.js';
import type { AccessActor } from '../../shared/access-events.js';
import type { DepartmentInfo } from '../../shared/geo.js';
import { eventSources } from '../../shared/vocabulary.js';
import { sha256 } from '../auth/authenticator.js';
import type { DirectoryWriter } from '../auth/directory-writer.js';
import { hashPassword } from '../auth/passwords.js';
import type { Directory } from '../domain/directory.js';
import type { SimActor } from './dispatch-http.js';
import { DUTY_OFFICERS } from './dispatch-texts.js';

export interface DemoCredentials {
  /** One password for every demo user: it is a demo. */
  password: string;
  kioskCode: string;
  apiKey: string;
  admin?: string;
}

const FILE = 'demo-credentials.json';
const SYSTEM: AccessActor = { id: 'demo', name: '演示初始化' };

export function simUsername(actor: SimActor): string {
  if (actor.role === 'dept') return `dept-${actor.deptId}`;
  return `duty${Math.max(0, DUTY_OFFICERS.indexOf(actor.name)) + 1}`;
}

function demoUsers(departments: readonly DepartmentInfo[]): Array<{ username: string; name: string; role: UserRole; deptId?: string }> {
  return [
    { username: 'leader', name: '张主任', role: 'leader' },
    ...DUTY_OFFICERS.map((name, i) => ({ username: `duty${i + 1}`, name, role: 'duty' as const })),
    ...departments.map((d) => ({ username: `dept-${d.id}`, name: `${d.short.zh}值守`.slice(0, 40), role: 'dept' as const, deptId: d.id })),
  ];
}

export async function ensureDemoAccess(deps: { directory: Directory; writer: DirectoryWriter; dataDir: string; departments: readonly DepartmentInfo[] }): Promise<DemoCredentials> {
  const { directory, writer } = deps;
  const file = path.join(deps.dataDir, FILE);
  const saved = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials) : undefined;
  const password = saved?.password ?? randomBytes(9).toString('base64url');
  const hash = await hashPassword(password);

  const users = demoUsers(deps.departments);
  if (!directory.hasAdmin()) users.unshift({ username: 'admin', name: '系统管理员', role: 'admin' });
  for (const user of users) {
    const existing = directory.userByName(user.username);
    if (!existing) {
      const { deptId, ...rest } = user;
      await writer.append('access.user.created', { userId: `u-demo-${user.username}`, ...rest, ...(deptId && { deptId }), passwordHash: hash, actor: SYSTEM }, `user:${user.username}`);
    } else if (!saved) {
      // The credentials file was lost: give the demo users the new password.
      await writer.append('access.user.updated', { userId: existing.id, passwordHash: hash, actor: SYSTEM });
    }
  }

  let kioskCode = saved?.kioskCode;
  if (!kioskCode || !directory.kioskByCodeHash(sha256(kioskCode))) {
    kioskCode = randomBytes(24).toString('base64url');
    await writer.append('access.kiosk.created', { kioskId: `k-demo-${randomBytes(3).toString('hex')}`, name: '演示大屏', codeHash: sha256(kioskCode), actor: SYSTEM });
  }
  let apiKey = saved?.apiKey;
  const keyId = apiKey?.split('_')[1];
  if (!apiKey || !keyId || directory.key(keyId)?.revokedAt || !directory.key(keyId)) {
    const id = randomBytes(5).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    apiKey = `sygl_${id}_${secret}`;
    await writer.append('access.apikey.created', { keyId: id, name: '演示数据源', types: [...intakeTypes], sources: [...eventSources], secretHash: sha256(secret), actor: SYSTEM });
  }
  const credentials: DemoCredentials = { password, kioskCode, apiKey, ...(directory.userByName('admin')?.id === 'u-demo-admin' && { admin: 'admin' }) };
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
