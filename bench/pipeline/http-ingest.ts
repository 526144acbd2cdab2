/** Durable ingest end to end: POST batches of valid case.reported events with N requests in flight for a while. */
import http from 'node:http';
import { serve } from './children.js';
import { caseReported } from './payloads.js';
import { summarise, type Summary } from './stats.js';

export interface HttpIngestResult {
  events: number;
  requests: number;
  failed: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  requestMs: Summary;
  /** CPU of the load process over the run, % of one core. */
  cpuPct: number;
  /** Set by the parent: the highest share of a benchmark core other programs took during the run. */
  othersPct?: number;
  /** Set by the parent: % of the run in which some task on the machine waited for I/O (PSI). */
  ioStallPct?: number;
}

function post(agent: http.Agent, url: URL, body: string, authorization: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: '/api/events', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(authorization && { authorization }) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(args: { url: string; seconds: number; batch: number; concurrency: number; authorization?: string }): Promise<HttpIngestResult> {
  const url = new URL(args.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency, timeout: 4_000 });
  const prefix = `http-${process.pid}-${Date.now()}`;
  const statuses: Record<string, number> = {};
  const times: number[] = [];
  let events = 0;
  let requests = 0;
  let failed = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + args.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const body = JSON.stringify({ events: Array.from({ length: args.batch }, () => caseReported(prefix)) });
      const t = performance.now();
      const status = await post(agent, url, body, args.authorization).catch(() => 0);
      times.push(performance.now() - t);
      requests++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) events += args.batch;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { events, requests, failed, statuses, seconds, perSecond: events / seconds, requestMs: summarise(times), cpuPct: (used.user + used.system) / 10_000 / seconds };
}

serve({ run });
