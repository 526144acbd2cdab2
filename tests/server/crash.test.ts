import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { caseReported } from '../helpers/factories.js';
import { post } from '../helpers/server.js';
import { killChildren, startChild } from '../helpers/spawn-server.js';

// A failing test must not leave a server running.
afterEach(killChildren);

describe('kill -9 during ingest', () => {
  it('loses no acknowledged event', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-crash-'));
    const { child, url } = startChild(dataDir);
    const server = { url: await url };
    const acked = new Set<string>();
    let stop = false;
    // Four writers post continuously; the process is killed mid-stream, with requests in flight.
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const events = Array.from({ length: 20 }, () => caseReported());
        try {
          const res = await post(server, { events });
          if (res.status === 201) for (const e of events) acked.add(e.sourceRef);
        } catch {
          return; // connection reset by the kill: that request was never acknowledged
        }
      }
    });
    const deadline = Date.now() + 20_000;
    while (acked.size < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all([once(child, 'exit'), ...writers]);

    const store = new SqliteEventStore({ dataDir: path.join(dataDir, 'longgang'), district: 'longgang' });
    const stored = await store.readAfter(0, 1_000_000);
    await store.close();
    const keys = new Set(stored.map((e) => e.sourceKey?.replace(/^hotline:/, '')));
    const lost = [...acked].filter((ref) => !keys.has(ref));
    expect(acked.size).toBeGreaterThanOrEqual(400);
    expect(lost).toEqual([]);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
  });
});
