/**
 * Online backup and restore of a node's data dir (docs/operations.md). The SQLite databases (event log, audit log,
 * report archive) are copied with SQLite's online backup API while the server runs and writes; the keys (session,
 * identity) and the demo's credentials are copied as files. A manifest records the log's last seq and the audit
 * log's head. Restore copies into an empty data dir, then verifies: the event log ends at the manifest's seq and
 * the audit chain is intact. The projection snapshot is not copied: the restored node rebuilds it from the log.
 * With DATABASE_URL the log, the audit log and the report archive live in one PostgreSQL schema: the backup holds a
 * `pg_dump` of that schema taken in one snapshot, whose last seq and audit entries the manifest records (read in the
 * same snapshot), and restore loads it with `pg_restore` into an empty schema of the target database, then verifies
 * it the same way. pg_dump and pg_restore come from `postgresql-client`; without them the backup fails, never skips.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import { pgTables, quoteIdent } from '../store/pg-schema.js';

const DATABASES = ['events.db', 'audit.db', 'reports.db'];
const FILES = ['session.key', 'identity.key', 'demo-credentials.json'];
const MANIFEST = 'backup-manifest.json';

export interface Manifest {
  createdAt: string;
  district: string;
  files: string[];
  /** The event log's last seq in the copy (in the dump, with PostgreSQL). */
  seq: number;
  /** Entries of the audit log in the copy. */
  auditEntries: number;
  /** With PostgreSQL: the schema dumped and the dump's file. */
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
  const manifest: Manifest = options.databaseUrl
    ? { createdAt: new Date().toISOString(), district: options.district, files, ...(await pgDump(options.databaseUrl, options.schema ?? 'public', options.to)) }
    : { createdAt: new Date().toISOString(), district: options.district, files, seq: lastSeq(options.to), auditEntries: await auditEntries(options.to) };
  fs.writeFileSync(path.join(options.to, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function restore(options: { from: string; dataDir: string; district: string; databaseUrl?: string; schema?: string }): Promise<Manifest> {
  const manifestFile = path.join(options.from, MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${options.from} holds no ${MANIFEST}: not a backup`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
  if (manifest.district !== options.district) throw new BackupError(`the backup is of district "${manifest.district}", not "${options.district}"`);
  const to = path.join(options.dataDir, options.district);
  if (fs.existsSync(to) && fs.readdirSync(to).length > 0) throw new BackupError(`${to} is not empty: restore into an empty data dir`);
  if (manifest.postgres && !options.databaseUrl) throw new BackupError(`the backup holds a PostgreSQL dump: set DATABASE_URL (and DATABASE_SCHEMA=${manifest.postgres.schema}) to the database to restore it into`);
  if (!manifest.postgres && options.databaseUrl) throw new BackupError('the backup is of a SQLite data dir: unset DATABASE_URL to restore it');
  if (manifest.postgres && options.databaseUrl) {
    const schema = options.schema ?? 'public';
    if (schema !== manifest.postgres.schema) throw new BackupError(`the backup is of PostgreSQL schema "${manifest.postgres.schema}", not "${schema}": set DATABASE_SCHEMA=${manifest.postgres.schema} (restore into an empty database if that schema is in use)`);
    await pgRestore(options.databaseUrl, schema, path.join(options.from, manifest.postgres.dump));
  }
  fs.mkdirSync(to, { recursive: true, mode: 0o750 });
  for (const name of manifest.files) {
    fs.copyFileSync(path.join(options.from, name), path.join(to, name));
    if (FILES.includes(name)) fs.chmodSync(path.join(to, name), 0o600);
  }
  if (manifest.postgres && options.databaseUrl) {
    await verifyPg(options.databaseUrl, manifest.postgres.schema, manifest);
    return manifest;
  }
  const seq = lastSeq(to);
  if (seq !== manifest.seq) throw new BackupError(`restored event log ends at seq ${seq}, the backup recorded ${manifest.seq}`);
  const audit = await openAuditLog({ dataDir: to });
  await verifyRestoredAudit(audit, manifest.auditEntries);
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

/** `use` with one connection of its own. */
async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'sygl-backup' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new BackupError(`cannot reach PostgreSQL: ${(error as Error).message}`);
  }
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function tool(name: string, args: string[]): void {
  try {
    execFileSync(name, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer; message: string };
    if (e.code === 'ENOENT') throw new BackupError(`${name} is not installed: apt-get install postgresql-client (the same major version as the server, or later)`);
    throw new BackupError(`${name} failed: ${String(e.stderr ?? e.message).trim()}`);
  }
}

/**
 * `pg_dump` of the schema in one snapshot exported by a repeatable-read transaction, in which the manifest's seq
 * and audit entries are read too: what the manifest says is exactly what the dump holds, however busy the log is.
 */
async function pgDump(url: string, schema: string, to: string): Promise<{ seq: number; auditEntries: number; postgres: { schema: string; dump: string } }> {
  const dump = 'postgres.dump';
  const t = pgTables(schema);
  return withClient(url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const { rows } = await client.query<{ snapshot: string; seq: string; audit: string | null }>(
        `SELECT pg_export_snapshot() AS snapshot, (SELECT coalesce(max(seq), 0) FROM ${t.events}) AS seq, to_regclass($1) AS audit`,
        [`${quoteIdent(schema)}.audit`],
      );
      const { snapshot, seq, audit } = rows[0]!;
      const entries = audit ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(schema)}.audit`)).rows[0]!.n) : 0;
      tool('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--schema=${schema}`, `--file=${path.join(to, dump)}`, `--dbname=${url}`]);
      return { seq: Number(seq), auditEntries: entries, postgres: { schema, dump } };
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw new BackupError(`cannot read the PostgreSQL log in schema "${schema}": ${(error as Error).message}`);
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  });
}

