import { describe, expect, it, vi } from 'vitest';
import { DeltaQueue, type DeltaTarget } from '../../client/lib/delta-queue.js';
import type { PublicEvent } from '../../shared/events.js';
import type { Response, SyncResult, WallSnapshot } from '../../shared/socket.js';
import { applyEvent, totals, type WallState } from '../../shared/wall-state.js';
import { FakeScheduler, NOW, reported, reportedRange, resolved, settle, snapshotOf } from './factories.js';

/** A target that folds into a real WallState and records each call. */
class RecordingTarget implements DeltaTarget {
  state: WallState | null = null;
  applyCalls: number[][] = [];
  replaced = 0;
  seq = (): number | null => this.state?.seq ?? null;
  replace = (snapshot: WallSnapshot): void => {
    this.state = structuredClone(snapshot.state);
    this.replaced += 1;
  };
  apply = (events: PublicEvent[]): void => {
    this.applyCalls.push(events.map((e) => e.seq));
    for (const event of events) applyEvent(this.state!, event);
  };
}

function setup(syncAnswer?: (lastSeq: number) => Promise<Response<SyncResult>>) {
  const target = new RecordingTarget();
  const scheduler = new FakeScheduler();
  const sync = vi.fn(syncAnswer ?? (() => new Promise<Response<SyncResult>>(() => {})));
  const queue = new DeltaQueue({ target, sync, scheduleFrame: scheduler.scheduleFrame, scheduleRetry: scheduler.scheduleRetry });
  return { target, scheduler, sync, queue };
}

