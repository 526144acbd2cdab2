import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSnapshot, saveSnapshot } from '../../server/projection-snapshot.js';
import { Projections } from '../../server/projections.js';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { alertDraft } from '../store/contract.js';
import fc from 'fast-check';
import { reported, triaged, whistled } from '../helpers/event-drafts.js';

const settings = { tzOffsetMinutes: 480, halfLifeHours: 24 };
const stores: SqliteEventStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
function open(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-snap-'))) {
  const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
  stores.push(store);
  return { store, dir };
}
async function fold(store: SqliteEventStore) {
  const p = new Projections(settings);
  await p.rebuild(store);
  return p;
}

describe('projection snapshots', () => {
  it('snapshot + the tail of the log equals a full rebuild', async () => {
    const { store, dir } = open();
    await store.append(Array.from({ length: 30 }, (_, i) => alertDraft(`a${i}`)));
    await saveSnapshot(dir, await fold(store), store);
    await store.append(Array.from({ length: 12 }, (_, i) => alertDraft(`b${i}`)));
    const loaded = await loadSnapshot(dir, store, settings);
    if (!('projections' in loaded)) throw new Error(loaded.reason);
    expect(loaded.projections.seq).toBe(30);
    await loaded.projections.rebuild(store);
    expect(loaded.projections.wall).toEqual((await fold(store)).wall);
  });

  it('written in slices while events go on being applied, it is as of one seq: snapshot + tail equals a full rebuild', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Which cases the events during the save touch (early ones are serialised already, late ones not yet), and
        // how many new cases arrive meanwhile.
        fc.array(fc.integer({ min: 0, max: 3_499 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 30 }),
        async (touched, added) => {
          const { store, dir } = open();
          const ids = Array.from({ length: 3_500 }, (_, i) => `case-${i}`);
          await store.append(ids.map(reported));
          const live = await fold(store);
          const saving = saveSnapshot(dir, live, store);
          let done = false;
          void saving.finally(() => (done = true));
          // Between the save's slices: steps of existing cases and new cases, applied as the server applies commits.
          for (let i = 0; !done && (i < touched.length || i < added); i++) {
            const drafts = [...(i < touched.length ? [i % 2 ? triaged(ids[touched[i]!]!) : whistled(ids[touched[i]!]!, `alert-${i}`)] : []), ...(i < added ? [reported(`new-${i}`)] : [])];
            await store.append(drafts);
            await live.rebuild(store);
          }
          expect(await saving).toBe(true);
          await store.append(touched.slice(0, 5).map((t) => triaged(ids[t]!)));
          const loaded = await loadSnapshot(dir, store, settings);
          if (!('projections' in loaded)) throw new Error(loaded.reason);
          await loaded.projections.rebuild(store);
          const full = await fold(store);
          expect(loaded.projections.seq).toBe(full.seq);
          expect(loaded.projections.cases.records()).toEqual(full.cases.records());
          expect(loaded.projections.cases.histories()).toEqual(full.cases.histories());
          expect(loaded.projections.wall).toEqual(full.wall);
          expect(loaded.projections.leader.snapshot()).toEqual(full.leader.snapshot());
          await store.close();
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('is ignored when it does not match the log or the settings', async () => {
    const { store, dir } = open();
    await store.append(Array.from({ length: 5 }, (_, i) => alertDraft(`a${i}`)));
    await saveSnapshot(dir, await fold(store), store);
    expect(await loadSnapshot(dir, store, { ...settings, halfLifeHours: 12 })).toEqual({ reason: expect.stringMatching(/settings/) });
    // Same seq, another log: e.g. the data directory restored from an older backup.
    const other = open();
    await other.store.append(Array.from({ length: 5 }, (_, i) => alertDraft(`x${i}`)));
    fs.copyFileSync(path.join(dir, 'projections.snapshot.json'), path.join(other.dir, 'projections.snapshot.json'));
    expect(await loadSnapshot(other.dir, other.store, settings)).toEqual({ reason: 'snapshot does not match the event log' });
    // A save a crash cut short leaves its temporary file: the next start removes it.
    fs.writeFileSync(path.join(dir, 'projections.snapshot.json.12345.tmp'), '{"version":7}\nC{');
    await loadSnapshot(dir, store, settings);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Cut short (no closing line), or not a snapshot at all.
    const saved = fs.readFileSync(path.join(dir, 'projections.snapshot.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'projections.snapshot.json'), saved.slice(0, saved.lastIndexOf('\nM') + 1));
    expect(await loadSnapshot(dir, store, settings)).toEqual({ reason: 'snapshot unreadable' });
    fs.writeFileSync(path.join(dir, 'projections.snapshot.json'), `${saved.split('\n')[0]}\nC{"id":`);
    expect(await loadSnapshot(dir, store, settings)).toEqual({ reason: 'snapshot unreadable' });
    fs.writeFileSync(path.join(dir, 'projections.snapshot.json'), 'not json');
    expect(await loadSnapshot(dir, store, settings)).toEqual({ reason: 'snapshot unreadable' });
    // A release's older format (one JSON object) is recognised by its first bytes and rebuilt from the log.
    fs.writeFileSync(path.join(dir, 'projections.snapshot.json'), `{"version":6,"seq":5,"cases":[${'{},'.repeat(1000)}{}]}`);
    expect(await loadSnapshot(dir, store, settings)).toEqual({ reason: 'snapshot version 6, need 7' });
  });
});
