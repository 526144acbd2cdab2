/**
 * The stream's heartbeat (issue 17) on a real server: walls hear the log's head, a console its room's last notice;
 * a client's stalled sync is logged and counted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { streamCounters } from '../../../server/realtime/stream-health.js';
import type { StreamHead } from '../../../shared/socket.js';
import { cookieFor, DUTY, integrationKey, WALL } from '../../helpers/auth.js';
import { caseReported } from '../../helpers/factories.js';
import { listenAs, post, RecordingClient, startServer } from '../../helpers/server.js';

const running: RunningServer[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function seqOf(s: { url: string }): Promise<number> {
  return ((await (await fetch(`${s.url}/readyz`)).json()) as { seq: number }).seq;
}

describe('stream heartbeat', () => {
  it("tells walls the log's head and each console room the seq of its last notice", async () => {
    const server = await startServer({ STREAM_HEARTBEAT_MS: 100 });
    running.push(server);
    await Promise.all([integrationKey(server), cookieFor(server, WALL), cookieFor(server, DUTY)]);
    const wall = new RecordingClient(server.url);
    closers.push(() => wall.close());
    const wallHeads: StreamHead[] = [];
    wall.socket.on('head', (h) => wallHeads.push(h));
    const duty = listenAs(server, DUTY);
    closers.push(() => duty.socket.close());
    const dutyHeads: StreamHead[] = [];
    duty.socket.on('head', (h) => dutyHeads.push(h));
    await Promise.all([wall.connected(), duty.ready]);

    const res = await post(server, caseReported());
    expect(res.status).toBe(201);
    const seq = res.body.results[0].seq as number;
    const last = await seqOf(server);
    await vi.waitFor(() => expect(wallHeads.at(-1)).toEqual({ seq: last }), { timeout: 10_000 });
    await vi.waitFor(() => expect(dutyHeads.at(-1)).toEqual({ seq: last, notice: seq }), { timeout: 10_000 });
    expect(duty.notices.map((n) => n.seq)).toContain(seq);
  });

  it('counts and logs a stalled sync, and still answers it', async () => {
    const server = await startServer();
    running.push(server);
    await Promise.all([integrationKey(server), cookieFor(server, WALL)]);
    const wall = new RecordingClient(server.url);
    closers.push(() => wall.close());
    await wall.connected();
    await post(server, { events: [caseReported(), caseReported()] });
    const last = await seqOf(server);
    const before = streamCounters.clientStalls;
    const reply = await wall.socket.emitWithAck('sync', { lastSeq: last - 2, stalled: true });
    expect(reply.ok && reply.data.mode === 'replay' && reply.data.events.map((e) => e.seq)).toEqual([last - 1, last]);
    expect(streamCounters.clientStalls).toBe(before + 1);
    const bad = await wall.socket.emitWithAck('sync', { lastSeq: 1, stalled: 'yes' } as never);
    expect(bad).toEqual({ ok: false, error: { code: 'invalid_payload', message: 'sync needs { lastSeq: integer ≥ 0, stalled?: boolean }' } });
  });
});
