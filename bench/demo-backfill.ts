/**
 * The demo's backfill time (issue 22): `npm run demo`'s history of intake alone (DEMO_HISTORY_SHARE=0, the baseline)
 * against intake plus the dispatch history (the default share), on fresh data dirs, in the same run, with the
 * machine's load average before and after. Each run boots the real server with a fixed clock and waits for the
 * backfill to be written.
 *
 *   npx tsx bench/demo-backfill.ts [--days 30] [--share 0.1]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootServer } from '../server/boot.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const days = arg('days', 30);
const share = arg('share', 0.1);
const now = Date.now();
const load = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

async function run(historyShare: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bench-backfill-'));
  const began = performance.now();
  const server = await bootServer(
    { DEMO: true, DATA_DIR: dir, DEMO_BACKFILL_DAYS: days, DEMO_HISTORY_SHARE: historyShare, LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-admin-password-long' },
    { clock: () => now },
  );
  const summary = await server.demoHistory!;
  const total = performance.now() - began;
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { historyShare, ...summary, bootAndBackfillMs: Math.round(total) };
}

console.log(`demo backfill, ${days} days · load average before: ${load()} · ${os.cpus().length} cores`);
const baseline = await run(0);
console.log(`  intake only (share 0):    ${(baseline.ms / 1000).toFixed(1)} s backfill, ${baseline.events} events`);
const history = await run(share);
console.log(`  with history (share ${share}): ${(history.ms / 1000).toFixed(1)} s backfill, ${history.events} events, ${history.dispatched} cases through the loop, ${history.steps} steps`);
console.log(`  ratio ${(history.ms / baseline.ms).toFixed(2)}× · load average after: ${load()}`);
console.log(JSON.stringify({ baseline, history }));
