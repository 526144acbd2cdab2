import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StallWatch } from '../../client/lib/stall-watch.js';

function setup(stallMs = 5000) {
  let now = 0;
  let applied: number | null = 0;
  const stalls: number[] = [];
  const changes: boolean[] = [];
  const watch = new StallWatch({ applied: () => applied, now: () => now, stallMs, onStall: (head) => stalls.push(head), onChange: (c) => changes.push(c) });
  return { watch, stalls, changes, at: (ms: number) => (now = ms), apply: (seq: number | null) => (applied = seq) };
}

describe('StallWatch', () => {
  it('a client that never reaches a head it heard stalls after the stall time, says so, and asks again every stall time', () => {
    const { watch, stalls, changes, at, apply } = setup();
    apply(10);
    watch.head(12);
    at(4_999);
    watch.head(12);
    expect(stalls).toEqual([]);
    at(5_000);
    watch.check();
    expect(stalls).toEqual([12]);
    expect(changes).toEqual([true]);
    expect(watch.catchingUp).toBe(true);
    at(7_000);
    watch.head(13);
    expect(stalls).toEqual([12]);
    at(10_000);
    watch.check();
    expect(stalls).toEqual([12, 13]);
    apply(13);
    watch.check();
    expect(changes).toEqual([true, false]);
    expect(watch.catchingUp).toBe(false);
  });

  it('a client a batch behind under steady load never counts as stalled: it reaches each head within the stall time', () => {
    const { watch, stalls, changes, at, apply } = setup();
    for (let t = 0; t <= 60_000; t += 2_000) {
      at(t);
      // Head heard at t is t/10; the client applies it 300 ms later, by when the log has grown again.
      watch.head(t / 10 + 30);
      at(t + 300);
      apply(t / 10 + 30);
      watch.check();
    }
    expect(stalls).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('a client with nothing yet (no snapshot) stalls too; a new connection starts the watch afresh', () => {
    const { watch, stalls, changes, at, apply } = setup();
    apply(null);
    watch.head(0);
    at(5_000);
    watch.check();
    expect(stalls).toEqual([0]);
    watch.reset();
    expect(changes).toEqual([true, false]);
    at(9_000);
    watch.check();
    expect(stalls).toEqual([0]);
  });

  it('for any heads and applied seqs over time: a stall is reported only for a head heard at least the stall time before and not applied since', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3_000 }), head: fc.integer({ min: 0, max: 50 }), applied: fc.integer({ min: 0, max: 50 }) }), { maxLength: 80 }),
        (steps) => {
          const { watch, stalls, at, apply } = setup(5_000);
          const heard: Array<{ seq: number; at: number }> = [];
          let now = 0;
          let applied = 0;
          let maxHead = 0;
          for (const step of steps) {
            now += step.gap;
            at(now);
            applied = Math.max(applied, step.applied);
            apply(applied);
            maxHead = Math.max(maxHead, step.head);
            heard.push({ seq: maxHead, at: now });
            const before = stalls.length;
            watch.head(maxHead);
            if (stalls.length > before) {
              // Some head was heard ≥ 5 s ago and the client has not applied it.
              expect(heard.some((h) => now - h.at >= 5_000 && h.seq > applied)).toBe(true);
            }
            // A head 5 s old and still not applied is always reported, at the latest at this check.
            const overdue = heard.filter((h) => now - h.at >= 5_000 && h.seq > applied);
            if (overdue.length) expect(watch.catchingUp).toBe(true);
            if (stalls.length > before) heard.splice(0, heard.length, { seq: maxHead, at: now });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
