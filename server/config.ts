/**
 * Settings, resolved once in a documented order: CLI flag (--data-dir) > environment (DATA_DIR) > default.
 * The README's configuration table lists the same names.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default(path.join(os.homedir(), '.local', 'share', 'sygl-command-centre')),
  /** postgres://… selects the PostgreSQL event log, shared by several nodes; unset, the embedded SQLite log in DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** The PostgreSQL schema holding the log (one log per schema). */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('public'),
  /** redis://… joins the nodes through Redis: Socket.io adapter, commit fan-out, shared rate limits. Needs DATABASE_URL. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Requests a minute per client to POST /api/events; 0: no limit. */
  RATE_LIMIT_INTAKE: z.coerce.number().int().min(0).default(1200),
  /** Requests a minute per client to the command routes; 0: no limit. */
  RATE_LIMIT_COMMANDS: z.coerce.number().int().min(0).default(600),
  /** Express `trust proxy`: false, true, a hop count, or addresses (e.g. `loopback`) of the reverse proxies. */
  TRUST_PROXY: z
    .union([z.boolean(), z.number().int().min(0), z.string()])
    .default(false)
    .transform((v) => (typeof v !== 'string' ? v : v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  /** Signs session cookies; every node of a cluster needs the same one. Default (one node): a key made once in the data dir. */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** A signed-in user's session ends after this many minutes without a request. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** … and this many hours after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  /** A wall's kiosk session ends this many days after sign-in (no idle timeout: nobody touches a wall). */
  KIOSK_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** First run: creates this admin with ADMIN_PASSWORD when the log holds no admin. There is no default password. */
  ADMIN_USERNAME: z.string().regex(/^[a-z0-9][a-z0-9_.-]{2,31}$/).default('admin'),
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
  /**
   * Wrong passwords for one user name from one address within LOGIN_LOCK_MINUTES before the name is locked from that
   * address for the rest of it; ten times as many for a name from everywhere, or from one address whatever the
   * names, slow it down to one attempt per LOGIN_SLOW_SECONDS (server/auth/lockout.ts).
   */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  LOGIN_SLOW_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  /**
   * An address a user signed in from skips the slow-downs for that user this many days (at most 24: the memory
   * counter's timer cannot run longer).
   */
  LOGIN_KNOWN_DAYS: z.coerce.number().int().min(1).max(24).default(14),
  /** Origins (scheme://host[:port], comma-separated) whose pages may open the live socket besides the server's own. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean)),
  /** Audit entries older than this are pruned (the chain stays verifiable from a checkpoint). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(30).default(183),
  /** The Chromium that prints reports to PDF (started on the first PDF); without it, PDFs answer 503 and the rest works. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  DISTRICT: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a folder name under data/districts').default('longgang'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Half-life of the "recent events" part of heat (docs/architecture.md §6). */
  HEAT_HALF_LIFE_HOURS: z.coerce.number().positive().default(24),
  /** Local time zone of the district as minutes east of UTC (China Standard Time, no DST). */
  TZ_OFFSET_MINUTES: z.coerce.number().int().min(-720).max(840).default(480),
  /** Longest a committed event waits to be coalesced into a stream batch (only under load: a quiet stream sends at once). */
  STREAM_BATCH_MS: z.coerce.number().int().min(0).max(1000).default(25),
  /** How often the server tells every client the log's head seq, so a client that fell behind notices (0: never). */
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** A reconnecting client further behind than this gets a fresh snapshot instead of a replay. */
  REPLAY_LIMIT: z.coerce.number().int().min(0).default(5000),
  TIMER_SWEEP_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** The risk rules (data/risk/) decide alerts on every event; off, only outside systems raise alerts. */
  RISK_RULES: bool.default(true),
  /** How often the time-based risk rules run (stale cases, quiet alerts) and the leader's heat frames are taken. */
  RISK_SWEEP_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /** Secret of the keyed hash that recognises people across petitions; default: a key made once in the data dir. */
  RISK_IDENTITY_KEY: z.string().min(16).optional(),
  /** On SIGTERM, requests in flight get this long to finish (then they are cut); the snapshot and closing follow. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(20),
  /** A projection snapshot is saved after this many committed events (0: never by count)… */
  SNAPSHOT_EVERY_EVENTS: z.coerce.number().int().min(0).default(20_000),
  /** … and this often when anything was committed since the last (0: never by time). */
  SNAPSHOT_EVERY_MINUTES: z.coerce.number().min(0).max(24 * 60).default(10),
  /** Bearer token for GET /metrics (Prometheus `authorization: credentials`); ≥ 16 characters. */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Addresses that may scrape /metrics without the token (comma-separated, as the client address after TRUST_PROXY). */
  METRICS_ALLOW: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean)),
  BODY_LIMIT: z.string().default('2mb'),
  TOUR_SECONDS: z.coerce.number().int().min(3).default(20),
  TILE_URL: z.string().url().optional(),
  DEMO: bool.default(false),
  DEMO_RATE_PER_HOUR: z.coerce.number().positive().default(180),
  /** History is written slower than the live rate so "today" stands out without dwarfing the month. */
  DEMO_BACKFILL_RATE_PER_HOUR: z.coerce.number().positive().default(60),
  DEMO_SEED: z.coerce.number().int().default(20261122),
  DEMO_BACKFILL_DAYS: z.coerce.number().int().min(0).max(90).default(30),
  /** Share of the backfilled cases the demo's history takes through the closed loop (server/sim/dispatch-history.ts). */
  DEMO_HISTORY_SHARE: z.coerce.number().min(0).max(1).default(0.1),
});

