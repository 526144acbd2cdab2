import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeptWhistleRow } from '../../shared/api.js';
import type { CaseNotice, HandshakeAuth } from '../../shared/socket.js';
import { DeptConsole, deptFromHash, REMIND_MS } from '../../client/lib/console-dept.svelte.js';
import { connectConsole, type ConnectionStatus, type ConsoleAuth, type ConsoleConnection } from '../../client/lib/console-socket.js';
import type { DispatchApi } from '../../client/lib/dispatch-api.js';
import type { Chime } from '../../client/lib/sound.js';
import { deptRow, whistle, whistled } from './dispatch-fixtures.js';

class FakeConnection implements ConsoleConnection {
  handler: ((notices: CaseNotice[]) => void) | null = null;
  status: ((s: ConnectionStatus) => void) | null = null;
  closed = false;
  constructor(readonly auth: ConsoleAuth) {}
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
  const api = {
    actor: { role: 'dept', deptId: 'labour' },
    deptWhistles: async () => ({ ok: true, data: { items: rows } }),
    caseDetail: async () => ({ ok: false, error: { kind: 'network' } }),
  } as unknown as DispatchApi;
  const desk = new DeptConsole({
    api: () => api,
    connect: (auth) => {
      const c = new FakeConnection(auth);
      connections.push(c);
      return c;
    },
    sound: () => ({ play: (chime: Chime) => (played.push(chime), 1), unlock: async () => undefined, onState: (l) => (l('running'), () => true), close: () => undefined }),
  });
  const stop = desk.start('labour');
  return { desk, played, connections, stop, setRows: (next: DeptWhistleRow[]) => (rows = next) };
}

describe('DeptConsole', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('joins its department room and does not alert for whistles that were there before it looked', async () => {
    const { desk, played, connections, stop } = setup([rowFor('old')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(connections[0]!.auth).toEqual({ view: 'dept', deptId: 'labour' });
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

  it('switching department closes the old room and forgets its alerts', async () => {
    const { desk, connections, setRows, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    setRows([rowFor('w9')]);
    connections[0]!.handler!([notice('w9')]);
    await vi.advanceTimersByTimeAsync(600);
    desk.setDept('police');
    expect(connections[0]!.closed).toBe(true);
    expect(connections[1]!.auth).toEqual({ view: 'dept', deptId: 'police' });
    expect(desk.alerts).toEqual([]);
    stop();
  });

  it('reads the department shortcut from the hash', () => {
    expect(deptFromHash('#/dept?d=labour')).toBe('labour');
    expect(deptFromHash('#/dept')).toBeNull();
  });
});

class FakeSocket extends EventEmitter {
  closed = false;
  constructor(readonly options: { auth: HandshakeAuth }) {
    super();
  }
  override off(event: string, listener: (...args: unknown[]) => void): this {
    return this.removeListener(event, listener);
  }
  close(): void {
    this.closed = true;
  }
}

describe('connectConsole', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands the view and department over in the handshake and reports its state', () => {
    let socket!: FakeSocket;
    const connection = connectConsole({ view: 'dept', deptId: 'labour' }, { io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never, offlineAfterMs: 1000 });
    expect(socket.options.auth).toEqual({ view: 'dept', deptId: 'labour' });
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

  it('says offline at once when the server refuses the room (it will not retry by itself)', () => {
    let socket!: FakeSocket;
    const connection = connectConsole({ view: 'duty' }, { io: ((_url: string, options: never) => (socket = new FakeSocket(options))) as never });
    expect(socket.options.auth).toEqual({ view: 'duty' });
    const states: string[] = [];
    connection.onStatus((s) => states.push(s.state));
    socket.emit('disconnect', 'io server disconnect');
    expect(states).toEqual(['connecting', 'offline']);
  });
});
