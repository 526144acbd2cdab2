/**
 * `npm run backup -- <dir>` and `npm run restore -- <dir>`: DATA_DIR, DISTRICT, DATABASE_URL and DATABASE_SCHEMA
 * come from the environment or flags as for the server (server/config.ts). Exit 0 done, 1 failed, 2 usage.
 */
import { ConfigError, resolveConfig } from '../config.js';
import { backup, BackupError, restore } from './backup.js';

const [command, target, ...rest] = process.argv.slice(2);
if ((command !== 'backup' && command !== 'restore') || !target || target.startsWith('--')) {
  console.error('usage: npm run backup -- <backup dir> [--data-dir DIR]   |   npm run restore -- <backup dir> [--data-dir DIR]');
  process.exit(2);
}
try {
  const config = resolveConfig({ env: process.env, argv: rest });
  if (command === 'backup') {
    const m = await backup({ dataDir: config.DATA_DIR, district: config.DISTRICT, to: target, ...(config.DATABASE_URL && { databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA }) });
    console.log(`backed up ${m.files.join(', ')}${m.postgres ? ` and ${m.postgres.dump}` : ''} to ${target}: event log at seq ${m.seq}, ${m.auditEntries} audit entries`);
  } else {
    const m = await restore({ from: target, dataDir: config.DATA_DIR, district: config.DISTRICT, ...(config.DATABASE_URL && { databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA }) });
    console.log(`restored ${[...m.files, ...(m.postgres ? [`${m.postgres.dump} into PostgreSQL schema "${m.postgres.schema}"`] : [])].join(', ')} into ${config.DATA_DIR}/${config.DISTRICT} and verified: event log at seq ${m.seq}, audit chain intact (${m.auditEntries} entries)`);
  }
} catch (error) {
  if (error instanceof BackupError || error instanceof ConfigError) {
    console.error(`${command} failed: ${error.message}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  throw error;
}