/** Into an empty schema only: one that holds anything is refused; an empty one is dropped so the dump re-creates it. */
async function pgRestore(url: string, schema: string, file: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ n: string; exists: boolean }>(
      `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1) AS n,
              EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists`,
      [schema],
    );
    if (Number(rows[0]!.n) > 0) throw new BackupError(`PostgreSQL schema "${schema}" is not empty: restore into an empty schema (a new database, or drop it first)`);
    if (rows[0]!.exists) await client.query(`DROP SCHEMA ${quoteIdent(schema)}`);
  });
  // One transaction: a failure leaves the database as it was.
  tool('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', `--dbname=${url}`, file]);
}

async function verifyPg(url: string, schema: string, manifest: Manifest): Promise<void> {
  const t = pgTables(schema);
  const { seq, audited } = await withClient(url, async (client) => {
    const { rows } = await client.query<{ s: string; audit: string | null }>(`SELECT (SELECT coalesce(max(seq), 0) FROM ${t.events}) AS s, to_regclass($1) AS audit`, [`${quoteIdent(schema)}.audit`]);
    return { seq: Number(rows[0]!.s), audited: rows[0]!.audit !== null };
  });
  if (seq !== manifest.seq) throw new BackupError(`restored event log ends at seq ${seq}, the backup recorded ${manifest.seq}`);
  if (!audited) {
    if (manifest.auditEntries > 0) throw new BackupError(`restored schema holds no audit log, the backup recorded ${manifest.auditEntries} entries`);
    return;
  }
  const audit = await openAuditLog({ url, schema, create: false });
  await verifyRestoredAudit(audit, manifest.auditEntries);
}

/** The restored audit chain holds, with as many entries as the backup recorded; closes the log either way. */
async function verifyRestoredAudit(audit: AuditLog, recorded: number): Promise<void> {
  try {
    const verified = await audit.verify();
    if (!verified.ok) throw new BackupError(`restored audit log fails verification at entry ${verified.seq}: ${verified.reason}`);
    if (verified.entries !== recorded) throw new BackupError(`restored audit log holds ${verified.entries} entries, the backup recorded ${recorded}`);
  } finally {
    await audit.close();
  }
}
