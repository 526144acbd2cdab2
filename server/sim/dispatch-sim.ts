/**
 * The dispatch simulation: the centre's people working the closed loop (docs/architecture.md §3) on the demo feed's live cases,
 * through the public HTTP API only — duty officers triage, whistle and do aftercare (dispatch-officer.ts), departments
 * report in, return, note progress and resolve at their own pace (dispatch-departments.ts). Deterministic for a seed
 * and the server's answers: every decision is drawn from a stream seeded by the case's reported facts.
 *
 * Time: all delays are clock time (the server stamps events with its own clock). Polls are a few real seconds apart
 * (`speed` converts them when a test runs the clock faster), at most `maxInFlight` requests are in flight, and
 * stop() waits for what is in flight, so the server can close right after.
 */
import type { DepartmentInfo } from '../../shared/geo.js';
import { systemClock, type Clock } from '../../shared/time.js';
import { Agenda, realTimers, type SimTimers } from './dispatch-agenda.js';
import { emptyStats, statKeys, type DispatchStats, type SimContext } from './dispatch-context.js';
import { DepartmentDesk, deptProfile } from './dispatch-departments.js';
import { SimHttp, SimStopped, type SimSignIn } from './dispatch-http.js';
import { AlertDesk } from './dispatch-alerts.js';
import { DutyOfficers } from './dispatch-officer.js';
import type { FeedLogger } from './demo-feed.js';

export const DISPATCH_SIM_DEFAULTS = Object.freeze({
  /** At the default live rate (180 cases an hour) the officers look at the queue every 5 s. */
  referenceRatePerHour: 180,
  queuePollMs: 5_000,
  aftercarePollMs: 6_000,
  departmentPollMs: 15_000,
  tickMs: 250,
  maxInFlight: 4,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  requestTimeoutMs: 30_000,
  reportEveryMs: 60_000,
});

export interface DispatchSimOptions {
  baseUrl: string;
  /** The user each simulated officer and department signs in as. */
  signIn: SimSignIn;
  seed: number;
  /** The district's departments (GET /api/geo has the same list). */
  departments: readonly DepartmentInfo[];
  /** The feed's live arrivals per hour: the busier the district, the more often everyone looks. */
  ratePerHour: number;
  /** Cases reported earlier are history and left alone; default: the clock when the simulation starts. */
  since?: number;
  clock?: Clock;
  timers?: SimTimers;
  /** Clock milliseconds per real millisecond (1 = real time). The clock must run at this pace; polls scale with it. */
  speed?: number;
  /** Real milliseconds between looks, overriding the ones derived from the rate. */
  pollMs?: { queue?: number; aftercare?: number; department?: number };
  tickMs?: number;
  maxInFlight?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  /** Real milliseconds between activity lines in the log. */
  reportEveryMs?: number;
  log?: FeedLogger;
  /** Nobody starts work before this settles (the feed's backfill): history is written first, at full speed. */
  startAfter?: Promise<unknown>;
  /** How often a lead sends a first whistle back (default DEFAULT_RETURN_RATE, 0.05). */
  returnRate?: number;
}

export interface DispatchSim {
  stop(): Promise<void>;
  /** Commands that succeeded so far, by kind, and the refusals met. */
  readonly stats: Readonly<DispatchStats>;
}

const consoleLogger: FeedLogger = {
  info: (fields, msg) => console.log(msg, JSON.stringify(fields)),
  warn: (fields, msg) => console.warn(msg, JSON.stringify(fields)),
  error: (fields, msg) => console.error(msg, JSON.stringify(fields)),
};

export function startDispatchSim(options: DispatchSimOptions): DispatchSim {
  const d = DISPATCH_SIM_DEFAULTS;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const log = options.log ?? consoleLogger;
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('speed must be positive');
  // Poll intervals shrink as the district gets busier, within bounds: a quiet district is not polled every second,
  // a busy one does not leave cases waiting for the officers' next look.
  const busy = Math.min(4, Math.max(1 / 3, d.referenceRatePerHour / Math.max(1, options.ratePerHour)));
  const pollMs = {
    queue: options.pollMs?.queue ?? d.queuePollMs * busy,
    aftercare: options.pollMs?.aftercare ?? d.aftercarePollMs * busy,
    department: options.pollMs?.department ?? d.departmentPollMs * busy,
  };

  const stats = emptyStats();
  const agenda = new Agenda(clock, timers, options.tickMs ?? d.tickMs, (error) => {
    if (error instanceof SimStopped) return;
    stats.errors += 1;
    log.error({ err: (error as Error).message }, 'dispatch sim: task failed');
  });
  const http = new SimHttp({
    signIn: options.signIn,
    baseUrl: options.baseUrl,
    log,
    timers,
    maxInFlight: options.maxInFlight ?? d.maxInFlight,
    retryBaseMs: options.retryBaseMs ?? d.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? d.retryMaxMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    onRefused: () => (stats.errors += 1),
  });
  const ctx: SimContext = { seed: options.seed, clock, agenda, http, log, stats, since: options.since ?? clock(), ...(options.returnRate !== undefined && { returnRate: options.returnRate }) };
  const officers = new DutyOfficers(ctx, options.departments);
  const alertDesk = new AlertDesk(ctx);
  const names = new Map(options.departments.map((dept) => [dept.id, dept.short.zh]));
  const desks = options.departments.map((dept) => new DepartmentDesk(ctx, dept, deptProfile(options.seed, dept), names));

  /** A look repeated `realMs` apart, the next one planned once this one is done (so looks never pile up). */
  const every = (realMs: number, firstMs: number, look: () => Promise<void>) => {
    const run = async () => {
      try {
        await look();
      } finally {
        agenda.after(realMs * speed, run);
      }
    };
    agenda.after(firstMs * speed, run);
  };

  let last = { ...stats, requests: 0 };
  const report = async () => {
    const now = { ...stats, requests: http.requests };
    const delta = Object.fromEntries([...statKeys, 'requests' as const].map((k) => [k, now[k] - last[k]]).filter(([, n]) => n !== 0));
    last = now;
    log.info({ ...delta, planned: agenda.size, retries: http.retries }, 'dispatch sim: activity');
  };

  let stopped = false;
  let wake!: () => void;
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  const started = (async () => {
    await Promise.race([options.startAfter?.catch(() => {}), stopSignal]);
    if (stopped) return;
    log.info({ seed: options.seed, departments: desks.length, since: new Date(ctx.since).toISOString(), pollMs, speed }, 'dispatch sim: starting');
    every(pollMs.queue, 0, () => officers.pollQueue());
    every(pollMs.aftercare, pollMs.aftercare / 2, () => officers.pollAftercare());
    every(pollMs.aftercare, pollMs.aftercare / 4, () => alertDesk.poll());
    // Staggered, so the departments' looks spread over the interval instead of arriving together.
    desks.forEach((desk, i) => every(pollMs.department, (pollMs.department * (i + 1)) / desks.length, () => desk.poll()));
    every(options.reportEveryMs ?? d.reportEveryMs, options.reportEveryMs ?? d.reportEveryMs, report);
    agenda.start();
  })();

  let stopping: Promise<void> | undefined;
  return {
    stats,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        wake();
        // In this order: waiting requests are refused at once, then the diary waits for those already in flight.
        http.stop();
        await agenda.stop();
        await started;
      })()),
  };
}
