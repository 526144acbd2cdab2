/**
 * Issue 17, as a property: whatever interleaving of commits, dropped transports, clean reconnects, long absences
 * (replays, and snapshots past REPLAY_LIMIT), syncs and live batches, every wall client ends holding the log's
 * sequence, each event once, in order. A real server (SQLite, and PostgreSQL when it answers) and real Socket.io
 * clients; the client below applies what it gets the way the wall's delta queue does and records every breach:
 * a live or catch-up event that is not the next one (a gap, or a repeat), a snapshot older than what it holds.
 */
import fc from 'fast-check';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { cookieFor, integrationKey, TEST_SESSION_SECRET, WALL } from '../../helpers/auth.js';
import { caseReported } from '../../helpers/factories.js';
import { dropSchemas, freshSchemaName, requirePostgres, testDatabaseUrl } from '../../helpers/pg-env.js';
import { post, startServer, type TestSocket } from '../../helpers/server.js';
import type { Response, SyncResult } from '../../../shared/socket.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class WallClient {
  readonly socket: TestSocket;
  /** The seq of the state held; null before the first snapshot. */
  seq: number | null = null;
  /** Highest seq a sync reply has covered: a live event at or below it may legitimately arrive after the reply. */
  syncFloor = 0;
  readonly breaches: string[] = [];
  readonly trace: string[] = [];
  /** Taken off the network by the test, with reconnection held back until it is brought back. */
  away = false;

  constructor(url: string, cookie: string) {
    this.socket = connect(url, {
      transports: ['websocket'],
      reconnectionDelay: 20,
      reconnectionDelayMax: 100,
      extraHeaders: { cookie },
      auth: (cb) => cb(this.seq === null ? {} : { lastSeq: this.seq }),
    });
    this.socket.on('connect', () => this.trace.push(`connect holding ${this.seq}`));
    this.socket.on('disconnect', (r) => this.trace.push(`disconnect ${r}`));
    this.socket.on('events', (b) => this.trace.push(`events ${b.map((e) => e.seq).join(',')}`));
    this.socket.on('snapshot', (s) => {
      if (this.seq !== null && s.state.seq < this.seq) this.breaches.push(`snapshot at ${s.state.seq} behind ${this.seq}`);
      this.seq = Math.max(this.seq ?? 0, s.state.seq);
    });
    this.socket.on('events', (batch) => {
      for (const e of batch) {
        if (this.seq === null) this.breaches.push(`event ${e.seq} before any snapshot`);
        else if (e.seq === this.seq + 1) this.seq = e.seq;
        else if (e.seq > this.seq || e.seq > this.syncFloor) this.breaches.push(`event ${e.seq} while holding ${this.seq}`);
      }
    });
  }

  async sync(): Promise<void> {
    if (this.seq === null || !this.socket.connected) return;
    let reply: Response<SyncResult>;
    try {
      reply = await this.socket.timeout(3_000).emitWithAck('sync', { lastSeq: this.seq });
    } catch {
      return;
    }
    if (!reply.ok) return;
    this.trace.push(`sync reply ${reply.data.mode === 'snapshot' ? `snapshot ${reply.data.snapshot.state.seq}` : reply.data.events.map((e) => e.seq).join(',')}`);
    if (reply.data.mode === 'snapshot') {
      const at = reply.data.snapshot.state.seq;
      this.syncFloor = Math.max(this.syncFloor, at);
      if (at > this.seq!) this.seq = at;
      return;
    }
    for (const e of reply.data.events) {
      this.syncFloor = Math.max(this.syncFloor, e.seq);
      if (e.seq === this.seq! + 1) this.seq = e.seq;
      else if (e.seq > this.seq!) this.breaches.push(`sync reply skipped to ${e.seq} from ${this.seq}`);
    }
  }

  close() {
    this.socket.close();
  }
}

type Step =
  | { k: 'post'; n: number; wait: boolean }
  | { k: 'drop' | 'bounce' | 'away' | 'back' | 'sync'; i: number }
  | { k: 'pause'; ms: number };

