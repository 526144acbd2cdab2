import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectConsole } from '../../client/lib/console-socket.js';
import { connectWall, type ConnectionStatus } from '../../client/lib/socket.js';
import type { HandshakeAuth } from '../../shared/socket.js';

/** Just enough of a Socket.io client socket: lifecycle events, and the options it was created with. */
class FakeSocket extends EventEmitter {
  closed = false;
  reconnects = 0;
  constructor(readonly options: { auth: (cb: (auth: HandshakeAuth) => void) => void }) {
    super();
  }
  override off(event: string, listener: (...args: unknown[]) => void): this {
    return this.removeListener(event, listener);
  }
  close(): void {
    this.closed = true;
  }
  disconnect(): this {
    this.emit('disconnect', 'io client disconnect');
    return this;
  }
  connect(): this {
    this.reconnects++;
    this.emit('connect');
    return this;
  }
  timeout() {
    return { emitWithAck: () => Promise.reject(new Error('operation has timed out')) };
  }
}

describe('connectWall', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(lastSeq: number | null = null) {
    let socket!: FakeSocket;
    let now = 1_000;
    const connection = connectWall({
      lastSeq: () => lastSeq,
      offlineAfterMs: 15_000,
      now: () => now,
      io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never,
    });
    const statuses: ConnectionStatus[] = [];
    connection.onStatus((s) => statuses.push(s));
    return { connection, socket: () => socket, statuses, setNow: (ms: number) => (now = ms), setSeq: (seq: number) => (lastSeq = seq) };
  }

  it('names the applied seq in every handshake, none before the first snapshot', () => {
    const { socket, setSeq } = setup();
    const auth = () => new Promise<HandshakeAuth>((resolve) => socket().options.auth(resolve));
    return (async () => {
      expect(await auth()).toEqual({});
      setSeq(42);
      expect(await auth()).toEqual({ lastSeq: 42 });
    })();
  });

  it('goes connecting → live → reconnecting (since the drop) → offline after a while → live', () => {
    const { socket, statuses, setNow } = setup();
    expect(statuses.at(-1)).toEqual({ state: 'connecting', since: 1_000 });
    setNow(2_000);
    socket().emit('connect');
    expect(statuses.at(-1)).toEqual({ state: 'live', since: 2_000 });
    setNow(5_000);
    socket().emit('disconnect', 'transport close');
    expect(statuses.at(-1)).toEqual({ state: 'reconnecting', since: 5_000 });
    vi.advanceTimersByTime(14_999);
    expect(statuses.at(-1)!.state).toBe('reconnecting');
    vi.advanceTimersByTime(1);
    expect(statuses.at(-1)).toEqual({ state: 'offline', since: 5_000 });
    setNow(30_000);
    socket().emit('connect');
    expect(statuses.at(-1)).toEqual({ state: 'live', since: 30_000 });
  });

  it('a reconnect within the grace period never reports offline', () => {
    const { socket, statuses } = setup();
    socket().emit('connect');
    socket().emit('disconnect', 'transport close');
    vi.advanceTimersByTime(3_000);
    socket().emit('connect');
    vi.advanceTimersByTime(60_000);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('turns a sync that times out into an error response, and on() returns an unsubscribe', async () => {
    const { connection, socket } = setup();
    expect(await connection.sync(5)).toEqual({ ok: false, error: { code: 'unavailable', message: 'sync timed out' } });
    const seen: number[] = [];
    const off = connection.on('events', (batch) => seen.push(batch.length));
    socket().emit('events', [{}, {}]);
    off();
    socket().emit('events', [{}]);
    expect(seen).toEqual([2]);
    connection.close();
    expect(socket().closed).toBe(true);
  });

  it('a live wall that stays behind the heartbeat head says "catching up", asks for what it lacks, and is live again once it holds that head', () => {
    const { connection, socket, statuses, setNow, setSeq } = setup(100);
    let stalls = 0;
    connection.onStall(() => stalls++);
    setNow(2_000);
    socket().emit('connect');
    socket().emit('head', { seq: 100 });
    socket().emit('head', { seq: 120 });
    setNow(6_999);
    socket().emit('head', { seq: 130 });
    expect([stalls, statuses.at(-1)!.state]).toEqual([0, 'live']);
    setNow(7_000);
    connection.progress();
    expect(stalls).toBe(1);
    expect(statuses.at(-1)).toEqual({ state: 'catching-up', since: 7_000 });
    setSeq(130);
    setNow(7_200);
    connection.progress();
    expect(statuses.at(-1)).toEqual({ state: 'live', since: 7_200 });
    // A drop resets the watch: the new connection's catch-up brings the wall up to date.
    socket().emit('head', { seq: 500 });
    socket().emit('disconnect', 'transport close');
    setNow(20_000);
    socket().emit('connect');
    connection.progress();
    expect([stalls, statuses.at(-1)!.state]).toEqual([1, 'live']);
  });

  it('a wall connected with nothing to show (its snapshot never came) reconnects without a seq to get one', () => {
    const { socket, setNow } = setup(null);
    socket().emit('connect');
    socket().emit('head', { seq: 10 });
    setNow(10_000);
    socket().emit('head', { seq: 10 });
    expect(socket().reconnects).toBe(1);
  });

  it('hears the head from the batches too (the server sends no heartbeat while they flow): a wall with nothing to show still reconnects', () => {
    const { socket, setNow } = setup(null);
    socket().emit('connect');
    for (let t = 1_000, seq = 11; t <= 10_000; t += 500, seq++) {
      setNow(t);
      socket().emit('events', [{ seq }]);
    }
    expect(socket().reconnects).toBe(1);
  });

  it('a wall that applies every batch it is sent stays live under a steady stream without heartbeats', () => {
    let applied = 100;
    const { connection, socket, statuses, setNow, setSeq } = setup(applied);
    let stalls = 0;
    connection.onStall(() => stalls++);
    socket().emit('connect');
    for (let t = 1_000; t <= 20_000; t += 50) {
      setNow(t);
      socket().emit('events', [{ seq: ++applied }]);
      setSeq(applied);
      connection.progress();
    }
    expect([stalls, statuses.at(-1)!.state]).toEqual([0, 'live']);
  });
});

describe('connectConsole', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a console that has not heard a notice the heartbeat names says "catching up", then goes live again (which refetches)', () => {
    let socket!: FakeSocket;
    let now = 1_000;
    const connection = connectConsole({ now: () => now, io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never });
    const states: string[] = [];
    connection.onStatus((s) => states.push(s.state));
    socket.emit('connect');
    // The first heartbeat after a connection is its baseline: what came before, the connection's refetch covers.
    socket.emit('head', { seq: 90, notice: 40 });
    socket.emit('case:changed', [{ seq: 45 }]);
    socket.emit('head', { seq: 95, notice: 45 });
    now = 10_000;
    socket.emit('head', { seq: 99, notice: 45 });
    expect(states).toEqual(['connecting', 'live']);
    // A notice sent to its room that never arrived.
    socket.emit('head', { seq: 120, notice: 52 });
    now = 15_000;
    socket.emit('head', { seq: 121, notice: 52 });
    expect(states).toEqual(['connecting', 'live', 'catching-up']);
    vi.advanceTimersByTime(1_000);
    expect(states).toEqual(['connecting', 'live', 'catching-up', 'live']);
    now = 30_000;
    socket.emit('head', { seq: 125, notice: 52 });
    expect(states.at(-1)).toBe('live');
    expect(states).toHaveLength(4);
  });
});
