/**
 * Starts the real server: config → district data → event store → projections rebuilt from the log → HTTP and
 * Socket.io → (optionally) the demo feed. Used by index.ts, the tests and the benchmarks alike.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from './app-root.js';
import { createApplication } from './app.js';
import { resolveConfig, type Config, type ConfigInput } from './config.js';
import { calendarWarning, loadDispatchPolicy } from './dispatch-data.js';
import { loadDistrictData } from './district-data.js';
import { createLogger, type Logger } from './log.js';
import { Lifecycle } from './ops/lifecycle.js';
import { startingHandler } from './ops/starting.js';
import { SnapshotSchedule } from './ops/snapshots.js';
import { Metrics } from './ops/metrics.js';
import { Projections, type ProjectionSettings } from './projections.js';
import { identityKey, loadRiskSettings } from './risk-data.js';
import { uuidv7 } from './domain/ids.js';
import { loadSnapshot } from './projection-snapshot.js';
import { PgLease, soleLease, type Lease } from './lease.js';
import { closeRedis, connectRedis, redactedUrl } from './redis.js';
import { openAuditLog } from './audit/audit-log.js';
import { AuditRetention } from './audit/retention.js';
import { openReportArchive } from './reports/archive.js';
import { PdfRenderer } from './reports/pdf.js';
import { ReportScheduler } from './reports/scheduler.js';
import { registeredRoutes, type RegisteredRoute } from './auth/access.js';
import { ensureFirstAdmin } from './auth/first-admin.js';
import { secretFile } from './secret-file.js';
import type { DemoCredentials } from './sim/demo-access.js';
import type { BackfillSummary } from './sim/demo-feed.js';

export type DemoHistorySummary = BackfillSummary & { steps: number; duplicates: number; refused: number; byType: Record<string, number>; refusedBy: Record<string, number> };
import type { EventStore } from './store/event-store.js';
import { pgTables } from './store/pg-schema.js';
import { PgEventStore } from './store/pg-store.js';
import { SqliteEventStore } from './store/sqlite-store.js';

const root = appRoot;
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** Replaying more than this many events at start-up writes a fresh snapshot. */
const SNAPSHOT_AFTER_REPLAYED = 50_000;

export interface RunningServer {
  config: Config;
  url: string;
  port: number;
  dataDir: string;
  /** The overdue timers; `sweep()` fires what is due now (tests with a fake clock call it directly). */
  timers: { sweep(): Promise<number> };
  /** The time-based risk rules; `sweep()` runs them now. */
  risk: { sweep(): Promise<number> };
  /** The report schedule; `run()` archives the reports due now and resolves with their ids. */
  reports: { run(): Promise<string[]> };
  /** Whether this node does the cluster's time-based work (always, on SQLite). */
  lease: Pick<Lease, 'held' | 'hold'>;
  /** `npm run demo`: how to sign in. */
  demo?: DemoCredentials;
  /** `npm run demo`: settles when the backfilled days (intake and dispatch history) are written, with the time it took. */
  demoHistory?: Promise<DemoHistorySummary>;
  /** The HTTP routes the app registers, read-only (the route inventory test compares them with the access table). */
  routes(): RegisteredRoute[];
  close(): Promise<void>;
}

export interface BootOptions {
  /** Process environment and CLI arguments; without them (tests, benchmarks) a temp data dir and port 0 are used. */
  env?: NodeJS.ProcessEnv;
  argv?: readonly string[];
  clock?: () => number;
  /** Called once the port is open, before the log is replayed (the server answers `starting` until ready). */
  onListening?: (url: string) => void;
  /** Awaited after listening, before the replay (tests hold a server in `starting` with it). */
  beforeReplay?: () => Promise<void>;
}

