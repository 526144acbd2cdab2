/**
 * The PostgreSQL event store against a real server (issue 7): the shared contract suite, then what only a shared
 * database has to get right: two stores (two pools, as two nodes) appending at once, a district mismatch, and
 * PostgreSQL unreachable or cut off mid-run (through a TCP relay the test can sever) → StoreUnavailableError,
 * then recovery by itself. Each store opens a fresh schema; all are dropped at the end.
 *
 * TEST_DATABASE_URL picks the server (default postgres://postgres@127.0.0.1:5432/test). Off CI an unreachable
 * server skips the suite with the reason; on CI it is a failure.
 */
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../shared/events.js';
import { StoreMismatchError, StoreUnavailableError, type AppendOutcome } from '../../server/store/event-store.js';
import { planAppend, planGroup } from '../../server/store/pg-plan.js';
import { PgEventStore, type PgStoreOptions } from '../../server/store/pg-store.js';
import { alertDraft, runEventStoreContract } from './contract.js';
import { freshSchemaName, postgresRelay, requirePostgres, testDatabaseUrl } from '../helpers/pg-env.js';

const testUrl = testDatabaseUrl;
const unreachable = await requirePostgres('PostgreSQL store tests');

/** Planning is pure: it needs no server. */
describe('pg append planning', () => {
  const at = '2025-01-01T00:00:00.000Z';
  it('numbers new drafts from nextSeq and answers repeated keys with the stored event', () => {
    const stored = { ...alertDraft('k:old'), seq: 4, at } as StoredEvent;
    const drafts = [alertDraft('k:new'), alertDraft('k:old'), alertDraft(), alertDraft('k:new')];
    const plan = planAppend(drafts, 10, at, new Map([['k:old', stored]]));
    expect(plan.outcomes[1]!.event).toBe(stored);
    expect(plan.outcomes.map((o) => [o.event.seq, o.duplicate])).toEqual([[10, false], [4, true], [11, false], [10, true]]);
    expect(plan.fresh.map((e) => e.id)).toEqual([drafts[0]!.id, drafts[2]!.id]);
  });

  it('lets a later append in a group see the keys of an earlier one', () => {
    const plans = planGroup([[alertDraft('g:1')], [alertDraft('g:1'), alertDraft('g:2')]], 1, at, new Map());
    expect(plans[1]!.outcomes.map((o) => [o.event.seq, o.duplicate])).toEqual([[1, true], [2, false]]);
  });
});

/** A relay to the test server that the test can cut, and the URL that goes through it. */
const relayToTest = () => postgresRelay(testUrl);

