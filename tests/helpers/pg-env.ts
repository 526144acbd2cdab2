/**
 * PostgreSQL for the multi-node tests: the server to use (TEST_DATABASE_URL, default the local test database),
 * whether it answers, fresh schemas, and a TCP relay the test can cut to make PostgreSQL unreachable without
 * stopping the machine's server.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const onCi = Boolean(process.env.CI) && process.env.CI !== 'false';

/** Resolves with why PostgreSQL cannot be used, or undefined when it answers. */
export async function probePostgres(url = testDatabaseUrl): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Off CI: warn and return the reason (the caller skips); on CI: throw. */
export async function requirePostgres(suite: string): Promise<string | undefined> {
  const unreachable = await probePostgres();
  if (!unreachable) return undefined;
  const why = `no PostgreSQL at ${testDatabaseUrl.replace(/\/\/[^@/]*@/, '//…@')} (${unreachable}); start PostgreSQL or set TEST_DATABASE_URL`;
  if (onCi) throw new Error(`CI must run the ${suite}, but there is ${why}`);
  console.warn(`[${suite}] SKIPPED: ${why}`);
  return why;
}

export const freshSchemaName = () => `sygl_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await admin.end();
  }
}

/** One query on the test database, with a client of its own. */
export async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A TCP relay to PostgreSQL that the test can cut (every socket destroyed, port closed) and restore on the same port. */
export async function postgresRelay(url = testDatabaseUrl) {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port || 5432), target.hostname);
    track(inbound);
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  let port = 0;
  const listen = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen();
  port = (server.address() as net.AddressInfo).port;
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  return {
    url: via.href,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: listen,
    /** Ends every connection but keeps accepting new ones. */
    drop() {
      for (const socket of sockets) socket.destroy();
    },
    stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