describe('DeltaQueue', () => {
  it('applies a snapshot, then deltas in seq order, to the same figures as a fold of everything', () => {
    const { target, scheduler, queue } = setup();
    const history = reportedRange(1, 5);
    queue.pushSnapshot(snapshotOf(history));
    scheduler.frame();
    expect(target.seq()).toBe(5);

    const live = [reported(6), resolved(7, history[0]!), reported(8)];
    queue.pushEvents(live);
    scheduler.frame();
    expect(target.seq()).toBe(8);
    expect(target.state).toEqual(snapshotOf([...history, ...live]).state);
    expect(totals(target.state!, NOW)).toMatchObject({ newToday: 7, open: 6, resolvedToday: 1 });
  });

  it('drops events at or below the applied seq, and duplicates within a burst', () => {
    const { target, scheduler, queue, sync } = setup();
    queue.pushSnapshot(snapshotOf(reportedRange(1, 10)));
    scheduler.frame();
    queue.pushEvents([reported(9), reported(10), reported(11)]);
    queue.pushEvents([reported(11), reported(12)]);
    scheduler.frame();
    expect(target.applyCalls).toEqual([[11, 12]]);
    // A replay of what is already applied (e.g. after a recovered reconnection) changes nothing.
    queue.pushEvents(reportedRange(5, 12));
    expect(scheduler.frame()).toBe(0);
    expect(target.applyCalls).toEqual([[11, 12]]);
    expect(target.state!.open).toBe(12);
    expect(sync).not.toHaveBeenCalled();
  });

  it('applies a burst that arrives within one frame in one go', () => {
    const { target, scheduler, queue } = setup();
    queue.pushSnapshot(snapshotOf([]));
    scheduler.frame();
    for (let seq = 1; seq <= 100; seq++) queue.pushEvents([reported(seq)]);
    expect(scheduler.frames).toHaveLength(1);
    scheduler.frame();
    expect(target.applyCalls).toHaveLength(1);
    expect(target.applyCalls[0]).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('on a gap sends one sync with the applied seq and applies the replay in order', async () => {
    let answer!: (r: Response<SyncResult>) => void;
    const { target, scheduler, queue, sync } = setup(() => new Promise((resolve) => (answer = resolve)));
    queue.pushSnapshot(snapshotOf(reportedRange(1, 3)));
    scheduler.frame();

    queue.pushEvents([reported(6), reported(7)]);
    scheduler.frame();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(sync).toHaveBeenCalledWith(3);
    expect(target.seq()).toBe(3);

    // More events while the sync is in flight: held, no second request.
    queue.pushEvents([reported(8)]);
    scheduler.frame();
    expect(sync).toHaveBeenCalledTimes(1);

    answer({ ok: true, data: { mode: 'replay', events: [reported(4), reported(5), reported(6), reported(7)] } });
    await settle();
    scheduler.frame();
    expect(target.applyCalls).toEqual([[4, 5, 6, 7, 8]]);
    expect(target.state).toEqual(snapshotOf(reportedRange(1, 8)).state);
    expect(queue.pendingCount).toBe(0);
  });

  it('replaces the state when the sync answers with a snapshot, then applies held events beyond it', async () => {
    const all = reportedRange(1, 40);
    const { target, scheduler, queue, sync } = setup(async () => ({ ok: true, data: { mode: 'snapshot', snapshot: snapshotOf(all.slice(0, 38)) } }));
    queue.pushSnapshot(snapshotOf(all.slice(0, 2)));
    scheduler.frame();
    queue.pushEvents(all.slice(36));
    scheduler.frame();
    expect(sync).toHaveBeenCalledTimes(1);
    await settle();
    scheduler.frame();
    expect(target.replaced).toBe(2);
    expect(target.applyCalls).toEqual([[39, 40]]);
    expect(target.state).toEqual(snapshotOf(all).state);
  });

  it('a snapshot always replaces the state, even one behind it (the server log was wiped)', () => {
    const { target, scheduler, queue } = setup();
    queue.pushSnapshot(snapshotOf(reportedRange(1, 5)));
    scheduler.frame();
    queue.pushSnapshot(snapshotOf(reportedRange(1, 9)));
    scheduler.frame();
    expect(target.seq()).toBe(9);
    expect(target.state!.open).toBe(9);

    // Reconnected to a fresh log: its snapshot is behind, and its new events (seq 3, 4) must not be taken as duplicates.
    queue.pushSnapshot(snapshotOf(reportedRange(1, 2)));
    queue.pushEvents([reported(3), reported(4)]);
    scheduler.frame();
    expect(target.seq()).toBe(4);
    expect(target.state).toEqual(snapshotOf(reportedRange(1, 4)).state);
  });

  it('holds events that arrive before the first snapshot and applies those beyond it', () => {
    const { target, scheduler, queue, sync } = setup();
    queue.pushEvents([reported(3), reported(4)]);
    scheduler.frame();
    expect(target.seq()).toBeNull();
    expect(sync).not.toHaveBeenCalled();
    queue.pushSnapshot(snapshotOf(reportedRange(1, 3)));
    scheduler.frame();
    expect(target.seq()).toBe(4);
    expect(target.applyCalls).toEqual([[4]]);
  });

  it('retries a failed sync later, once, and recovers', async () => {
    let calls = 0;
    const { target, scheduler, queue, sync } = setup(async () => {
      calls += 1;
      if (calls === 1) return { ok: false, error: { code: 'unavailable', message: 'down' } };
      return { ok: true, data: { mode: 'replay', events: [reported(2)] } };
    });
    queue.pushSnapshot(snapshotOf([reported(1)]));
    scheduler.frame();
    queue.pushEvents([reported(3)]);
    scheduler.frame();
    await settle();
    scheduler.frame();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(scheduler.retries).toHaveLength(1);
    scheduler.retry();
    await settle();
    scheduler.frame();
    expect(sync).toHaveBeenCalledTimes(2);
    expect(target.seq()).toBe(3);
  });

  it('a sync that rejects (socket timeout) counts as a failure, not an unhandled rejection', async () => {
    const { scheduler, queue, sync } = setup(() => Promise.reject(new Error('timeout')));
    queue.pushSnapshot(snapshotOf([reported(1)]));
    scheduler.frame();
    queue.pushEvents([reported(5)]);
    scheduler.frame();
    await settle();
    expect(sync).toHaveBeenCalledTimes(1);
    expect(scheduler.retries).toHaveLength(1);
  });
});
