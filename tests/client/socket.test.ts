import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectWall, type ConnectionStatus } from '../../client/lib/socket.js';
import type { HandshakeAuth } from '../../shared/socket.js';

/** Just enough of a Socket.io client socket: lifecycle events, and the options it was created with. */
class FakeSocket extends EventEmitter {
  closed = false;
  constructor(readonly options: { auth: (cb: (auth: HandshakeAuth) => void) => void }) {
    super();
  }
  override off(event: string, listener: (...args: unknown[]) => void): this {
    return this.removeListener(event, listener);
  }
  close(): void {
    this.closed = true;
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
});
