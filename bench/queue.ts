/**
 * Duty queue benchmark (issue 16: GET /api/queue p95 ≤ 50 ms with 10,000 open cases). One server on a fresh SQLite
 * data dir holds N open cases (and M closed ones before them); in the same run, over HTTP with the same session:
 *   - baseline: GET /api/cases?status=received&limit=50 — a page of the same open cases read from the projection
 *     alone (summaries, no titles, no log read, no masking);
 *   - ours: GET /api/queue — its first page (oldest first), a page deep in the list, newest first, and a street filter;
 *     each reads the page's reports from the log in one batched read and masks titles.
 * Each kind is asked R times, one request at a time, alternating with the baseline so both see the same machine.
 * Prints p50 / p95 / max per kind and the ratio to the baseline, and the load average. Never fails on a figure.
 *
 * Usage: npx tsx bench/queue.ts [--open 10000] [--closed 20000] [--runs 300]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootServer } from '../server/boot.js';
import { authHeaders, integrationKey, TEST_ADMIN_PASSWORD, DUTY } from '../tests/helpers/auth.js';
import { caseReported, caseResolved } from '../tests/helpers/factories.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const OPEN = option('--open', 10_000);
const CLOSED = option('--closed', 20_000);
const RUNS = option('--runs', 150);
const STREETS = ['440307013', '440307003'];
const COMMUNITY: Record<string, string> = { '440307013': '440307013002', '440307003': '440307003002' };

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-bench-queue-'));
const server = await bootServer({ DATA_DIR: dataDir, ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, RISK_RULES: false, LOG_LEVEL: 'warn', RATE_LIMIT_INTAKE: 0 });
try {
  const key = await integrationKey(server);
  const t0 = performance.now();
  const post = async (events: unknown[]) => {
    const res = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ events }) });
    if (res.status !== 201) throw new Error(`intake: ${res.status} ${await res.text()}`);
  };
  const start = Date.UTC(2026, 10, 1);
  const report = (i: number) => {
    const street = STREETS[i % STREETS.length]!;
    return caseReported({
      sourceRef: `bench-q-${i}`,
      streetCode: street,
      communityCode: COMMUNITY[street]!,
      title: `某公司拖欠第${i}批工人工资，联系人王建华 139 ${String(10_000_000 + i).slice(0, 4)} ${String(i % 10_000).padStart(4, '0')}`,
      parties: [{ role: 'applicant', name: '王建华', phone: `139${String(10_000_000 + i).slice(0, 8)}` }],
      reportedAt: new Date(start + i * 30_000).toISOString(),
    });
  };
  // Closed cases first (reported, then resolved by the integration), then the open ones.
  for (let i = 0; i < CLOSED; i += 500) {
    const n = Math.min(500, CLOSED - i);
    await post(Array.from({ length: n }, (_, k) => report(i + k)));
    await post(Array.from({ length: n }, (_, k) => caseResolved(`bench-q-${i + k}`, { sourceRef: `bench-q-res-${i + k}` })));
  }
  for (let i = CLOSED; i < CLOSED + OPEN; i += 1000) await post(Array.from({ length: Math.min(1000, CLOSED + OPEN - i) }, (_, k) => report(i + k)));
  const loaded = (performance.now() - t0) / 1000;

  const headers = await authHeaders(server, DUTY);
  const ask = async (p: string): Promise<number> => {
    const t = performance.now();
    const res = await fetch(`${server.url}${p}`, { headers });
    const body = (await res.json()) as { items: unknown[]; total?: number };
    const ms = performance.now() - t;
    if (res.status !== 200 || body.items.length === 0) throw new Error(`${p}: ${res.status}`);
    return ms;
  };
  // A page not asked before: its reports come from the log (one batched read), not from the kept ones — as long as
  // RUNS × 50 ≤ OPEN, every request of this kind is such a page.
  let cold = 0;
  const coldPage = () => `/api/queue?offset=${(cold++ * 50) % OPEN}&sort=newest`;
  const kinds: Array<[string, string | (() => string)]> = [
    ['queue, a page not read before (reports read from the log)', coldPage],
    ['queue, first page (oldest first)', '/api/queue'],
    [`queue, page at offset ${Math.floor(OPEN / 2)}`, `/api/queue?offset=${Math.floor(OPEN / 2)}`],
    ['queue, newest first', '/api/queue?sort=newest'],
    ['queue, one street', `/api/queue?streetCode=${STREETS[1]}`],
  ];
  const baselinePath = '/api/cases?status=received&limit=50';
  const baseline: number[] = [];
  const ours = new Map<string, number[]>(kinds.map(([name]) => [name, []]));
  for (let r = 0; r < 20; r++) for (const [, p] of kinds.slice(1)) await ask(p as string); // warm-up
  for (let r = 0; r < RUNS; r++) {
    for (const [name, p] of kinds) {
      baseline.push(await ask(baselinePath));
      ours.get(name)!.push(await ask(typeof p === 'string' ? p : p()));
    }
  }
  const total = ((await (await fetch(`${server.url}/api/queue`, { headers })).json()) as { total: number }).total;
  const b95 = quantile(baseline, 0.95);
  console.log(`queue benchmark: ${OPEN.toLocaleString('en')} open cases (queue total ${total.toLocaleString('en')}), ${CLOSED.toLocaleString('en')} closed, loaded in ${loaded.toFixed(1)} s; ${RUNS} requests per kind; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}`);
  console.log('| request | p50 (ms) | p95 (ms) | max (ms) | p95 vs baseline | target |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| baseline: ${baselinePath} (projection alone) | ${quantile(baseline, 0.5).toFixed(1)} | ${b95.toFixed(1)} | ${Math.max(...baseline).toFixed(1)} | 1.00× | |`);
  for (const [name, xs] of ours) {
    const p95 = quantile(xs, 0.95);
    console.log(`| ${name} | ${quantile(xs, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${Math.max(...xs).toFixed(1)} | ${(p95 / b95).toFixed(2)}× | ≤ 50 ms: ${p95 <= 50 ? 'yes' : 'NO'} |`);
  }
} finally {
  await server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
