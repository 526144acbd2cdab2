import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { io as connect } from 'socket.io-client';
import { ADMIN, cookieFor, DUTY, integrationKey, LEADER, WALL, asDept, type Who } from '../helpers/auth.js';
import { caseReported } from '../helpers/factories.js';
import { RecordingClient, fetchAs, post, startServer } from '../helpers/server.js';

const running: RunningServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});
/** A server whose integration key and wall kiosk exist already: they are access events in the log, so `base` is the seq the test's own events count from. */
async function serve(...args: Parameters<typeof startServer>) {
  const s = await startServer(...args);
  running.push(s);
  await Promise.all([integrationKey(s), cookieFor(s, WALL)]);
  return Object.assign(s, { base: await seqOf(s) });
}
async function seqOf(s: { url: string }): Promise<number> {
  return ((await (await fetch(`${s.url}/readyz`)).json()) as { seq: number }).seq;
}
function client(url: string, options?: { lastSeq?: number; as?: Who }) {
  const c = new RecordingClient(url, options);
  clients.push(c);
  return c;
}
const seqs = (c: RecordingClient) => c.events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Real servers and sockets; on a machine busy with the rest of the suite a test can take over 30 s.
describe('realtime stream', { timeout: 120_000 }, () => {
  it('gives a new client a snapshot, then every committed event in seq order, once', async () => {
    const server = await serve();
    const { base } = server;
    await post(server, caseReported());
    const watchers = [client(server.url), client(server.url), client(server.url)];
    await Promise.all(watchers.map((c) => c.until(base + 1)));
    expect(watchers.every((c) => c.snapshots.length === 1 && c.snapshots[0]!.state.seq === base + 1)).toBe(true);
    // Concurrent posters: commits interleave, the stream must still be in seq order.
    await Promise.all(Array.from({ length: 10 }, () => post(server, { events: Array.from({ length: 5 }, () => caseReported()) })));
    await Promise.all(watchers.map((c) => c.until(base + 51)));
    for (const c of watchers) expect(seqs(c)).toEqual(range(base + 2, base + 51));
  });

  it('never puts titles or personal data on the wall stream', async () => {
    const server = await serve();
    const c = client(server.url);
    await c.until(server.base);
    await post(server, caseReported({ title: '王小明与李四邻里纠纷', description: '住址:坂田街道某小区', location: { lat: 22.64, lng: 114.07 } }));
    await c.until(server.base + 1);
    const frames = JSON.stringify([c.events, c.snapshots]);
    expect(frames).not.toMatch(/张三丰|13800001234|440307199001011234|王小明|邻里纠纷|住址/);
    const snapshot = await (await fetchAs(server, '/api/snapshot')).text();
    expect(snapshot).not.toMatch(/张三丰|13800001234|王小明/);
  });

  it('replays exactly the 100 events a client missed while offline (from the log: connection-state recovery is off)', async () => {
    const server = await serve();
    const { base } = server;
    await post(server, caseReported());
    const c = client(server.url);
    await c.until(base + 1);
    // A dropped transport, with automatic reconnection held back until the 100 events have been committed.
    c.socket.io.reconnection(false);
    c.socket.io.engine.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(c.socket.connected).toBe(false);
    for (let i = 0; i < 10; i++) await post(server, { events: Array.from({ length: 10 }, () => caseReported()) });
    c.socket.io.reconnection(true);
    c.socket.connect();
    await c.until(base + 101);
    expect(c.socket.recovered).toBeFalsy();
    expect(seqs(c)).toEqual(range(base + 2, base + 101));
    expect(c.snapshots).toHaveLength(1);
    await post(server, caseReported());
    await c.until(base + 102);
    expect(seqs(c)).toEqual(range(base + 2, base + 102));
  });

  it('sends a fresh snapshot to a client too far behind to replay', async () => {
    const server = await serve({ REPLAY_LIMIT: 10 });
    const { base } = server;
    await post(server, { events: Array.from({ length: 30 }, () => caseReported()) });
    const behind = client(server.url, { lastSeq: base + 5 });
    await behind.until(base + 30);
    expect(behind.snapshots.map((s) => s.state.seq)).toEqual([base + 30]);
    expect(behind.events).toEqual([]);
    const near = client(server.url, { lastSeq: base + 25 });
    await near.until(base + 30);
    expect(near.snapshots).toEqual([]);
    expect(seqs(near)).toEqual(range(base + 26, base + 30));
  });

  it('answers sync with a replay or a snapshot, and rejects a malformed request', async () => {
    const server = await serve({ REPLAY_LIMIT: 10 });
    const { base } = server;
    await post(server, { events: Array.from({ length: 20 }, () => caseReported()) });
    const c = client(server.url);
    await c.until(base + 20);
    const replay = await c.socket.emitWithAck('sync', { lastSeq: base + 15 });
    expect(replay.ok && replay.data.mode === 'replay' && replay.data.events.map((e) => e.seq)).toEqual(range(base + 16, base + 20));
    const far = await c.socket.emitWithAck('sync', { lastSeq: base + 2 });
    expect(far.ok && far.data.mode).toBe('snapshot');
    const bad = await c.socket.emitWithAck('sync', { lastSeq: -1 } as never);
    expect(bad).toEqual({ ok: false, error: { code: 'invalid_payload', message: expect.any(String) } });
  });

  it('keeps events and figures across a restart on the same data directory', async () => {
    const first = await serve();
    const { base } = first;
    await post(first, { events: Array.from({ length: 40 }, () => caseReported()) });
    // The kiosk's session outlives the restart (same data dir, same session key, the kiosk in the log), so the
    // second server is read before anything is added to its log.
    const kiosk = { headers: { cookie: await cookieFor(first, WALL) } };
    const before = await (await fetch(`${first.url}/api/snapshot`, kiosk)).json();
    const cases = await (await fetch(`${first.url}/api/cases?limit=500`, kiosk)).json();
    await first.close();
    const second = await startServer({ DATA_DIR: first.config.DATA_DIR });
    running.push(second);
    const after = await (await fetch(`${second.url}/api/snapshot`, kiosk)).json();
    expect(after.state).toEqual(before.state);
    expect(await (await fetch(`${second.url}/api/cases?limit=500`, kiosk)).json()).toEqual(cases);
    // A new client signs in on the second server (a kiosk made there: one more access event after the 40).
    await cookieFor(second, WALL);
    const last = await seqOf(second);
    const c = client(second.url, { lastSeq: base + 35 });
    await c.until(last);
    expect(seqs(c)).toEqual(range(base + 36, last));
    expect(c.events.filter((e) => e.seq > base + 40).map((e) => e.type)).toEqual(['access.changed']);
  });

  it('streams to the wall and the leader view only, in the rooms the session chooses, never the handshake', async () => {
    const server = await serve();
    const labour = asDept('labour');
    await Promise.all([LEADER, DUTY, labour].map((who) => cookieFor(server, who)));
    const base = await seqOf(server);
    const wall = client(server.url);
    const leader = client(server.url, { as: LEADER });
    const duty = client(server.url, { as: DUTY });
    const dept = client(server.url, { as: labour });
    await Promise.all([wall, leader, duty, dept].map((c) => c.connected()));
    await Promise.all([wall.until(base), leader.until(base)]);
    await post(server, caseReported());
    await Promise.all([wall.until(base + 1), leader.until(base + 1)]);
    for (const viewer of [wall, leader]) {
      expect(viewer.snapshots.map((x) => x.state.seq)).toEqual([base]);
      expect(seqs(viewer)).toEqual([base + 1]);
    }
    for (const console of [duty, dept]) {
      expect([console.snapshots, console.events]).toEqual([[], []]);
      expect(await console.socket.emitWithAck('sync', { lastSeq: 0 })).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect((await leader.socket.emitWithAck('sync', { lastSeq: base })).ok).toBe(true);

    // No session, a role with no live feed, or a handshake that tries to pick its view: refused, with a code the
    // client can act on.
    const refused = async (cookie?: string, auth: Record<string, unknown> = {}) => {
      const socket = connect(server.url, { transports: ['websocket'], reconnection: false, auth, ...(cookie && { extraHeaders: { cookie } }) });
      const error = await new Promise<Error & { data?: { code?: string } }>((resolve) => socket.once('connect_error', resolve));
      socket.close();
      return error.data?.code;
    };
    expect(await refused()).toBe('unauthenticated');
    expect(await refused('sygl_session=forged.token')).toBe('unauthenticated');
    expect(await refused(await cookieFor(server, ADMIN))).toBe('forbidden');
    expect(await refused(await cookieFor(server, WALL), { view: 'dept', deptId: 'labour' })).toBe('invalid_payload');
    expect(await refused(await cookieFor(server, DUTY), { view: 'wall' })).toBe('invalid_payload');
  });
});
