/**
 * Backup under live ingest, restore into an empty data dir, start on it: the restored node serves the log exactly as
 * it was at the backup (same events, same seq) with the audit chain intact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backup, restore } from '../../server/ops/backup.js';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { caseReported } from '../helpers/factories.js';
import { post } from '../helpers/server.js';
import { killChildren, startChild } from '../helpers/spawn-server.js';

afterEach(killChildren);

async function eventsOf(dir: string) {
  const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
  try {
    return await store.readAfter(0, 1_000_000);
  } finally {
    await store.close();
  }
}

describe('backup and restore', () => {
  it('backs up a running server mid-ingest; the restore verifies and serves the same log', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bk-'));
    const first = startChild(dataDir);
    const server = { url: await first.url };
    let stop = false;
    let acked = 0;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) if ((await post(server, { events: Array.from({ length: 10 }, () => caseReported()) })).status === 201) acked++;
    });
    while (acked < 10) await new Promise((r) => setTimeout(r, 5));
    const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bk-to-')), 'backup');
    const manifest = await backup({ dataDir, district: 'longgang', to });
    const ackedAtBackup = acked;
    while (acked < ackedAtBackup + 5) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await Promise.all(writers);
    first.child.kill('SIGTERM');
    await first.exited;

    expect(manifest.seq).toBeGreaterThan(0);
    expect(manifest.files).toEqual(expect.arrayContaining(['events.db', 'audit.db', 'reports.db', 'identity.key']));
    expect(manifest.auditEntries).toBeGreaterThan(0);
    const original = await eventsOf(path.join(dataDir, 'longgang'));
    expect(original.length).toBeGreaterThan(manifest.seq); // ingest went on after the backup

    const restoredRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-rs-'));
    expect((await restore({ from: to, dataDir: restoredRoot, district: 'longgang' })).seq).toBe(manifest.seq);
    const restored = await eventsOf(path.join(restoredRoot, 'longgang'));
    expect(restored).toEqual(original.slice(0, manifest.seq));
    await expect(restore({ from: to, dataDir: restoredRoot, district: 'longgang' })).rejects.toThrow(/is not empty: restore into an empty data dir/);
    await expect(backup({ dataDir, district: 'longgang', to })).rejects.toThrow(/is not empty/);

    const second = startChild(restoredRoot);
    const url = await second.url;
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { status: string; seq: number };
    expect(ready.status).toBe('ready');
    expect(ready.seq).toBeGreaterThanOrEqual(manifest.seq);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('refuses a restore that does not match its manifest', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bk2-'));
    const store = new SqliteEventStore({ dataDir: path.join(dataDir, 'longgang'), district: 'longgang' });
    await store.close();
    const to = path.join(dataDir, 'backup');
    await backup({ dataDir, district: 'longgang', to });
    const manifestFile = path.join(to, 'backup-manifest.json');
    fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), seq: 5 }));
    await expect(restore({ from: to, dataDir: path.join(dataDir, 'restored'), district: 'longgang' })).rejects.toThrow('restored event log ends at seq 0, the backup recorded 5');
    await expect(restore({ from: to, dataDir: path.join(dataDir, 'other'), district: 'baoan' })).rejects.toThrow('the backup is of district "longgang", not "baoan"');
  }, 60_000);
});
