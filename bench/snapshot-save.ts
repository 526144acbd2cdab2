/**
 * How long a projection snapshot save holds the event loop (issue 21): on a log of N events (default 200,000), the
 * longest stretch the event loop could not run anything during one save, before (the whole state serialised and
 * written in one synchronous step, as the save was until issue 21: the baseline, measured in the same run) and now
 * (server/projection-snapshot.ts: serialised a slice at a time, written asynchronously). A probe timer re-arms itself
 * every millisecond and records the longest gap between its runs. Prints the machine's load average too.
 * Usage: npx tsx bench/snapshot-save.ts [--events 200000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Projections } from '../server/projections.js';
import { saveSnapshot, SNAPSHOT_VERSION } from '../server/projection-snapshot.js';
import { SqliteEventStore } from '../server/store/sqlite-store.js';
import { writeBenchLog } from './log-gen.js';
import { engineOptions } from './risk.js';

const argIndex = process.argv.indexOf('--events');
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 200_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-snapbench-'));
const writeSeconds = await writeBenchLog(dir, total);
const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
const projections = new Projections({ tzOffsetMinutes: 480, halfLifeHours: 24, risk: engineOptions() });
await projections.rebuild(store);

/** Runs `save` with a 1 ms probe timer; resolves with the longest gap between probe runs and the save's wall time. */
async function measure(save: () => Promise<unknown>): Promise<{ longestBlockMs: number; totalMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const probe = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setTimeout(probe, 1);
  };
  setTimeout(probe, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  longest = 0;
  const started = performance.now();
  await save();
  const totalMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  running = false;
  return { longestBlockMs: longest, totalMs };
}

/** The save as it was before issue 21 (one JSON.stringify of the whole state, written synchronously): the baseline. */
async function blockingSave(): Promise<void> {
  const [last] = await store.readAfter(projections.seq - 1, 1);
  const body = {
    version: SNAPSHOT_VERSION,
    seq: projections.seq,
    lastEventId: last!.id,
    wall: projections.wall,
    cases: [...projections.cases.records()],
    histories: projections.cases.histories(),
    risk: projections.risk && { fingerprint: projections.risk.fingerprint, state: projections.risk.snapshot() },
    leader: projections.leader.snapshot(),
    directory: projections.directory.snapshot(),
  };
  const file = path.join(dir, 'baseline.snapshot.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(body));
  fs.renameSync(`${file}.tmp`, file);
}

const rows: Record<string, Record<string, string>> = {};
for (let run = 1; run <= 2; run++) {
  const before = await measure(blockingSave);
  const after = await measure(() => saveSnapshot(dir, projections, store));
  rows[`run ${run}: before (one synchronous step)`] = { 'longest event-loop block (ms)': before.longestBlockMs.toFixed(0), 'save took (ms)': before.totalMs.toFixed(0) };
  rows[`run ${run}: now (slices, async write)`] = { 'longest event-loop block (ms)': after.longestBlockMs.toFixed(0), 'save took (ms)': after.totalMs.toFixed(0) };
}
const size = fs.statSync(path.join(dir, 'projections.snapshot.json')).size;
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(`${total} events (written in ${writeSeconds.toFixed(1)} s), ${projections.cases.size} cases, snapshot ${(size / 1e6).toFixed(0)} MB; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
console.table(rows);
