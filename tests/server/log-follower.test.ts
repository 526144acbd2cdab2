/**
 * The log follower applies every event once, in seq order, however its news arrives: own commits, batches heard
 * from other nodes over Redis (late, early, repeated or lost) and the remote-commit signal; gaps are read from the
 * log. The log here is an array behind the EventStore interface, so every arrival order can be tried.
 */
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../shared/events.js';
import { LogFollower } from '../../server/log-follower.js';
import { streamCounters } from '../../server/realtime/stream-health.js';
import type { CommitListener, EventStore, RemoteCommitListener } from '../../server/store/event-store.js';

function event(seq: number): StoredEvent {
  return { seq, id: `e${seq}`, at: '2026-12-01T00:00:00.000Z', type: 'case.reported', data: {} } as unknown as StoredEvent;
}

/** A shared log that other nodes write: reads see all of it, `onCommit` only what this node appends. */
class ArrayLog implements EventStore {
  readonly events: StoredEvent[] = [];
  remote: RemoteCommitListener | undefined;
  reads = 0;
  append = () => Promise.reject(new Error('not used'));
  bySourceKeys(keys: readonly string[]) {
    return Promise.resolve(this.events.filter((e) => e.sourceKey !== undefined && keys.includes(e.sourceKey)));
  }
  bySeqs(seqs: readonly number[]) {
    return Promise.resolve(this.events.filter((e) => seqs.includes(e.seq)));
  }
  readAfter(afterSeq: number, limit: number) {
    this.reads++;
    return Promise.resolve(this.events.filter((e) => e.seq > afterSeq).slice(0, limit));
  }
  lastSeq() {
    return Promise.resolve(this.events.length);
  }
  onCommit(_listener: CommitListener) {
    return () => undefined;
  }
  onRemoteCommit(listener: RemoteCommitListener) {
    this.remote = listener;
    return () => undefined;
  }
  close() {
    return Promise.resolve();
  }
}

function follow(log: ArrayLog, remoteGraceMs = 0, maxHeld?: number) {
  const applied: number[] = [];
  const follower = new LogFollower(
    { store: log, log: pino({ level: 'silent' }), appliedSeq: () => applied.at(-1) ?? 0, apply: (events) => applied.push(...events.map((e) => e.seq)) },
    { pollMs: 60_000, remoteGraceMs: () => remoteGraceMs, ...(maxHeld !== undefined && { maxHeld }) },
  );
  follower.start();
  return { applied, follower };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('log follower', () => {
  it('applies heard batches that follow on at once, without reading the log', async () => {
    const log = new ArrayLog();
    log.events.push(...[1, 2, 3, 4, 5].map(event));
    const { applied, follower } = follow(log);
    follower.receive([event(1), event(2)]);
    follower.receive([event(3), event(4), event(5)]);
    await settled();
    expect(applied).toEqual([1, 2, 3, 4, 5]);
    expect(log.reads).toBe(0);
    follower.close();
  });

  it('holds at most maxHeld events during a catch-up, counts what it lets go, and reads those back from the log', async () => {
    const log = new ArrayLog();
    log.events.push(...Array.from({ length: 40 }, (_, i) => event(i + 1)));
    const { applied, follower } = follow(log, 0, 5);
    const before = streamCounters.followerHeldDropped;
    // Heard ahead of a gap (1 is missing): held, but only 5 of them.
    follower.receive(Array.from({ length: 39 }, (_, i) => event(i + 2)));
    expect(streamCounters.followerHeldDropped).toBe(before + 34);
    await expect.poll(() => applied.length).toBe(40);
    expect(applied).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    follower.close();
  });

  it('holds a batch heard ahead of a gap and reads the gap from the log', async () => {
    const log = new ArrayLog();
    log.events.push(...[1, 2, 3, 4, 5, 6].map(event));
    const { applied, follower } = follow(log);
    follower.receive([event(5), event(6)]);
    await expect.poll(() => applied).toEqual([1, 2, 3, 4, 5, 6]);
    follower.receive([event(2), event(3)]);
    await settled();
    expect(applied).toEqual([1, 2, 3, 4, 5, 6]);
    follower.close();
  });

  it('lets a NOTIFY wait for the batch Redis brings, and reads the log only for what Redis lost', async () => {
    const log = new ArrayLog();
    log.events.push(...[1, 2, 3].map(event));
    const { applied, follower } = follow(log, 30);
    log.remote?.(3);
    follower.receive([event(1), event(2), event(3)]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(applied).toEqual([1, 2, 3]);
    expect(log.reads).toBe(0);

    log.events.push(event(4));
    log.remote?.(4);
    await settled();
    expect(applied).toEqual([1, 2, 3]);
    await expect.poll(() => applied).toEqual([1, 2, 3, 4]);
    expect(log.reads).toBe(1);
    follower.close();
  });

  it('applies the whole log once, in order, whatever the order, repeats and losses of what it hears', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        async (size, cuts, order, lost) => {
          const log = new ArrayLog();
          log.events.push(...Array.from({ length: size }, (_, i) => event(i + 1)));
          const batches: StoredEvent[][] = [];
          for (let seq = 1, i = 0; seq <= size; i++) {
            const length = cuts[i % cuts.length]!;
            batches.push(log.events.slice(seq - 1, seq - 1 + length));
            seq += length;
          }
          // Deliver in a shuffled order, some twice, some never.
          const deliveries = [...batches.keys(), ...order.map((k) => k % batches.length)];
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(1, order.length)] ?? i) % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          const { applied, follower } = follow(log);
          for (const [i, k] of deliveries.entries()) {
            if (!lost[i]) follower.receive(batches[k]!);
            if (i % 3 === 0) await settled();
          }
          // Whatever was lost, the log's own signal (NOTIFY, or the poll) brings the rest.
          log.remote?.(size);
          await expect.poll(() => applied.length).toBe(size);
          await settled();
          expect(applied).toEqual(log.events.map((e) => e.seq));
          follower.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});
