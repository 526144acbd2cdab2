/**
 * Versioned storage: a data dir from the release before versioning (user_version 0) upgrades at start and keeps its
 * log; a database written by a later release is refused with a message that says so, not misread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite, SchemaVersionError } from '../../server/store/schema-version.js';
import { caseReported } from '../helpers/factories.js';
import { post, startServer } from '../helpers/server.js';

const version = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const setVersion = (file: string, v: number) => {
  const db = new Database(file);
  db.pragma(`user_version = ${v}`);
  db.close();
};

describe('schema versions', () => {
  it('runs only the steps after the stored version, in order, and records the new version', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a INTEGER)');
    db.pragma('user_version = 1');
    const steps = ['CREATE TABLE never_run (x)', 'ALTER TABLE t ADD COLUMN b TEXT', "INSERT INTO t (a, b) VALUES (1, 'two')"];
    expect(migrateSqlite(db, 'test db', steps)).toEqual({ from: 1, to: 3 });
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 1, b: 'two' }]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'never_run'").get()).toEqual({ n: 0 });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(migrateSqlite(db, 'test db', steps)).toEqual({ from: 3, to: 3 });
    db.close();
  });

  it('rolls a failing step back whole', () => {
    const db = new Database(':memory:');
    expect(() => migrateSqlite(db, 'test db', ['CREATE TABLE t (a)', 'NOT SQL'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('upgrades a data dir made before versioning and refuses one from a later release', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-schema-'));
    const first = await startServer({ DATA_DIR: root });
    expect((await post(first, { events: [caseReported(), caseReported()] })).status).toBe(201);
    const seq = ((await (await fetch(`${first.url}/readyz`)).json()) as { seq: number }).seq;
    await first.close();
    const dir = path.join(root, 'longgang');
    const files = ['events.db', 'audit.db', 'reports.db'].map((f) => path.join(dir, f));
    // As the release before versioning left them.
    for (const file of files) setVersion(file, 0);

    const upgraded = await startServer({ DATA_DIR: root });
    expect(((await (await fetch(`${upgraded.url}/readyz`)).json()) as { seq: number }).seq).toBe(seq);
    await upgraded.close();
    for (const file of files) expect(version(file)).toBe(1);

    for (const file of files) {
      setVersion(file, 7);
      const refused = startServer({ DATA_DIR: root });
      await expect(refused).rejects.toThrow(SchemaVersionError);
      await expect(refused).rejects.toThrow(`${file} has schema version 7, newer than this release knows (1)`);
      setVersion(file, 1);
    }
  }, 120_000);
});
