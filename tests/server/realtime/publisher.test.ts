import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicEvent } from '../../../shared/events.js';
import { CoalescingPublisher } from '../../../server/realtime/publisher.js';

const ev = (seq: number) => ({ seq }) as PublicEvent;

describe('CoalescingPublisher', () => {
  let now = 0;
  let batches: number[][];
  let publisher: CoalescingPublisher;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    batches = [];
    publisher = new CoalescingPublisher((b) => batches.push(b.map((e) => e.seq)), { windowMs: 25, clock: () => now });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first event after a quiet spell on the next tick, with whatever committed in the same tick', () => {
    publisher.publish([ev(1)]);
    publisher.publish([ev(2), ev(3)]);
    expect(batches).toEqual([]);
    vi.runOnlyPendingTimers();
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('holds later events until the window since the last emit has passed, then sends them together', () => {
    publisher.publish([ev(1)]);
    vi.runOnlyPendingTimers();
    now = 5;
    publisher.publish([ev(2)]);
    now = 10;
    publisher.publish([ev(3)]);
    vi.advanceTimersByTime(19);
    expect(batches).toEqual([[1]]);
    now = 25;
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('lets an event travel alone when events are further apart than the window', () => {
    for (let i = 1; i <= 3; i++) {
      now = i * 50;
      publisher.publish([ev(i)]);
      vi.runOnlyPendingTimers();
    }
    expect(batches).toEqual([[1], [2], [3]]);
  });

  it('flushes what is pending on close', () => {
    publisher.publish([ev(1)]);
    publisher.close();
    expect(batches).toEqual([[1]]);
  });
});
