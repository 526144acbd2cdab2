/**
 * createApplication builds the whole app on an http.Server from its dependencies; index.ts and boot.ts only
 * resolve config and make the real dependencies.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import { Server } from 'socket.io';
import type { ClientConfig } from '../shared/api.js';
import { rooms } from '../shared/rooms.js';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { errorHandler, notFound } from './api/errors.js';
import { eventsRouter } from './api/events.js';
import { openApiDocument } from './api/openapi.js';
import { readRouter } from './api/read.js';
import type { DistrictData } from './district-data.js';
import { dispatchRouter } from './api/dispatch.js';
import { CommandService } from './commands.js';
import type { DispatchPolicy } from './domain/dispatch-rules.js';
import type { RiskClientSettings } from '../shared/risk.js';
import { AlertCommands } from './alert-commands.js';
import { alertsRouter } from './api/alerts.js';
import { leaderRouter } from './api/leader.js';
import { ledgerRouter } from './api/ledger.js';
import { reportsRouter } from './api/reports.js';
import type { ReportArchive } from './reports/archive.js';
import type { PdfRenderer } from './reports/pdf.js';
import { uuidv7 } from './domain/ids.js';
import { CaseWorkspace } from './in-flight.js';
import { Ingestor } from './ingest.js';
import { OverdueTimers } from './timers.js';
import type { Lease } from './lease.js';
import type { Logger } from './log.js';
import type { Lifecycle } from './ops/lifecycle.js';
import { readiness } from './ops/health.js';
import { registerAppGauges, requestLog, type Metrics, type MetricsAccess } from './ops/metrics.js';
import type { Projections } from './projections.js';
import { attachConnectionHandlers, dropStaleSockets, type IoServer } from './realtime/connection.js';
import { forAdapter, type RedisClient } from './redis.js';
import { adminRouter } from './api/admin.js';
import { authRouter } from './api/auth.js';
import type { AuditLog } from './audit/audit-log.js';
import { Auditor } from './auth/auditor.js';
import { Authenticator, type SessionSettings } from './auth/authenticator.js';
import { DirectoryWriter } from './auth/directory-writer.js';
import { guard, principalOf } from './auth/guard.js';
import { LoginLockout, type LockoutSettings } from './auth/lockout.js';
import { originAllowed, sameOrigin } from './auth/same-origin.js';
import { securityHeaders } from './auth/security-headers.js';
import { createLimiter, limitRequests, type RateLimitRule } from './rate-limit.js';
import { LiveFeed } from './realtime/live-feed.js';
import { streamCounters } from './realtime/stream-health.js';
import type { EventStore } from './store/event-store.js';

/** Sockets whose session ran out are dropped this often (changes of access drop them at once). */
const STALE_SOCKET_SWEEP_MS = 15_000;


export interface AppDeps {
  store: EventStore;
  projections: Projections;
  district: DistrictData;
  policy: DispatchPolicy;
  /** Score settings and sensitive periods (data/risk/), also sent to clients. */
  risk: RiskClientSettings;
  log: Logger;
  clock: () => number;
  /** Time-based work (timers, risk sweep) runs only while this node holds it; absent, always (one node). */
  lease?: Lease;
  /** The audit trail (server/audit/). */
  audit: AuditLog;
  /** The report archive and the PDF printer (server/reports/); the caller opens and closes them. Absent: no archive, no PDF. */
  reports?: { archive: ReportArchive; pdf: PdfRenderer };
  /** Signs session cookies (SESSION_SECRET, or a key made once in the data dir). */
  sessionKey: Buffer;
  /** A cluster's Redis (REDIS_URL): the Socket.io adapter, the fan-out of commits between nodes, rate limits. */
  redis?: { client: RedisClient; /** Keys and channels of this log's nodes, so logs sharing a Redis never mix. */ prefix: string };
}

export interface AppOptions {
  bodyLimit: string;
  streamBatchMs: number;
  replayLimit: number;
  clientConfig: ClientConfig;
  /** Folder of the built client (vite build); the wall is served from it when present. */
  clientDir?: string;
  /** How often every client hears the log's head seq (0: never). */
  heartbeatMs: number;
  version: string;
  /** How often the overdue timers look for due work. */
  timerSweepMs: number;
  riskSweepMs: number;
  /** How often to look for events other nodes committed (a safety net under NOTIFY); only on a shared log. */
  followPollMs?: number;
  /** Requests a minute per client: intake (`POST /api/events`) and commands (`POST …/commands`); 0: no limit. */
  rateLimits: { intakePerMinute: number; commandsPerMinute: number };
  /** Express's `trust proxy`: which hops' X-Forwarded-For to believe for the client's address. */
  trustProxy: boolean | number | string;
  sessions: SessionSettings;
  lockout: LockoutSettings;
  /** Origins besides the server's own whose pages may open the socket. */
  allowedOrigins: readonly string[];
  /** Starting, ready or stopping (ops/lifecycle.ts); absent: always ready. */
  lifecycle?: Lifecycle;
  /** The node's data dir, checked by /readyz (writable, not full). */
  dataDir?: string;
  /** Prometheus metrics and who may scrape them (ops/metrics.ts); absent: no /metrics. */
  metrics?: { metrics: Metrics; access: MetricsAccess };
  /** JSON request logs (one line per request); off in the embedded test servers. */
  requestLogs?: boolean;
}

