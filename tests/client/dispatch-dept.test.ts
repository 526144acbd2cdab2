import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeptWhistleRow } from '../../shared/api.js';
import type { CaseNotice, HandshakeAuth } from '../../shared/socket.js';
import { DeptConsole, REMIND_MS } from '../../client/lib/console-dept.svelte.js';
import { connectConsole, RETRY_AFTER_SERVER_DISCONNECT_MS, type ConnectionStatus, type ConsoleConnection } from '../../client/lib/console-socket.js';
import { onSessionSignal, type SessionSignal } from '../../client/lib/session-signal.js';
import type { DispatchApi } from '../../client/lib/dispatch-api.js';
import type { Chime } from '../../client/lib/sound.js';
import { deptRow, whistle, whistled } from './dispatch-fixtures.js';

class FakeConnection implements ConsoleConnection {
  handler: ((notices: CaseNotice[]) => void) | null = null;
  status: ((s: ConnectionStatus) => void) | null = null;
  closed = false;
  on(_event: 'case:changed', handler: (notices: CaseNotice[]) => void) {
    this.handler = handler;
    return () => (this.handler = null);
  }
  onStatus(handler: (s: ConnectionStatus) => void) {
    this.status = handler;
    handler({ state: 'live', since: 0 });
    return () => (this.status = null);
  }
  close() {
    this.closed = true;
  }
}

const notice = (whistleId: string, urgency: CaseNotice['urgency'] = 'urgent'): CaseNotice => ({
  seq: 5,
  type: 'case.whistled',
  caseId: `case-${whistleId}`,
  at: '',
  category: 'labour',
  streetCode: '440307013',
  communityCode: '440307013002',
  whistleId,
  urgency,
  departments: ['labour', 'police'],
});

function rowFor(whistleId: string, status: 'pending' | 'reported' = 'pending'): DeptWhistleRow {
  const c = whistled('whistled', { status });
  const w = whistle(c.whistle!.assignments, { whistleId });
  return deptRow({ ...c, id: `case-${whistleId}`, whistle: w }, 'labour');
}

function setup(initial: DeptWhistleRow[] = []) {
  let rows = initial;
  const played: Chime[] = [];
  const connections: FakeConnection[] = [];
  const asked: string[] = [];
  const api = {
    deptWhistles: async (deptId: string) => (asked.push(deptId), { ok: true, data: { items: rows } }),
    caseDetail: async () => ({ ok: false, error: { kind: 'network' } }),
  } as unknown as DispatchApi;
  const desk = new DeptConsole({
    api,
    connect: () => {
      const c = new FakeConnection();
      connections.push(c);
      return c;
    },
    sound: () => ({ play: (chime: Chime) => (played.push(chime), 1), unlock: async () => undefined, onState: (l) => (l('running'), () => true), close: () => undefined }),
  });
  const stop = desk.start('labour');
  return { desk, played, connections, asked, stop, setRows: (next: DeptWhistleRow[]) => (rows = next) };
}

