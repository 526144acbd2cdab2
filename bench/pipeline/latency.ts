/**
 * Ingest → client receipt for one server (ours or the bare baseline) at one event rate: a fresh server pinned to
 * one core; N clients and the generator (two processes) pinned to the other; a warm-up, then the measured phase.
 */
import type { BenchAccess } from './access.js';
import { serverNodeFlags, startChild } from './children.js';
import type { PhaseStats } from './clients-child.js';
import type { PhaseResult } from './generator-child.js';
import { coreUsage, ioPressure, type CoreUse } from './machine.js';
import type { MemoryReport, ProbeReport } from './probe.js';
import { sleep, type Summary } from './stats.js';

export type Target = 'ours' | 'bare';

export interface LatencyFigures extends PhaseStats {
  target: Target;
  rate: number;
  clients: number;
  connect: { totalMs: number; perClientMs: Summary };
  memoryPerConnectionKB: number;
  achievedRate: number;
  generatorMaxLagMs: number;
  failedPosts: number;
  statuses: Record<string, number>;
  server: ProbeReport;
  clientsCpu: ProbeReport;
  generator: ProbeReport;
  /** Busy % of each core over the phase, whoever used it. */
  cores: Record<string, CoreUse>;
  /** Highest share of a benchmark core (%) that other programs took during the phase. */
  othersPct: number;
  /** % of the phase in which some task on the machine (ours included) waited for I/O (Linux PSI). */
  ioStallPct: number;
  framesPerSec: number;
  eventsPerFrame: number;
  outOfRange: number;
  disconnects: number;
  stragglers: number;
}

export interface LatencyPlan {
  clients: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** How long to wait for the answers of an overloaded server, and for the clients to drain, after a phase. */
  answerWaitSeconds: number;
  drainSeconds: number;
}

interface Counters {
  frames: number;
  events: number;
  at: number;
}

export async function measureLatency(target: Target, rate: number, plan: LatencyPlan, cores: { server?: number; load?: number }, log: (s: string) => void): Promise<LatencyFigures> {
  const server = startChild(target === 'ours' ? 'server-child.ts' : 'bare-server.ts', `${target}-server`, cores.server, serverNodeFlags);
  const clients = startChild('clients-child.ts', `${target}-clients`, cores.load);
  const generator = startChild('generator-child.ts', `${target}-generator`, cores.load);
  try {
    const { url } = await server.call<{ url: string }>('start');
    const access = target === 'ours' ? await server.call<BenchAccess>('provision') : undefined;
    await sleep(2_000); // let start-up finish (our store's writer thread loads after boot) before the memory baseline
    const before = await server.call<MemoryReport>('memory');
    const maxSeq = Math.round(rate * (plan.warmupSeconds + plan.measureSeconds)) + 10;
    const connect = await clients.call<LatencyFigures['connect']>('connect', { url, clients: plan.clients, maxSeq, waitSnapshot: target === 'ours', ...(access && { cookie: access.cookie }) }, 300_000);
    const after = await server.call<MemoryReport>('memory');
    log(`${target}, ${rate} events/s: ${plan.clients} clients connected in ${(connect.totalMs / 1000).toFixed(1)} s; ${plan.warmupSeconds} s warm-up, ${plan.measureSeconds} s measured`);

    const prefix = `bench-${target}-${Date.now()}`;
    const phaseArgs = { url, rate, prefix, answerWaitSeconds: plan.answerWaitSeconds, ...(access && { authorization: access.authorization }) };
    await generator.call('phase', { ...phaseArgs, seconds: plan.warmupSeconds }, (plan.warmupSeconds + plan.answerWaitSeconds + 30) * 1000);
    await Promise.all([server.call('mark'), clients.call('mark'), generator.call('mark')]);
    const c0 = await clients.call<Counters>('counters');
    const usage = coreUsage();
    const io = ioPressure();
    const result = await generator.call<PhaseResult>('phase', { ...phaseArgs, seconds: plan.measureSeconds }, (plan.measureSeconds + plan.answerWaitSeconds + 30) * 1000);
    const coreBusy = usage();
    const ioStallPct = io();
    const c1 = await clients.call<Counters>('counters');
    const [s, c, g] = await Promise.all([server.call<ProbeReport>('measure'), clients.call<ProbeReport>('measure'), generator.call<ProbeReport>('measure')]);

    const lastSeq = Math.max(0, ...result.acked.map(([seq]) => seq));
    const { behind } = await clients.call<{ behind: number }>('waitFor', { seq: lastSeq, timeoutMs: plan.drainSeconds * 1000 }, (plan.drainSeconds + 30) * 1000);
    const stats = await clients.call<{ phases: Record<string, PhaseStats>; outOfRange: number; disconnects: number }>(
      'stats',
      { phases: [{ name: 'measured', acked: result.acked, windowStart: result.windowStart, windowEnd: result.windowEnd }] },
      120_000,
    );
    // What other programs took: core busy time minus our own processes pinned to that core.
    // (Time the hypervisor stole from the machine counts as disturbance too.)
    const others0 = (coreBusy.cpu0?.task ?? 0) - s.cpuPct + (coreBusy.cpu0?.steal ?? 0);
    const others1 = (coreBusy.cpu1?.task ?? 0) - c.cpuPct - g.cpuPct + (coreBusy.cpu1?.steal ?? 0);
    const frames = c1.frames - c0.frames;
    return {
      ...stats.phases.measured!,
      target,
      rate,
      clients: plan.clients,
      connect,
      memoryPerConnectionKB: ((after.rssMB - before.rssMB) * 1024) / plan.clients,
      achievedRate: result.rate,
      generatorMaxLagMs: result.maxLagMs,
      failedPosts: result.failed,
      statuses: result.statuses,
      server: s,
      clientsCpu: c,
      generator: g,
      cores: coreBusy,
      othersPct: cores.server === undefined ? NaN : Math.max(0, others0, others1),
      ioStallPct,
      framesPerSec: frames / ((c1.at - c0.at) / 1000),
      eventsPerFrame: frames ? (c1.events - c0.events) / frames : NaN,
      outOfRange: stats.outOfRange,
      disconnects: stats.disconnects,
      stragglers: behind,
    };
  } finally {
    await Promise.all([generator.stop(), clients.stop(), server.stop()]);
  }
}
