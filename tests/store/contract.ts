/**
 * The EventStore contract: every engine (SQLite and PostgreSQL) runs this same suite.
 * `open(dir?)` opens a store on fresh storage, or re-opens the storage identified by `dir`.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import { MAX_QUEUED_DRAFTS, StoreUnavailableError, type EventStore } from '../../server/store/event-store.js';
import { runPreconditionContract } from './precondition.js';

export interface StoreFactory {
  open(location?: string): Promise<{ store: EventStore; location: string }>;
}

export function alertDraft(sourceKey?: string, title = '风险'): EventDraft {
  const draft: EventDraft = {
    id: randomUUID(),
    type: 'alert.raised',
    data: { alertId: randomUUID(), source: 'system', level: 'yellow', title, streetCode: '440307013', raisedAt: new Date().toISOString() },
  };
  if (sourceKey) draft.sourceKey = sourceKey;
  return draft;
}

export function runEventStoreContract(engine: string, factory: StoreFactory): void {
  describe(`EventStore contract: ${engine}`, () => {
    const open: EventStore[] = [];
    const openStore = async (location?: string) => {
      const opened = await factory.open(location);
      open.push(opened.store);
      return opened;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('starts empty', async () => {
      const { store } = await openStore();
      expect(await store.lastSeq()).toBe(0);
      expect(await store.readAfter(0, 10)).toEqual([]);
    });

    it(`refuses at once, storing nothing, an append that would hold more than ${MAX_QUEUED_DRAFTS} events waiting`, async () => {
      const { store } = await openStore();
      const draft = alertDraft();
      const refused = store.append(Array.from({ length: MAX_QUEUED_DRAFTS + 1 }, () => draft));
      await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(refused).rejects.toThrow(/overloaded: more than 100000 events are waiting/);
      expect(await store.lastSeq()).toBe(0);
    });

    it('assigns gapless seqs in append order and reads the events back intact', async () => {
      const { store } = await openStore();
      const drafts = [alertDraft('s:1', '一'), alertDraft(undefined, '二'), alertDraft('s:3', '三')];
      const outcomes = await store.append(drafts);
      expect(outcomes.map((o) => [o.event.seq, o.duplicate])).toEqual([[1, false], [2, false], [3, false]]);
      const read = await store.readAfter(0, 10);
      expect(read.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(read.map((e) => e.id)).toEqual(drafts.map((d) => d.id));
      expect(read[0]!.data).toEqual(drafts[0]!.data);
      expect(read[0]!.sourceKey).toBe('s:1');
      expect(read[1]!.sourceKey).toBeUndefined();
      expect(Number.isNaN(Date.parse(read[0]!.at))).toBe(false);
      expect(await store.readAfter(1, 1)).toEqual([read[1]]);
      expect(await store.lastSeq()).toBe(3);
    });

    it('keeps seq gapless and each append contiguous under concurrent appends', async () => {
      const { store } = await openStore();
      const calls = Array.from({ length: 40 }, (_, i) => Array.from({ length: 5 }, (_, j) => alertDraft(`c:${i}:${j}`)));
      const results = await Promise.all(calls.map((drafts) => store.append(drafts)));
      for (const outcomes of results) {
        const seqs = outcomes.map((o) => o.event.seq);
        expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
      }
      const all = await store.readAfter(0, 1000);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1));
    });

    it('appends nothing for a known sourceKey and returns the stored event instead', async () => {
      const { store } = await openStore();
      const [first] = await store.append([alertDraft('dup:1', '原始')]);
      const again = await store.append([alertDraft('dup:1', '重复'), alertDraft('dup:2')]);
      expect(again[0]).toEqual({ event: first!.event, duplicate: true });
      expect(again[1]!.duplicate).toBe(false);
      expect(again[1]!.event.seq).toBe(2);
      const within = await store.append([alertDraft('dup:3'), alertDraft('dup:3')]);
      expect(within[1]!.duplicate).toBe(true);
      expect(within[1]!.event.id).toBe(within[0]!.event.id);
      expect(await store.lastSeq()).toBe(3);
    });

    it('finds stored events by sourceKey, leaving out keys it does not hold', async () => {
      const { store } = await openStore();
      expect(await store.bySourceKeys([])).toEqual([]);
      const [a, , c] = await store.append([alertDraft('key:a', '甲'), alertDraft(undefined), alertDraft('key:c', '丙')]);
      const found = await store.bySourceKeys(['key:c', 'key:none', 'key:a', 'key:a']);
      expect(found.sort((x, y) => x.seq - y.seq)).toEqual([a!.event, c!.event]);
    });

    it('reads events by seq in one call, in seq order, leaving out seqs the log does not hold', async () => {
      const { store } = await openStore();
      expect(await store.bySeqs([])).toEqual([]);
      const stored = (await store.append(Array.from({ length: 12 }, () => alertDraft()))).map((r) => r!.event);
      const all = await store.readAfter(0, 100);
      // Any subset, asked in any order and with repeats, comes back as the log holds it.
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: -2, max: 16 }), { maxLength: 30 }), async (seqs) => {
          const wanted = [...new Set(seqs)].filter((s) => s >= 1 && s <= stored.length).sort((x, y) => x - y);
          expect(await store.bySeqs(seqs)).toEqual(wanted.map((s) => all[s - 1]));
        }),
        { numRuns: 50 },
      );
    });

    it('is all-or-nothing per append, and a failed append does not sink a concurrent one', async () => {
      const { store } = await openStore();
      const [stored] = await store.append([alertDraft()]);
      const clash = { ...alertDraft(), id: stored!.event.id };
      const results = await Promise.allSettled([store.append([alertDraft('ok:1')]), store.append([alertDraft('bad:1'), clash]), store.append([alertDraft('ok:2')])]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const all = await store.readAfter(0, 100);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all.map((e) => e.sourceKey)).toEqual([undefined, 'ok:1', 'ok:2']);
      const [next] = await store.append([alertDraft('bad:1')]);
      expect(next!.event.seq).toBe(4);
      expect(next!.duplicate).toBe(false);
    });

    it('tells commit listeners about new events in seq order before the append resolves', async () => {
      const { store } = await openStore();
      const seen: number[] = [];
      const off = store.onCommit((events) => seen.push(...events.map((e: StoredEvent) => e.seq)));
      const [a, b] = await Promise.all([store.append([alertDraft('l:1'), alertDraft('l:2')]), store.append([alertDraft('l:3')])]);
      expect(seen).toEqual([1, 2, 3]);
      await store.append([alertDraft('l:1')]);
      expect(seen).toEqual([1, 2, 3]);
      expect(a!.length + b!.length).toBe(3);
      off();
      await store.append([alertDraft('l:4')]);
      expect(seen).toEqual([1, 2, 3]);
    });

    it('keeps every acknowledged event across close and reopen', async () => {
      const { store, location } = await openStore();
      await store.append(Array.from({ length: 25 }, (_, i) => alertDraft(`p:${i}`)));
      await store.close();
      const { store: reopened } = await openStore(location);
      expect(await reopened.lastSeq()).toBe(25);
      const [dup] = await reopened.append([alertDraft('p:3')]);
      expect(dup!.duplicate).toBe(true);
      const [next] = await reopened.append([alertDraft('p:25')]);
      expect(next!.event.seq).toBe(26);
    });

    it('refuses work once closed', async () => {
      const { store } = await openStore();
      await store.close();
      await expect(store.append([alertDraft()])).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('round-trips a batch of 1,000 at once (the intake maximum)', async () => {
      const { store } = await openStore();
      const outcomes = await store.append(Array.from({ length: 1000 }, (_, i) => alertDraft(`big:${i}`)));
      expect(outcomes.at(-1)!.event.seq).toBe(1000);
      expect((await store.readAfter(990, 100)).length).toBe(10);
    });

    runPreconditionContract(openStore);
  });
}
