/**
 * The command services over a real (SQLite) store with their append precondition, and projections the test feeds by
 * hand, so they can lag the log the way a node's do behind other nodes' commits: a command decided on lagging state
 * is refused, and answers 409 only once the node applied what beat it; of two commands sent together to one node,
 * the second naming the version the first leads to, both succeed (the second waits for the first to commit rather than
 * deciding on its uncommitted state, which the precondition would then refuse).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDraft, StoredEvent } from '../../shared/events.js';
import { AlertCommands } from '../../server/alert-commands.js';
import { CommandService } from '../../server/commands.js';
import { CaseIndex } from '../../server/domain/case-index.js';
import { AlertRegistry } from '../../server/domain/risk/alerts.js';
import { loadDispatchPolicy } from '../../server/dispatch-data.js';
import { loadDistrictData } from '../../server/district-data.js';
import { CaseWorkspace } from '../../server/in-flight.js';
import { AppendConflictError, type AppendOptions, type EventStore } from '../../server/store/event-store.js';
import { SqliteEventStore } from '../../server/store/sqlite-store.js';
import { acknowledged, raised, reported, triaged } from '../helpers/event-drafts.js';

const district = loadDistrictData('longgang');
const policy = loadDispatchPolicy(district, 480);
const duty = { role: 'duty', id: 'duty-1' } as const;

/**
 * A node over a fresh log: its projections apply committed events at once, unless `lag()` holds them until
 * `catchUp()`; `refused` settles when the store refuses one of its appends on a precondition.
 */
function node() {
  const store = new SqliteEventStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-commands-')), district: 'longgang' });
  const index = new CaseIndex();
  const alerts = new AlertRegistry();
  const apply = (events: readonly StoredEvent[]) => {
    for (const e of events) {
      index.apply(e);
      alerts.apply(e);
    }
  };
  let held: StoredEvent[] | undefined;
  store.onCommit((events) => (held ? held.push(...events) : apply(events)));
  let onRefused!: (error: AppendConflictError) => void;
  const refused = new Promise<AppendConflictError>((resolve) => (onRefused = resolve));
  // What the services append through: the store, and a word to the test when it refuses on a precondition.
  const watched: EventStore = {
    append: (drafts: readonly EventDraft[], options?: AppendOptions) =>
      store.append(drafts, options).catch((error: unknown) => {
        if (error instanceof AppendConflictError) onRefused(error);
        throw error;
      }),
    readAfter: (after, limit) => store.readAfter(after, limit),
    bySeqs: (seqs) => store.bySeqs(seqs),
    bySourceKeys: (keys) => store.bySourceKeys(keys),
    lastSeq: () => store.lastSeq(),
    onCommit: (listener) => store.onCommit(listener),
    close: () => store.close(),
  };
  const deps = { store: watched, clock: Date.now, newId: randomUUID };
  return {
    store,
    refused,
    commands: new CommandService({ ...deps, cases: new CaseWorkspace(index), index, district, policy }),
    alertCommands: new AlertCommands({ ...deps, alerts: () => alerts }),
    lag: () => (held = []),
    catchUp: () => {
      const events = held ?? [];
      held = undefined;
      apply(events);
    },
  };
}

describe('command services and the append precondition', () => {
  const stores: SqliteEventStore[] = [];
  const open = () => {
    const n = node();
    stores.push(n.store);
    return n;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  /** Whether a promise has settled by the time every callback queued so far has run. */
  async function settledYet(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setImmediate(resolve));
    return settled;
  }

  it('refuses a command decided on lagging projections, and answers 409 with the state that beat it once applied', async () => {
    const n = open();
    await n.store.append([reported('c-1')]);
    n.lag();
    // Another node triages the case; this node has not applied it yet, so version 1 still looks current here.
    await n.store.append([triaged('c-1')]);
    const answer = n.commands.execute('c-1', { type: 'triage', commandId: randomUUID(), expectedVersion: 1, tier: 'street', channel: 'people' }, duty);
    expect((await n.refused).seq).toBe(2);
    expect(await settledYet(answer)).toBe(false);
    n.catchUp();
    expect(await answer).toMatchObject({ ok: false, code: 'version_conflict', current: { id: 'c-1', version: 2, status: 'triaged', tier: 'community' } });
    expect(await n.store.lastSeq()).toBe(2);
  });

  it('lets a second command on this node, decided on what the first will make of the case, succeed', async () => {
    const n = open();
    await n.store.append([reported('c-1')]);
    // Sent together: the whistle names the version the triage leads to, before the triage has committed.
    const [triage, whistle] = await Promise.all([
      n.commands.execute('c-1', { type: 'triage', commandId: randomUUID(), expectedVersion: 1, tier: 'community', channel: 'people' }, duty),
      n.commands.execute('c-1', { type: 'whistle', commandId: randomUUID(), expectedVersion: 2, urgency: 'normal', lead: 'labour', assists: [] }, duty),
    ]);
    expect(triage).toMatchObject({ ok: true, result: { version: 2, status: 'triaged' } });
    expect(whistle).toMatchObject({ ok: true, result: { version: 3, status: 'whistled' } });
    expect((await n.store.readAfter(0, 10)).map((e) => e.type)).toEqual(['case.reported', 'case.triaged', 'case.whistled']);
  });

  it('refuses an alert command decided on a lagging registry, and answers 409 with the alert as the winner left it', async () => {
    const n = open();
    await n.store.append([raised('a-1')]);
    n.lag();
    // Another node acknowledges it first.
    const [other] = await n.store.append([acknowledged('a-1')]);
    const answer = n.alertCommands.execute('a-1', { type: 'acknowledge', commandId: randomUUID(), expectedVersion: 1 }, duty);
    expect((await n.refused).seq).toBe(other!.event.seq);
    expect(await settledYet(answer)).toBe(false);
    n.catchUp();
    expect(await answer).toMatchObject({ ok: false, code: 'version_conflict', current: { id: 'a-1', version: 2, status: 'acknowledged' } });
    expect(await n.store.lastSeq()).toBe(2);
  });
});