export type Config = Readonly<z.infer<typeof schema>>;
export type ConfigInput = Partial<Record<keyof z.infer<typeof schema>, string | number | boolean>>;

/** `--data-dir x` → DATA_DIR=x; a bare `--demo` → DEMO=true. */
export function parseArgs(argv: readonly string[]): ConfigInput {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    // At the first `=` only: a value may hold more (a DATABASE_URL with ?sslmode=require).
    const eq = arg.indexOf('=');
    const [flag, inline] = eq < 0 ? [arg.slice(2), undefined] : [arg.slice(2, eq), arg.slice(eq + 1)];
    const key = flag.replace(/-/g, '_').toUpperCase();
    if (!(key in schema.shape)) throw new ConfigError(`unknown option --${flag}`);
    const next = argv[i + 1];
    if (inline !== undefined) out[key] = inline;
    else if (next !== undefined && !next.startsWith('--')) out[key] = argv[++i]!;
    else out[key] = true;
  }
  return out as ConfigInput;
}

export class ConfigError extends Error {
  /** One line per problem (`PORT: …`), for `cannot start: …` lines; the message joins them. */
  problems: readonly string[] = [];
}

export function resolveConfig(sources: { argv?: readonly string[]; env?: NodeJS.ProcessEnv; overrides?: ConfigInput } = {}): Config {
  const fromEnv = Object.fromEntries(Object.keys(schema.shape).flatMap((k) => (sources.env?.[k] !== undefined ? [[k, sources.env[k]]] : [])));
  const merged = { ...fromEnv, ...parseArgs(sources.argv ?? []), ...sources.overrides };
  const parsed = schema
    .refine((c) => !c.REDIS_URL || c.DATABASE_URL, { path: ['REDIS_URL'], message: 'needs DATABASE_URL: nodes share the PostgreSQL log, Redis only carries news of it' })
    .refine((c) => !c.DATABASE_URL || c.SESSION_SECRET, { path: ['SESSION_SECRET'], message: 'needs to be set when nodes share a PostgreSQL log: each node must accept the others\' session cookies' })
    .safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const error = new ConfigError(problems.join('; '));
    error.problems = problems;
    throw error;
  }
  return Object.freeze(parsed.data);
}

export const configNames = Object.keys(schema.shape);

/**
 * What each setting means, for `--help` (server/ops/preflight.ts prints it with each one's default from the schema).
 * Typed over the schema's keys: a setting added above without a line here fails the type check.
 */