const WALLS = 3;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('post' as const), n: fc.integer({ min: 1, max: 25 }), wait: fc.boolean() }),
  fc.record({ k: fc.constantFrom('drop' as const, 'bounce' as const, 'away' as const, 'back' as const, 'sync' as const), i: fc.integer({ min: 0, max: WALLS - 1 }) }),
  fc.record({ k: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 40 }) }),
);

async function seqOf(s: { url: string }): Promise<number> {
  return ((await (await fetch(`${s.url}/readyz`)).json()) as { seq: number }).seq;
}

/** Reconnects a wall taken away (calling connect() on a socket mid-handshake would open a second session). */
function back(w: WallClient) {
  if (!w.away) return;
  w.away = false;
  w.socket.io.reconnection(true);
  w.socket.connect();
}

async function run(server: RunningServer, cookie: string, steps: Step[]): Promise<void> {
  const walls = Array.from({ length: WALLS }, () => new WallClient(server.url, cookie));
  const inFlight: Array<Promise<unknown>> = [];
  try {
    const deadline = Date.now() + 20_000;
    while (walls.some((w) => w.seq === null)) {
      if (Date.now() > deadline) throw new Error('a wall got no snapshot');
      await sleep(10);
    }
    for (const s of steps) {
      if (s.k === 'post') {
        const posting = post(server, { events: Array.from({ length: s.n }, () => caseReported()) }).then((r) => expect(r.status).toBe(201));
        if (s.wait) await posting;
        else inFlight.push(posting);
      } else if (s.k === 'pause') await sleep(s.ms);
      else {
        const w = walls[s.i]!;
        if (s.k === 'drop') w.socket.io.engine?.close();
        else if (s.k === 'bounce') w.socket.disconnect().connect();
        else if (s.k === 'away') {
          // Only a connected wall (socket.io-client cannot hold back a reconnection already under way).
          if (w.away || !w.socket.connected) continue;
          w.away = true;
          w.socket.io.reconnection(false);
          w.socket.io.engine?.close();
        } else if (s.k === 'back') back(w);
        else inFlight.push(w.sync());
      }
    }
    await Promise.all(inFlight);
    for (const w of walls) back(w);
    const last = await seqOf(server);
    const settleBy = Date.now() + 30_000;
    while (walls.some((w) => w.seq !== last)) {
      if (Date.now() > settleBy) throw new Error(`walls at ${walls.map((w) => w.seq).join(', ')}, the log at ${last}`);
      await sleep(20);
    }
    if (walls.some((w) => w.breaches.length)) console.info(walls.map((w, i) => `wall ${i}: ${w.trace.join(' | ')} | breaches ${w.breaches.join('; ')}`).join('\n'));
    expect(walls.flatMap((w) => w.breaches)).toEqual([]);
  } finally {
    for (const w of walls) w.close();
  }
}

function property(name: string, boot: () => Promise<RunningServer>, numRuns: number) {
  describe(name, () => {
    let server: RunningServer;
    let cookie: string;
    beforeAll(async () => {
      server = await boot();
      await integrationKey(server);
      cookie = await cookieFor(server, WALL);
    });
    afterAll(async () => {
      await server?.close();
    });

    it(
      'any interleaving of commits, drops, reconnects, absences, syncs and live batches leaves every wall with the log, each event once, in order',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => run(server, cookie, steps)),
          { numRuns },
        );
      },
      300_000,
    );
  });
}

// A small REPLAY_LIMIT so long absences come back as snapshots; a wide window so events wait in the publisher.
const streamConfig = { RATE_LIMIT_INTAKE: 0, REPLAY_LIMIT: 40, STREAM_BATCH_MS: 30 };

property('the stream on SQLite', () => startServer(streamConfig), 40);

const noPostgres = (await requirePostgres('stream property on PostgreSQL')) !== undefined;
if (!noPostgres) {
  const schema = freshSchemaName();
  afterAll(() => dropSchemas([schema]));
  property('the stream on PostgreSQL', () => startServer({ ...streamConfig, DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, SESSION_SECRET: TEST_SESSION_SECRET }), 25);
}
