/**
 * Online backup and restore of a node's data dir (docs/operations.md). The SQLite databases (event log, audit log,
 * report archive) are copied with SQLite's online backup API while the server runs and writes; the keys (session,
 * identity) and the demo's credentials are copied as files. A manifest records the log's last seq and the audit
 * log's head. Restore copies into an empty data dir, then verifies: the event log ends at the manifest's seq and
 * the audit chain is intact. The projection snapshot is not copied: the restored node rebuilds it from the log.
 * With DATABASE_URL the log lives in PostgreSQL: `pg_dump` of its schema is added when pg_dump is installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openAuditLog } from '../audit/audit-log.js';

const DATABASES = ['events.db', 'audit.db', 'reports.db'];
const FILES = ['session.key', 'identity.key', 'demo-credentials.json'];
const MANIFEST = 'backup-manifest.json';

export interface Manifest {
  createdAt: string;
  district: string;
  files: string[];
  /** The event log's last seq in the copy (SQLite). */
  seq: number;
  /** Entries of the audit log in the copy. */
  auditEntries: number;
  postgres?: { schema: string; dump: string };
}

export class BackupError extends Error {
  override name = 'BackupError';
}

export async function backup(options: { dataDir: string; district: string; to: string; databaseUrl?: string; schema?: string }): Promise<Manifest> {
  const from = path.join(options.dataDir, options.district);
  if (!fs.existsSync(from)) throw new BackupError(`no data dir at ${from}`);
  if (fs.existsSync(options.to) && fs.readdirSync(options.to).length > 0) throw new BackupError(`${options.to} is not empty: back up into a new folder`);
  fs.mkdirSync(options.to, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (const name of DATABASES) {
    const file = path.join(from, name);
    if (!fs.existsSync(file)) continue;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      // SQLite's online backup: a consistent copy while the server goes on committing.
      await db.backup(path.join(options.to, name));
    } finally {
      db.close();
    }
    files.push(name);
  }
  for (const name of FILES) {
    const file = path.join(from, name);
    if (!fs.existsSync(file)) continue;
    fs.copyFileSync(file, path.join(options.to, name));
    fs.chmodSync(path.join(options.to, name), 0o600);
    files.push(name);
  }
  const manifest: Manifest = { createdAt: new Date().toISOString(), district: options.district, files, seq: lastSeq(options.to), auditEntries: await auditEntries(options.to) };
  if (options.databaseUrl) {
    const schema = options.schema ?? 'public';
    const dump = 'postgres.dump';
    try {
      execFileSync('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${path.join(options.to, dump)}`, options.databaseUrl], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new BackupError(`pg_dump failed (is postgresql-client installed?): ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`);
    }
    manifest.postgres = { schema, dump };
  }
  fs.writeFileSync(path.join(options.to, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function restore(options: { from: string; dataDir: string; district: string }): Promise<Manifest> {
  const manifestFile = path.join(options.from, MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${options.from} holds no ${MANIFEST}: not a backup`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  if (manifest.district !== options.district) throw new BackupError(`the backup is of district "${manifest.district}", not "${options.district}"`);
  const to = path.join(options.dataDir, options.district);
  if (fs.existsSync(to) && fs.readdirSync(to).length > 0) throw new BackupError(`${to} is not empty: restore into an empty data dir`);
  fs.mkdirSync(to, { recursive: true, mode: 0o750 });
  for (const name of manifest.files) {
    fs.copyFileSync(path.join(options.from, name), path.join(to, name));
    if (FILES.includes(name)) fs.chmodSync(path.join(to, name), 0o600);
  }
  const seq = lastSeq(to);
  if (seq !== manifest.seq) throw new BackupError(`restored event log ends at seq ${seq}, the backup recorded ${manifest.seq}`);
  const audit = await openAuditLog({ dataDir: to });
  try {
    const verified = await audit.verify();
    if (!verified.ok) throw new BackupError(`restored audit log fails verification at entry ${verified.seq}: ${verified.reason}`);
    if (verified.entries !== manifest.auditEntries) throw new BackupError(`restored audit log holds ${verified.entries} entries, the backup recorded ${manifest.auditEntries}`);
  } finally {
    await audit.close();
  }
  return manifest;
}

function lastSeq(dir: string): number {
  const file = path.join(dir, 'events.db');
  if (!fs.existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  } finally {
    db.close();
  }
}

async function auditEntries(dir: string): Promise<number> {
  if (!fs.existsSync(path.join(dir, 'audit.db'))) return 0;
  const audit = await openAuditLog({ dataDir: dir });
  try {
    const verified = await audit.verify();
    if (!verified.ok) throw new BackupError(`the audit log fails verification at entry ${verified.seq}: ${verified.reason}`);
    return verified.entries;
  } finally {
    await audit.close();
  }
}
