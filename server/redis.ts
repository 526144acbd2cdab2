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

/**
 * The client as the Socket.io streams adapter gets it. The adapter (0.3.x) drops the promises of some commands: the
 * PUBLISH of its ephemeral messages (serverSideEmit, which carries our commits) and the SET that keeps a session for
 * connection-state recovery. One in flight when the connection to Redis breaks rejects with nobody listening, and
 * Node ends the process on an unhandled rejection. The same fault is reported for the Redis emitter
 * (socketio/socket.io-redis-emitter#139). Here every command promise gets an observer; the adapter already treats
 * these commands as best-effort, and the log's own paths make good what they lose.
 */
export function forAdapter(client: RedisClient): RedisClient {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result;
      };
    },
  });
}
