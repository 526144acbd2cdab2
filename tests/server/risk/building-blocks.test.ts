import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lnGamma, poissonUpperTail } from '../../../server/domain/risk/poisson.js';
import { escalationPoints } from '../../../server/domain/risk/stale.js';
import { normaliseIdNumber, normaliseName } from '../../../server/domain/risk/identity.js';
import { IndexedHeap } from '../../../server/domain/risk/heap.js';
import { testRules } from './builders.js';

/** 1 − Σ_{i<k} e^−λ λ^i / i!, fine where the tail is not tiny. */
function direct(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= lambda / (i + 1);
  }
  return 1 - cdf;
}

describe('Poisson upper tail', () => {
  it('matches the direct sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.05, max: 40, noNaN: true }), (k, lambda) => {
        const d = direct(k, lambda);
        fc.pre(d > 1e-9);
        expect(poissonUpperTail(k, lambda)).toBeCloseTo(d, 9);
        expect(Math.abs(poissonUpperTail(k, lambda) - d) / d).toBeLessThan(1e-6);
      }),
    );
  });

  it('stays accurate far in the tail, and at the edges', () => {
    // P(X ≥ 10 | 0.1) summed term by term from 10 up (where 1 − cdf would have lost every digit).
    let tail = 0;
    for (let i = 10, term = (Math.exp(-0.1) * 1e-10) / 3_628_800; i < 40; i++, term *= 0.1 / i) tail += term;
    expect(poissonUpperTail(10, 0.1) / tail).toBeCloseTo(1, 10);
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(3, 0)).toBe(0);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3_628_800), 10);
  });

  it('falls as the count rises', () => {
    let last = 1;
    for (let k = 1; k < 80; k++) {
      const p = poissonUpperTail(k, 12);
      expect(p).toBeLessThan(last);
      last = p;
    }
  });
});

describe('building blocks', () => {
  it('turns stale levels into escalation points that only ever get more severe', () => {
    const rules = testRules().staleHighSeverity;
    expect(escalationPoints(rules, 3)).toEqual([]);
    expect(escalationPoints(rules, 4).map((p) => [p.afterHours, p.level])).toEqual([[24, 'yellow'], [72, 'orange']]);
    // Red and orange both at 72 h: only red is a step.
    expect(escalationPoints(rules, 5).map((p) => [p.afterHours, p.level])).toEqual([[24, 'yellow'], [72, 'red']]);
    // One level in two steps (alternatives), as data/risk/rules.json has it.
    const alternatives = {
      enabled: true,
      levels: [
        { level: 'red' as const, minSeverity: 5, afterHours: 120 },
        { level: 'orange' as const, minSeverity: 5, afterHours: 48 },
        { level: 'orange' as const, minSeverity: 4, afterHours: 168 },
        { level: 'yellow' as const, minSeverity: 4, afterHours: 72 },
      ],
    };
    expect(escalationPoints(alternatives, 5).map((p) => [p.afterHours, p.level])).toEqual([[48, 'orange'], [120, 'red']]);
    expect(escalationPoints(alternatives, 4).map((p) => [p.afterHours, p.level])).toEqual([[72, 'yellow'], [168, 'orange']]);
  });

  it('normalises ID numbers and names as people type them', () => {
    expect(normaliseIdNumber(' ４４０３０７ 19900101123x ')).toBe('44030719900101123X');
    expect(normaliseName('  ＡＢＣ　 电子厂（深圳） ')).toBe('abc 电子厂(深圳)');
  });

  it('lists what is due in a heap in time order without taking it out', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 100 }), fc.boolean())), fc.integer({ min: 0, max: 100 }), (ops, limit) => {
        const heap = new IndexedHeap();
        const model = new Map<string, number>();
        for (const [id, key, remove] of ops) {
          if (remove) {
            heap.delete(`i${id}`);
            model.delete(`i${id}`);
          } else {
            heap.set(`i${id}`, key);
            model.set(`i${id}`, key);
          }
        }
        const expected = [...model].filter(([, k]) => k <= limit).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([id, key]) => ({ id, key }));
        expect(heap.upTo(limit)).toEqual(expected);
        expect(heap.size).toBe(model.size);
      }),
    );
  });

  it('gives its least entries by key then id, whatever the order they came in', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 })), { selector: ([id]) => id });
    fc.assert(
      fc.property(entries, fc.array(fc.integer({ min: 0, max: 30 })), fc.integer({ min: 0, max: 12 }), (all, removed, n) => {
        const heap = new IndexedHeap();
        for (const [id, key] of all) heap.set(`i${id}`, key);
        for (const id of removed) heap.delete(`i${id}`);
        const expected = all
          .filter(([id]) => !removed.includes(id))
          .map(([id, key]) => ({ id: `i${id}`, key }))
          .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
        expect(heap.smallest(n)).toEqual(expected.slice(0, n));
        expect(heap.peek()).toEqual(expected[0]);
      }),
    );
  });
});
