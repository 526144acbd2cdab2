/**
 * The load generator of the latency phases: POSTs single case.reported events at a steady rate, each stamped
 * with its send time (reportedAt, ms; and precisely, keyed by the seq the server acknowledges).
 */
import http from 'node:http';
import { serve } from './children.js';
import { createProbe } from './probe.js';
import { caseReported } from './payloads.js';
import { now, sleep } from './stats.js';

export interface PhaseResult {
  /** [seq, send time (epoch ms, sub-ms precision)] of every acknowledged event. */
  acked: Array<[number, number]>;
  sent: number;
  failed: number;
  statuses: Record<string, number>;
  /** First and last send time of the phase, epoch ms. */
  windowStart: number;
  windowEnd: number;
  /** Achieved send rate, events/s. */
  rate: number;
  /** Worst delay of a send behind its schedule, ms (the generator's own lag). */
  maxLagMs: number;
}

const probe = createProbe();
// Idle sockets are dropped after 4 s, before the servers' 5 s keep-alive timeout: reusing a socket the server is
// closing would fail the request with ECONNRESET.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

function post(url: URL, body: string, authorization: string | undefined): Promise<{ status: number | string; seq?: number }> {
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: '/api/events', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(authorization && { authorization }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          try {
            const seq = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { results?: Array<{ seq: number }> }).results?.[0]?.seq;
            resolve({ status, seq });
          } catch {
            resolve({ status });
          }
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error' }));
    req.end(body);
  });
}

async function phase(args: { url: string; rate: number; seconds: number; prefix: string; answerWaitSeconds: number; authorization?: string }): Promise<PhaseResult> {
  const url = new URL(args.url);
  const interval = 1000 / args.rate;
  const total = Math.round(args.rate * args.seconds);
  const acked: Array<[number, number]> = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  let failed = 0;
  let maxLagMs = 0;
  const start = now() + 5;
  let windowStart = 0;
  let windowEnd = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - now();
    if (wait > 0) await sleep(wait); // no spinning: this core also runs the clients
    const sentAt = now();
    maxLagMs = Math.max(maxLagMs, sentAt - due);
    if (i === 0) windowStart = sentAt;
    windowEnd = sentAt;
    const body = JSON.stringify(caseReported(args.prefix, Math.floor(sentAt)));
    inFlight.push(
      post(url, body, args.authorization).then(({ status, seq }) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (typeof status === 'number' && status >= 200 && status < 300 && seq !== undefined) acked.push([seq, sentAt]);
        else failed++;
      }),
    );
  }
  // A server that fell far behind may take long to answer: wait a bounded time, count the rest as unanswered.
  const answered = await Promise.race([Promise.all(inFlight).then(() => true), sleep(args.answerWaitSeconds * 1000).then(() => false)]);
  if (!answered) statuses['no answer'] = total - Object.values(statuses).reduce((a, b) => a + b, 0);
  acked.sort((a, b) => a[0] - b[0]);
  const span = (windowEnd - windowStart) / 1000;
  if (!answered) failed += statuses['no answer']!;
  return { acked: [...acked], sent: total, failed, statuses: { ...statuses }, windowStart, windowEnd, rate: span > 0 ? (total - 1) / span : 0, maxLagMs };
}

serve({ phase, mark: () => probe.mark(), measure: () => probe.measure() }, () => agent.destroy());
