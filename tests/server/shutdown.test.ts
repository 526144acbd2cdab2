/**
 * A restart for an update, as an operator does it: SIGTERM to a server with intake in flight. Every request is either
 * answered 2xx and in the log after the restart, or failed and absent from it: no client is told "error" about a
 * request that was in fact committed. The process exits 0, the stream reaches its wall clients first, and the log
 * and snapshot are left clean for a fast start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { caseReported } from '../helpers/factories.js';
import { post, RecordingClient } from '../helpers/server.js';
import { killChildren, startChild } from '../helpers/spawn-server.js';

afterEach(killChildren);

interface Attempt {
  refs: string[];
  outcome: number | 'failed';
}

describe('SIGTERM under load', () => {
  it('drains: every 2xx is in the log after restart, no failed request was committed, exit 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-drain-'));
    const first = startChild(dataDir);
    const server = { url: await first.url };
    const wall = new RecordingClient(server.url);
    await wall.connected();
    const attempts: Attempt[] = [];
    // Eight writers post back to back on keep-alive connections until the server stops answering.
    const writers = Array.from({ length: 8 }, async () => {
      for (;;) {
        const events = Array.from({ length: 10 }, () => caseReported());
        const attempt: Attempt = { refs: events.map((e) => e.sourceRef), outcome: 'failed' };
        attempts.push(attempt);
        try {
          attempt.outcome = (await post(server, { events })).status;
        } catch {
          return; // refused or reset: the client knows it was not acknowledged
        }
        if (attempt.outcome !== 201) return;
      }
    });
    const acked = () => attempts.filter((a) => a.outcome === 201).length;
    const deadline = Date.now() + 60_000;
    while (acked() < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGTERM');
    const [exit] = await Promise.all([first.exited, ...writers]);
    wall.close();

    expect(exit).toEqual({ code: 0, signal: null });
    const dir = path.join(dataDir, 'longgang');
    // A clean close checkpoints the WAL into the database and leaves a snapshot of the whole log.
    expect(fs.existsSync(path.join(dir, 'events.db-wal')) ? fs.statSync(path.join(dir, 'events.db-wal')).size : 0).toBe(0);
    const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
    const stored = await store.readAfter(0, 1_000_000);
    await store.close();
    const lastSeq = stored.at(-1)!.seq;
    const keys = new Set(stored.map((e) => e.sourceKey?.replace(/^hotline:/, '')));
    const okButMissing = attempts.filter((a) => a.outcome === 201 && a.refs.some((r) => !keys.has(r)));
    const failedButCommitted = attempts.filter((a) => a.outcome !== 201 && a.refs.some((r) => keys.has(r)));
    expect(acked()).toBeGreaterThanOrEqual(40);
    expect(okButMissing).toEqual([]);
    expect(failedButCommitted.map((a) => a.outcome)).toEqual([]);
    // Every answer was a 201 or no answer at all: nothing was refused half-way with a 5xx.
    expect(attempts.filter((a) => a.outcome !== 201 && a.outcome !== 'failed').map((a) => a.outcome)).toEqual([]);
    // The snapshot holds the whole log; the wall saw every commit before its socket was closed.
    // (Its last line names the seq it is as of: server/projection-snapshot.ts.)
    const snapshotLines = fs.readFileSync(path.join(dir, 'projections.snapshot.json'), 'utf8').trimEnd().split('\n');
    expect((JSON.parse(snapshotLines.at(-1)!.slice(1)) as { seq: number }).seq).toBe(lastSeq);
    expect(wall.lastSeq).toBe(lastSeq);

    // The restart serves the same log, from the snapshot.
    const second = startChild(dataDir);
    const again = { url: await second.url };
    const ready = (await (await fetch(`${again.url}/readyz`)).json()) as { status: string; seq: number };
    expect(ready).toMatchObject({ status: 'ready', seq: lastSeq });
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 180_000);
});