describe.skipIf(unreachable !== undefined)('PostgreSQL event store', () => {
  const schemas = new Set<string>();
  const freshSchema = () => {
    const schema = freshSchemaName();
    schemas.add(schema);
    return schema;
  };
  const opened: PgEventStore[] = [];
  const open = async (options: Partial<PgStoreOptions> & { schema: string }) => {
    const store = await PgEventStore.open({ url: testUrl, district: 'longgang', ...options });
    opened.push(store);
    return store;
  };

  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    const admin = new pg.Client({ connectionString: testUrl });
    await admin.connect();
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  runEventStoreContract('postgresql', {
    open: async (location = freshSchema()) => ({ store: await PgEventStore.open({ url: testUrl, district: 'longgang', schema: location }), location }),
  });

  describe('two nodes on one log', () => {
    const contiguous = (outcomes: AppendOutcome[]) => {
      const seqs = outcomes.filter((o) => !o.duplicate).map((o) => o.event.seq);
      expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
    };

    it('keeps seq gapless and each append contiguous when both append at once', async () => {
      const schema = freshSchema();
      const [a, b] = [await open({ schema }), await open({ schema })];
      const calls = (node: string) => Array.from({ length: 25 }, (_, i) => Array.from({ length: 4 }, (_, j) => alertDraft(`${node}:${i}:${j}`)));
      const results = await Promise.all([...calls('a').map((d) => a.append(d)), ...calls('b').map((d) => b.append(d))]);
      results.forEach(contiguous);
      const all = await a.readAfter(0, 1000);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1));
      expect(new Set(all.map((e) => e.sourceKey)).size).toBe(200);
      expect(await b.lastSeq()).toBe(200);
    });

    it('stores every sourceKey once when both nodes receive the same events at once', async () => {
      const schema = freshSchema();
      const [a, b] = [await open({ schema }), await open({ schema })];
      const keys = Array.from({ length: 60 }, (_, i) => `same:${i}`);
      const batches = (order: string[]) => Array.from({ length: 12 }, (_, i) => order.slice(i * 5, i * 5 + 5).map((k) => alertDraft(k)));
      const [fromA, fromB] = await Promise.all([
        Promise.all(batches(keys).map((d) => a.append(d))),
        Promise.all(batches([...keys].reverse()).map((d) => b.append(d))),
      ]);
      [...fromA, ...fromB].forEach(contiguous);
      const all = await b.readAfter(0, 1000);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));
      const byKey = new Map(all.map((e) => [e.sourceKey!, e]));
      const outcomes = [...fromA.flat(), ...fromB.flat()];
      for (const key of keys) {
        const mine = outcomes.filter((o) => o.event.sourceKey === key);
        expect(mine.filter((o) => !o.duplicate)).toHaveLength(1);
        for (const o of mine) expect(o.event).toEqual(byKey.get(key));
      }
    });

    it('answers a key the other node stored with its event, and each node reads what the other wrote', async () => {
      const schema = freshSchema();
      const [a, b] = [await open({ schema }), await open({ schema })];
      const [first] = await a.append([alertDraft('cross:1', '首次')]);
      const [again] = await b.append([alertDraft('cross:1', '重发')]);
      expect(again).toEqual({ event: first!.event, duplicate: true });
      const [next] = await b.append([alertDraft('cross:2')]);
      expect(next!.event.seq).toBe(2);
      expect(await a.lastSeq()).toBe(2);
      expect(await a.readAfter(1, 10)).toEqual([next!.event]);
    });

    it('reports only its own commits to commit listeners', async () => {
      const schema = freshSchema();
      const [a, b] = [await open({ schema }), await open({ schema })];
      const seen: number[] = [];
      a.onCommit((events) => seen.push(...events.map((e) => e.seq)));
      await a.append([alertDraft()]);
      await b.append([alertDraft()]);
      await a.append([alertDraft()]);
      expect(seen).toEqual([1, 3]);
    });
  });

  it('refuses a schema that holds another district', async () => {
    const schema = freshSchema();
    await open({ schema });
    await expect(PgEventStore.open({ url: testUrl, district: 'baoan', schema })).rejects.toBeInstanceOf(StoreMismatchError);
    const lazy = new PgEventStore({ url: testUrl, district: 'baoan', schema });
    opened.push(lazy);
    await expect(lazy.append([alertDraft()])).rejects.toBeInstanceOf(StoreMismatchError);
  });

  it('stores drafts JSON allows but jsonb would refuse, exactly as given', async () => {
    const store = await open({ schema: freshSchema() });
    const draft = alertDraft(undefined, 'nul \u0000 and "quotes" \\ and 中文');
    await store.append([draft]);
    const [read] = await store.readAfter(0, 1);
    expect(read!.data).toEqual(draft.data);
  });

  it('rejects with StoreUnavailableError when PostgreSQL cannot be reached', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/test';
    const options = { url, district: 'longgang', schema: 'never', connectTimeoutMs: 2_000 };
    await expect(PgEventStore.open(options)).rejects.toBeInstanceOf(StoreUnavailableError);
    const store = new PgEventStore(options);
    opened.push(store);
    await expect(store.append([alertDraft()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAfter(0, 10)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.lastSeq()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('fails appends while cut off from PostgreSQL, without crashing, and recovers by itself', async () => {
    const link = await relayToTest();
    try {
      const idleErrors: Error[] = [];
      const store = await open({ url: link.url, schema: freshSchema(), connectTimeoutMs: 2_000, onError: (e) => idleErrors.push(e) });
      const seen: number[] = [];
      store.onCommit((events) => seen.push(...events.map((e) => e.seq)));
      await store.append([alertDraft('cut:1')]);
      await store.readAfter(0, 1); // a second pooled connection, idle when the cut comes

      await link.cut();
      // The idle connection's error reaches onError instead of crashing the process.
      await vi.waitFor(() => expect(idleErrors.length).toBeGreaterThan(0));
      await expect(store.append([alertDraft('cut:2')])).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.lastSeq()).rejects.toBeInstanceOf(StoreUnavailableError);

      await link.restore();
      const [back] = await store.append([alertDraft('cut:3')]);
      expect(back!.event.seq).toBe(2);
      expect((await store.readAfter(0, 10)).map((e) => e.sourceKey)).toEqual(['cut:1', 'cut:3']);
      expect(seen).toEqual([1, 2]);
    } finally {
      link.stop();
    }
  });

  it('retries on a fresh connection when the pooled one died while idle (a server restart)', async () => {
    const link = await relayToTest();
    try {
      const store = await open({ url: link.url, schema: freshSchema(), onError: () => undefined });
      await store.append([alertDraft()]);
      // Same tick: the pool has not yet heard that its idle connection is gone when the append takes it.
      link.drop();
      const [next] = await store.append([alertDraft()]);
      expect(next!.event.seq).toBe(2);
    } finally {
      link.stop();
    }
  });

  it('settles appends already accepted before close ends the pool', async () => {
    const store = await open({ schema: freshSchema() });
    const pending = [store.append([alertDraft('c:1')]), store.append([alertDraft('c:2')])];
    await store.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(2);
    await expect(store.append([alertDraft()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAfter(0, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
