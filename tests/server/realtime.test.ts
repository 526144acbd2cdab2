import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { caseReported } from '../helpers/factories.js';
import { RecordingClient, post, startServer } from '../helpers/server.js';

const running: RunningServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startServer>) {
  const s = await startServer(...args);
  running.push(s);
  return s;
}
function client(url: string, options?: { lastSeq?: number }) {
  const c = new RecordingClient(url, options);
  clients.push(c);
  return c;
}
const seqs = (c: RecordingClient) => c.events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('realtime stream', () => {
  it('gives a new client a snapshot, then every committed event in seq order, once', async () => {
    const server = await serve();
    await post(server, caseReported());
    const watchers = [client(server.url), client(server.url), client(server.url)];
    await Promise.all(watchers.map((c) => c.until(1)));
    expect(watchers.every((c) => c.snapshots.length === 1 && c.snapshots[0]!.state.seq === 1)).toBe(true);
    // Concurrent posters: commits interleave, the stream must still be in seq order.
    await Promise.all(Array.from({ length: 10 }, () => post(server, { events: Array.from({ length: 5 }, () => caseReported()) })));
    await Promise.all(watchers.map((c) => c.until(51)));
    for (const c of watchers) expect(seqs(c)).toEqual(range(2, 51));
  });

  it('never puts titles or personal data on the wall stream', async () => {
    const server = await serve();
    const c = client(server.url);
    await c.until(0);
    await c.connected();
    await post(server, caseReported({ title: '王小明与李四邻里纠纷', description: '住址:坂田街道某小区', location: { lat: 22.64, lng: 114.07 } }));
    await c.until(1);
    const frames = JSON.stringify([c.events, c.snapshots]);
    expect(frames).not.toMatch(/张三丰|13800001234|440307199001011234|王小明|邻里纠纷|住址/);
    const snapshot = await (await fetch(`${server.url}/api/snapshot`)).text();
    expect(snapshot).not.toMatch(/张三丰|13800001234|王小明/);
  });

  for (const recovery of [true, false]) {
    it(`replays exactly the 100 events a client missed while offline (connection-state recovery ${recovery ? 'on' : 'off'})`, async () => {
      const server = await serve({}, { connectionStateRecovery: recovery });
      await post(server, caseReported());
      const c = client(server.url);
      await c.until(1);
      // A dropped transport (not a deliberate disconnect, which would discard the recoverable session),
      // with automatic reconnection held back until the 100 events have been committed.
      c.socket.io.reconnection(false);
      c.socket.io.engine.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(c.socket.connected).toBe(false);
      for (let i = 0; i < 10; i++) await post(server, { events: Array.from({ length: 10 }, () => caseReported()) });
      c.socket.io.reconnection(true);
      c.socket.connect();
      await c.until(101);
      expect(c.socket.recovered === true).toBe(recovery);
      expect(seqs(c)).toEqual(range(2, 101));
      expect(c.snapshots).toHaveLength(1);
      await post(server, caseReported());
      await c.until(102);
      expect(seqs(c)).toEqual(range(2, 102));
    });
  }

  it('sends a fresh snapshot to a client too far behind to replay', async () => {
    const server = await serve({ REPLAY_LIMIT: 10 });
    await post(server, { events: Array.from({ length: 30 }, () => caseReported()) });
    const behind = client(server.url, { lastSeq: 5 });
    await behind.until(30);
    expect(behind.snapshots.map((s) => s.state.seq)).toEqual([30]);
    expect(behind.events).toEqual([]);
    const near = client(server.url, { lastSeq: 25 });
    await near.until(30);
    expect(near.snapshots).toEqual([]);
    expect(seqs(near)).toEqual(range(26, 30));
  });

  it('answers sync with a replay or a snapshot, and rejects a malformed request', async () => {
    const server = await serve({ REPLAY_LIMIT: 10 });
    await post(server, { events: Array.from({ length: 20 }, () => caseReported()) });
    const c = client(server.url);
    await c.until(20);
    const replay = await c.socket.emitWithAck('sync', { lastSeq: 15 });
    expect(replay.ok && replay.data.mode === 'replay' && replay.data.events.map((e) => e.seq)).toEqual(range(16, 20));
    const far = await c.socket.emitWithAck('sync', { lastSeq: 2 });
    expect(far.ok && far.data.mode).toBe('snapshot');
    const bad = await c.socket.emitWithAck('sync', { lastSeq: -1 } as never);
    expect(bad).toEqual({ ok: false, error: { code: 'invalid_payload', message: expect.any(String) } });
  });

  it('keeps events and figures across a restart on the same data directory', async () => {
    const first = await serve();
    await post(first, { events: Array.from({ length: 40 }, () => caseReported()) });
    const before = await (await fetch(`${first.url}/api/snapshot`)).json();
    const cases = await (await fetch(`${first.url}/api/cases?limit=500`)).json();
    await first.close();
    const second = await serve({ DATA_DIR: first.config.DATA_DIR });
    const after = await (await fetch(`${second.url}/api/snapshot`)).json();
    expect(after.state).toEqual(before.state);
    expect(await (await fetch(`${second.url}/api/cases?limit=500`)).json()).toEqual(cases);
    const c = client(second.url, { lastSeq: 35 });
    await c.until(40);
    expect(seqs(c)).toEqual(range(36, 40));
  });
});
