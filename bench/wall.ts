/**
 * Wall benchmark (`npm run bench:wall`): the real server with 30 days of demo history, the built wall in headless
 * Chromium, then a steady burst through the intake API. Prints event → paint latency (socket receipt → the frame
 * after the one that drew it), frame times, long tasks, the initial JS size and the time until the wall is fully
 * drawn, against the targets of docs/architecture.md §8, and writes them to docs/performance.md (Wall section). It never fails
 * on a missed target.
 *
 *   --rate N       events per second (default 100)      --seconds N   length of the burst (default 30)
 *   --no-write     leave docs/ alone
 *   --trace FILE   record a Chrome trace of the burst into FILE (for diagnosis; also implies --no-write)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import type { GeoResponse } from '../shared/api.js';
import { bootServer } from '../server/boot.js';
import { startDemoFeed } from '../server/sim/demo-feed.js';
import { authHeaders, integrationKey, TEST_ADMIN_PASSWORD, WALL } from '../tests/helpers/auth.js';
import { signInContext } from '../tests/browser/auth-harness.js';
import { ensureClientBuilt, installProbe, launchChromium, postEvents, ROOT, waitForWallDrawn, type ProbeRecord } from '../tests/browser/harness.js';
import { coreUsage, waitForQuiet } from './pipeline/machine.js';
import { consoleTable, markdownTable } from './pipeline/report.js';
import { fmt, sleep, summarise } from './pipeline/stats.js';
import { burstGenerator } from './wall/burst.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const traceFile = argv.includes('--trace') ? path.resolve(argv[argv.indexOf('--trace') + 1]!) : undefined;
const plan = { rate: option('--rate', 100), seconds: option('--seconds', 30), write: !argv.includes('--no-write') && !traceFile };
const targets = { p95Ms: 200, fps: 55, longTaskMs: 50, jsKb: 300, drawnMs: 2000 };

/** Gzip sizes of what index.html loads before the app runs: its module script, preloads and stylesheets. */
/** In kB of 1,000 bytes, as Vite's build report prints them. */
function initialBundle(): { jsKb: number; cssKb: number; files: string[] } {
  const dist = path.join(ROOT, 'dist', 'client');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const gz = (ref: string) => zlib.gzipSync(fs.readFileSync(path.join(dist, ref.replace(/^\//, ''))), { level: 9 }).length / 1000;
  const sum = (ext: string) => refs.filter((r) => r.endsWith(ext)).reduce((s, r) => s + gz(r), 0);
  return { jsKb: sum('.js'), cssKb: sum('.css'), files: refs };
}

/**
 * Frame timestamps and long tasks, recorded in the page while `__bench.recording` is set. A string, not a function:
 * tsx wraps named functions in a `__name` helper that does not exist in the page.
 */
const RECORDER = `
  const bench = { frames: [], longTasks: [], recording: false };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  requestAnimationFrame(function loop(t) {
    if (bench.recording) bench.frames.push(t);
    requestAnimationFrame(loop);
  });
  // When each event's ticker row was first on screen: the frame after the one that inserted it.
  bench.tickerPainted = [];
  requestAnimationFrame(function find() {
    const list = document.querySelector('[data-testid="ticker"]');
    if (!list) return requestAnimationFrame(find);
    new MutationObserver((records) => {
      const seqs = [];
      for (const rec of records) for (const node of rec.addedNodes) if (node.dataset && node.dataset.seq) seqs.push(Number(node.dataset.seq));
      if (seqs.length) requestAnimationFrame(() => requestAnimationFrame((at) => { for (const seq of seqs) bench.tickerPainted.push({ seq, at }); }));
    }).observe(list, { childList: true });
  });
`;

async function main(): Promise<void> {
  ensureClientBuilt();
  const bundle = initialBundle();
  // Frame rates in software-rendered Chromium fall apart when another benchmark holds the cores.
  const others = await waitForQuiet(120_000, (s) => console.log(s));
  const server = await bootServer({ LOG_LEVEL: 'warn', ADMIN_PASSWORD: TEST_ADMIN_PASSWORD });
  // Signed in like any wall: a kiosk session for the page, an integration key for the feed and the burst.
  const wall = await authHeaders(server, WALL);
  const browser = await launchChromium();
  try {
    const geo = (await (await fetch(`${server.url}/api/geo`, { headers: wall })).json()) as GeoResponse;
    process.stdout.write('backfilling 30 days of demo history… ');
    const quiet = { info() {}, warn: console.warn, error: console.error };
    const feed = startDemoFeed({ baseUrl: server.url, apiKey: await integrationKey(server), seed: 42, ratePerHour: 1, backfillDays: 30, district: geo.district, categories: geo.categories, log: quiet });
    await feed.backfilled;
    await feed.stop();
    const seqBefore = ((await (await fetch(`${server.url}/api/snapshot`, { headers: wall })).json()) as { state: { seq: number } }).state.seq;
    console.log(`${seqBefore} events`);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await signInContext(context, server, WALL);
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    await installProbe(page);
    await page.addInitScript(RECORDER);
    await page.goto(`${server.url}/#/wall`);
    await waitForWallDrawn(page);
    const drawnMs = await page.evaluate(() => Math.max(...performance.getEntriesByType('mark').filter((m) => m.name.startsWith('drawn:')).map((m) => m.startTime)));
    const loadLongTasks = await page.evaluate(() => (window as unknown as { __bench: { longTasks: Array<{ duration: number }> } }).__bench.longTasks.map((t) => t.duration));
    await sleep(2000);

    const total = Math.round(plan.rate * plan.seconds);
    console.log(`streaming ${total} events at ${plan.rate}/s for ${plan.seconds} s…`);
    const next = burstGenerator(geo.district, { total, run: `wallbench-${Date.now()}` });
    const windowStart = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { recording: boolean } }).__bench;
      b.recording = true;
      return performance.now();
    });
    const posts: Array<Promise<unknown>> = [];
    const usage = coreUsage();
    const cdp = await browser.newBrowserCDPSession();
    const processCpu = async () => {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number; cpuTime: number }> };
      const byType = new Map<string, number>();
      for (const p of processInfo) byType.set(p.type, (byType.get(p.type) ?? 0) + p.cpuTime);
      return byType;
    };
    if (traceFile) await browser.startTracing(page, { path: traceFile, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
    const cpuBefore = await processCpu();
    const nodeBefore = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / plan.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      posts.push(postEvents(server.url, [next(i)]));
    }
    const cores = usage();
    const burstSeconds = (performance.now() - t0) / 1000;
    const cpuAfter = await processCpu();
    const nodeCpu = process.cpuUsage(nodeBefore);
    /** CPU used per second of burst, in cores (1.0 = one core fully busy). */
    const share = (type: string) => ((cpuAfter.get(type) ?? 0) - (cpuBefore.get(type) ?? 0)) / burstSeconds;
    const nodeShare = (nodeCpu.user + nodeCpu.system) / 1e6 / burstSeconds;
    if (traceFile) await browser.stopTracing();
    const results = await Promise.allSettled(posts);
    const rejected = results.filter((r) => r.status === 'rejected').length;
    await sleep(1500);
    const windowEnd = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { recording: boolean } }).__bench;
      b.recording = false;
      return performance.now();
    });

    const data = await page.evaluate(() => {
      type Bench = { frames: number[]; longTasks: Array<{ start: number; duration: number }>; tickerPainted: Array<{ seq: number; at: number }> };
      const w = window as unknown as { __wallRecord: ProbeRecord; __bench: Bench };
      return { record: w.__wallRecord, frames: w.__bench.frames, longTasks: w.__bench.longTasks, tickerPainted: w.__bench.tickerPainted };
    });
    const seqAfter = Number(await page.getByTestId('wall').getAttribute('data-seq'));

    const receivedAt = new Map<number, number>();
    for (const r of data.record.received) if (r.seq > seqBefore && !receivedAt.has(r.seq)) receivedAt.set(r.seq, r.at);
    const latencies: number[] = [];
    const seen = new Set<number>();
    for (const p of data.record.painted) {
      const at = receivedAt.get(p.seq);
      if (at === undefined || seen.has(p.seq)) continue;
      seen.add(p.seq);
      latencies.push(p.at - at);
    }
    const latency = summarise(latencies);
    // Not every event gets a ticker row (the list shows the newest few, four times a second): those that did.
    const tickerLatencies: number[] = [];
    for (const p of data.tickerPainted) {
      const at = receivedAt.get(p.seq);
      if (at !== undefined) tickerLatencies.push(p.at - at);
    }
    const ticker = summarise(tickerLatencies);
    const frameGaps = data.frames.slice(1).map((t, i) => t - data.frames[i]!);
    const frames = summarise(frameGaps);
    const fps = data.frames.length > 1 ? ((data.frames.length - 1) * 1000) / (data.frames.at(-1)! - data.frames[0]!) : NaN;
    const burstLongTasks = data.longTasks.filter((t) => t.start >= windowStart && t.start <= windowEnd).map((t) => t.duration);
    const longest = burstLongTasks.length ? Math.max(...burstLongTasks) : 0;

    const rows: string[][] = [
      ['event → paint p50', `${fmt(latency.p50, 0)} ms`, '', ''],
      ['event → paint p95', `${fmt(latency.p95, 0)} ms`, `≤ ${targets.p95Ms} ms`, latency.p95 <= targets.p95Ms ? 'yes' : 'NO'],
      ['event → paint max', `${fmt(latency.max, 0)} ms`, '', ''],
      ['event → its ticker row p50 / p95', `${fmt(ticker.p50, 0)} / ${fmt(ticker.p95, 0)} ms (${ticker.n} rows)`, '', ''],
      ['frame time p95', `${fmt(frames.p95, 1)} ms`, '', ''],
      ['frames per second', fmt(fps, 1), `≥ ${targets.fps}`, fps >= targets.fps ? 'yes' : 'NO'],
      [`long tasks > ${targets.longTaskMs} ms (burst)`, `${burstLongTasks.length} (longest ${fmt(longest, 0)} ms)`, 'none', burstLongTasks.length === 0 ? 'yes' : 'NO'],
      ['long tasks > 50 ms (load)', `${loadLongTasks.length} (longest ${fmt(Math.max(0, ...loadLongTasks), 0)} ms)`, '', ''],
      ['initial JS (gzip)', `${fmt(bundle.jsKb, 1)} kB`, `≤ ${targets.jsKb} kB`, bundle.jsKb <= targets.jsKb ? 'yes' : 'NO'],
      ['initial CSS (gzip)', `${fmt(bundle.cssKb, 1)} kB`, '', ''],
      ['navigation → fully drawn', `${fmt(drawnMs, 0)} ms`, `≤ ${targets.drawnMs} ms`, drawnMs <= targets.drawnMs ? 'yes' : 'NO'],
      ['events painted / posted', `${seen.size} / ${total}${rejected ? ` (${rejected} posts failed)` : ''}`, 'all', seen.size === total && seqAfter >= seqBefore + total ? 'yes' : 'NO'],
      ['console errors', String(consoleErrors.length), '0', consoleErrors.length === 0 ? 'yes' : 'NO'],
      ['CPU during burst: renderer', `${fmt(share('renderer'), 2)} cores`, '', ''],
      ['CPU during burst: GPU process (software compositing)', `${fmt(share('GPU'), 2)} cores`, '', ''],
      ['CPU during burst: browser process', `${fmt(share('browser'), 2)} cores`, '', ''],
      ['CPU during burst: server + load generator', `${fmt(nodeShare, 2)} cores`, '', ''],
    ];
    const head = ['metric', 'wall', 'target', 'met'];
    const load = Object.entries(cores).map(([cpu, u]) => `${cpu} ${fmt(u.task + u.irq, 0)}%`).join(', ');
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, headless Chromium (software rendering), 1920×1080; before the run other programs used up to ${fmt(others, 0)}% of a core; during the burst (server + browser + load generator) ${load || 'n/a'}`;
    console.log(`\n${consoleTable(rows, head)}\n\n${machine}; ${seqBefore} events of history; ${plan.rate} events/s for ${plan.seconds} s.`);
    if (consoleErrors.length) console.log(`console errors:\n  ${consoleErrors.slice(0, 5).join('\n  ')}`);
    if (plan.write) {
      writeWallSection(
        path.join(ROOT, 'docs', 'performance.md'),
        [
          `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:wall\`: ${machine}.`,
          `The server holds ${seqBefore} events of demo history (30 days); the burst streams ${plan.rate} events/s for ${plan.seconds} s through \`POST /api/events\`.`,
          'Event → paint runs from the socket batch reaching the page to the second animation frame after the batch was applied (the frame that draws it is then on screen): the counters change in that frame; the ticker (at most 4 refreshes a second), map colours (≤ 4 a second, eased) and charts (once a second) follow, and the ticker row has its own line.',
          '',
          markdownTable(rows, head),
        ].join('\n'),
      );
      console.log('\nwrote docs/performance.md (Wall section)');
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Replaces the Wall section between its markers in docs/performance.md (appending it when absent). */
function writeWallSection(file: string, body: string): void {
  const START = '<!-- wall:start -->';
  const END = '<!-- wall:end -->';
  const section = `${START}\n${body.trim()}\n${END}`;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Performance\n\n## Wall\n\n';
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  const next = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next);
}

await main();
