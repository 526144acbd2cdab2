/**
 * Versioned storage on PostgreSQL: the event log's schema keeps its version in its `meta` table; a schema from before
 * versioning (no row) upgrades at start and keeps its log, steps run from the stored version in order and a failing
 * one rolls back whole, and a schema written by a later release is refused, by the store and by `npm start` (exit 2,
 * one `cannot start` line).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PgEventStore } from '../../server/store/pg-store.js';
import { migratePg, SchemaVersionError } from '../../server/store/schema-version.js';
import { TEST_SESSION_SECRET } from '../helpers/auth.js';
import { reported } from '../helpers/event-drafts.js';
import { dropSchemas, freshSchemaName, requirePostgres, sql, testDatabaseUrl } from '../helpers/pg-env.js';

const skip = await requirePostgres('PostgreSQL schema version tests');
const schemas: string[] = [];
afterAll(async () => {
  if (!skip) await dropSchemas(schemas);
});
const fresh = () => {
  const schema = freshSchemaName();
  schemas.push(schema);
  return schema;
};
const versionOf = async (schema: string) => (await sql<{ value: string }>(`SELECT value FROM "${schema}".meta WHERE key = 'schema_version'`))[0]?.value;

describe.skipIf(skip)('PostgreSQL schema versions', () => {
  it('runs only the steps after the stored version, in order, in the caller\'s transaction; a failing step rolls back whole', async () => {
    const schema = fresh();
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".meta (key text PRIMARY KEY, value text NOT NULL); CREATE TABLE "${schema}".t (a int)`);
      await client.query(`INSERT INTO "${schema}".meta VALUES ('schema_version', '1')`);
      const steps = [`CREATE TABLE "${schema}".never_run (x int)`, `ALTER TABLE "${schema}".t ADD COLUMN b text`, `INSERT INTO "${schema}".t VALUES (1, 'two')`];
      await client.query('BEGIN');
      expect(await migratePg(client, 'test', `"${schema}".meta`, steps)).toEqual({ from: 1, to: 3 });
      await client.query('COMMIT');
      expect((await client.query(`SELECT a, b FROM "${schema}".t`)).rows).toEqual([{ a: 1, b: 'two' }]);
      expect((await client.query('SELECT to_regclass($1) AS r', [`"${schema}".never_run`])).rows[0].r).toBeNull();
      expect(await versionOf(schema)).toBe('3');

      await client.query('BEGIN');
      await expect(migratePg(client, 'test', `"${schema}".meta`, [...steps, `CREATE TABLE "${schema}".u (a int)`, 'NOT SQL'])).rejects.toThrow();
      await client.query('ROLLBACK');
      expect(await versionOf(schema)).toBe('3');
      expect((await client.query('SELECT to_regclass($1) AS r', [`"${schema}".u`])).rows[0].r).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('upgrades a schema made before versioning, keeps its log, and refuses one from a later release', async () => {
    const schema = fresh();
    const first = new PgEventStore({ url: testDatabaseUrl, schema, district: 'longgang' });
    await first.append([reported('case-a'), reported('case-b')]);
    await first.close();
    expect(await versionOf(schema)).toBe('1');
    // As the release before versioning left it: the same tables, no version row.
    await sql(`DELETE FROM "${schema}".meta WHERE key = 'schema_version'`);
    const upgraded = await PgEventStore.open({ url: testDatabaseUrl, schema, district: 'longgang' });
    expect(await upgraded.lastSeq()).toBe(2);
    await upgraded.close();
    expect(await versionOf(schema)).toBe('1');

    await sql(`UPDATE "${schema}".meta SET value = '9' WHERE key = 'schema_version'`);
    const refused = new PgEventStore({ url: testDatabaseUrl, schema, district: 'longgang' });
    const message = `the PostgreSQL event log (schema "${schema}") has schema version 9, newer than this release knows (1): it was written by a later release; run that release, or restore a backup made by this one`;
    await expect(refused.open()).rejects.toThrow(SchemaVersionError);
    await expect(refused.lastSeq()).rejects.toThrow(message); // final: not retried as if PostgreSQL were away
    await refused.close();
    expect((await sql<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events`))[0]!.n).toBe('2');

    // `npm start` on it: exit 2, one line, no stack trace.
    const root = path.resolve(import.meta.dirname, '../..');
    const started = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'server/index.ts'), '--port', '0'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-pgv-')), DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'warn', RISK_IDENTITY_KEY: 'schema-version-test-key' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(started).toMatchObject({ code: 2 });
    expect((started as { stderr: string }).stderr.split('\n').filter((l) => l.startsWith('cannot start'))).toEqual([`cannot start: ${message}`]);
    expect((started as { stderr: string }).stderr).not.toMatch(/\bat .+\.(js|ts):\d+/);
  }, 120_000);
});
