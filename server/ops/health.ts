/**
 * `/readyz`: whether intake would succeed on this node now, and why not. 503 while starting (with the replay's
 * progress), while stopping, when the event log cannot be written (SQLite writer stopped, data dir read-only or full)
 * or when PostgreSQL does not answer. Redis and the follower's lag are reported: without Redis intake still works
 * (the log and its NOTIFY carry the news, README "Several nodes"), so they do not make the node unready.
 */
import fs from 'node:fs';
import type { Lifecycle } from './lifecycle.js';
import type { EventStore } from '../store/event-store.js';

/** Below this much free space in the data dir a commit may fail half-way through the day: not ready. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;
/** A PostgreSQL that has not answered `lastSeq` in this long counts as down. */
const PG_TIMEOUT_MS = 2_000;

export interface ReadinessDeps {
  lifecycle?: Lifecycle;
  store: EventStore & { problem?(): string | undefined };
  appliedSeq: () => number;
  /** The folder the node writes (snapshot, keys; the SQLite log). */
  dataDir?: string;
  postgres: boolean;
  redis?: { ready: boolean; stats: object };
}

export interface Readiness {
  status: 'ready' | 'not_ready' | 'starting' | 'stopping';
  seq: number;
  problems: string[];
  checks: Record<string, unknown>;
  replay?: { replayed: number; total: number };
  redis?: { ready: boolean };
}

export async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const phase = deps.lifecycle?.phase ?? 'ready';
  const seq = deps.appliedSeq();
  if (phase === 'starting') return { status: 'starting', seq, problems: ['starting: replaying the event log'], checks: {}, replay: { ...deps.lifecycle!.replay } };
  const problems: string[] = [];
  const checks: Record<string, unknown> = {};
  if (phase === 'stopping') problems.push('stopping: the node is shutting down');
  const storeProblem = deps.store.problem?.();
  if (storeProblem) problems.push(`event log: ${storeProblem}`);
  checks.eventLog = storeProblem ? 'down' : 'up';
  if (deps.dataDir) {
    const dir = dataDirProblem(deps.dataDir);
    if (dir) problems.push(`data dir: ${dir}`);
    checks.dataDir = dir ? 'down' : 'up';
  }
  let lastSeq: number | undefined;
  try {
    lastSeq = await withTimeout(deps.store.lastSeq(), PG_TIMEOUT_MS);
  } catch {
    // The driver's message names hosts and ports: the log has it, /readyz (public) says only what is down.
    problems.push(deps.postgres ? 'PostgreSQL: does not answer' : 'event log: cannot be read');
  }
  if (deps.postgres) checks.postgresql = lastSeq === undefined ? 'down' : 'up';
  if (lastSeq !== undefined) checks.followerLag = Math.max(0, lastSeq - seq);
  if (deps.redis) checks.redis = deps.redis.ready ? 'up' : 'down';
  const status = phase === 'stopping' ? 'stopping' : problems.length ? 'not_ready' : 'ready';
  return { status, seq, problems, checks, ...(deps.redis && { redis: { ready: deps.redis.ready, ...deps.redis.stats } }) };
}

function dataDirProblem(dir: string): string | undefined {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `${dir} is not writable`;
  }
  try {
    const stats = fs.statfsSync(dir);
    const free = stats.bavail * stats.bsize;
    if (free < MIN_FREE_BYTES) return `${dir} has only ${Math.round(free / 1e6)} MB free`;
  } catch {
    // statfs is missing on some platforms; writability was checked.
  }
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms))),
  ]);
}
