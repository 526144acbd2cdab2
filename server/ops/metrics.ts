/**
 * Prometheus metrics (`GET /metrics`, prom-client) and JSON request logs (one pino line per request). One registry
 * per server, so several servers in one process (the tests) do not mix. `/metrics` answers only a bearer METRICS_TOKEN or an address
 * in METRICS_ALLOW; with neither set it is off (404). Request logs carry a request id, route, status, duration and
 * the caller's user or key id: never a query string, body, cookie, authorization header or personal data.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { ruleFor } from '../auth/access.js';
import { principalOf } from '../auth/guard.js';
import type { EventStore } from '../store/event-store.js';

export interface MetricsAccess {
  token?: string;
  /** Client addresses (as Express's req.ip gives them, after TRUST_PROXY) that may scrape without the token. */
  allow: readonly string[];
}

type Collect = () => number | Array<{ labels: Record<string, string>; value: number }> | Promise<number | Array<{ labels: Record<string, string>; value: number }>>;

export class Metrics {
  readonly registry = new Registry();
  readonly #intake = new Counter({ name: 'sygl_intake_requests_total', help: 'POST /api/events by integration key and status', labelNames: ['integration', 'status'] as const, registers: [this.registry] });
  readonly #intakeSeconds = new Histogram({ name: 'sygl_intake_duration_seconds', help: 'POST /api/events latency by integration key', labelNames: ['integration'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  readonly #http = new Counter({ name: 'sygl_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] });
  readonly #appendSeconds = new Histogram({ name: 'sygl_append_duration_seconds', help: 'Event log append latency (queue + commit)', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });
  readonly #appendErrors = new Counter({ name: 'sygl_append_errors_total', help: 'Appends the event log refused or failed', registers: [this.registry] });
  readonly #commitBatch = new Histogram({ name: 'sygl_commit_batch_events', help: 'Events per commit', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** A gauge read at each scrape; `collect` returns one value or one per label set. */
  gauge(name: string, help: string, labelNames: readonly string[], collect: Collect): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const value = await collect();
        this.reset();
        if (typeof value === 'number') this.set(value);
        else for (const v of value) this.set(v.labels, v.value);
      },
    });
  }

  /** Times every append and counts the events of every commit. */
  instrumentStore(store: EventStore): void {
    const append = store.append.bind(store);
    store.append = async (drafts, options) => {
      const end = this.#appendSeconds.startTimer();
      try {
        return await append(drafts, options);
      } catch (error) {
        this.#appendErrors.inc();
        throw error;
      } finally {
        end();
      }
    };
    store.onCommit((events) => this.#commitBatch.observe(events.length));
  }

  /** Counts every request by its route pattern (never the raw path, which holds ids), and intake by key. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const seconds = (performance.now() - started) / 1000;
        const status = String(res.statusCode);
        this.#http.inc({ route: routeOf(req), method: req.method, status });
        if (req.method === 'POST' && req.path === '/api/events') {
          const integration = principalOf(res)?.id ?? 'none';
          this.#intake.inc({ integration, status });
          this.#intakeSeconds.observe({ integration }, seconds);
        }
      });
      next();
    };
  }

  /** `GET /metrics` for the token or an allowed address; off (404) when neither is configured. */
  route(access: MetricsAccess): RequestHandler {
    const token = access.token ? Buffer.from(access.token) : undefined;
    return async (req, res) => {
      if (!token && access.allow.length === 0) {
        res.status(404).json({ error: { code: 'metrics_disabled', message: 'metrics are off: set METRICS_TOKEN or METRICS_ALLOW' } });
        return;
      }
      const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
      const byToken = token !== undefined && given !== undefined && Buffer.byteLength(given) === token.length && timingSafeEqual(Buffer.from(given), token);
      if (!byToken && !access.allow.includes(req.ip ?? '')) {
        res.status(401).json({ error: { code: 'metrics_unauthorized', message: 'metrics need the METRICS_TOKEN bearer token or an address in METRICS_ALLOW' } });
        return;
      }
      res.set('Content-Type', this.registry.contentType).set('Cache-Control', 'no-store').send(await this.registry.metrics());
    };
  }
}

