import { describe, expect, it } from 'vitest';
import { LiveWall } from '../../client/lib/live-wall.svelte.js';
import type { ConnectionStatus, WallConnection } from '../../client/lib/socket.js';
import type { Response, ServerToClientEvents, SyncResult } from '../../shared/socket.js';
import { totals } from '../../shared/wall-state.js';
import { alert, FakeScheduler, NOW, reported, reportedRange, settle, snapshotOf } from './factories.js';

/** A socket stand-in: the test plays the server. */
class FakeConnection implements WallConnection {
  handlers: { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } = {};
  statusHandler: ((s: ConnectionStatus) => void) | null = null;
  syncRequests: number[] = [];
  stalledSyncs = 0;
  stallHandler: (() => void) | null = null;
  progressed = 0;
  syncAnswer: (lastSeq: number) => Response<SyncResult> = () => ({ ok: true, data: { mode: 'replay', events: [] } });
  closed = false;
  constructor(readonly lastSeq: () => number | null) {}
  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): () => void {
    this.handlers[event] = handler as never;
    return () => delete this.handlers[event];
  }
  onStatus(handler: (s: ConnectionStatus) => void): () => void {
    this.statusHandler = handler;
    return () => (this.statusHandler = null);
  }
  async sync(lastSeq: number, stalled?: boolean): Promise<Response<SyncResult>> {
    this.syncRequests.push(lastSeq);
    if (stalled) this.stalledSyncs++;
    return this.syncAnswer(lastSeq);
  }
  onStall(handler: () => void): () => void {
    this.stallHandler = handler;
    return () => (this.stallHandler = null);
  }
  progress(): void {
    this.progressed++;
  }
  close(): void {
    this.closed = true;
  }
}

function setup(localNow = NOW) {
  const scheduler = new FakeScheduler();
  let connection!: FakeConnection;
  const wall = new LiveWall({
    connect: (lastSeq) => (connection = new FakeConnection(lastSeq)),
    scheduleFrame: scheduler.scheduleFrame,
    scheduleRetry: scheduler.scheduleRetry,
    now: () => localNow,
  });
  const stop = wall.start();
  return { wall, scheduler, connection, stop };
}

describe('LiveWall', () => {
  it('marks its figures stale in every connection state but live, once it has figures', () => {
    const states = ['connecting', 'live', 'catching-up', 'reconnecting', 'offline'] as const;
    const { wall, connection, scheduler } = setup();
    for (const state of states) {
      connection.statusHandler!({ state, since: NOW });
      expect(wall.stale, `${state} before any figures`).toBe(false);
    }
    connection.handlers.snapshot!(snapshotOf(reportedRange(1, 3)));
    scheduler.frame();
    for (const state of [...states, ...states.slice().reverse()]) {
      connection.statusHandler!({ state, since: NOW });
      expect(wall.stale, state).toBe(state !== 'live');
      // While stale, the figures are as of when the link was lost, not now.
      if (state !== 'live') expect(wall.asOf).not.toBeNull();
    }
  });

  it('hands the applied seq to every handshake: none before the first snapshot', () => {
    const { connection, scheduler } = setup();
    expect(connection.lastSeq()).toBeNull();
    connection.handlers.snapshot!(snapshotOf(reportedRange(1, 7)));
    scheduler.frame();
    expect(connection.lastSeq()).toBe(7);
    connection.handlers.events!([reported(8)]);
    scheduler.frame();
    expect(connection.lastSeq()).toBe(8);
  });

  it('bumps its version once per frame, exposes the fold, and marks only live events as fresh', () => {
    const { wall, connection, scheduler } = setup();
    connection.handlers.snapshot!(snapshotOf(reportedRange(1, 3)));
    scheduler.frame();
    expect(wall.version).toBe(1);
    expect(wall.fresh).toEqual([]);

    connection.handlers.events!([reported(4)]);
    connection.handlers.events!([reported(5), alert(6)]);
    scheduler.frame();
    expect(wall.version).toBe(2);
    expect(wall.fresh.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(totals(wall.state!, wall.clock.now)).toMatchObject({ newToday: 5, open: 5 });
  });

  it('fills a gap through sync and ends with exactly the server figures', async () => {
    const { wall, connection, scheduler } = setup();
    const all = reportedRange(1, 20);
    connection.syncAnswer = (lastSeq) => ({ ok: true, data: { mode: 'replay', events: all.slice(lastSeq, 18) } });
    connection.handlers.snapshot!(snapshotOf(all.slice(0, 10)));
    scheduler.frame();
    connection.handlers.events!([all[18]!, all[19]!]);
    scheduler.frame();
    await settle();
    scheduler.frame();
    expect(connection.syncRequests).toEqual([10]);
    expect(wall.state).toEqual(snapshotOf(all).state);
  });

  it('when its connection reports a stall, asks the server for what followed its seq as a stalled sync, and re-checks after every batch', async () => {
    const { wall, connection, scheduler } = setup();
    const all = reportedRange(1, 12);
    connection.syncAnswer = (lastSeq) => ({ ok: true, data: { mode: 'replay', events: all.slice(lastSeq) } });
    connection.handlers.snapshot!(snapshotOf(all.slice(0, 10)));
    scheduler.frame();
    const checks = connection.progressed;
    connection.stallHandler!();
    await settle();
    scheduler.frame();
    expect(connection.syncRequests).toEqual([10]);
    expect(connection.stalledSyncs).toBe(1);
    expect(wall.state!.seq).toBe(12);
    expect(connection.progressed).toBeGreaterThan(checks);
  });

  it('corrects its clock to the server time of the snapshot', () => {
    const { wall, connection, scheduler } = setup(NOW);
    connection.handlers.snapshot!(snapshotOf([], NOW + 90_000));
    scheduler.frame();
    expect(wall.clock.now).toBe(NOW + 90_000);
    expect(wall.clock.toServer(NOW + 1000)).toBe(NOW + 91_000);
  });

  it('reports its connection state and freezes "data as of" when the link drops', () => {
    const { wall, connection, scheduler } = setup(NOW);
    expect(wall.asOf).toBeNull();
    connection.statusHandler!({ state: 'live', since: NOW });
    connection.handlers.snapshot!(snapshotOf([reported(1)], NOW));
    scheduler.frame();
    expect(wall.status.state).toBe('live');
    expect(wall.asOf).toBe(NOW);
    connection.statusHandler!({ state: 'reconnecting', since: NOW - 5000 });
    expect(wall.status).toEqual({ state: 'reconnecting', since: NOW - 5000 });
    expect(wall.asOf).toBe(NOW - 5000);
  });

  it('closes the connection when stopped', () => {
    const { connection, stop } = setup();
    stop();
    expect(connection.closed).toBe(true);
  });
});
