/**
 * What the PostgreSQL engines of the report archive (server/reports/pg-archive.ts) and the audit log
 * (server/audit/pg-storage.ts) share: how their connection pool is made, their schema's advisory lock id, and
 * "prepare the tables once; a failed attempt is tried again by the next call".
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** The connection settings an engine's options carry. */
export interface PoolOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  /** Errors of idle pooled connections; the pool replaces them by itself. */
  onError?: (error: Error) => void;
}

/** A schema name the engines accept: a lower-case SQL identifier, so it needs no case folding to match. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema's advisory lock object id: a signed int4, the same on every node. */
export function schemaLockId(schema: string): number {
  return createHash('sha256').update(schema).digest().readInt32BE(0);
}

/**
 * A pool with the engine's defaults where the options say nothing (queries time out after 30 s, connections
 * after 5 s, TCP keep-alive on); `extra` adds or overrides pg settings.
 */
export function makePool(options: PoolOptions, defaults: { poolSize: number; applicationName: string; extra?: pg.PoolConfig }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? defaults.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    query_timeout: 30_000,
    keepAlive: true,
    application_name: options.applicationName ?? defaults.applicationName,
    ...defaults.extra,
  });
  // Without a listener an idle connection's error (a server restart) would end the process.
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * `prepare` run once and its promise shared by every caller; when it fails (PostgreSQL away), the callers waiting
 * get the error and the next call tries again.
 */
export function onceReady(prepare: () => Promise<void>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    if (!ready) {
      const attempt = prepare();
      ready = attempt;
      attempt.catch(() => {
        if (ready === attempt) ready = undefined;
      });
    }
    return ready;
  };
}
