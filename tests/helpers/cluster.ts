/**
 * The set-up every multi-node suite shares: node processes on a fresh PostgreSQL schema each (optionally with a private
 * redis-server the suite may kill and restart), socket clients closed and nodes killed after each test, the schemas
 * dropped and Redis stopped at the end. Call once inside a `describe`: it registers the hooks there.
 */
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { dropSchemas, freshSchemaName, testDatabaseUrl } from './pg-env.js';
import { CountingClient, killNodes, readiness, startNode, type Node } from './pg-nodes.js';
import { startRedis, type TestRedis } from './redis-env.js';

export interface ClusterOptions {
  /** Start a private redis-server for the suite and point every node at it. */
  redis?: boolean;
}

export interface ClusterSuite {
  /** The suite's private Redis (only with `redis: true`; after `beforeAll`). */
  readonly redis: TestRedis;
  /** A fresh schema name, dropped at the end of the suite. */
  schema(): string;
  /** A counting socket client, closed after the test. */
  client(url: string, options?: { lastSeq?: number }): CountingClient;
  /**
   * `size` nodes on a fresh schema: the first creates it, the rest start together. With Redis, resolves once every
   * node's adapter is ready (within `redisReadyMs`).
   */
  cluster(size: number, options?: { env?: Record<string, string>; databaseUrl?: string; redisReadyMs?: number }): Promise<{ schema: string; nodes: Node[] }>;
}

export function clusterSuite(options: ClusterOptions = {}): ClusterSuite {
  let redis: TestRedis | undefined;
  const schemas: string[] = [];
  const clients: CountingClient[] = [];

  if (options.redis) {
    beforeAll(async () => {
      redis = await startRedis();
    });
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    killNodes();
    // A test that killed Redis and failed must not leave the next one without it.
    await redis?.start();
  });
  afterAll(async () => {
    await redis?.kill();
    await dropSchemas(schemas);
  });

  const schema = () => {
    const name = freshSchemaName();
    schemas.push(name);
    return name;
  };

  return {
    get redis() {
      if (!redis) throw new Error('clusterSuite: no Redis (pass { redis: true }, and use it in a test or hook)');
      return redis;
    },
    schema,
    client(url, clientOptions = {}) {
      const c = new CountingClient(url, clientOptions);
      clients.push(c);
      return c;
    },
    async cluster(size, { env = {}, databaseUrl = testDatabaseUrl, redisReadyMs = 30_000 } = {}) {
      const name = schema();
      const nodeEnv = { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: name, ...(redis && { REDIS_URL: redis.url }), ...env };
      const first = await startNode(nodeEnv);
      const rest = await Promise.all(Array.from({ length: size - 1 }, () => startNode(nodeEnv)));
      const nodes = [first, ...rest];
      if (redis) {
        await vi.waitFor(async () => expect((await Promise.all(nodes.map((n) => readiness(n.url)))).every((r) => r.redis?.ready)).toBe(true), { timeout: redisReadyMs });
      }
      return { schema: name, nodes };
    },
  };
}
