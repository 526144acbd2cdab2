/**
 * The Redis connection of a node in a cluster (REDIS_URL): the Socket.io adapter, the commit fan-out and the shared
 * rate limits use it. Redis is a fast path here, never the record: the event log (PostgreSQL) is. So a node starts
 * and keeps serving while Redis is away, and the client reconnects by itself, for ever, a second apart at most:
 * after a Redis restart the node is back on it within about a second of Redis answering.
 */
import { createClient } from 'redis';
import type { Logger } from './log.js';

export type RedisClient = ReturnType<typeof createClient>;

/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_MS = 1_000;

export interface RedisOptions {
  url: string;
  /** Shown in CLIENT LIST: which node this is. */
  name: string;
  log: Logger;
  /** How long start-up waits for Redis before going on without it. Default 5 s. */
  startTimeoutMs?: number;
}

/** A client already connecting; resolves once it is ready or the start timeout passed (it keeps trying then). */
export async function connectRedis(options: RedisOptions): Promise<RedisClient> {
  const { log } = options;
  const client = createClient({
    url: options.url,
    name: options.name,
    socket: {
      connectTimeout: 3_000,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_MS),
    },
  });
  // node-redis emits 'error' on every failed attempt; without a listener that would crash the process.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, redis: redactedUrl(options.url) }, 'Redis unreachable: cross-node fan-out falls back to PostgreSQL notifications; retrying');
  });
  client.on('ready', () => {
    if (down) log.info({ redis: redactedUrl(options.url) }, 'Redis is back');
    down = false;
  });
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const timeout = new Promise<false>((resolve) => setTimeout(resolve, options.startTimeoutMs ?? 5_000, false).unref());
  if (!(await Promise.race([connected, timeout]))) {
    log.warn({ redis: redactedUrl(options.url) }, 'Redis did not answer at start-up: starting without it; it joins when it answers');
  }
  return client;
}

/** Ends the connection; never rejects. */
export async function closeRedis(client: RedisClient): Promise<void> {
  try {
    if (client.isOpen) await client.close();
  } catch {
    client.destroy();
  }
}

/** Where, never the password. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '…';
  return parsed.href;
}
