/** What a child reports about itself over a measured interval: CPU, event-loop utilisation and delay, memory. */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface ProbeReport {
  /** CPU time (user + system) over wall time, in % of one core. */
  cpuPct: number;
  /** Event-loop utilisation over the interval, %. */
  eluPct: number;
  /** Event-loop delay p99 and max over the interval, ms. */
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface MemoryReport {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
}

export function createProbe() {
  // 10 ms sampling: a 1 ms timer would itself cost each process ~3 % of a core.
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let cpu = process.cpuUsage();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let at = performance.now();
  return {
    mark(): void {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      at = performance.now();
      eld.reset();
    },
    measure(): ProbeReport {
      const wallMs = performance.now() - at;
      const used = process.cpuUsage(cpu);
      const loop = performance.eventLoopUtilization(elu);
      return {
        cpuPct: ((used.user + used.system) / 1000 / wallMs) * 100,
        eluPct: loop.utilization * 100,
        eldP99Ms: eld.percentile(99) / 1e6,
        eldMaxMs: eld.max / 1e6,
      };
    },
    /** Memory after a full GC (children run with --expose-gc). */
    memory(): MemoryReport {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      return { rssMB: m.rss / 2 ** 20, heapUsedMB: m.heapUsed / 2 ** 20, externalMB: m.external / 2 ** 20 };
    },
  };
}
