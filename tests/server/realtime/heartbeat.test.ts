/**
 * The stream's heartbeat (issue 17) on a real server: walls hear the log's head, a console its room's last notice;
 * a client's stalled sync is logged and counted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { createLogger } from '../../../server/log.js';
import type { IoServer } from '../../../server/realtime/connection.js';
import { StreamHeartbeat, streamCounters } from '../../../server/realtime/stream-health.js';
import type { PublicEvent } from '../../../shared/events.js';
import { rooms } from '../../../shared/rooms.js';
import type { ClientToServerEvents, ServerToClientEvents, StreamHead } from '../../../shared/socket.js';
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

/**
 * The wall's heartbeat is left out when the live stream already told every wall the head since the last beat (a steady
 * stream then costs no extra write per wall socket), and only then: real Socket.io server and client, beats driven by
 * hand, the heads and batches a wall hears recorded in the order it hears them.
 */
describe('stream heartbeat under a live stream', () => {
  async function rig() {
    const httpServer = http.createServer();
    const io: IoServer = new Server(httpServer, { serveClient: false });
    io.on('connection', (socket) => void socket.join(rooms.wall));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const state = { head: 0, applied: 0 };
    const heartbeat = new StreamHeartbeat(
      { io, store: { lastSeq: async () => state.head }, appliedSeq: () => state.applied, log: createLogger('silent') },
      { intervalMs: 0, stallMs: 5000 },
    );
    const client: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    const heard: string[] = [];
    client.on('head', (h) => heard.push(`head ${h.seq}`));
    client.on('events', (batch) => heard.push(batch.length ? `events ${batch.map((e) => e.seq).join(',')}` : 'marker'));
    closers.push(() => {
      client.close();
      void io.close();
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await vi.waitFor(() => expect(io.of('/').adapter.rooms.get(rooms.wall)?.size).toBe(1));
    /** The live stream's emit, as app.ts makes it. */
    const stream = (seqs: number[]) => {
      io.local.to(rooms.wall).emit('events', seqs.map((seq) => ({ seq }) as PublicEvent));
      heartbeat.streamed(seqs[seqs.length - 1]!);
    };
    /** Beats once, then waits for a marker sent after the beat: whatever the beat sent has arrived before it. */
    const beat = async () => {
      await heartbeat.beat();
      const marks = heard.filter((h) => h === 'marker').length;
      io.local.to(rooms.wall).emit('events', []);
      await vi.waitFor(() => expect(heard.filter((h) => h === 'marker')).toHaveLength(marks + 1));
      const out = heard.splice(0).filter((h) => h !== 'marker');
      return out;
    };
    return { state, stream, beat };
  }

  it('leaves out a beat the stream already carried, and beats again once the stream is quiet', async () => {
    const { state, stream, beat } = await rig();
    state.head = state.applied = 3;
    expect(await beat()).toEqual(['head 3']);
    state.head = state.applied = 5;
    stream([4, 5]);
    expect(await beat()).toEqual(['events 4,5']);
    // Nothing streamed since: the wall hears the head again, every beat.
    expect(await beat()).toEqual(['head 5']);
    expect(await beat()).toEqual(['head 5']);
  });

  it('still sends a head the stream has not reached: this node behind the log, or a commit not yet streamed', async () => {
    const { state, stream, beat } = await rig();
    state.applied = 6;
    state.head = 9;
    stream([6]);
    expect(await beat()).toEqual(['events 6', 'head 9']);
  });

  it('over any run of commits, streams and beats, a wall never goes a beat without the head it has not been streamed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constant('commit' as const), fc.constant('stream' as const), fc.constant('beat' as const)), { maxLength: 25 }), async (steps) => {
        const { state, stream, beat } = await rig();
        let streamedTo = 0;
        let streamedSinceBeat = false;
        for (const step of steps) {
          if (step === 'commit') state.head = state.applied = state.head + 1;
          else if (step === 'stream' && streamedTo < state.head) {
            stream(Array.from({ length: state.head - streamedTo }, (_, i) => streamedTo + 1 + i));
            streamedTo = state.head;
            streamedSinceBeat = true;
          } else if (step === 'beat') {
            const heard = (await beat()).filter((h) => h.startsWith('head'));
            // The beat is left out only when a batch since the last beat reached the head; else the head is sent.
            expect(heard).toEqual(streamedSinceBeat && streamedTo >= state.head ? [] : [`head ${state.head}`]);
            streamedSinceBeat = false;
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
