/**
 * Honest health: the server listens at once and says `starting` (with the replay's progress) until it can serve;
 * `/readyz` answers 503 whenever intake would fail (here: PostgreSQL cut off) and 200 again when it would succeed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { TEST_SESSION_SECRET } from '../helpers/auth.js';
import { reported } from '../helpers/event-drafts.js';
import { caseReported } from '../helpers/factories.js';
import { dropSchemas, freshSchemaName, postgresRelay, requirePostgres } from '../helpers/pg-env.js';
import { post, startServer } from '../helpers/server.js';
import { killChildren, startChild } from '../helpers/spawn-server.js';

afterEach(killChildren);

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as any };
}

describe('start-up', () => {
  it('listens at once: /healthz 200, /readyz and the API 503 starting with progress, pages a start-up screen', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-start-'));
    const store = new SqliteEventStore({ dataDir: path.join(dataDir, 'longgang'), district: 'longgang' });
    for (let i = 0; i < 3; i++) await store.append(Array.from({ length: 1000 }, () => reported(randomUUID())));
    await store.close();

    const server = startChild(dataDir, { HOLD_START: '1' });
    const url = await server.listening;
    expect(await json(await fetch(`${url}/healthz`))).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await json(await fetch(`${url}/readyz`))).toMatchObject({ status: 503, body: { status: 'starting', replay: { replayed: 0, total: 3000 } } });
    expect(await json(await fetch(`${url}/api/cases`))).toMatchObject({ status: 503, body: { error: { code: 'starting', replay: { total: 3000 } } } });
    const intake = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await json(intake)).toMatchObject({ status: 503, body: { error: { code: 'starting' } } });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('2');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('诉源治理指挥中心正在启动');
    expect(html).toContain('The command centre is starting');
    expect(html).toContain('0 / 3,000');

    server.child.stdin.write('go\n');
    await server.url;
    const ready = await json(await fetch(`${url}/readyz`));
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', problems: [], checks: { eventLog: 'up', dataDir: 'up', followerLag: 0 } } });
    expect(ready.body.seq).toBeGreaterThanOrEqual(3000);
    expect((await fetch(`${url}/`)).status).not.toBe(503);
  }, 120_000);

  it('answers `starting` with growing progress while a long log actually replays (the replay lets requests in)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-replay-'));
    const store = new SqliteEventStore({ dataDir: path.join(dataDir, 'longgang'), district: 'longgang' });
    for (let i = 0; i < 20; i++) await store.append(Array.from({ length: 10_000 }, () => reported(randomUUID())));
    await store.close();
    // No hold: every answer below comes while the replay runs, or after it.
    const server = startChild(dataDir);
    const url = await server.listening;
    const seen: Array<{ status: number; replayed?: number; total?: number }> = [];
    for (;;) {
      const { status, body } = await json(await fetch(`${url}/readyz`));
      seen.push({ status, ...body.replay });
      if (status === 200) break;
      expect(body.status).toBe('starting');
    }
    const starting = seen.filter((s) => s.status === 503);
    expect(starting.length).toBeGreaterThan(0);
    expect(starting.every((s) => s.total === 200_000 && s.replayed! <= 200_000)).toBe(true);
    // Answered mid-replay, not only before it began.
    expect(starting.some((s) => s.replayed! > 0 && s.replayed! < 200_000)).toBe(true);
    expect(starting.map((s) => s.replayed)).toEqual(starting.map((s) => s.replayed).sort((a, b) => a! - b!));
  }, 180_000);

  it('saves snapshots while running: a kill -9 after many events restarts from a recent snapshot', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-snap-'));
    const first = startChild(dataDir, { SNAPSHOT_EVERY_EVENTS: '100' });
    const server = { url: await first.url };
    for (let i = 0; i < 6; i++) expect((await post(server, { events: Array.from({ length: 50 }, () => caseReported()) })).status).toBe(201);
    const file = path.join(dataDir, 'longgang', 'projections.snapshot.json');
    // The schedule saves shortly after the commit that crossed the threshold, not inside the request.
    // The seq a snapshot is as of is on its last line (server/projection-snapshot.ts).
    const savedSeq = () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)!.slice(1)) as { seq: number }).seq : 0);
    await vi.waitFor(() => expect(savedSeq()).toBeGreaterThanOrEqual(200), { timeout: 30_000, interval: 100 });
    first.child.kill('SIGKILL');
    await first.exited;
    const saved = savedSeq();
    const second = startChild(dataDir, { HOLD_START: '1' });
    const url = await second.listening;
    second.child.stdin.write('go\n');
    await second.url;
    const ready = await json(await fetch(`${url}/readyz`));
    expect(ready.body.status).toBe('ready');
    expect(ready.body.seq).toBeGreaterThanOrEqual(300);
    expect(saved).toBeGreaterThan(ready.body.seq - 200);
  }, 120_000);
});

const skip = (await requirePostgres('readiness on PostgreSQL')) !== undefined;
const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

describe.skipIf(skip)('/readyz on PostgreSQL', () => {
  it('is 503 naming PostgreSQL while the database is cut off (intake fails), 200 again once it is back', async () => {
    const link = await postgresRelay();
    const schema = freshSchemaName();
    schemas.push(schema);
    const server = await startServer({ DATABASE_URL: link.url, DATABASE_SCHEMA: schema, SESSION_SECRET: TEST_SESSION_SECRET });
    try {
      const up = await json(await fetch(`${server.url}/readyz`));
      expect(up).toMatchObject({ status: 200, body: { status: 'ready', problems: [], checks: { postgresql: 'up', eventLog: 'up', followerLag: 0 } } });
      expect((await post(server, caseReported())).status).toBe(201);

      await link.cut();
      const down = await json(await fetch(`${server.url}/readyz`));
      expect(down).toMatchObject({ status: 503, body: { status: 'not_ready', problems: ['PostgreSQL: does not answer'], checks: { postgresql: 'down' } } });
      // Nothing about where the database is reaches the public endpoint.
      expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
      expect((await post(server, caseReported())).status).toBe(503);

      await link.restore();
      await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), { timeout: 20_000, interval: 200 });
      expect((await post(server, caseReported())).status).toBe(201);
    } finally {
      await server.close();
      link.stop();
    }
  }, 120_000);
});
