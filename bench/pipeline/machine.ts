/**
 * Whole-machine CPU use per core from /proc/stat, so a run shows how much of each core other programs took
 * (the benchmark shares the machine with whatever else runs on it). Linux only; elsewhere it reports nothing.
 */
import fs from 'node:fs';

type Sample = Map<string, { task: number; irq: number; steal: number; total: number }>;

export interface CoreUse {
  /** % of the interval in user + system time of whatever task ran there. */
  task: number;
  /** % in interrupt and soft-interrupt handling (loopback TCP is largely this). */
  irq: number;
  /** % stolen by the hypervisor: the whole virtual machine was waiting. */
  steal: number;
}

function read(): Sample {
  const out: Sample = new Map();
  try {
    for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^(cpu\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2]!.trim().split(/\s+/).map(Number);
      const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = v;
      const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
      out.set(m[1]!, { task: user + nice + system, irq: irq + softirq, steal, total });
    }
  } catch {
    // not Linux
  }
  return out;
}

/** Starts a measurement; the returned function gives each core's use since then ({ cpu0: { task, irq }, … }). */
export function coreUsage(): () => Record<string, CoreUse> {
  const start = read();
  return () => {
    const end = read();
    const out: Record<string, CoreUse> = {};
    for (const [cpu, e] of end) {
      const s = start.get(cpu);
      if (!s || e.total <= s.total) continue;
      const span = e.total - s.total;
      out[cpu] = { task: ((e.task - s.task) / span) * 100, irq: ((e.irq - s.irq) / span) * 100, steal: ((e.steal - s.steal) / span) * 100 };
    }
    return out;
  };
}

/**
 * Waits (at most `maxMs`) until both cores are nearly idle for a second (no other program busy, little time stolen
 * by the hypervisor); called while none of ours runs. Returns the highest share seen last.
 */
export async function waitForQuiet(maxMs: number, log: (s: string) => void): Promise<number> {
  const deadline = Date.now() + maxMs;
  let warned = false;
  for (;;) {
    const usage = coreUsage();
    await new Promise((r) => setTimeout(r, 1000));
    const busiest = Math.max(0, ...Object.values(usage()).map((u) => u.task + u.steal));
    if (busiest < 15 || Date.now() > deadline) return busiest;
    if (!warned) log(`waiting for a quiet machine: a core is ${busiest.toFixed(0)} % taken by other programs or the hypervisor`);
    warned = true;
  }
}

function ioStallMicros(): number | undefined {
  try {
    const some = /^some .* total=(\d+)/m.exec(fs.readFileSync('/proc/pressure/io', 'utf8'));
    return some ? Number(some[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a measurement of I/O pressure (Linux PSI); the returned function gives the % of the time since then in which
 * some task on the machine waited for I/O (e.g. an fsync behind other programs' writes). NaN where PSI is missing.
 */
export function ioPressure(): () => number {
  const start = ioStallMicros();
  const at = performance.now();
  return () => {
    const end = ioStallMicros();
    return start === undefined || end === undefined ? NaN : ((end - start) / 1000 / (performance.now() - at)) * 100;
  };
}
