/**
 * Start-up from a large log (issue 21: 1,000,000 events ready in ≤ 10 s from a snapshot, RSS ≤ 1 GB). Writes N realistic
 * events straight into the SQLite log in large transactions (bench/log-gen.ts: cases with parties, half the resolved
 * ones through the dispatch loop, some alerts), then starts the built server on it by plain node, as `npm start`
 * does: once without a snapshot (it replays the whole log and saves one), once from that snapshot; each timed from
 * spawn until /readyz says ready, with the server's peak RSS (VmHWM). Baseline in the same run: reading and JSON-parsing
 * every row of the log, without folding, in this process. Prints the load average before and after.
 * Usage: npm run build:server && npx tsx bench/startup.ts [--events 1000000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../server/store/sqlite-store.js';
import { writeBenchLog } from './log-gen.js';

const argIndex = process.argv.indexOf('--events');
const total = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-startup-'));
// As the server lays it out: DATA_DIR/<district>/events.db.
const dir = path.join(dataRoot, 'longgang');
fs.mkdirSync(dir, { recursive: true });
const writeSeconds = await writeBenchLog(dir, total, (n) => process.stderr.write(`\rwritten ${n} of ${total}`));
process.stderr.write('\n');

// Baseline: read + parse every row, as a replay must, without folding it.
const reader = new SqliteEventStore({ dataDir: dir, district: 'longgang' });
const b = performance.now();
let cursor = 0;
for (;;) {
  const page = await reader.readAfter(cursor, 20_000);
  if (!page.length) break;
  cursor = page.at(-1)!.seq;
}
const readSeconds = (performance.now() - b) / 1000;
await reader.close();
const dbBytes = fs.statSync(path.join(dir, 'events.db')).size;

// The real thing: the built server (`npm run build:server`) started on this log by plain node, as `npm start` runs it,
// timed from spawn until /readyz says ready, with its peak RSS; once without a snapshot, once with the one it saved.
const withoutSnapshot = await serverStart(true);
const snapshotBytes = fs.statSync(path.join(dir, 'projections.snapshot.json')).size;
const withSnapshot = await serverStart(false);
fs.rmSync(dataRoot, { recursive: true, force: true });

console.log(`${total} events; load average before ${loadBefore}, after ${load()} (${os.cpus().length} cores)`);
console.table({
  'write the log (s, transactions of 50,000)': { value: writeSeconds.toFixed(1) },
  'log size on disk (MB)': { value: (dbBytes / 1e6).toFixed(0) },
  'baseline: read + parse the log (s)': { value: readSeconds.toFixed(2) },
  'server, no snapshot: port open (s)': { value: withoutSnapshot.listeningSeconds.toFixed(2) },
  'server, no snapshot: ready (s)': { value: withoutSnapshot.seconds.toFixed(2), target: '' },
  'server, no snapshot: peak RSS (MB)': { value: withoutSnapshot.peakRssMb, target: '≤ 1000' },
  'snapshot size (MB)': { value: (snapshotBytes / 1e6).toFixed(0) },
  'server from snapshot: ready (s)': { value: withSnapshot.seconds.toFixed(2), target: '≤ 10' },
  'server from snapshot: peak RSS (MB)': { value: withSnapshot.peakRssMb, target: '≤ 1000' },
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
