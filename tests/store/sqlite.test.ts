import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreMismatchError } from '../../server/store/event-store.js';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { runEventStoreContract } from './contract.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-store-'));

runEventStoreContract('sqlite', {
  open: async (location = tempDir()) => ({ store: new SqliteEventStore({ dataDir: location, district: 'longgang' }), location }),
});

describe('SqliteEventStore', () => {
  it('refuses a data directory that holds another district', async () => {
    const dir = tempDir();
    await new SqliteEventStore({ dataDir: dir, district: 'longgang' }).close();
    expect(() => new SqliteEventStore({ dataDir: dir, district: 'baoan' })).toThrow(StoreMismatchError);
  });

  it('runs in WAL mode with synchronous=FULL', async () => {
    const dir = tempDir();
    const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(dir, 'events.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
