/**
 * Backup and restore on PostgreSQL through the CLI an operator runs (`npm run backup -- <dir>`, `npm run restore --
 * <dir>`, server/ops/backup-cli.ts): a backup under live ingest, restored into an empty database, verified (same
 * seq, audit chain intact), then a node started on it serves exactly the log as it was at the backup and goes on.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SESSION_SECRET } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { dropSchemas, freshSchemaName, requirePostgres, sql, testDatabaseUrl } from '../helpers/pg-env.js';
import { killNodes, readySeq, startNode } from '../helpers/pg-nodes.js';
import { post } from '../helpers/server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const skip = await requirePostgres('PostgreSQL backup tests');
const schemas: string[] = [];
const databases: string[] = [];

afterAll(async () => {
  killNodes();
  if (skip) return;
  await dropSchemas(schemas);
  for (const db of databases) await sql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
});

/** The CLI as `npm run backup/restore` runs it, with the settings in its environment. */
function cli(command: 'backup' | 'restore', dir: string, env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', path.join(root, 'server/ops/backup-cli.ts'), command, dir], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), SESSION_SECRET: TEST_SESSION_SECRET, ...env },
  });
}

/** Every column of every row, as text, in seq order. */
async function rowsOf(url: string, schema: string, table: 'events' | 'audit') {
  const client = new (await import('pg')).default.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT t::text AS row FROM "${schema}".${table} t ORDER BY seq`)).rows.map((r: { row: string }) => r.row);
  } finally {
    await client.end();
  }
}

describe.skipIf(skip)('backup and restore on PostgreSQL', () => {
  it('backs up under live ingest; restores into an empty database, verified; a node there serves the same log', async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const node = await startNode({ DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
    let stop = false;
    let acked = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) if ((await post(node, { events: Array.from({ length: 10 }, () => caseReported()) })).status === 201) acked++;
    });
    while (acked < 10) await new Promise((r) => setTimeout(r, 5));
    const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-pgbk-')), 'backup');
    const backedUp = await cli('backup', to, { DATA_DIR: path.dirname(node.dataDir.replace(/\/$/, '') + '/longgang'), DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
    const ackedAtBackup = acked;
    while (acked < ackedAtBackup + 5) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await Promise.all(writers);
    node.child.kill('SIGKILL');

    const manifest = JSON.parse(fs.readFileSync(path.join(to, 'backup-manifest.json'), 'utf8'));
    expect(backedUp.stdout).toContain(`event log at seq ${manifest.seq}, ${manifest.auditEntries} audit entries`);
    expect(manifest.postgres).toEqual({ schema, dump: 'postgres.dump' });
    expect(manifest.seq).toBeGreaterThan(0);
    expect(manifest.auditEntries).toBeGreaterThan(0);
    // The node runs with RISK_IDENTITY_KEY and SESSION_SECRET set, so its data dir holds no key files to copy.
    expect(manifest.files).toEqual([]);
    const original = await rowsOf(testDatabaseUrl, schema, 'events');
    expect(original.length).toBeGreaterThan(manifest.seq); // ingest went on during and after the backup

    const database = `sygl_restore_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    databases.push(database);
    await sql(`CREATE DATABASE "${database}"`);
    const restoredUrl = Object.assign(new URL(testDatabaseUrl), { pathname: `/${database}` }).href;
    const restoredRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-pgrs-'));
    const env = { DATA_DIR: restoredRoot, DATABASE_URL: restoredUrl, DATABASE_SCHEMA: schema };
    const restored = await cli('restore', to, env);
    expect(restored.stdout).toContain(`verified: event log at seq ${manifest.seq}, audit chain intact (${manifest.auditEntries} entries)`);
    expect(await rowsOf(restoredUrl, schema, 'events')).toEqual(original.slice(0, manifest.seq));
    expect((await rowsOf(restoredUrl, schema, 'audit')).length).toBe(manifest.auditEntries);

    // Not over a log: the schema now holds one.
    const again = await cli('restore', to, { ...env, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-pgrs2-')) }).catch((error: { code: number; stderr: string }) => error);
    expect(again).toMatchObject({ code: 1, stderr: `restore failed: PostgreSQL schema "${schema}" is not empty: restore into an empty schema (a new database, or drop it first)\n` });

    const second = await startNode({ DATABASE_URL: restoredUrl, DATABASE_SCHEMA: schema });
    expect(await readySeq(second.url)).toBe(manifest.seq);
    expect((await post(second, { events: [caseReported()] })).status).toBe(201);
    // It goes on from there (the test's integration key and the case): the restored prefix stays as it was.
    const after = await rowsOf(restoredUrl, schema, 'events');
    expect(await readySeq(second.url)).toBe(after.length);
    expect(after.length).toBeGreaterThan(manifest.seq);
    expect(after.slice(0, manifest.seq)).toEqual(original.slice(0, manifest.seq));
    second.child.kill('SIGKILL');
  }, 240_000);
});