/** Gauges of the running app, read at each scrape. Other parts add theirs with `metrics.gauge(…)` (see app.ts). */
export function registerAppGauges(
  metrics: Metrics,
  deps: {
    store: EventStore;
    appliedSeq: () => number;
    socketRoles: () => Iterable<string>;
    overdueTimers: () => number;
    openAlertsByLevel: () => Record<string, number> | undefined;
    pdfQueue?: () => number;
  },
): void {
  metrics.gauge('sygl_follower_lag_events', 'Committed events this node has not applied yet', [], async () => Math.max(0, (await deps.store.lastSeq().catch(() => deps.appliedSeq())) - deps.appliedSeq()));
  metrics.gauge('sygl_applied_seq', 'The last seq this node applied', [], () => deps.appliedSeq());
  metrics.gauge('sygl_sockets_connected', 'Connected sockets by role', ['role'], () => {
    const counts = new Map<string, number>();
    for (const role of deps.socketRoles()) counts.set(role, (counts.get(role) ?? 0) + 1);
    return [...counts].map(([role, value]) => ({ labels: { role }, value }));
  });
  metrics.gauge('sygl_overdue_timers', 'Overdue timers due now and not yet fired (督办/升级)', [], () => deps.overdueTimers());
  metrics.gauge('sygl_risk_alerts_open', 'Open risk alerts by level', ['level'], () => Object.entries(deps.openAlertsByLevel() ?? {}).map(([level, value]) => ({ labels: { level }, value })));
  if (deps.pdfQueue) metrics.gauge('sygl_pdf_queue', 'Report PDFs waiting to print', [], deps.pdfQueue);
}

/** Ledger import jobs (server/ledger/jobs.ts): running now, finished since start by outcome, rows committed since start. */
export function registerImportGauges(metrics: Metrics, stats: { running: number; done: number; failed: number; rows: number }): void {
  metrics.gauge('sygl_import_jobs_running', 'Ledger imports committing now', [], () => stats.running);
  metrics.gauge('sygl_import_jobs_finished', 'Ledger imports finished since start, by outcome (monotonic: rate() it)', ['outcome'], () => [
    { labels: { outcome: 'done' }, value: stats.done },
    { labels: { outcome: 'failed' }, value: stats.failed },
  ]);
  metrics.gauge('sygl_import_rows', 'Ledger rows committed to the log by imports since start (monotonic: rate() it)', [], () => stats.rows);
}

/** The route pattern Express matched (`/api/cases/:id`), or a fixed word: raw paths would carry ids and names. */
function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof route === 'string') return route;
  // Refused before any route ran (no session, no key): the access rule's pattern names it.
  const rule = ruleFor(req.method, req.path);
  if (rule) return rule.path;
  if (req.path.startsWith('/socket.io/')) return '/socket.io';
  if (req.path.startsWith('/api/')) return 'unmatched';
  return 'static';
}

const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One JSON line per request: `reqId` (X-Request-Id when the client sent a sane one, else new; echoed back), route,
 * status, responseTime (ms) and `principal` (user, kiosk or key id). Health checks and scrapes are logged only
 * when they fail; 5xx are errors, the rest info.
 */
export function requestLog(log: Logger): RequestHandler {
  // Written by hand rather than with pino-http, which made two or three child loggers per request (serialising the
  // request each time) and worked out the caller twice, at a level that writes nothing as much as at one that does:
  // on the intake path that is time every event waits before it is streamed (docs/performance.md). Same line.
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    const started = Date.now();
    const done = (error?: Error) => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      res.removeListener('error', done);
      const status = res.statusCode;
      const failed = error !== undefined || status >= 500;
      const level = failed ? 'error' : QUIET.has((req.url ?? '').split('?')[0]!) && status < 400 ? 'silent' : 'info';
      if (level === 'silent' || !log.isLevelEnabled(level)) return;
      const principal = principalOf(res);
      // The method only (the route pattern is `route`): no path (a path is the caller's text), query string
      // (searches may name people), headers, cookies or body; of an error, its type only.
      log[level](
        {
          reqId,
          req: { method: req.method },
          route: routeOf(req),
          ...(principal && { principal: principal.id }),
          res: { status },
          ...(failed && { err: { type: error?.name ?? 'Error' } }),
          ms: Date.now() - started,
        },
        failed ? 'request failed' : 'request',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}
