/**
 * Start-up checks (`npm start`, server/index.ts), before anything listens or opens: what would otherwise fail later,
 * or fail with a stack trace, is found here and reported all at once as `cannot start: …` lines (exit 2). Checked:
 * every setting parses (server/config.ts), the district's data loads, the port is free, the data dir exists or can be
 * made and is writable, PostgreSQL and Redis answer when configured. Chromium and a CJK font for PDF reports are only
 * warnings: without them PDFs answer 503 and the rest works. `--help` lists the settings from server/config.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { checkConfig, configNames, settingDefaults, settingHelp, type Config } from '../config.js';
import { DistrictDataError, loadDistrictData } from '../district-data.js';

/** How long a check waits for PostgreSQL or Redis to answer. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Below this much free space /readyz says not ready (server/ops/health.ts): starting there is pointless. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

export interface PreflightResult {
  config: Config;
  /** One line each, printed as `cannot start: <line>`. */
  problems: string[];
  /** One line each, printed as `warning: <line>`. */
  warnings: string[];
}

/** All the checks; never throws for what it finds (only for a bug). */
export async function preflight(sources: { argv: readonly string[]; env: NodeJS.ProcessEnv }): Promise<PreflightResult> {
  const { config, problems, faulty } = checkConfig(sources);
  const warnings: string[] = [];
  const ok = (...names: string[]) => names.every((n) => !faulty.has(n));
  if (ok('DISTRICT')) {
    try {
      loadDistrictData(config.DISTRICT);
    } catch (error) {
      if (!(error instanceof DistrictDataError)) throw error;
      problems.push(error.message);
    }
  }
  const checks: Array<Promise<string | undefined>> = [];
  if (ok('PORT', 'HOST') && config.PORT !== 0) checks.push(portProblem(config.HOST, config.PORT));
  if (ok('DATA_DIR', 'DISTRICT')) checks.push(Promise.resolve(dataDirProblem(path.join(config.DATA_DIR, config.DISTRICT))));
  if (ok('DATABASE_URL') && config.DATABASE_URL) checks.push(postgresProblem(config.DATABASE_URL));
  if (ok('REDIS_URL') && config.REDIS_URL) checks.push(redisProblem(config.REDIS_URL));
  for (const found of await Promise.all(checks)) if (found) problems.push(found);
  if (ok('CHROMIUM_PATH')) warnings.push(...pdfWarnings(config.CHROMIUM_PATH));
  return { config, problems, warnings };
}

/** Whether `port` can be listened on at `host`: a listen that is closed again at once. */
function portProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const where = `port ${port} on ${host}`;
      if (error.code === 'EADDRINUSE') resolve(`${where} is in use (another server, or this one still running): stop it or set PORT`);
      else if (error.code === 'EACCES') resolve(`${where}: permission denied (ports below 1024 need privileges): use a higher PORT behind nginx`);
      else if (error.code === 'EADDRNOTAVAIL') resolve(`HOST ${host} is not an address of this machine`);
      else if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') resolve(`HOST ${host} does not resolve`);
      else resolve(`cannot listen on ${where}: ${error.code ?? error.message}`);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/** The data dir exists and is a writable folder, or the nearest folder above it that exists is writable. */
export function dataDirProblem(dir: string): string | undefined {
  let existing = dir;
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(existing);
  } catch (error) {
    return `data dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  if (!stat.isDirectory()) return `data dir ${dir}: ${existing} is not a folder`;
  try {
    // access(2) also says EROFS for a read-only mount.
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return existing === dir
      ? `data dir ${dir} is not writable (${code}): give the server's user write access (chown, or the unit's StateDirectory)`
      : `data dir ${dir} cannot be made: ${existing} is not writable (${code})`;
  }
  try {
    const { bavail, bsize } = fs.statfsSync(existing);
    const free = bavail * bsize;
    if (free < MIN_FREE_BYTES) return `data dir ${dir} has only ${Math.floor(free / 1048576)} MB free (needs 64 MB)`;
  } catch {
    // statfs unsupported here: the readiness check watches space while running.
  }
  return undefined;
}

/** Where a URL points, without user or password. */
function redacted(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  // An AggregateError (IPv4 and IPv6 both refused) has an empty message.
  return e.code ?? (e.message || (e.errors?.length ? reason(e.errors[0]) : String(error)));
}

async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'sygl-preflight' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    // A SQLSTATE: it answered, and said no (no such database, authentication failed).
    const { code, message } = error as { code?: unknown; message?: string };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `PostgreSQL at ${redacted(url)} refused: ${message}: check DATABASE_URL`;
    return `PostgreSQL at ${redacted(url)} does not answer (${reason(error)}): start it, or check DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisProblem(url: string): Promise<string | undefined> {
  const client = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
  let failure: unknown;
  client.on('error', (error: unknown) => (failure ??= error));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${redacted(url)} does not answer (${reason(failure ?? error)}): start it, or unset REDIS_URL to run without the fan-out`;
  } finally {
    if (client.isOpen) await client.close().catch(() => undefined);
  }
}

function pdfWarnings(chromium: string): string[] {
  const warnings: string[] = [];
  try {
    fs.accessSync(chromium, fs.constants.X_OK);
  } catch {
    warnings.push(`no Chromium at ${chromium} (CHROMIUM_PATH): PDF reports will answer 503 (apt-get install chromium); everything else works`);
  }
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // fc-list missing: no fontconfig, so no CJK font either
  }
  if (!fonts.trim()) warnings.push('no CJK font (fc-list :lang=zh finds none): PDF reports would print Chinese as boxes (apt-get install fonts-noto-cjk)');
  return warnings;
}

/** `--help`: every setting of server/config.ts with its default and meaning. */
export function helpText(): string {
  const defaults = settingDefaults();
  const help = settingHelp as Record<string, string>;
  const lines = [
    '诉源治理指挥中心 command centre',
    '',
    'Usage: npm start -- [--name value ...]        (node dist/node/server/index.js [--name value ...])',
    '       npm run demo                           (with the demo feed)',
    '',
    'Every setting is an environment variable NAME=value or a flag --name value (--name=value); a flag wins over the',
    'environment. Flags are the names in lower case with - for _ (DATA_DIR: --data-dir). A bare flag means true.',
    'On a problem the server exits 2 with one "cannot start: ..." line per problem.',
    '',
    'Settings (default in brackets):',
  ];
  for (const name of configNames) {
    lines.push(`  ${name.padEnd(28)} --${name.toLowerCase().replace(/_/g, '-')}  [${defaults[name]}]`);
    lines.push(`      ${help[name]}`);
  }
  lines.push('', 'Exit codes: 0 stopped cleanly, 2 cannot start (see the lines above it), other: crashed.', 'More: docs/operations.md', '');
  return lines.join('\n');
}
