import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicEvent } from '../../../shared/events.js';
import { CoalescingPublisher } from '../../../server/realtime/publisher.js';
import { streamCounters } from '../../../server/realtime/stream-health.js';

const ev = (seq: number) => ({ seq }) as PublicEvent;

describe('CoalescingPublisher', () => {
  let now = 0;
  let batches: number[][];
  let publisher: CoalescingPublisher;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    batches = [];
    publisher = new CoalescingPublisher((b) => batches.push(b.map((e) => e.seq)), { windowMs: 25, burst: 3, clock: () => now });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('adds no delay while the stream is quiet: each commit goes out in its own tick', () => {
    publisher.publish([ev(1)]);
    expect(batches).toEqual([[1]]);
    now = 50;
    publisher.publish([ev(2), ev(3)]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('batches only under load: once the burst is spent, events wait for the next token and travel together', () => {
    for (let seq = 1; seq <= 3; seq++) publisher.publish([ev(seq)]);
    expect(batches).toEqual([[1], [2], [3]]);
    now = 5;
    publisher.publish([ev(4)]);
    now = 10;
    publisher.publish([ev(5)]);
    expect(batches).toHaveLength(3);
    // The bucket had 0.2 of a token back at 5 ms: the timer waits the 20 ms the rest of it takes.
    now = 30;
    vi.advanceTimersByTime(25);
    expect(batches).toEqual([[1], [2], [3], [4, 5]]);
  });

  it('sends what is pending at once on flush (before a catch-up joins a socket) and on close', () => {
    for (let seq = 1; seq <= 4; seq++) publisher.publish([ev(seq)]);
    expect(batches).toEqual([[1], [2], [3]]);
    publisher.flush();
    expect(batches).toEqual([[1], [2], [3], [4]]);
    publisher.publish([ev(5)]);
    publisher.close();
    expect(batches.at(-1)).toEqual([5]);
  });

  it('past its bound of pending events sends them at once, and counts it', () => {
    const bounded = new CoalescingPublisher((b) => batches.push(b.map((e) => e.seq)), { windowMs: 1000, burst: 1, maxPending: 10, clock: () => now });
    bounded.publish([ev(1)]);
    const before = streamCounters.publisherOverflows;
    bounded.publish(Array.from({ length: 5 }, (_, i) => ev(2 + i)));
    expect(bounded.pendingCount).toBe(5);
    bounded.publish(Array.from({ length: 6 }, (_, i) => ev(7 + i)));
    expect(bounded.pendingCount).toBe(0);
    expect(streamCounters.publisherOverflows).toBe(before + 1);
    expect(batches.flat()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('whatever the timing, every event goes out once, in order, and never waits longer than one window', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 4 })), { maxLength: 60 }), (steps) => {
        vi.clearAllTimers();
        now = 0;
        const sent: Array<{ seqs: number[]; at: number }> = [];
        const p = new CoalescingPublisher((b) => sent.push({ seqs: b.map((e) => e.seq), at: now }), { windowMs: 25, burst: 3, clock: () => now });
        const publishedAt = new Map<number, number>();
        let seq = 0;
        for (const [gap, count] of steps) {
          // Time passes, and the timers due in it fire at their own time.
          const until = now + gap;
          while (now < until) {
            now += 1;
            vi.advanceTimersByTime(1);
          }
          const events = Array.from({ length: count }, () => ev(++seq));
          for (const e of events) publishedAt.set(e.seq, now);
          p.publish(events);
        }
        for (let i = 0; i < 30; i++) {
          now += 1;
          vi.advanceTimersByTime(1);
        }
        expect(sent.flatMap((b) => b.seqs)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
        for (const batch of sent) for (const s of batch.seqs) expect(batch.at - publishedAt.get(s)!).toBeLessThanOrEqual(25);
      }),
      { numRuns: 200 },
    );
  });
});