export const settingHelp: { readonly [K in keyof z.infer<typeof schema>]: string } = {
  PORT: 'HTTP port to listen on (0: any free port)',
  HOST: 'address to listen on; behind nginx on the same host keep 127.0.0.1',
  DATA_DIR: 'folder of the data dirs (one per district): SQLite event log, audit log, report archive, keys, projection snapshot',
  DATABASE_URL: 'postgres://user@host:port/db selects the PostgreSQL event log shared by several nodes; unset: SQLite in DATA_DIR',
  DATABASE_SCHEMA: 'PostgreSQL schema holding the log (one log per schema)',
  REDIS_URL: 'redis:// or rediss:// joins the nodes through Redis (socket adapter, commit fan-out, shared rate limits); needs DATABASE_URL',
  RATE_LIMIT_INTAKE: 'requests a minute per client to POST /api/events (0: no limit)',
  RATE_LIMIT_COMMANDS: 'requests a minute per client to the command routes (0: no limit)',
  TRUST_PROXY: 'Express trust proxy: false, true, a hop count, or the reverse proxies\' addresses (e.g. loopback)',
  SESSION_SECRET: 'signs session cookies (at least 32 characters); needed with DATABASE_URL; default: a key made once in the data dir',
  SESSION_IDLE_MINUTES: 'a signed-in session ends after this many minutes without a request',
  SESSION_MAX_HOURS: 'and this many hours after sign-in, however active',
  KIOSK_SESSION_DAYS: 'a wall\'s kiosk session ends this many days after sign-in',
  ADMIN_USERNAME: 'first run: the admin created with ADMIN_PASSWORD when the log holds no admin',
  ADMIN_PASSWORD: 'first run: that admin\'s password (at least 12 characters); there is no default password',
  LOGIN_MAX_FAILURES: 'wrong passwords for one name from one address before the name is locked from there',
  LOGIN_LOCK_MINUTES: 'how long that lock (and the window the failures are counted in) lasts',
  LOGIN_SLOW_SECONDS: 'past ten times LOGIN_MAX_FAILURES, one attempt per this many seconds',
  LOGIN_KNOWN_DAYS: 'an address a user signed in from skips the slow-downs for that user this many days',
  ALLOWED_ORIGINS: 'other origins (comma-separated scheme://host[:port]) whose pages may open the live socket',
  AUDIT_RETENTION_DAYS: 'audit entries older than this are pruned (the chain stays verifiable)',
  CHROMIUM_PATH: 'the Chromium that prints reports to PDF; without it PDFs answer 503 and the rest works',
  DISTRICT: 'the district (a folder under data/districts)',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  HEAT_HALF_LIFE_HOURS: 'half-life of the recent-events part of heat',
  TZ_OFFSET_MINUTES: 'the district\'s time zone, minutes east of UTC',
  STREAM_BATCH_MS: 'longest a committed event waits to be coalesced into a stream batch under load',
  STREAM_HEARTBEAT_MS: 'how often clients are told the log\'s head seq (0: never)',
  REPLAY_LIMIT: 'a reconnecting client further behind than this many events gets a fresh snapshot',
  TIMER_SWEEP_MS: 'how often overdue timers (督办/升级) are checked',
  RISK_RULES: 'true: the risk rules raise alerts on every event; false: only outside systems raise them',
  RISK_SWEEP_MS: 'how often the time-based risk rules and the leader\'s heat frames run',
  RISK_IDENTITY_KEY: 'secret of the keyed hash that recognises repeat petitioners (16+ characters; same on every node); default: a key in the data dir',
  SHUTDOWN_TIMEOUT_SECONDS: 'on SIGTERM, requests in flight get this long to finish before they are cut',
  SNAPSHOT_EVERY_EVENTS: 'save a projection snapshot after this many committed events (0: never by count)',
  SNAPSHOT_EVERY_MINUTES: 'and this often when anything was committed since the last (0: never by time)',
  METRICS_TOKEN: 'bearer token for GET /metrics (16+ characters); unset with METRICS_ALLOW empty: /metrics is off',
  METRICS_ALLOW: 'addresses (comma-separated) that may scrape /metrics without the token',
  BODY_LIMIT: 'largest JSON request body',
  TOUR_SECONDS: 'seconds per stop of the wall\'s map tour',
  TILE_URL: 'a map tile URL template for the wall (unset: no base map tiles)',
  DEMO: 'true (or --demo): run the demo feed and dispatch simulation',
  DEMO_RATE_PER_HOUR: 'demo: live events an hour',
  DEMO_BACKFILL_RATE_PER_HOUR: 'demo: history events an hour of history',
  DEMO_SEED: 'demo: random seed',
  DEMO_BACKFILL_DAYS: 'demo: days of history written at first start',
  DEMO_HISTORY_SHARE: 'demo: share (0–1) of the backfilled cases written through the whole dispatch loop (triage to archive), so the desks and the wall have history at once',
};

/** Each setting's default as `--help` shows it. */
export function settingDefaults(): Record<string, string> {
  const defaults = schema.parse({}) as Record<string, unknown>;
  return Object.fromEntries(
    configNames.map((name) => {
      const value = name === 'DATA_DIR' ? '~/.local/share/sygl-command-centre' : defaults[name];
      return [name, value === undefined ? '(unset)' : Array.isArray(value) ? value.join(',') || '(empty)' : String(value)];
    }),
  );
}

/**
 * Resolves what it can: every problem with the settings (as ConfigError.problems lines) and a config in which each
 * faulty setting has its default, so the start-up checks can still look at the rest (server/ops/preflight.ts).
 */
export function checkConfig(sources: { argv?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): { config: Config; problems: string[]; faulty: Set<string> } {
  const problems: string[] = [];
  const faulty = new Set<string>();
  // The flags one by one, as parseArgs reads them, keeping those that parse.
  const input: Record<string, string | number | boolean> = {};
  const argv = sources.argv ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const pair = arg.startsWith('--') && !arg.includes('=') && next !== undefined && !next.startsWith('--') ? [arg, next] : [arg];
    i += pair.length - 1;
    try {
      Object.assign(input, parseArgs(pair));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const env = Object.fromEntries(configNames.flatMap((k) => (sources.env?.[k] !== undefined ? [[k, sources.env[k]!]] : [])));
  const merged: ConfigInput = { ...env, ...input };
  for (let attempt = 0; attempt <= configNames.length; attempt++) {
    try {
      return { config: resolveConfig({ overrides: merged }), problems, faulty };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const line of error.problems) if (!problems.includes(line)) problems.push(line);
      const names = error.problems.map((line) => line.split(':')[0]!).filter((n) => configNames.includes(n));
      if (names.length === 0) break;
      for (const name of names) {
        faulty.add(name);
        delete merged[name as keyof ConfigInput];
      }
    }
  }
  return { config: resolveConfig({}), problems, faulty };
}