describe('DeptConsole', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads its own department’s parts, listens on one socket, and does not alert for whistles that were there before it looked', async () => {
    const { desk, played, connections, asked, stop } = setup([rowFor('old')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(connections).toHaveLength(1);
    expect(asked).toEqual(['labour']);
    expect(desk.deptId).toBe('labour');
    expect(desk.parts.data).toHaveLength(1);
    expect(desk.alerts).toEqual([]);
    expect(played).toEqual([]);
    stop();
  });

  it('sounds once for a new whistle, flags it until acknowledged', async () => {
    const { desk, played, connections, setRows, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    setRows([rowFor('w9')]);
    connections[0]!.handler!([notice('w9', 'critical')]);
    await vi.advanceTimersByTimeAsync(600);
    expect(played).toEqual(['critical']);
    expect(desk.isAlerted('w9')).toBe(true);
    // The refetch and later notices about the same whistle do not sound again.
    connections[0]!.handler!([notice('w9')]);
    await vi.advanceTimersByTimeAsync(600);
    expect(played).toEqual(['critical']);
    desk.acknowledge('w9');
    expect(desk.alerts).toEqual([]);
    stop();
  });

  it('drops the alert once the department has reported in, and reminds while one is owed', async () => {
    const { desk, played, connections, setRows, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    setRows([rowFor('w9')]);
    connections[0]!.handler!([notice('w9')]);
    await vi.advanceTimersByTimeAsync(600);
    await vi.advanceTimersByTimeAsync(REMIND_MS);
    expect(played).toEqual(['whistle', 'whistle']);
    setRows([rowFor('w9', 'reported')]);
    await desk.afterCommand();
    expect(desk.alerts).toEqual([]);
    await vi.advanceTimersByTimeAsync(REMIND_MS);
    expect(played).toHaveLength(2);
    stop();
  });

  it('alerts for a whistle found only by the refetch after a reconnection', async () => {
    const { desk, played, connections, setRows, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    setRows([rowFor('missed')]);
    connections[0]!.status!({ state: 'reconnecting', since: 1 });
    connections[0]!.status!({ state: 'live', since: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(desk.isAlerted('missed')).toBe(true);
    expect(played).toEqual(['whistle']);
    stop();
  });

  it('closes its socket when stopped', async () => {
    const { connections, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    stop();
    expect(connections[0]!.closed).toBe(true);
  });
});

class FakeSocket extends EventEmitter {
  closed = false;
  connects = 0;
  constructor(readonly options: { auth: HandshakeAuth }) {
    super();
  }
  override off(event: string, listener: (...args: unknown[]) => void): this {
    return this.removeListener(event, listener);
  }
  close(): void {
    this.closed = true;
  }
  connect(): this {
    this.connects++;
    return this;
  }
}

/** Signals the console socket sent to the session store during `run`. */
function signalsDuring(run: () => void): SessionSignal[] {
  const seen: SessionSignal[] = [];
  const off = onSessionSignal((s) => seen.push(s));
  try {
    run();
  } finally {
    off();
  }
  return seen;
}

describe('connectConsole', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('claims nothing in the handshake (the session cookie decides the rooms) and reports its state', () => {
    let socket!: FakeSocket;
    const connection = connectConsole({ io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never, offlineAfterMs: 1000 });
    expect(socket.options.auth).toEqual({});
    const states: string[] = [];
    connection.onStatus((s) => states.push(s.state));
    const got: CaseNotice[][] = [];
    const off = connection.on('case:changed', (n) => got.push(n));
    socket.emit('connect');
    socket.emit('case:changed', [notice('w1')]);
    off();
    socket.emit('case:changed', [notice('w2')]);
    socket.emit('disconnect', 'transport close');
    vi.advanceTimersByTime(1000);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'offline']);
    expect(got).toHaveLength(1);
    connection.close();
    expect(socket.closed).toBe(true);
  });

  it('says offline and sends the user to sign in when the handshake is refused as unauthenticated', () => {
    let socket!: FakeSocket;
    const connection = connectConsole({ io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never });
    const states: string[] = [];
    connection.onStatus((s) => states.push(s.state));
    const refused = Object.assign(new Error('sign in first'), { data: { code: 'unauthenticated' } });
    expect(signalsDuring(() => socket.emit('connect_error', refused))).toEqual(['ended']);
    expect(states).toEqual(['connecting', 'offline']);
    // A forbidden handshake (the role changed) asks the session store to look again instead.
    const forbidden = Object.assign(new Error('no live feed'), { data: { code: 'forbidden' } });
    expect(signalsDuring(() => socket.emit('connect_error', forbidden))).toEqual(['check']);
    // A plain transport error is not about the session: it goes on reconnecting.
    expect(signalsDuring(() => socket.emit('connect_error', new Error('xhr poll error')))).toEqual([]);
    connection.close();
  });

  it('tries again after the server drops the socket (a refused handshake then says whether the session ended)', () => {
    let socket!: FakeSocket;
    const connection = connectConsole({ io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never });
    const states: string[] = [];
    connection.onStatus((s) => states.push(s.state));
    socket.emit('connect');
    socket.emit('disconnect', 'io server disconnect');
    expect(states).toEqual(['connecting', 'live', 'reconnecting']);
    vi.advanceTimersByTime(RETRY_AFTER_SERVER_DISCONNECT_MS);
    expect(socket.connects).toBe(1);
    // Closed in the meantime: no retry.
    socket.emit('disconnect', 'io server disconnect');
    connection.close();
    vi.advanceTimersByTime(RETRY_AFTER_SERVER_DISCONNECT_MS);
    expect(socket.connects).toBe(1);
  });
});
