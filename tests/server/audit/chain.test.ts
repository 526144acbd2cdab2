/** The chain's pure parts: canonical JSON, the hash formula (recomputable by anyone), sealing and checking. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../shared/audit.js';
import { canonicalJson } from '../../../server/audit/canonical-json.js';
import { ChainVerifier, GENESIS, GENESIS_HASH, seal } from '../../../server/audit/chain.js';

const record = (target: string): AuditRecord => ({ actor: { kind: 'user', id: 'u1' }, action: 'export', outcome: 'ok', ip: '10.1.1.1', target });
const at = '2026-03-01T08:00:00.000Z';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'é' }, u: undefined })).toBe('{"a":{"c":"é","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('is the same for any key order, and parses back to the same value', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, (value) => {
        const shuffled = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as unknown;
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
        // JSON has no -0: compare with what JSON.stringify makes of the value.
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
  });
});

describe('the chain', () => {
  it('hashes sha256(prevHash + canonical JSON of the entry without prevHash and hash)', () => {
    const [entry] = seal(GENESIS, [record('case-1')], at);
    const text = `${GENESIS_HASH}{"action":"export","actor":{"id":"u1","kind":"user"},"at":"${at}","ip":"10.1.1.1","outcome":"ok","seq":1,"target":"case-1"}`;
    expect(entry!.hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('seals consecutive seqs linked by hash from any start', () => {
    const start = { seq: 41, hash: 'f'.repeat(64) };
    const entries = seal(start, [record('a'), record('b'), record('c')], at);
    expect(entries.map((e) => e.seq)).toEqual([42, 43, 44]);
    expect(entries.map((e) => e.prevHash)).toEqual([start.hash, entries[0]!.hash, entries[1]!.hash]);
    const verifier = new ChainVerifier(start);
    for (const entry of entries) expect(verifier.check({ seq: entry.seq, entry })).toBeUndefined();
    expect(verifier.end({ seq: 44, hash: entries[2]!.hash })).toBeUndefined();
    expect(verifier.entries).toBe(3);
  });

  it('reports the first break: a gap, an unreadable row, a wrong link, altered contents, a missing head', () => {
    const entries = seal(GENESIS, [record('a'), record('b'), record('c')], at);
    const run = (rows: Parameters<ChainVerifier['check']>[0][], head = { seq: 3, hash: entries[2]!.hash }) => {
      const verifier = new ChainVerifier(GENESIS);
      for (const row of rows) {
        const broken = verifier.check(row);
        if (broken) return broken;
      }
      return verifier.end(head);
    };
    const [a, b, c] = entries.map((entry) => ({ seq: entry.seq, entry }));
    expect(run([a!, c!])).toMatchObject({ seq: 2, reason: expect.stringMatching(/entry 2 is missing/) });
    expect(run([a!, { seq: 2, unreadable: 'bad JSON' }, c!])).toMatchObject({ seq: 2, reason: expect.stringMatching(/cannot be read/) });
    expect(run([{ seq: 1, entry: { ...a!.entry, prevHash: 'e'.repeat(64) } }])).toMatchObject({ seq: 1, reason: expect.stringMatching(/chain start/) });
    expect(run([a!, { seq: 2, entry: { ...b!.entry, outcome: 'denied' } }, c!])).toMatchObject({ seq: 2, reason: expect.stringMatching(/altered/) });
    expect(run([a!, b!])).toMatchObject({ seq: 3, reason: expect.stringMatching(/entry 3 is missing/) });
    expect(run([a!, b!, c!])).toBeUndefined();
    const headless = new ChainVerifier(GENESIS);
    headless.check(a!);
    expect(headless.end(undefined)).toMatchObject({ seq: 1, reason: expect.stringMatching(/head .* is missing/) });
    expect(new ChainVerifier(GENESIS).end(undefined)).toBeUndefined();
  });
});
