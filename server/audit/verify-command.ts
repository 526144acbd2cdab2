/**
 * `audit verify`: checks the audit chain of a node's data dir or a PostgreSQL schema, with the same flags and
 * environment variables as the server (server/config.ts), so an operator points it at a log exactly as they point
 * the server. Separate from cli.ts so tests can run it in-process.
 */
import path from 'node:path';
import { ConfigError, parseArgs, resolveConfig, type ConfigInput } from '../config.js';
import { AuditNotFoundError, openAuditLog, type AuditLocation, type AuditLog } from './audit-log.js';
import { AUDIT_DB_FILE } from './sqlite-storage.js';

export const USAGE = `usage: audit verify [--data-dir DIR --district NAME | --database-url URL --schema NAME]
  Recomputes the audit log's hash chain. Without flags it uses DATA_DIR and DISTRICT (the log is
  DATA_DIR/DISTRICT/audit.db), or DATABASE_URL and DATABASE_SCHEMA, as the server does.
  exit 0: the chain is intact; 1: it was tampered with (the entry and why); 2: it could not be checked.`;

export const EXIT = { intact: 0, tampered: 1, unchecked: 2 } as const;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** `--schema` is the short form of the server's `--database-schema`. */
function serverArgs(args: readonly string[]): string[] {
  return args.map((arg) => (arg === '--schema' ? '--database-schema' : arg.startsWith('--schema=') ? `--database-schema=${arg.slice(9)}` : arg));
}

const LOCATION = ['DATA_DIR', 'DISTRICT', 'DATABASE_URL', 'DATABASE_SCHEMA'] as const;
type LocationKey = (typeof LOCATION)[number];

/**
 * Where the log is, from the server's settings of that name only: the server's other settings (and their cross-checks,
 * such as a session secret being required beside DATABASE_URL) are none of a verifier's business, so neither an
 * unrelated variable in the operator's environment nor a missing secret stops it. DATABASE_URL is kept out of
 * resolveConfig for the same reason, and checked here the way config.ts checks it.
 */
function locate(argv: readonly string[], env: NodeJS.ProcessEnv): { location: AuditLocation; where: string } {
  const flags = parseArgs(serverArgs(argv));
  const stray = Object.keys(flags).filter((key) => !LOCATION.includes(key as LocationKey));
  if (stray.length) throw new ConfigError(`not an option of audit verify: ${stray.map((k) => `--${k.toLowerCase().replaceAll('_', '-')}`).join(', ')}`);
  const given: ConfigInput = {};
  for (const key of LOCATION) {
    const value = flags[key] ?? env[key];
    if (value !== undefined) given[key] = value;
  }
  const { DATABASE_URL: url, ...rest } = given;
  const config = resolveConfig({ overrides: rest });
  if (url === undefined) {
    const dataDir = path.join(config.DATA_DIR, config.DISTRICT);
    return { location: { dataDir, create: false }, where: path.join(dataDir, AUDIT_DB_FILE) };
  }
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL: must be a postgres:// URL');
  const parsed = new URL(url);
  return {
    location: { url, schema: config.DATABASE_SCHEMA, create: false, applicationName: 'sygl-audit-verify' },
    // Where the log is, never how to get in.
    where: `PostgreSQL ${parsed.hostname}:${parsed.port || '5432'}/${parsed.pathname.slice(1)} schema ${config.DATABASE_SCHEMA}`,
  };
}

export async function runVerifyCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return EXIT.intact;
  }
  if (command !== 'verify') {
    io.err(command === undefined ? 'missing command' : `unknown command "${command}"`);
    io.err(USAGE);
    return EXIT.unchecked;
  }
  let log: AuditLog;
  let where: string;
  try {
    const located = locate(rest, env);
    where = located.where;
    log = await openAuditLog(located.location);
  } catch (error) {
    io.err(error instanceof ConfigError || error instanceof AuditNotFoundError ? error.message : `cannot open the audit log: ${(error as Error).message}`);
    if (error instanceof ConfigError) io.err(USAGE);
    return EXIT.unchecked;
  }
  try {
    const result = await log.verify();
    if (result.ok) {
      io.out(`audit log intact: ${result.entries} entries verified in ${where}`);
      io.out(`head: entry ${result.head.seq}, sha256 ${result.head.hash}`);
      return EXIT.intact;
    }
    io.out(`AUDIT LOG TAMPERED in ${where}: entry ${result.seq}: ${result.reason}`);
    return EXIT.tampered;
  } catch (error) {
    io.err(`cannot verify the audit log in ${where}: ${(error as Error).message}`);
    return EXIT.unchecked;
  } finally {
    await log.close().catch(() => undefined);
  }
}
