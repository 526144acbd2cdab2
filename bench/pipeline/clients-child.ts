/**
 * N socket.io-client wall clients in one process. Every receipt of every event by every client is recorded
 * (receive time per (seq, client), and a count, so losses and duplicates show); latencies are computed at the
 * end against the generator's send times.
 */
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { serve } from './children.js';
import { createProbe } from './probe.js';
import { now, sleep, summarise, type Summary } from './stats.js';

const probe = createProbe();
const sockets: Socket[] = [];
let n = 0;
let maxSeq = 0;
let base = 0;
/** Receive time − base (ms) of the first receipt, at [seq * n + client]. */
let received = new Float32Array(0);
/** Receipts per (seq, client), saturating at 255. */
let counts = new Uint8Array(0);
let outOfRange = 0;
let frames = 0;
let events = 0;
let disconnects = 0;
let highest: Int32Array = new Int32Array(0);
/** Receive times (− base, ms) of the heartbeats client 0 heard: for BENCH_DUMP only. */
const heads: number[] = [];

function onEvents(client: number, batch: Array<{ seq: number }>): void {
  const t = now() - base;
  frames++;
  for (const e of batch) {
    events++;
    const seq = e.seq;
    if (!(seq >= 1 && seq <= maxSeq)) {
      outOfRange++;
      continue;
    }
    const i = seq * n + client;
    if (counts[i] === 0) received[i] = t;
    if (counts[i]! < 255) counts[i]!++;
    if (seq > highest[client]!) highest[client] = seq;
  }
}

function open(url: string, client: number, waitSnapshot: boolean, cookie: string | undefined): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000, ...(cookie && { extraHeaders: { cookie } }) });
    sockets.push(socket);
    socket.on('events', (batch: Array<{ seq: number }>) => onEvents(client, batch));
    socket.on('disconnect', () => disconnects++);
    if (client === 0 && process.env.BENCH_DUMP) socket.on('head', () => heads.push(now() - base));
    socket.once('connect_error', (error) => reject(error));
    if (waitSnapshot) socket.once('snapshot', () => resolve(now() - started));
    else socket.once('connect', () => resolve(now() - started));
  });
}

async function connect(args: { url: string; clients: number; maxSeq: number; waitSnapshot: boolean; wave?: number; cookie?: string }) {
  n = args.clients;
  maxSeq = args.maxSeq;
  base = now();
  received = new Float32Array((maxSeq + 1) * n);
  counts = new Uint8Array((maxSeq + 1) * n);
  highest = new Int32Array(n);
  const wave = args.wave ?? 50;
  const times: number[] = [];
  const started = now();
  for (let c = 0; c < n; c += wave) {
    const batch = [];
    for (let k = c; k < Math.min(n, c + wave); k++) batch.push(open(args.url, k, args.waitSnapshot, args.cookie));
    times.push(...(await Promise.all(batch)));
  }
  return { totalMs: now() - started, perClientMs: summarise(times) };
}

/** Resolves when every client has received `seq` (or the timeout passes); returns how many have not. */
async function waitFor(args: { seq: number; timeoutMs: number }) {
  const deadline = now() + args.timeoutMs;
  const behind = () => highest.reduce((k, h) => (h < args.seq ? k + 1 : k), 0);
  while (behind() > 0 && now() < deadline) await sleep(20);
  return { behind: behind() };
}

function counters() {
  return { frames, events, disconnects, outOfRange, at: now() };
}

export interface PhaseStats {
  latencyMs: Summary;
  expected: number;
  lost: number;
  duplicates: number;
  /** Receipts (any event) per second of the phase's send window. */
  deliveredPerSec: number;
}

function stats(args: { phases: Array<{ name: string; acked: Array<[number, number]>; windowStart: number; windowEnd: number }> }) {
  const out: Record<string, PhaseStats> = {};
  for (const phase of args.phases) {
    const latencies = new Float64Array(phase.acked.length * n);
    let k = 0;
    let lost = 0;
    let duplicates = 0;
    for (const [seq, sentAt] of phase.acked) {
      if (seq < 1 || seq > maxSeq) {
        lost += n;
        continue;
      }
      for (let c = 0; c < n; c++) {
        const i = seq * n + c;
        const count = counts[i]!;
        if (count === 0) lost++;
        else {
          duplicates += count - 1;
          latencies[k++] = base + received[i]! - sentAt;
        }
      }
    }
    const from = phase.windowStart - base;
    const to = phase.windowEnd - base;
    let inWindow = 0;
    for (let i = n; i < counts.length; i++) if (counts[i] && received[i]! >= from && received[i]! <= to) inWindow++;
    out[phase.name] = {
      latencyMs: summarise(latencies.subarray(0, k)),
      expected: phase.acked.length * n,
      lost,
      duplicates,
      deliveredPerSec: inWindow / ((to - from) / 1000),
    };
  }
  if (process.env.BENCH_DUMP) dump(args.phases);
  return { phases: out, outOfRange, disconnects };
}

/**
 * Diagnosis only (BENCH_DUMP=<file prefix>): per acknowledged event, its send time and the spread of its receipts
 * over the clients, and when client 0 heard heartbeats, as JSON, so tail latencies can be lined up with what the
 * server was doing. The figures the benchmark reports do not depend on it.
 */
function dump(phases: Array<{ name: string; acked: Array<[number, number]> }>): void {
  const rows: number[][] = [];
  for (const phase of phases) {
    for (const [seq, sentAt] of phase.acked) {
      if (seq < 1 || seq > maxSeq) continue;
      const l: number[] = [];
      for (let c = 0; c < n; c++) if (counts[seq * n + c]) l.push(base + received[seq * n + c]! - sentAt);
      l.sort((a, b) => a - b);
      rows.push([seq, sentAt - base, l[0] ?? NaN, l[Math.floor(l.length / 2)] ?? NaN, l[Math.floor(l.length * 0.99)] ?? NaN, l[l.length - 1] ?? NaN]);
    }
  }
  fs.writeFileSync(`${process.env.BENCH_DUMP}-${process.env.BENCH_CHILD ?? 'clients'}.json`, JSON.stringify({ columns: ['seq', 'sentAt', 'min', 'p50', 'p99', 'max'], rows, heads }));
}

serve(
  {
    connect,
    waitFor,
    counters,
    stats,
    mark: () => probe.mark(),
    measure: () => probe.measure(),
  },
  () => {
    for (const s of sockets) s.disconnect();
  },
);
