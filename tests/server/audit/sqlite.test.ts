/**
 * The SQLite audit log: the shared contract, then what only the embedded engine has: its own file in the data dir,
 * WAL, opening without creating, and the verify command's exit codes when there is nothing to verify.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditNotFoundError, openAuditLog } from '../../../server/audit/audit-log.js';
import { runVerifyCommand } from '../../../server/audit/verify-command.js';
import { draft, runAuditContract, testClock } from './contract.js';

/** A node's data dir laid out as the server does: DATA_DIR/DISTRICT. */
const dataDir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-audit-')), 'longgang');

runAuditContract('sqlite', {
  open: async (clock, location = dataDir()) => ({ log: await openAuditLog({ dataDir: location }, clock), location }),
  tamper: async (location, sql) => {
    const db = new Database(path.join(location, 'audit.db'));
    try {
      db.exec(sql({ audit: 'audit', meta: 'audit_meta' }));
    } finally {
      db.close();
    }
  },
  cliArgs: (location) => ['--data-dir', path.dirname(location), '--district', path.basename(location)],
});

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } };
}

describe('SQLite audit log', () => {
  it('keeps its own audit.db in the data dir, in WAL mode', async () => {
    const dir = dataDir();
    const log = await openAuditLog({ dataDir: dir });
    await log.record(draft());
    await log.close();
    expect(fs.existsSync(path.join(dir, 'events.db'))).toBe(false);
    const db = new Database(path.join(dir, 'audit.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('lets the event loop run while it verifies a long chain (SQLite answers synchronously)', async () => {
    const log = await openAuditLog({ dataDir: dataDir() });
    for (let i = 0; i < 3; i++) await log.recordMany(Array.from({ length: 1000 }, () => draft()));
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    try {
      expect(await log.verify()).toMatchObject({ ok: true, entries: 3000 });
    } finally {
      clearInterval(timer);
      await log.close();
    }
    expect(turns).toBeGreaterThan(0);
  });

  it('does not create a log when asked not to', async () => {
    const dir = dataDir();
    await expect(openAuditLog({ dataDir: dir, create: false })).rejects.toBeInstanceOf(AuditNotFoundError);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('verify command: exit 2 for a usage error or where there is no log, 0 with the server\'s environment variables', async () => {
    const bad = capture();
    expect(await runVerifyCommand(['check'], {}, bad.io)).toBe(2);
    expect(bad.lines.err.join('\n')).toMatch(/unknown command "check"[\s\S]*usage/);
    expect(await runVerifyCommand(['verify', '--no-such-flag'], {}, capture().io)).toBe(2);

    const dir = dataDir();
    const missing = capture();
    expect(await runVerifyCommand(['verify', '--data-dir', path.dirname(dir), '--district', 'longgang'], {}, missing.io)).toBe(2);
    expect(missing.lines.err[0]).toMatch(/no audit log at .*audit\.db/);

    const log = await openAuditLog({ dataDir: dir }, testClock().now);
    await log.record(draft());
    await log.close();
    const ok = capture();
    expect(await runVerifyCommand(['verify'], { DATA_DIR: path.dirname(dir), DISTRICT: 'longgang' }, ok.io)).toBe(0);
    expect(ok.lines.out[0]).toMatch(/intact: 1 entries/);
    // Only where the log is matters: the server's other settings, valid or not, are not the verifier's business.
    expect(await runVerifyCommand(['verify'], { DATA_DIR: path.dirname(dir), DISTRICT: 'longgang', PORT: 'not a port' }, capture().io)).toBe(0);
    const stray = capture();
    expect(await runVerifyCommand(['verify', '--data-dir', path.dirname(dir), '--port', '3000'], {}, stray.io)).toBe(2);
    expect(stray.lines.err[0]).toMatch(/not an option of audit verify: --port/);
    expect(await runVerifyCommand(['verify', '--database-url'], {}, capture().io)).toBe(2);
    expect(await runVerifyCommand(['verify', '--district', '../etc'], {}, capture().io)).toBe(2);
    // A database that cannot be reached is "could not check" (2), never "tampered" (1).
    const away = capture();
    expect(await runVerifyCommand(['verify', '--database-url', 'postgres://postgres:secret@127.0.0.1:1/test', '--schema', 'x'], {}, away.io)).toBe(2);
    expect(away.lines.err.join('\n')).not.toMatch(/secret/);
  });
});
