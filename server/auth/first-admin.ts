/**
 * First run: an admin from ADMIN_USERNAME / ADMIN_PASSWORD when the log holds no active admin. There is no default
 * password: without ADMIN_PASSWORD start-up says how to make one, and nobody can sign in as admin until then.
 */
import type { Config } from '../config.js';
import type { Directory } from '../domain/directory.js';
import type { Logger } from '../log.js';
import type { DirectoryWriter } from './directory-writer.js';
import { hashPassword } from './passwords.js';

export async function ensureFirstAdmin(config: Config, directory: Directory, writer: DirectoryWriter, log: Logger): Promise<void> {
  if (directory.hasAdmin()) return;
  if (!config.ADMIN_PASSWORD) {
    log.warn('no admin yet: start once with ADMIN_PASSWORD (at least 12 characters) to create one; it is used only while no admin exists');
    return;
  }
  const taken = directory.userByName(config.ADMIN_USERNAME);
  if (taken) {
    log.warn({ username: config.ADMIN_USERNAME }, 'no active admin, but ADMIN_USERNAME is taken by another user: choose another ADMIN_USERNAME');
    return;
  }
  await writer.append(
    'access.user.created',
    { userId: `u-admin-${config.ADMIN_USERNAME}`, username: config.ADMIN_USERNAME, name: '系统管理员', role: 'admin', passwordHash: await hashPassword(config.ADMIN_PASSWORD), actor: { id: 'first-run', name: 'ADMIN_PASSWORD' } },
    `user:${config.ADMIN_USERNAME}`,
  );
  log.info({ username: config.ADMIN_USERNAME }, 'created the first admin from ADMIN_PASSWORD; unset it now');
}