export async function bootServer(overrides: ConfigInput = {}, options: BootOptions = {}): Promise<RunningServer> {
  const embedded = options.env === undefined;
  const config = resolveConfig({
    env: options.env ?? {},
    argv: options.argv ?? [],
    overrides: embedded
      ? // Tests and benchmarks drive one server hard from one address: limits only where a test sets them.
        { PORT: 0, LOG_LEVEL: 'warn', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-')), RATE_LIMIT_INTAKE: 0, RATE_LIMIT_COMMANDS: 0, SHUTDOWN_TIMEOUT_SECONDS: 5, ...overrides }
      : overrides,
  });
  const clock = options.clock ?? Date.now;
  const log = createLogger(config.LOG_LEVEL);
  const district = loadDistrictData(config.DISTRICT);
  const policy = loadDispatchPolicy(district, config.TZ_OFFSET_MINUTES);
  const year = new Date(clock() + config.TZ_OFFSET_MINUTES * 60_000).getUTCFullYear();
  const thisYear = calendarWarning(policy, year);
  const nextYear = calendarWarning(policy, year + 1);
  if (thisYear) log.warn(thisYear);
  if (nextYear) log.info(nextYear);
  const dataDir = path.join(config.DATA_DIR, config.DISTRICT);
  const { store, lease } = openStore(config, dataDir, clock, log);
  const metrics = new Metrics();
  metrics.instrumentStore(store);
  const riskData = loadRiskSettings(district.categories.map((c) => c.code));
  const settings: ProjectionSettings = {
    tzOffsetMinutes: config.TZ_OFFSET_MINUTES,
    halfLifeHours: config.HEAT_HALF_LIFE_HOURS,
    ...(config.RISK_RULES && {
      risk: {
        rules: riskData.rules,
        periods: riskData.periods,
        tzOffsetMinutes: config.TZ_OFFSET_MINUTES,
        identityKey: identityKey(dataDir, config.RISK_IDENTITY_KEY),
        newId: () => uuidv7(clock()),
        names: {
          area: (code: string) => district.community(code)?.name ?? district.street(code)?.name,
          category: (code: string) => district.category(code)?.name.zh,
        },
      },
    }),
  };
  const riskSettings = { score: riskData.score, periods: riskData.periods };

  // Listen at once: while the log replays, /healthz answers, /readyz and the API say `starting`, pages show progress.
  const httpServer = http.createServer();
  const lifecycle = new Lifecycle();
  lifecycle.track(httpServer);
  const starting = startingHandler(lifecycle);
  httpServer.on('request', starting);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  log.info({ url, district: config.DISTRICT }, 'listening; starting');
  options.onListening?.(url);
  try {
    return await startServing();
  } catch (error) {
    httpServer.close();
    httpServer.closeAllConnections();
    await store.close().catch(() => undefined);
    await lease.close().catch(() => undefined);
    throw error;
  }

  async function startServing(): Promise<RunningServer> {
    const started = performance.now();
    lifecycle.replay.total = await store.lastSeq();
    await options.beforeReplay?.();
    const loaded = await loadSnapshot(dataDir, store, settings);
    const projections = 'projections' in loaded ? loaded.projections : new Projections(settings);
    if ('reason' in loaded) log.info({ reason: loaded.reason }, 'rebuilding projections from the whole event log');
    const fromSeq = projections.seq;
    lifecycle.replay.replayed = fromSeq;
    let lastLogged = performance.now();
    await projections.rebuild(store, (seq, last) => {
      lifecycle.replay.replayed = seq;
      lifecycle.replay.total = Math.max(lifecycle.replay.total, last);
      if (performance.now() - lastLogged > 1000) {
        lastLogged = performance.now();
        log.info({ seq, last, pct: Math.round((seq / last) * 100) }, 'replaying the event log');
      }
    });
    lifecycle.replay.replayed = projections.seq;
    log.info({ seq: projections.seq, replayed: projections.seq - fromSeq, ms: Math.round(performance.now() - started), dataDir }, 'projections ready');

    const sessionKey = config.SESSION_SECRET ? Buffer.from(config.SESSION_SECRET, 'utf8') : secretFile(dataDir, 'session.key', 32);
    const audit = await openAuditLog(config.DATABASE_URL ? { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA } : { dataDir }, clock);
    const reportArchive = await openReportArchive(config.DATABASE_URL ? { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, applicationName: nodeName('reports') } : { dataDir });
    const reportPdf = new PdfRenderer({ log, executablePath: config.CHROMIUM_PATH });
    const redis = config.REDIS_URL ? await connectRedis({ url: config.REDIS_URL, name: nodeName('redis'), log }) : undefined;
    if (config.REDIS_URL) log.info({ redis: redactedUrl(config.REDIS_URL) }, 'cluster fan-out through Redis');
    // From here the app answers (Socket.io attaches now); /readyz says `starting` until the end of start-up.
    httpServer.off('request', starting);
    const application = createApplication(
      httpServer,
      { store, projections, district, policy, risk: riskSettings, log, clock, lease, audit, reports: { archive: reportArchive, pdf: reportPdf }, sessionKey, ...(redis && { redis: { client: redis, prefix: logPrefix(config) } }) },
      {
        bodyLimit: config.BODY_LIMIT,
        streamBatchMs: config.STREAM_BATCH_MS,
        heartbeatMs: config.STREAM_HEARTBEAT_MS,
        replayLimit: config.REPLAY_LIMIT,
        clientConfig: {
          tourSeconds: config.TOUR_SECONDS,
          tileUrl: config.TILE_URL ?? null,
          tzOffsetMinutes: config.TZ_OFFSET_MINUTES,
          halfLifeHours: config.HEAT_HALF_LIFE_HOURS,
          risk: riskSettings,
        },
        clientDir: path.join(root, 'dist', 'client'),
        version,
        timerSweepMs: config.TIMER_SWEEP_MS,
        riskSweepMs: config.RISK_SWEEP_MS,
        rateLimits: { intakePerMinute: config.RATE_LIMIT_INTAKE, commandsPerMinute: config.RATE_LIMIT_COMMANDS },
        trustProxy: config.TRUST_PROXY,
        sessions: { idleMs: config.SESSION_IDLE_MINUTES * 60_000, maxMs: config.SESSION_MAX_HOURS * 3_600_000, kioskMaxMs: config.KIOSK_SESSION_DAYS * 86_400_000 },
        lockout: {
          maxFailures: config.LOGIN_MAX_FAILURES,
          nameMaxFailures: config.LOGIN_MAX_FAILURES * 10,
          ipMaxFailures: config.LOGIN_MAX_FAILURES * 10,
          windowSeconds: config.LOGIN_LOCK_MINUTES * 60,
          slowSeconds: config.LOGIN_SLOW_SECONDS,
          knownDays: config.LOGIN_KNOWN_DAYS,
        },
        allowedOrigins: config.ALLOWED_ORIGINS,
        lifecycle,
        dataDir,
        metrics: { metrics, access: { ...(config.METRICS_TOKEN && { token: config.METRICS_TOKEN }), allow: config.METRICS_ALLOW } },
        requestLogs: true,
      },
    );
    // The demo makes its own admin (sim/demo-access.ts) unless ADMIN_PASSWORD names one.
    if (!config.DEMO || config.ADMIN_PASSWORD) await ensureFirstAdmin(config, projections.directory, application.directoryWriter, log);
    const retention = new AuditRetention({ audit, lease, clock, log }, { days: config.AUDIT_RETENTION_DAYS });
    const reportSchedule = new ReportScheduler({ archive: reportArchive, projections, district, store, lease, clock, log });
    application.timers.start();
    application.risk.start();
    lifecycle.phase = 'ready';

    retention.start();
    reportSchedule.start();
    const snapshots = new SnapshotSchedule({ dataDir, projections, store, log }, { everyEvents: config.SNAPSHOT_EVERY_EVENTS, everyMinutes: config.SNAPSHOT_EVERY_MINUTES, savedSeq: fromSeq });
    snapshots.start();
    // A long replay is worth saving so the next start does not repeat it: while serving (the save lets the event
    // loop run, server/projection-snapshot.ts), not before, which would keep the node from being ready meanwhile.
    if (projections.seq - fromSeq > SNAPSHOT_AFTER_REPLAYED) void snapshots.save();

    let stopFeed: (() => Promise<void>) | undefined;
    let stopDispatch: (() => Promise<void>) | undefined;
    let demo: DemoCredentials | undefined;
    let demoHistory: Promise<DemoHistorySummary> | undefined;
    if (config.DEMO) {
      const { startDemoFeed } = await import('./sim/demo-feed.js');
      const { startDispatchSim } = await import('./sim/dispatch-sim.js');
      const { ensureDemoAccess, simUsername } = await import('./sim/demo-access.js');
      const credentials = await ensureDemoAccess({ directory: projections.directory, writer: application.directoryWriter, dataDir, departments: district.departments });
      demo = credentials;
      const { inProcessHistory, DISPATCH_HISTORY_DEFAULTS } = await import('./sim/dispatch-history.js');
      // The backfilled days get the centre's own dispatch history, written through the command service in-process.
      const history = inProcessHistory({ commands: application.commands, cases: projections.cases, directory: projections.directory, district, policy }, config.DEMO_SEED);
      const feed = startDemoFeed({
        apiKey: credentials.apiKey,
        baseUrl: url,
        seed: config.DEMO_SEED,
        ratePerHour: config.DEMO_RATE_PER_HOUR,
        backfillRatePerHour: config.DEMO_BACKFILL_RATE_PER_HOUR,
        backfillDays: config.DEMO_BACKFILL_DAYS,
        tzOffsetMinutes: config.TZ_OFFSET_MINUTES,
        clock,
        district: district.info,
        categories: district.categories,
        log,
        // The dispatch simulation takes live cases through the closed loop; an intake resolution would race it.
        leaveLiveOpen: true,
        history: { share: config.DEMO_HISTORY_SHARE, handoverMs: DISPATCH_HISTORY_DEFAULTS.handoverMs, write: (reported, until) => history.window(reported, until) },
      });
      history.fineFrom = feed.liveFrom - 6 * 3_600_000;
      // The history fires its own past 督办 and 升级 at their moments; the live timers wait until it is written.
      application.timers.holdUntil(feed.backfilled);
      demoHistory = feed.summary.then((summary) => ({ ...summary, steps: history.stats.written, duplicates: history.stats.duplicates, refused: history.stats.refused, byType: { ...history.stats.byType }, refusedBy: { ...history.stats.refusedBy } }));
      stopFeed = feed.stop;
      // The history's days, weeks and months are archived as soon as it is written, not at the next sweep.
      feed.backfilled.then(() => reportSchedule.run(), () => undefined);
      const dispatch = startDispatchSim({
        baseUrl: url,
        signIn: (actor) => ({ username: simUsername(actor), password: credentials.password }),
        seed: config.DEMO_SEED,
        departments: district.departments,
        ratePerHour: config.DEMO_RATE_PER_HOUR,
        since: feed.liveFrom,
        clock,
        log,
        startAfter: feed.backfilled,
      });
      stopDispatch = dispatch.stop;
    }

    let closing: Promise<void> | undefined;
    return {
      config,
      url,
      port,
      dataDir,
      timers: application.timers,
      risk: application.risk,
      reports: reportSchedule,
      lease,
      ...(demo && { demo }),
      ...(demoHistory && { demoHistory }),
      routes: () => registeredRoutes(application.app),
      close: () =>
        (closing ??= (async () => {
          // Not ready from now on; the demo's own clients stop before the server stops answering them.
          lifecycle.phase = 'stopping';
          await Promise.all([stopFeed?.(), stopDispatch?.()]);
          // No new connection; requests in flight finish (their commits with them), within the deadline.
          const cut = await lifecycle.drain(httpServer, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
          if (cut) log.warn({ requests: cut, seconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'requests still in flight at the shutdown deadline are cut');
          retention.stop();
          await reportSchedule.stop();
          await snapshots.stop();
          // Timers and sweeps stop, the last commits reach the stream, then the sockets are closed.
          await application.close();
          httpServer.closeAllConnections();
          await audit.close().catch((error: unknown) => log.warn({ err: error }, 'could not close the audit log'));
          await reportPdf.close();
          await reportArchive.close().catch((error: unknown) => log.warn({ err: error }, 'could not close the report archive'));
          if (redis) await closeRedis(redis);
          await lease.close();
          // Unless the last save is already as of the last event (it logs its own failure).
          await snapshots.save();
          await store.close();
        })()),
    };
  }
}

/**
 * One log's nodes share keys and channels in Redis under this prefix, so logs in other schemas or databases can share
 * a Redis. The host is left out (nodes may reach one server by different addresses); logs of two PostgreSQL servers
 * with the same database and schema names need Redis databases of their own (redis://host:6379/1).
 */
function logPrefix(config: Config): string {
  return `sygl:${config.DISTRICT}:${new URL(config.DATABASE_URL!).pathname.slice(1)}:${config.DATABASE_SCHEMA}`;
}

/** Names this process in pg_stat_activity and Redis CLIENT LIST. */
function nodeName(role?: string): string {
  return `sygl-${os.hostname()}-${process.pid}${role ? `-${role}` : ''}`;
}

/**
 * DATABASE_URL selects the PostgreSQL log that several nodes share, with a lease for the time-based work;
 * without it, the embedded SQLite log in the data dir, on one node that always holds the lease.
 */
function openStore(config: Config, dataDir: string, clock: () => number, log: Logger): { store: EventStore; lease: Lease } {
  if (!config.DATABASE_URL) {
    log.info({ store: 'sqlite', dataDir }, 'event store');
    return { store: new SqliteEventStore({ dataDir, district: config.DISTRICT, clock }), lease: soleLease };
  }
  // The log is elsewhere, but the projection snapshot and the identity key live here.
  fs.mkdirSync(dataDir, { recursive: true });
  const url = new URL(config.DATABASE_URL);
  // Never the password: where the log is, not how to get in.
  log.info({ store: 'postgresql', host: url.hostname, port: url.port || '5432', database: url.pathname.slice(1), schema: config.DATABASE_SCHEMA }, 'event store');
  if (config.RISK_RULES && !config.RISK_IDENTITY_KEY) {
    log.warn('RISK_IDENTITY_KEY is not set: each node makes its own key in its data dir, so nodes sharing a log would recognise repeat petitioners differently; set the same key on every node');
  }
  const node = nodeName();
  const store = new PgEventStore({
    url: config.DATABASE_URL,
    district: config.DISTRICT,
    schema: config.DATABASE_SCHEMA,
    clock,
    applicationName: `${node}-store`,
    onError: (error) => log.warn({ err: error }, 'PostgreSQL connection lost; reconnecting on next use'),
  });
  const lease = new PgLease({ url: config.DATABASE_URL, objectId: pgTables(config.DATABASE_SCHEMA).appendLock[1], applicationName: `${node}-lease`, log });
  return { store, lease };
}
