/** Turns the measured figures into the table rows, the diagnostics table and the notes. */
import type { IngestFigures } from './ingest.js';
import type { LatencyFigures, Target } from './latency.js';
import type { Row } from './report.js';
import type { IngestResult } from './store-ingest.js';
import { fmt } from './stats.js';

type Pair = Record<Target, LatencyFigures>;

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${fmt(a / b, 2)}×` : '—');

export function tableRows(plan: { prefill: number; clients: number }, ingest: IngestFigures | undefined, latency: Pair[]): Row[] {
  const rows: Row[] = [];
  if (ingest) {
    const atLeast = (v: number) => ({ target: '≥ 10,000/s', met: v >= 10_000 });
    const store = (raw: IngestResult, seq: IngestResult, conc: IngestResult, log: string) => {
      rows.push({ metric: `durable ingest, store, ${log}, sequential batches of 100 (events/s)`, ours: fmt(seq.perSecond, 0), bare: fmt(raw.perSecond, 0), ratio: ratio(seq.perSecond, raw.perSecond), ...atLeast(seq.perSecond) });
      rows.push({ metric: `durable ingest, store, ${log}, ${ingest.concurrency} concurrent appenders (events/s)`, ours: fmt(conc.perSecond, 0), bare: fmt(raw.perSecond, 0), ratio: ratio(conc.perSecond, raw.perSecond), ...atLeast(conc.perSecond) });
    };
    store(ingest.raw, ingest.sequential, ingest.concurrent, 'empty log');
    store(ingest.rawFull, ingest.sequentialFull, ingest.concurrentFull, `log of ${fmt(plan.prefill, 0)}`);
    const { http } = ingest;
    rows.push({ metric: `durable ingest, HTTP, batches of 100, ${ingest.httpConcurrency} in flight (events/s)`, ours: fmt(http.perSecond, 0), bare: '—', ratio: '—', ...atLeast(http.perSecond) });
  }
  for (const { ours: o, bare: b } of latency) {
    const rate = o.rate;
    const lat = (name: 'p50' | 'p95' | 'p99', target?: number): Row => ({
      metric: `${rate} ev/s × ${plan.clients} clients: latency ${name} (ms)`,
      ours: fmt(o.latencyMs[name], 1),
      bare: fmt(b.latencyMs[name], 1),
      ratio: ratio(o.latencyMs[name], b.latencyMs[name]),
      target: target === undefined ? '' : `≤ ${target}× bare`,
      ...(target !== undefined && { met: o.latencyMs[name] <= target * b.latencyMs[name] }),
    });
    rows.push(lat('p50'), lat('p95'), lat('p99', rate <= 20 ? 1.2 : 0.5));
    rows.push({
      metric: `${rate} ev/s × ${plan.clients} clients: delivered (messages/s)`,
      ours: fmt(o.deliveredPerSec, 0),
      bare: fmt(b.deliveredPerSec, 0),
      ratio: ratio(o.deliveredPerSec, b.deliveredPerSec),
      target: '≥ 0.9× bare',
      met: o.deliveredPerSec >= 0.9 * b.deliveredPerSec,
    });
    const faults = (p: LatencyFigures) => `${p.lost} / ${p.duplicates}`;
    rows.push({ metric: `${rate} ev/s: lost / duplicate receipts (of ${fmt(o.expected, 0)} ours, ${fmt(b.expected, 0)} bare)`, ours: faults(o), bare: faults(b), ratio: '—', target: '0 / 0', met: o.lost === 0 && o.duplicates === 0 });
  }
  const first = latency[0];
  if (first) {
    const { ours: o, bare: b } = first;
    rows.push({ metric: `connect ${plan.clients} clients (+ snapshot for ours), total (s)`, ours: fmt(o.connect.totalMs / 1000, 2), bare: fmt(b.connect.totalMs / 1000, 2), ratio: ratio(o.connect.totalMs, b.connect.totalMs), target: '' });
    rows.push({ metric: 'server memory per connection, RSS after GC (KB)', ours: fmt(o.memoryPerConnectionKB, 1), bare: fmt(b.memoryPerConnectionKB, 1), ratio: ratio(o.memoryPerConnectionKB, b.memoryPerConnectionKB), target: '≤ 60 KB', met: o.memoryPerConnectionKB <= 60 });
  }
  return rows;
}

export function diagnostics(latency: Pair[], pinned: boolean) {
  const head = ['phase', 'sent/s', 'server CPU', 'server ELU', 'server ELD p99', 'clients CPU', 'generator CPU', 'others', 'I/O stall', 'frames/s', 'events/frame', 'latency max'];
  const pct = (v: number) => `${fmt(v, 0)} %`;
  const rows = latency.flatMap((pair) =>
    [pair.bare, pair.ours].map((p) => [
      `${p.target} ${p.rate} ev/s`,
      fmt(p.achievedRate, 1),
      pct(p.server.cpuPct),
      pct(p.server.eluPct),
      `${fmt(p.server.eldP99Ms, 1)} ms`,
      pct(p.clientsCpu.cpuPct),
      pct(p.generator.cpuPct),
      pinned ? pct(p.othersPct) : '—',
      pct(p.ioStallPct),
      fmt(p.framesPerSec, 0),
      fmt(p.eventsPerFrame, 2),
      `${fmt(p.latencyMs.max, 0)} ms`,
    ]),
  );
  return { head, rows };
}

export function notes(plan: { answerWaitSeconds: number }, ingest: IngestFigures | undefined, latency: Pair[]): string[] {
  const out: string[] = [];
  const all = latency.flatMap((p) => [p.bare, p.ours]);
  const disturbed = all.filter((p) => p.othersPct > 10);
  if (disturbed.length) {
    out.push(`disturbed by other programs or the hypervisor (share of a benchmark core): ${disturbed.map((p) => `${p.target} ${p.rate} ev/s ${fmt(p.othersPct, 0)} %`).join(', ')}; compare with care or rerun on a quiet machine`);
  }
  const steal = (p: LatencyFigures) => Math.max(0, ...Object.values(p.cores).map((c) => c.steal));
  const stolen = all.filter((p) => steal(p) > 2);
  if (stolen.length) out.push(`CPU time stolen by the hypervisor: ${stolen.map((p) => `${p.target} ${p.rate} ev/s ${fmt(steal(p), 0)} %`).join(', ')}`);
  const ioBound = all.filter((p) => p.ioStallPct > 2);
  if (ioBound.length) {
    out.push(`I/O stall on the machine (time in which some task, our own fsyncs included, waited for I/O): ${ioBound.map((p) => `${p.target} ${p.rate} ev/s ${fmt(p.ioStallPct, 0)} %`).join(', ')} — our acknowledgements and broadcasts wait for fsync, bare's do not`);
  }
  const busy = (p: LatencyFigures, core: 'cpu0' | 'cpu1') => (p.cores[core]?.task ?? 0) + (p.cores[core]?.irq ?? 0) + (p.cores[core]?.steal ?? 0);
  const saturated = (core: 'cpu0' | 'cpu1') =>
    all.filter((p) => busy(p, core) >= 90).map((p) => `${p.target} ${p.rate} ev/s (${fmt(busy(p, core), 0)} %)`);
  const serverCore = saturated('cpu0');
  const clientCore = saturated('cpu1');
  if (serverCore.length) out.push(`server core ≥ 90 % busy (server and anything else on it) in: ${serverCore.join(', ')} — latency there is queueing for that core`);
  if (clientCore.length) {
    out.push(`clients' core ≥ 90 % busy in: ${clientCore.join(', ')} — the ${all[0]?.clients ?? ''} clients in one process cannot read faster, so latency there is queueing in the harness as much as at the server`);
  }
  for (const p of all) {
    if (p.failedPosts || p.disconnects || p.outOfRange || p.stragglers) {
      const statuses = Object.entries(p.statuses).map(([s, n]) => `${n}× ${s}`).join(', ');
      out.push(`${p.target} ${p.rate} ev/s: ${p.failedPosts} POSTs failed or unanswered within ${plan.answerWaitSeconds} s (${statuses}; their events are left out of the figures), ${p.disconnects} client disconnects, ${p.outOfRange} out-of-range receipts, ${p.stragglers} clients short of the last event after the drain`);
    }
  }
  if (ingest) {
    const { http, concurrent, concurrentFull } = ingest;
    const runs = { 'raw': ingest.raw, 'sequential': ingest.sequential, 'concurrent': ingest.concurrent, 'raw, full log': ingest.rawFull, 'sequential, full log': ingest.sequentialFull, 'concurrent, full log': ingest.concurrentFull, 'HTTP': http };
    const noisy = Object.entries(runs).filter(([, r]) => (r.othersPct ?? 0) > 10);
    if (noisy.length) out.push(`ingest runs disturbed by other programs or the hypervisor (share of a benchmark core): ${noisy.map(([n, r]) => `${n} ${fmt(r.othersPct, 0)} %`).join(', ')}`);
    const ioBound = Object.entries(runs).filter(([, r]) => (r.ioStallPct ?? 0) > 2);
    if (ioBound.length) out.push(`I/O stall during ingest runs (time in which some task, our own fsyncs included, waited for I/O): ${ioBound.map(([n, r]) => `${n} ${fmt(r.ioStallPct, 0)} %`).join(', ')} — every commit waits for fsync`);
    out.push(`HTTP ingest: ${fmt(http.requests, 0)} requests (${Object.entries(http.statuses).map(([s, n]) => `${n}× ${s}`).join(', ')}), request time p50 ${fmt(http.requestMs.p50, 1)} ms, p99 ${fmt(http.requestMs.p99, 1)} ms; server CPU ${fmt(http.serverCpuPct, 0)} %, load generator CPU ${fmt(http.cpuPct, 0)} %`);
    const rounds = (name: string, r: { rounds: number[] }) => `${name} ${r.rounds.map((v) => fmt(v, 0)).join(' / ')}`;
    if (ingest.http.rounds.length > 1) {
      const i = ingest;
      out.push(`ingest runs behind each median (events/s): ${[rounds('raw', i.raw), rounds('sequential', i.sequential), rounds('concurrent', i.concurrent), rounds('raw, full log', i.rawFull), rounds('sequential, full log', i.sequentialFull), rounds('concurrent, full log', i.concurrentFull), rounds('HTTP', i.http)].join('; ')}`);
    }
    const perCommit = (r: IngestResult) => fmt(r.events / (r.commits ?? NaN), 0);
    out.push(`store: with ${ingest.concurrency} appenders, ${perCommit(concurrent)} events per commit on the empty log, ${perCommit(concurrentFull)} on the full one (group commit)`);
  }
  return out;
}
