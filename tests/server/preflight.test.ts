/**
 * Preflight (server/ops/preflight.ts) on the built server as systemd runs it: every problem found before anything
 * listens, all at once, one `cannot start: …` line each, exit 2, never a stack trace; PDF prerequisites only warn.
 * `--help` lists every setting of server/config.ts with its default and exits 0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfig, configNames, resolveConfig, settingDefaults } from '../../server/config.js';
import { BUILT_ENTRY, ROOT, useBuiltServer } from '../helpers/built-server.js';
import { requirePostgres, testDatabaseUrl } from '../helpers/pg-env.js';

const noPostgres = (await requirePostgres('preflight against PostgreSQL')) !== undefined;

const { track } = useBuiltServer();
const root = ROOT;
const entry = BUILT_ENTRY;

const STACK = /\bat .+\.(js|ts):\d+/;

function run(args: string[], env: Record<string, string> = {}, options: { uid?: number; gid?: number; command?: string } = {}) {
  const child = spawn(options.command ?? process.execPath, options.command ? args : [entry, ...args], {
    cwd: options.command ? root : os.tmpdir(),
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined && { uid: options.uid, gid: options.gid }),
  });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string; lines: string[] }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr, lines: stderr.split('\n').filter(Boolean) })),
  );
  return { child, exited, stdout: () => stdout };
}

/** A loopback port nothing listens on (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('--help', () => {
  it('lists every setting with its flag, default and meaning, and exits 0 (node and npm start)', async () => {
    for (const [args, options] of [
      [['--help'], {}],
      [['start', '--silent', '--', '--help'], { command: 'npm' }],
    ] as const) {
      const { code, stdout, stderr } = await run([...args], {}, options).exited;
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const defaults = settingDefaults();
      for (const name of configNames) {
        const flag = `--${name.toLowerCase().replaceAll('_', '-')}`;
        expect(stdout).toMatch(new RegExp(`^  ${name} +${flag}  \\[${defaults[name]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\n      \\S`, 'm'));
      }
      expect(stdout).toContain('[3000]');
    }
  }, 60_000);
});

describe('preflight of the built server', () => {
  it('reports every bad setting at once, one line each, exit 2, no stack trace, nothing on stdout', async () => {
    const { code, stdout, lines, stderr } = await run(['--port', '70000', '--log-level', 'loud', '--prot', '1'], {
      TZ_OFFSET_MINUTES: 'east',
      SESSION_IDLE_MINUTES: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ADMIN_PASSWORD: 'short',
      DATA_DIR: tmp('sygl-pf-'),
    }).exited;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(STACK);
    expect(lines.sort()).toEqual(
      [
        'cannot start: unknown option --prot',
        'cannot start: PORT: Too big: expected number to be <=65535',
        'cannot start: LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
        'cannot start: TZ_OFFSET_MINUTES: Invalid input: expected number, received NaN',
        'cannot start: SESSION_IDLE_MINUTES: Too small: expected number to be >=1',
        'cannot start: ADMIN_PASSWORD: at least 12 characters',
        'cannot start: REDIS_URL: needs DATABASE_URL: nodes share the PostgreSQL log, Redis only carries news of it',
      ].sort(),
    );
  }, 60_000);

  it('refuses a port in use, a data dir that cannot be made, and unreachable PostgreSQL and Redis, all in one go', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const file = path.join(tmp('sygl-pf-file-'), 'not-a-folder');
    fs.writeFileSync(file, '');
    const [pgPort, redisPort] = [await closedPort(), await closedPort()];
    try {
      const { code, lines, stderr } = await run(['--port', String(port)], {
        DATA_DIR: path.join(file, 'data'),
        DATABASE_URL: `postgres://sygl:secret-password@127.0.0.1:${pgPort}/sygl`,
        SESSION_SECRET: 'a-session-secret-of-at-least-32-chars',
        REDIS_URL: `redis://:redis-password@127.0.0.1:${redisPort}`,
      }).exited;
      expect(code).toBe(2);
      expect(stderr).not.toMatch(STACK);
      expect(stderr).not.toContain('password'); // never the credentials of a URL
      expect(lines.sort()).toEqual(
        [
          `cannot start: port ${port} on 127.0.0.1 is in use (another server, or this one still running): stop it or set PORT`,
          `cannot start: data dir ${file}/data/longgang: ${file} is not a folder`,
          `cannot start: PostgreSQL at 127.0.0.1:${pgPort}/sygl does not answer (ECONNREFUSED): start it, or check DATABASE_URL`,
          `cannot start: Redis at 127.0.0.1:${redisPort} does not answer (ECONNREFUSED): start it, or unset REDIS_URL to run without the fan-out`,
        ].sort(),
      );
    } finally {
      holder.close();
    }
  }, 60_000);

  it.skipIf(noPostgres)('says PostgreSQL refused when it answers no (no such database), not that it does not answer', async () => {
    const url = new URL(testDatabaseUrl);
    url.pathname = '/sygl_no_such_database';
    const { code, lines } = await run(['--port', '0', '--data-dir', tmp('sygl-pf-db-')], { DATABASE_URL: url.href, SESSION_SECRET: 'a-session-secret-of-at-least-32-chars' }).exited;
    expect(code).toBe(2);
    expect(lines).toEqual([`cannot start: PostgreSQL at ${url.hostname}:${url.port || '5432'}/sygl_no_such_database refused: database "sygl_no_such_database" does not exist: check DATABASE_URL`]);
  }, 60_000);

  it('refuses a data dir the server user cannot write (run as nobody, as systemd runs it as sygl)', async () => {
    const dataDir = tmp('sygl-pf-ro-');
    fs.mkdirSync(path.join(dataDir, 'longgang'));
    fs.chmodSync(path.join(dataDir, 'longgang'), 0o555);
    fs.chmodSync(dataDir, 0o755);
    const fresh = path.join(dataDir, 'longgang', 'below');
    const nobody = { uid: 65534, gid: 65534 };
    const existing = await run(['--port', '0', '--data-dir', dataDir], {}, nobody).exited;
    expect(existing.code).toBe(2);
    expect(existing.lines).toEqual([`cannot start: data dir ${dataDir}/longgang is not writable (EACCES): give the server's user write access (chown, or the unit's StateDirectory)`]);
    const below = await run(['--port', '0', '--data-dir', fresh], {}, nobody).exited;
    expect(below.code).toBe(2);
    expect(below.lines).toEqual([`cannot start: data dir ${fresh}/longgang cannot be made: ${dataDir}/longgang is not writable (EACCES)`]);
  }, 60_000);

  it('only warns when Chromium or a CJK font for PDFs is missing, and starts', async () => {
    const fontconfig = path.join(tmp('sygl-pf-fonts-'), 'fonts.conf');
    fs.writeFileSync(fontconfig, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
    const server = run(['--port', '0', '--data-dir', tmp('sygl-pf-warn-'), '--log-level', 'warn'], { CHROMIUM_PATH: '/nonexistent/chromium', FONTCONFIG_FILE: fontconfig });
    while (!/诉源治理指挥中心 · http/.test(server.stdout())) {
      if (server.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    server.child.kill('SIGTERM');
    const { code, lines } = await server.exited;
    expect(code).toBe(0);
    expect(lines.slice(0, 2)).toEqual([
      'warning: no Chromium at /nonexistent/chromium (CHROMIUM_PATH): PDF reports will answer 503 (apt-get install chromium); everything else works',
      'warning: no CJK font (fc-list :lang=zh finds none): PDF reports would print Chinese as boxes (apt-get install fonts-noto-cjk)',
    ]);
  }, 60_000);
});

describe('checkConfig over generated bad values', () => {
  // Numeric and enum settings, with a value each must refuse.
  const numeric = ['PORT', 'RATE_LIMIT_INTAKE', 'SESSION_IDLE_MINUTES', 'SESSION_MAX_HOURS', 'KIOSK_SESSION_DAYS', 'LOGIN_MAX_FAILURES', 'LOGIN_LOCK_MINUTES', 'LOGIN_SLOW_SECONDS', 'LOGIN_KNOWN_DAYS', 'AUDIT_RETENTION_DAYS', 'TZ_OFFSET_MINUTES', 'STREAM_BATCH_MS', 'STREAM_HEARTBEAT_MS', 'REPLAY_LIMIT', 'TIMER_SWEEP_MS', 'RISK_SWEEP_MS', 'SHUTDOWN_TIMEOUT_SECONDS', 'SNAPSHOT_EVERY_EVENTS', 'SNAPSHOT_EVERY_MINUTES', 'TOUR_SECONDS', 'DEMO_BACKFILL_DAYS'];
  const enums = ['LOG_LEVEL', 'RISK_RULES', 'DEMO'];
  const badNumber = fc.oneof(
    fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && Number.isNaN(Number(s))),
    fc.integer({ min: 10_000_000, max: 2 ** 40 }).map(String), // above every maximum but the unbounded ones
    fc.integer({ min: -(2 ** 40), max: -1000 }).map(String),
    fc.double({ min: 0.01, max: 0.99, noNaN: true }).map((d) => String(d + 3)), // not an integer
  );
  const badEnum = fc.string({ minLength: 1 }).filter((s) => !['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent', 'true', 'false', '1', '0'].includes(s));

  it('names each bad setting once, keeps the good ones, and defaults the bad for the other checks', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...numeric), badNumber, { minKeys: 1 }),
        fc.dictionary(fc.constantFrom(...enums), badEnum),
        fc.constantFrom('--flag', 'env'),
        (nums, ens, via) => {
          // Values too big are fine for the settings without a maximum.
          const unbounded = ['RATE_LIMIT_INTAKE', 'AUDIT_RETENTION_DAYS', 'REPLAY_LIMIT', 'SNAPSHOT_EVERY_EVENTS', 'TOUR_SECONDS'];
          // … and a fraction in range for the two that take fractions.
          const fractional = ['SHUTDOWN_TIMEOUT_SECONDS', 'SNAPSHOT_EVERY_MINUTES'];
          const bad = Object.fromEntries(
            Object.entries({ ...nums, ...ens }).filter(
              ([k, v]) => !(unbounded.includes(k) && Number(v) > 0 && Number.isInteger(Number(v))) && !(fractional.includes(k) && /^3\.\d+$/.test(v)),
            ),
          );
          const good = { HOST: '0.0.0.0', DISTRICT: 'baoan' };
          const all = { ...bad, ...good };
          const sources =
            via === 'env' ? { env: all } : { argv: Object.entries(all).flatMap(([k, v]) => [`--${k.toLowerCase().replaceAll('_', '-')}=${v}`]) };
          const { config, problems, faulty } = checkConfig(sources);
          expect([...faulty].sort()).toEqual(Object.keys(bad).sort());
          expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(Object.keys(bad).sort());
          const defaults = resolveConfig({});
          for (const name of Object.keys(bad)) expect(config[name as keyof typeof config]).toEqual(defaults[name as keyof typeof defaults]);
          expect(config.HOST).toBe('0.0.0.0');
          expect(config.DISTRICT).toBe('baoan');
        },
      ),
      { numRuns: 300 },
    );
  });
});