export function createApplication(httpServer: http.Server, deps: AppDeps, options: AppOptions) {
  const { store, projections, district, policy, risk, log, clock, lease, redis } = deps;
  const newId = () => uuidv7(clock());
  const authenticator = new Authenticator({ directory: projections.directory, key: deps.sessionKey, clock, settings: options.sessions });
  const auditor = new Auditor(deps.audit, log);
  const writer = new DirectoryWriter({ store, newId });
  const io: IoServer = new Server(httpServer, {
    serveClient: false,
    // A frame past this closes only the socket that sent it.
    maxHttpBufferSize: 64 * 1024,
    // A browser's handshake carries an Origin: only the server's own pages and ALLOWED_ORIGINS may open a socket, so
    // another site's page cannot ride a signed-in officer's cookie. Clients that are not browsers send none; they
    // still need a session.
    allowRequest: (req, callback) => callback(null, req.headers.origin === undefined || originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)),
    // No connection-state recovery: every connection gets the server's own catch-up from the log (connection.ts),
    // which recovery skipped while restoring sessions without the live room, and recovery sent every direct emit
    // through the adapter, behind Redis (issue 17). The streams adapter resumes its stream after a Redis outage; the
    // pub/sub adapter does not (README, "Several nodes").
    ...(redis && {
      adapter: createAdapter(forAdapter(redis.client), {
        streamName: `${redis.prefix}:sio`,
        channelPrefix: `${redis.prefix}:sio`,
        sessionKeyPrefix: `${redis.prefix}:sio:session:`,
        maxLen: 2_000,
        // Shorter than the default 5 s so a closing node lets go of Redis sooner.
        blockTimeInMs: 1_000,
      }),
    }),
  });
  // The live route: committed events into the projections and out to every screen (realtime/live-feed.ts).
  const feed = new LiveFeed(
    { io, store, projections, log, clock, ...(lease && { lease }), ...(redis && { redis: redis.client }) },
    { streamBatchMs: options.streamBatchMs, replayLimit: options.replayLimit, heartbeatMs: options.heartbeatMs, riskSweepMs: options.riskSweepMs, ...(options.followPollMs !== undefined && { followPollMs: options.followPollMs }) },
  );
  const { catchUp, fanOut } = feed;
  const riskService = feed.risk;
  feed.start();
  attachConnectionHandlers(io, { catchUp, flushLive: () => feed.flush(), log, authenticator });
  // Every node applies every access change: each drops its own sockets of a user disabled, moved or signed out.
  projections.directory.onRevoked = (id) => io.local.in(rooms.principal(id)).disconnectSockets(true);
  projections.directory.onSessionEnded = (sid) => io.local.in(rooms.session(sid)).disconnectSockets(true);
  const staleSockets = setInterval(() => dropStaleSockets(io, authenticator), STALE_SOCKET_SWEEP_MS);
  staleSockets.unref();

  const workspace = new CaseWorkspace(projections.cases);
  const alertExists = (id: string) => projections.risk?.alerts.get(id) !== undefined;
  const commands = new CommandService({ store, cases: workspace, index: projections.cases, district, policy, clock, newId, alertExists });
  const alertCommands = new AlertCommands({ store, alerts: () => projections.risk?.alerts ?? null, clock, newId });
  const timers = new OverdueTimers({ index: projections.cases, commands, clock, log, ...(lease && { lease }) }, { sweepMs: options.timerSweepMs });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy);
  if (options.requestLogs) app.use(requestLog(log));
  // gzip or brotli, as the client accepts, for JSON and the client's assets (not the socket's frames).
  app.use(compression({ filter: (req, res) => !req.path.startsWith('/socket.io/') && compression.filter(req, res) }));
  if (options.metrics) {
    const { metrics } = options.metrics;
    app.use(metrics.middleware());
    registerAppGauges(metrics, {
      store,
      appliedSeq: () => projections.seq,
      socketRoles: function* () {
        for (const socket of io.of('/').sockets.values()) yield (socket.data.principal as { role?: string; kind?: string } | undefined)?.role ?? 'none';
      },
      overdueTimers: () => timers.overdue(),
      openAlertsByLevel: () => projections.risk?.alerts.openByLevel(),
      ...(deps.reports && { pdfQueue: () => deps.reports!.pdf.queued }),
    });
    // The stream's own counters since start (stalls, catch-ups, buffers past their bound): monotonic, so rate() them.
    metrics.gauge('sygl_stream_events', 'Stream health counts since start, by kind (realtime/stream-health.ts)', ['kind'], () =>
      Object.entries(streamCounters).map(([kind, value]) => ({ labels: { kind }, value })),
    );
  }
  app.use(securityHeaders(options.clientConfig.tileUrl));
  // Who is calling, and may they: before any body is parsed or handler runs (auth/access.ts holds the rules).
  app.use(guard({ authenticator, auditor }));
  // Nothing is changed for a page of another origin (auth/same-origin.ts), and no answer of the API is kept by a
  // browser or a proxy: case details, unmasked parties and exports are personal data.
  app.use(sameOrigin({ auditor, allowedOrigins: options.allowedOrigins }));
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // A client over its budget costs no parsing. The budget is the caller's: an integration key's, a user's, else the address's.
  const caller = (req: express.Request, res: express.Response) => principalOf(res)?.id ?? req.ip ?? 'unknown';
  const intakeRule: RateLimitRule = { name: 'intake', perMinute: options.rateLimits.intakePerMinute };
  const commandRule: RateLimitRule = { name: 'commands', perMinute: options.rateLimits.commandsPerMinute };
  app.post('/api/events', limitRequests(intakeRule, createLimiter(intakeRule, redis), log, caller));
  app.post(/^\/api\/.+\/(commands|unmask)$/, limitRequests(commandRule, createLimiter(commandRule, redis), log, caller));
  app.use(express.json({ limit: options.bodyLimit, type: 'application/json', strict: false }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await readiness({
      store,
      appliedSeq: () => projections.seq,
      postgres: Boolean(store.onRemoteCommit),
      ...(options.lifecycle && { lifecycle: options.lifecycle }),
      ...(options.dataDir && { dataDir: options.dataDir }),
      ...(fanOut && { redis: { ready: fanOut.ready, stats: fanOut.stats } }),
    });
    res.status(ready.status === 'ready' ? 200 : 503).set('Cache-Control', 'no-store').json(ready);
  });
  if (options.metrics) app.get('/metrics', options.metrics.metrics.route(options.metrics.access));
  const openapi = openApiDocument(options.version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const lockout = new LoginLockout(options.lockout, redis);
  app.use(authRouter({ directory: projections.directory, authenticator, lockout, auditor, writer }));
  app.use(adminRouter({ directory: projections.directory, writer, authenticator, auditor, audit: deps.audit, district, lockout }));
  const ingestor = new Ingestor({ store, cases: workspace, district, clock, newId });
  app.use(eventsRouter(ingestor));
  app.use(readRouter({ projections, district, catchUp, clientConfig: options.clientConfig, clock }));
  app.use(dispatchRouter({ projections, store, district, policy, commands, clock, auditor }));
  app.use(alertsRouter({ projections, store, district, commands: alertCommands, risk, clock, auditor }));
  app.use(leaderRouter({ projections, district, risk, clock }));
  app.use(reportsRouter({ projections, district, clock, auditor, log, ...deps.reports }));
  app.use(ledgerRouter({ projections, district, ingestor, store, clock, auditor, ...(options.metrics && { metrics: options.metrics.metrics }) }));
  app.use('/api', notFound);
  if (options.clientDir && fs.existsSync(path.join(options.clientDir, 'index.html'))) {
    const index = path.join(options.clientDir, 'index.html');
    app.use(
      express.static(options.clientDir, {
        index: false,
        setHeaders: (res, file) => {
          // Vite names what it builds under assets/ by content hash: a new build is a new name.
          const hashed = path.relative(options.clientDir!, file).startsWith(`assets${path.sep}`);
          res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
    // The client routes by hash (#/wall): only these two paths are the app shell, anything else is a 404.
    app.get(['/', '/index.html'], (_req, res) => {
      res.set('Cache-Control', 'no-cache').sendFile(index);
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain; charset=utf-8').send('The wall is not built: run `npm run build`, then reload.');
    });
  }
  app.use(notFound);
  app.use(errorHandler(log));
  httpServer.on('request', app);
  // Requests Node refuses before Express sees them (headers too large, malformed) get the same error shape.
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy();
    const [status, code] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large'] : [400, 'bad_request'];
    const body = JSON.stringify({ error: { code, message: code === 'headers_too_large' ? 'the request headers are too large' : 'the request is malformed' } });
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  return {
    io,
    app,
    timers,
    /** The dispatch command service (the demo's history writer uses it in-process: sim/dispatch-history.ts). */
    commands,
    risk: riskService,
    /** Appends access events (first admin, demo users). */
    directoryWriter: writer,
    /** Stops streaming and timers; the caller closes the http server and the store. */
    close: async () => {
      await timers.stop();
      await feed.close();
      clearInterval(staleSockets);
      await io.close();
    },
  };
}
