/** Durable ingest, orchestrated: store level (child on the server core) and over HTTP (server and load pinned apart). */
import type { BenchAccess } from './access.js';
import { serverNodeFlags, startChild } from './children.js';
import { coreUsage, ioPressure } from './machine.js';
import type { ProbeReport } from './probe.js';
import type { HttpIngestResult } from './http-ingest.js';
import type { IngestResult } from './store-ingest.js';

type Rounds = { rounds: number[] };

export interface IngestFigures {
  raw: IngestResult & Rounds;
  sequential: IngestResult & Rounds;
  concurrent: IngestResult & Rounds;
  /** The same on a log already holding `plan.prefill` events. */
  rawFull: IngestResult & Rounds;
  sequentialFull: IngestResult & Rounds;
  concurrentFull: IngestResult & Rounds;
  concurrency: number;
  http: HttpIngestResult & Rounds & { serverCpuPct: number };
  httpConcurrency: number;
}

/** Runs `k` times and keeps the run with the median rate (other programs on the machine make single runs noisy). */
async function median<T extends { perSecond: number }>(k: number, run: () => Promise<T>): Promise<T & { rounds: number[] }> {
  const results: T[] = [];
  for (let i = 0; i < k; i++) results.push(await run());
  results.sort((a, b) => a.perSecond - b.perSecond);
  return { ...results[Math.floor((k - 1) / 2)]!, rounds: results.map((r) => r.perSecond) };
}

export async function measureIngest(
  plan: { storeSeconds: number; httpSeconds: number; prefill: number; ingestRounds: number },
  cores: { server?: number; load?: number },
  log: (s: string) => void,
): Promise<IngestFigures> {
  const k = plan.ingestRounds;
  const batch = 100;
  const concurrency = 8;
  const httpConcurrency = 8;
  const store = startChild('store-ingest.ts', 'store-ingest', cores.server);
  type R = IngestResult & Rounds;
  let raw: R, sequential: R, concurrent: R, rawFull: R, sequentialFull: R, concurrentFull: R;
  try {
    const runs = async (from: string | undefined, what: string) => {
      const seconds = plan.storeSeconds;
      const each = `${k} × ${seconds} s, median`;
      log(`store, ${what}: raw better-sqlite3, one transaction per batch of ${batch} (${each})`);
      // What other programs (and the hypervisor) took of the store's core meanwhile: busy time minus the store's CPU.
      const watched = async (op: string, args: object) => {
        const usage = coreUsage();
        const io = ioPressure();
        const result = await store.call<IngestResult>(op, args);
        const core = cores.server === undefined ? undefined : usage()[`cpu${cores.server}`];
        return { ...result, othersPct: core ? Math.max(0, core.task - result.cpuPct + core.steal) : NaN, ioStallPct: io() };
      };
      const r = await median(k, () => watched('raw', { seconds, batch, from }));
      log(`store, ${what}: SqliteEventStore.append, sequential (${each})`);
      const s = await median(k, () => watched('store', { seconds, batch, concurrency: 1, from }));
      log(`store, ${what}: SqliteEventStore.append, ${concurrency} concurrent appenders (${each})`);
      const c = await median(k, () => watched('store', { seconds, batch, concurrency, from }));
      return [r, s, c] as const;
    };
    [raw, sequential, concurrent] = await runs(undefined, 'empty log');
    log(`store: writing a log of ${plan.prefill.toLocaleString('en-US')} events`);
    const prepared = await store.call<{ dir: string; seconds: number; megabytes: number }>('prepare', { events: plan.prefill }, 300_000);
    log(`store: log ready (${prepared.megabytes.toFixed(0)} MB in ${prepared.seconds.toFixed(1)} s)`);
    [rawFull, sequentialFull, concurrentFull] = await runs(prepared.dir, `log of ${plan.prefill.toLocaleString('en-US')}`);
  } finally {
    await store.stop();
  }

  const server = startChild('server-child.ts', 'ingest-server', cores.server, serverNodeFlags);
  const load = startChild('http-ingest.ts', 'ingest-load', cores.load);
  try {
    const { url } = await server.call<{ url: string }>('start');
    const { authorization } = await server.call<BenchAccess>('provision');
    log(`http: POST batches of ${batch}, ${httpConcurrency} in flight (1 s warm-up, ${k} × ${plan.httpSeconds} s, median)`);
    await load.call('run', { url, seconds: 1, batch, concurrency: httpConcurrency, authorization });
    const http = await median(k, async () => {
      await server.call('mark');
      const usage = coreUsage();
      const io = ioPressure();
      const result = await load.call<HttpIngestResult>('run', { url, seconds: plan.httpSeconds, batch, concurrency: httpConcurrency, authorization });
      const busy = usage();
      const serverCpu = (await server.call<ProbeReport>('measure')).cpuPct;
      const core0 = busy[`cpu${cores.server}`];
      const core1 = busy[`cpu${cores.load}`];
      const others0 = (core0 ? core0.task + core0.steal : NaN) - serverCpu;
      const others1 = (core1 ? core1.task + core1.steal : NaN) - result.cpuPct;
      return { ...result, serverCpuPct: serverCpu, othersPct: cores.server === undefined ? NaN : Math.max(0, others0, others1), ioStallPct: io() };
    });
    return { raw, sequential, concurrent, rawFull, sequentialFull, concurrentFull, concurrency, http, httpConcurrency };
  } finally {
    await Promise.all([load.stop(), server.stop()]);
  }
}
