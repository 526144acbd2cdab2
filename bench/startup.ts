/**
 * Start-up from a large log (docs/architecture.md §8: 1,000,000 events in ≤ 10 s and ≤ 1 GB). Writes N realistic events
 * (cases with parties; a share of them resolved, half of those through the dispatch loop — triage, whistle,
 * report-in, resolution; some alerts) through the store, then times the projection rebuild
 * in a fresh process-like state and reports heap and RSS. Baseline in the same run: reading and JSON-parsing the
 * same rows without folding them.
 * Then starts the built server on the same log, as `npm start` does, without and with the snapshot: time until
 * /readyz says ready and peak RSS.
 * Usage: npm run build:server && npx tsx bench/startup.ts [--events 1000000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventDraft } from '../shared/events.js';
import { Projections } from '../server/projections.js';
import { loadSnapshot, saveSnapshot } from '../server/projection-snapshot.js';
import { SqliteEventStore } from '../server/store/sqlite-store.js';
import { loadDistrictData } from '../server/district-data.js';
import { engineOptions } from './risk.js';

const argIndex = process.argv.indexOf('--events');
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
const district = loadDistrictData('longgang');
const communities = district.info.communities;
const categories = district.categories.map((c) => c.code);
const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-startup-'));
// As the server lays it out: DATA_DIR/<district>/events.db.
const dir = path.join(dataRoot, 'longgang');
const store = new SqliteEventStore({ dataDir: dir, district: 'longgang' });

const t0 = Date.now() - 30 * 86_400_000;
const open: EventDraft[] = [];
let written = 0;
const started = performance.now();
while (written < total) {
  const batch: EventDraft[] = [];
  for (let i = 0; i < 1000 && written + batch.length < total; i++) {
    const n = written + batch.length;
    const at = new Date(t0 + (n / total) * 30 * 86_400_000).toISOString();
    const reported = open.length > 50 && n % 3 === 0 ? open.splice(n % open.length, 1)[0] : undefined;
    if (reported && reported.type === 'case.reported') {
      const { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt } = reported.data;
      const ctx = { caseId, kind, category, streetCode, communityCode, severity, peopleInvolved, weight, reportedAt };
      if (n % 2 === 0) {
        // Half the closed cases went through the whole dispatch loop: triage, whistle to two departments, report-in.
        const whistleId = randomUUID();
        const duty = { role: 'duty' as const, id: 'officer' };
        const lead = { role: 'dept' as const, id: 'labour', deptId: 'labour' };
        const due = { reportDueAt: at, reportEscalateAt: at, resolveDueAt: at, resolveEscalateAt: at };
        batch.push(
          { id: randomUUID(), type: 'case.triaged', sourceKey: `bench:t${n}`, data: { case: ctx, actor: duty, at, tier: 'community', channel: 'people' } },
          {
            id: randomUUID(),
            type: 'case.whistled',
            sourceKey: `bench:w${n}`,
            data: { case: ctx, actor: duty, at, whistleId, urgency: 'normal', tier: 'community', assignments: [{ deptId: 'labour', role: 'lead', ...due }, { deptId: `street-${streetCode}`, role: 'assist', ...due }] },
          },
          { id: randomUUID(), type: 'whistle.reportedIn', sourceKey: `bench:i${n}`, data: { case: ctx, actor: lead, at, whistleId, deptId: 'labour', role: 'lead', late: false } },
          { id: randomUUID(), type: 'case.resolved', sourceKey: `bench:r${n}`, data: { case: ctx, actor: lead, outcome: 'mediated', resolvedAt: at, whistleId, deptId: 'labour', tier: 'community', late: false } },
        );
      } else {
        batch.push({ id: randomUUID(), type: 'case.resolved', sourceKey: `bench:r${n}`, data: { case: ctx, source: 'hotline', outcome: 'mediated', resolvedAt: at } });
      }
    } else if (n % 97 === 0) {
      batch.push({ id: randomUUID(), type: 'alert.raised', sourceKey: `bench:a${n}`, data: { alertId: randomUUID(), source: 'system', level: 'yellow', title: '风险', streetCode: communities[n % communities.length]!.streetCode, raisedAt: at } });
    } else {
      const c = communities[n % communities.length]!;
      const draft: EventDraft = {
        id: randomUUID(),
        type: 'case.reported',
        sourceKey: `bench:c${n}`,
        data: {
          caseId: randomUUID(), kind: 'dispute', category: categories[n % categories.length]!, streetCode: c.streetCode, communityCode: c.code,
          severity: 1 + (n % 5), peopleInvolved: 1 + (n % 7), weight: 2.5, reportedAt: at, source: 'hotline', title: '某小区业主与物业服务纠纷',
          description: '业主反映物业服务质量问题，要求退还部分物业费。', parties: [{ role: 'applicant', name: '张三', phone: '13800001234', idNumber: '440307199001011234' }],
        },
      };
      batch.push(draft);
      open.push(draft);
    }
  }
  await store.append(batch);
  written += batch.length;
}
const writeSeconds = (performance.now() - started) / 1000;
await store.close();

// Baseline: read + parse only.
const reader = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
let b = performance.now();
let cursor = 0;
for (;;) {
  const page = await reader.readAfter(cursor, 20_000);
  if (!page.length) break;
  cursor = page.at(-1)!.seq;
}
const readSeconds = (performance.now() - b) / 1000;

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
b = performance.now();
// As the server starts: the risk rules on (their state is part of the snapshot too).
const settings = { tzOffsetMinutes: 480, halfLifeHours: 24, risk: engineOptions() };
const projections = new Projections(settings);
await projections.rebuild(reader);
const rebuildSeconds = (performance.now() - b) / 1000;
global.gc?.();
const mem = process.memoryUsage();
b = performance.now();
await saveSnapshot(dir, projections, reader);
const saveSeconds = (performance.now() - b) / 1000;
b = performance.now();
const loaded = await loadSnapshot(dir, reader, settings);
if (!('projections' in loaded)) throw new Error(loaded.reason);
await loaded.projections.rebuild(reader);
const fromSnapshotSeconds = (performance.now() - b) / 1000;
await reader.close();
const dbBytes = fs.statSync(path.join(dir, 'events.db')).size;

// The real thing: the built server (`npm run build:server`) started on this log by plain node, as `npm start` runs it,
// timed from spawn until /readyz says ready, with its peak RSS; once without a snapshot, once with the one it saved.
const withoutSnapshot = await serverStart(true);
const withSnapshot = await serverStart(false);
fs.rmSync(dataRoot, { recursive: true, force: true });

console.table({
  events: { value: total },
  'write (s, batches of 1000)': { value: writeSeconds.toFixed(1) },
  'baseline: read + parse (s)': { value: readSeconds.toFixed(2) },
  'rebuild from the whole log (s)': { value: rebuildSeconds.toFixed(2), target: '≤ 10 (with snapshot)' },
  'save projection snapshot (s)': { value: saveSeconds.toFixed(2) },
  'start from snapshot (s)': { value: fromSnapshotSeconds.toFixed(2), target: '≤ 10' },
  'projection heap (MB)': { value: ((mem.heapUsed - heapBefore) / 1e6).toFixed(0) },
  'process RSS (MB)': { value: (mem.rss / 1e6).toFixed(0), target: '≤ 1000' },
  'log size on disk (MB)': { value: (dbBytes / 1e6).toFixed(0) },
  'cases indexed': { value: projections.cases.size },
  'server start, no snapshot: ready (s)': { value: withoutSnapshot.seconds.toFixed(2), target: '≤ 10 with snapshot' },
  'server start, no snapshot: peak RSS (MB)': { value: withoutSnapshot.peakRssMb, target: '≤ 1000' },
  'server start, no snapshot: port open (s)': { value: withoutSnapshot.listeningSeconds.toFixed(2) },
  'server start from snapshot: ready (s)': { value: withSnapshot.seconds.toFixed(2), target: '≤ 10' },
  'server start from snapshot: peak RSS (MB)': { value: withSnapshot.peakRssMb, target: '≤ 1000' },
});

async function serverStart(dropSnapshot: boolean): Promise<{ seconds: number; listeningSeconds: number; peakRssMb: number }> {
  const entry = path.resolve(import.meta.dirname, '../dist/node/server/index.js');
  if (!fs.existsSync(entry)) throw new Error('run `npm run build:server` first');
  if (dropSnapshot) fs.rmSync(path.join(dir, 'projections.snapshot.json'), { force: true });
  const begun = performance.now();
  const child = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataRoot], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ADMIN_PASSWORD: 'bench-admin-password', SNAPSHOT_EVERY_MINUTES: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /"url":"(http:[^"]+)"/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const listeningSeconds = (performance.now() - begun) / 1000;
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - begun) / 1000;
  // VmHWM: the process's peak resident set so far.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { seconds, listeningSeconds, peakRssMb: hwm ? Math.round(Number(hwm[1]) / 1000) : NaN };
}
